"""Errors, retries and timeouts of streamed and unary calls, driven by the emulator's faults."""

from __future__ import annotations

import json
import socket

import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault, ScriptedReply

MODEL = "gemini-2.5-flash"
LONG = "A long one emulator:words=200"


def _chunk(text: str, finish: str | None = None) -> dict[str, object]:
    candidate: dict[str, object] = {
        "content": {"parts": [{"text": text}], "role": "model"},
        "index": 0,
    }
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 3}}


# -- retries ---------------------------------------------------------------------------------


async def test_429_with_retry_info_then_success(client: gs.Client, emulator: Emulator) -> None:
    emulator.fail_next(1, 429, retry_after=2)
    assert await client.stream(MODEL, "Hi").final_text()
    assert [r.status for r in emulator.records] == [429, 200]


async def test_429_carries_the_server_delay_and_details(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.fail_next(1, 429, retry_after=7)
    with pytest.raises(gs.RateLimitError) as info:
        await client.stream(MODEL, "Hi", retry=gs.RetryPolicy(max_attempts=1)).final_text()
    error = info.value
    assert error.retry_delay == 7.0
    assert (error.code, error.status) == (429, "RESOURCE_EXHAUSTED")
    assert any(type(d).__name__ == "QuotaFailure" for d in error.details)
    assert b"RESOURCE_EXHAUSTED" in error.body
    assert error.partial == gs.GenerateContentResponse()


async def test_503_twice_then_success(client: gs.Client, emulator: Emulator) -> None:
    emulator.fail_next(2, 503)
    assert await client.stream(MODEL, "Hi").final_text()
    assert [r.status for r in emulator.records] == [503, 503, 200]


async def test_retries_give_up_after_max_attempts(client: gs.Client, emulator: Emulator) -> None:
    emulator.fail_next(5, 500)
    with pytest.raises(gs.ServerError) as info:
        await client.stream(MODEL, "Hi", retry=gs.RetryPolicy(max_attempts=3)).final_text()
    assert info.value.code == 500
    assert len(emulator.records) == 3


async def test_unary_generate_retries_too(client: gs.Client, emulator: Emulator) -> None:
    emulator.fail_next(2, 503)
    assert (await client.generate(MODEL, "Hi")).text
    assert len(emulator.records) == 3


async def test_error_after_200_before_any_content_is_retried(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(error_after=0, error_status=503))
    assert await client.stream(MODEL, "Hi").final_text()
    assert len(emulator.records) == 2


async def test_error_after_content_is_raised_with_the_partial_reply_never_replayed(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(error_after=2, error_status=503))
    received: list[str] = []
    with pytest.raises(gs.ServiceUnavailableError) as info:
        async for chunk in client.stream(MODEL, LONG):
            received.append(chunk.text)
    assert len(received) == 2
    assert info.value.partial is not None
    assert info.value.partial.text == "".join(received)
    assert len(emulator.records) == 1


async def test_error_event_inside_the_stream_maps_to_its_class(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(error_event_after=1, error_status=429))
    stream = client.stream(MODEL, LONG)
    with pytest.raises(gs.RateLimitError):
        async for _ in stream:
            pass
    assert stream.response.text  # the chunk before the error is kept


# -- HTTP error classes ----------------------------------------------------------------------


async def test_unknown_model_is_not_found(client: gs.Client) -> None:
    with pytest.raises(gs.NotFoundError, match="no-such-model") as info:
        await client.generate("no-such-model", "Hi")
    assert info.value.status == "NOT_FOUND"


async def test_invalid_key_is_an_authentication_error() -> None:
    async with (
        Emulator(api_keys={"good"}) as emulator,
        gs.Client(base_url=emulator.url, api_key="bad-key-1234567890") as client,
    ):
        with pytest.raises(gs.AuthenticationError) as info:
            await client.stream(MODEL, "Hi").final_text()
    assert info.value.code == 400
    assert "bad-key-1234567890" not in str(info.value)


async def test_missing_key_is_permission_denied(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url) as client:
        with pytest.raises(gs.PermissionDeniedError) as info:
            await client.generate(MODEL, "Hi")
    assert info.value.code == 403


async def test_non_json_error_body_still_gives_a_useful_message() -> None:
    # A proxy in front of the API answers with HTML; the message still says what happened.
    # (aioresponses 0.7.9 cannot build responses for aiohttp 3.14, so a real server it is.)
    async def bad_gateway(request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html><body>Bad gateway from the proxy</body>")

    app = web.Application()
    app.router.add_post("/v1beta/models/{name}", bad_gateway)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with gs.Client(base_url=url, retry=gs.RetryPolicy(max_attempts=1)) as client:
            with pytest.raises(gs.ServerError, match="Bad gateway from the proxy") as info:
                await client.generate(MODEL, "Hi")
    finally:
        await runner.cleanup()
    assert info.value.code == 502


# -- broken streams --------------------------------------------------------------------------


async def test_disconnect_mid_stream_raises_interrupted_with_partial(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(disconnect_after=2))
    with pytest.raises(gs.StreamInterruptedError) as info:
        async for _ in client.stream(MODEL, LONG):
            pass
    assert info.value.partial is not None
    assert info.value.partial.text
    assert isinstance(info.value, gs.APIConnectionError)


async def test_stream_without_finish_reason_is_incomplete(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(ScriptedReply([_chunk("Hello"), _chunk(" wor")]))
    with pytest.raises(gs.IncompleteStreamError, match="finishReason") as info:
        await client.stream(MODEL, "Hi").final_text()
    assert info.value.partial is not None
    assert info.value.partial.text == "Hello wor"


async def _one_piece_server(body: bytes) -> web.AppRunner:
    """A server that answers every stream with ``body`` whole (Content-Length, one write)."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/event-stream")

    app = web.Application()
    app.router.add_post("/v1beta/models/{name}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def _sse(*chunks: dict[str, object]) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks)


async def test_a_reply_that_ends_with_its_only_read_is_whole() -> None:
    # The body's end comes with the read that brings its chunks: nothing is lost or repeated.
    runner = await _one_piece_server(_sse(_chunk("Hel"), _chunk("lo", finish="STOP")))
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with gs.Client(base_url=url, api_key="k") as client:
            for _ in range(3):  # the connection goes back to the pool each time
                stream = client.stream(MODEL, "Hi")
                assert [c.text async for c in stream] == ["Hel", "lo"]
                assert stream.response.text == "Hello"
    finally:
        await runner.cleanup()


async def test_a_truncated_reply_in_one_read_gives_its_chunks_then_the_error() -> None:
    runner = await _one_piece_server(_sse(_chunk("Hel"), _chunk("lo")))
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with gs.Client(base_url=url, api_key="k") as client:
            seen: list[str] = []
            with pytest.raises(gs.IncompleteStreamError) as info:
                async for chunk in client.stream(MODEL, "Hi"):
                    seen.append(chunk.text)
    finally:
        await runner.cleanup()
    assert seen == ["Hel", "lo"]
    assert info.value.partial is not None and info.value.partial.text == "Hello"


async def test_an_empty_body_is_incomplete_and_the_client_goes_on() -> None:
    # No body bytes at all: the stream never made its decoder, and still ends as truncated.
    runner = await _one_piece_server(b"")
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with gs.Client(base_url=url, api_key="k") as client:
            for _ in range(2):
                stream = client.stream(MODEL, "Hi")
                with pytest.raises(gs.IncompleteStreamError, match="finishReason"):
                    async for _chunk_seen in stream:
                        pass
                assert stream.response.text == ""
            async with client.stream_many([gs.Request(MODEL, "Hi")] * 3) as results:
                kinds = [item.kind async for item in results]
    finally:
        await runner.cleanup()
    assert kinds == ["error"] * 3


async def test_a_reply_whose_first_candidate_never_finishes_is_incomplete(
    client: gs.Client, emulator: Emulator
) -> None:
    # Only the second candidate finishes: the reply's finish_reason (the first's) is missing.
    second = _chunk(" two", finish="STOP")
    second["candidates"][0]["index"] = 1  # type: ignore[index]
    emulator.script(ScriptedReply([_chunk("one"), second]))
    with pytest.raises(gs.IncompleteStreamError) as info:
        async for _ in client.stream(MODEL, "Hi"):
            pass
    assert info.value.partial is not None
    assert [c.index for c in info.value.partial.candidates or []] == [0, 1]


async def test_scripted_chunks_arrive_exactly(client: gs.Client, emulator: Emulator) -> None:
    emulator.script(ScriptedReply([_chunk("Hel"), _chunk("lo", finish="STOP")]))
    assert await client.stream(MODEL, "Hi").final_text() == "Hello"


async def test_malformed_event_raises_decode_error_with_excerpt(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(malformed_after=1))
    stream = client.stream(MODEL, LONG)
    with pytest.raises(gs.ResponseDecodeError, match="payload starts") as info:
        async for _ in stream:
            pass
    assert info.value.partial is not None
    assert info.value.partial.text


async def test_oversized_event_hits_the_cap(emulator: Emulator) -> None:
    emulator.script(Fault(oversized_after=1, oversized_bytes=200_000))
    async with gs.Client(base_url=emulator.url, api_key="k", max_event_bytes=100_000) as client:
        with pytest.raises(gs.EventTooLargeError, match="100000"):
            await client.stream(MODEL, LONG).final_text()


async def test_stall_raises_idle_timeout(client: gs.Client, emulator: Emulator) -> None:
    emulator.script(Fault(stall_after=1, stall=3))
    timeouts = gs.Timeouts(idle=0.2)
    with pytest.raises(gs.IdleTimeoutError, match="idle") as info:
        await client.stream(MODEL, LONG, timeouts=timeouts).final_text()
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value, gs.GeminiError)
    assert info.value.partial is not None
    assert info.value.partial.text


async def test_slow_first_chunk_times_out_and_is_retried(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(first_delay=3))
    timeouts = gs.Timeouts(first_chunk=0.2)
    assert await client.stream(MODEL, "Hi", timeouts=timeouts).final_text()
    assert len(emulator.records) == 2


async def test_slow_first_chunk_without_retries_raises(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(first_delay=3))
    with pytest.raises(gs.FirstChunkTimeoutError):
        await client.stream(
            MODEL, "Hi", timeouts=gs.Timeouts(first_chunk=0.2), retry=gs.RetryPolicy(max_attempts=1)
        ).final_text()


async def test_total_timeout_cuts_a_stalled_call(client: gs.Client, emulator: Emulator) -> None:
    emulator.script(Fault(stall_after=1, stall=3))
    timeouts = gs.Timeouts(idle=None, total=0.3)
    with pytest.raises(gs.TotalTimeoutError):
        await client.stream(MODEL, LONG, timeouts=timeouts).final_text()


async def test_headers_that_do_not_come_are_a_first_chunk_timeout(
    client: gs.Client, emulator: Emulator
) -> None:
    # The emulator holds an error reply's headers back for first_delay: the wait for them
    # is cut by first_chunk, before any body exists.
    emulator.script(Fault(status=503, first_delay=3))
    with pytest.raises(gs.FirstChunkTimeoutError, match=r"first_chunk=0\.2") as info:
        await client.generate(
            MODEL, "Hi", timeouts=gs.Timeouts(first_chunk=0.2), retry=gs.RetryPolicy(max_attempts=1)
        )
    assert info.value.__cause__ is not None


async def test_a_connect_that_hangs_is_a_connect_timeout() -> None:
    # A listening socket whose accept queue is full (one connection, never accepted): Linux
    # drops further SYNs, so connecting hangs until Timeouts.connect.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = [socket.create_connection(("127.0.0.1", port), timeout=5)]
        try:
            url = f"http://127.0.0.1:{port}"
            async with gs.Client(base_url=url, api_key="k") as client:
                with pytest.raises(gs.ConnectTimeoutError, match=r"connect=0\.2"):
                    await client.generate(
                        MODEL, "Hi", timeouts=gs.Timeouts(connect=0.2),
                        retry=gs.RetryPolicy(max_attempts=1),
                    )  # fmt: skip
        finally:
            for filler in fillers:
                filler.close()


async def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with gs.Client(base_url=f"http://127.0.0.1:{port}", api_key="k") as client:
        with pytest.raises(gs.APIConnectionError, match="failed") as info:
            await client.generate(MODEL, "Hi")
    assert info.value.__cause__ is not None
