"""ChunkStream against the emulator: chunks, the fold, helpers, and closing in every case."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

import pytest

import gemini_stream as gs
from gemini_stream._stream.accumulate_batch import accumulate_batch
from gemini_stream.emulator import Emulator, RequestRecord, expected_text

MODEL = "gemini-2.5-flash"
LONG = "Tell me a long story emulator:words=400"


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    # Paced replies, so a long one is still being written when a test closes it early.
    return {"chunk_delay": 0.003}


def _request(text: str) -> dict[str, object]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


async def test_stream_yields_every_chunk_and_folds_them(
    client: gs.Client, emulator: Emulator
) -> None:
    stream = client.stream(MODEL, "Hello emulator:words=30")
    chunks = [chunk async for chunk in stream]
    assert len(chunks) > 2
    full = "".join(c.text for c in chunks)
    assert full == expected_text(_request("Hello emulator:words=30"), MODEL)
    reply = stream.response
    assert reply.text == full
    assert reply.finish_reason == "STOP"
    assert reply.usage is not None and reply.usage.total_token_count
    # Usage is cumulative on the wire: the fold keeps the last chunk's, never a sum.
    assert reply.usage == chunks[-1].usage
    assert len(reply.candidates[0].content.parts) == 1  # adjacent text merged into one part


async def test_response_mid_stream_holds_every_chunk_handed_out(client: gs.Client) -> None:
    # Chunks are folded into the reply in bulk; reading the reply folds what is waiting.
    prompt = "Long enough to fold several times emulator:words=300"
    seen = ""
    chunks = 0
    async with client.stream(MODEL, prompt) as stream:
        async for chunk in stream:
            seen += chunk.text
            chunks += 1
            if chunks % 7 == 0:
                assert stream.response.text == seen
    assert chunks > 64
    assert stream.response.text == seen == expected_text(_request(prompt), MODEL)


async def test_a_reply_nobody_reads_is_never_merged(
    client: gs.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relay pays nothing for stream.response; the first read of it merges, the next reuse.
    folds: list[int] = []

    def counting(snapshot: object, chunks: list[object]) -> object:
        folds.append(len(chunks))
        return accumulate_batch(snapshot, chunks)  # type: ignore[arg-type]

    monkeypatch.setattr("gemini_stream._stream.reader.accumulate_batch", counting)
    prompt = "A short one emulator:words=20"
    stream = client.stream(MODEL, prompt)
    count = len([chunk async for chunk in stream])
    assert count > 2 and folds == []
    assert stream.response.text == expected_text(_request(prompt), MODEL)
    assert len(folds) == 1  # one fold (of the chunks held: a text run is held as one)
    assert stream.response is stream.response and len(folds) == 1


async def test_no_request_is_sent_until_the_stream_is_used(
    client: gs.Client, emulator: Emulator
) -> None:
    stream = client.stream(MODEL, "Hi")
    await asyncio.sleep(0.01)
    assert emulator.records == []
    assert await stream.final_text()
    assert len(emulator.records) == 1
    body = emulator.records[0].body
    assert body == {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
    assert emulator.records[0].query.get("alt") == "sse"
    assert emulator.records[0].headers["x-goog-api-key"] == RequestRecord.fingerprint("test-key")
    assert "key" not in emulator.records[0].query


async def test_text_stream_gives_deltas_without_thoughts(client: gs.Client) -> None:
    config = {"thinking_config": {"include_thoughts": True}}
    stream = client.stream(MODEL, "Think first", config=config)
    deltas = [text async for text in stream.text_stream]
    reply = stream.response
    assert "".join(deltas) == reply.text
    assert reply.thoughts, "the emulator sends thought summaries when asked"
    assert reply.thoughts not in "".join(deltas)


async def test_final_response_and_final_text_consume_the_rest(client: gs.Client) -> None:
    stream = client.stream(MODEL, "Hello emulator:words=20")
    first = await stream.__anext__()
    reply = await stream.final_response()
    assert reply.text.startswith(first.text)
    assert await stream.final_text() == reply.text  # idempotent once finished


async def test_aclose_from_another_task_ends_the_iteration_cleanly(
    client: gs.Client, emulator: Emulator
) -> None:
    stream = client.stream(MODEL, LONG)  # paced: the reader waits on the socket most of the time
    seen: list[str] = []
    three = asyncio.Event()

    async def read() -> None:
        async for chunk in stream:  # ends without an error when another task closes it
            seen.append(chunk.text)
            if len(seen) == 3:
                three.set()

    reader = asyncio.create_task(read())
    await asyncio.wait_for(three.wait(), 5)
    await stream.aclose()  # e.g. a "stop" button handled by another task
    await asyncio.wait_for(reader, 5)
    assert 3 <= len(seen) < 100
    assert stream.response.text.startswith("".join(seen))
    await emulator.wait_for_disconnect(emulator.records[0])


async def test_async_with_returns_the_stream_and_releases_it(client: gs.Client) -> None:
    async with client.stream(MODEL, "Hi") as stream:
        async for _ in stream:
            pass
    assert stream.response.finish_reason == "STOP"


async def test_a_finished_stream_cannot_be_iterated_again(client: gs.Client) -> None:
    stream = client.stream(MODEL, "Hi")
    async for _ in stream:
        pass
    with pytest.raises(gs.StreamConsumedError, match=r"stream\.response"):
        async for _ in stream:
            pass
    assert stream.response.text  # the reply stays readable


async def test_blocked_prompt_ends_normally_but_final_text_raises(client: gs.Client) -> None:
    stream = client.stream(MODEL, "please emulator:block-prompt")
    chunks = [c async for c in stream]
    assert len(chunks) == 1
    assert stream.response.blocked
    assert stream.response.block_reason == "SAFETY"
    with pytest.raises(gs.BlockedError, match="SAFETY") as info:
        await stream.final_text()
    assert info.value.reason == "SAFETY"


async def test_many_concurrent_streams_on_one_client(client: gs.Client) -> None:
    prompts = [f"Stream number {i} emulator:words={i % 7 * 5}" for i in range(50)]

    async def run(prompt: str) -> str:
        return await client.stream(MODEL, prompt).final_text()

    texts = await asyncio.gather(*(run(p) for p in prompts))
    assert texts == [expected_text(_request(p), MODEL) for p in prompts]


async def test_function_calls_json_and_images_come_through(client: gs.Client) -> None:
    tools = [{"function_declarations": [{"name": "get_weather", "description": "Weather"}]}]
    reply = await client.stream(MODEL, "call get_weather please", tools=tools).final_response()
    assert [call.name for call in reply.function_calls] == ["get_weather"]

    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    config = {"response_mime_type": "application/json", "response_json_schema": schema}
    text = await client.stream(MODEL, "A number", config=config).final_text()
    assert isinstance(__import__("json").loads(text)["n"], int)

    config = {"response_modalities": ["TEXT", "IMAGE"]}
    reply = await client.stream(MODEL, "Draw", config=config).final_response()
    images = [p.inline_data for p in reply.candidates[0].content.parts if p.inline_data is not None]
    assert images and images[0].data.startswith(b"\x89PNG")


# -- closing ---------------------------------------------------------------------------------


async def _assert_server_saw_disconnect(emulator: Emulator, since: float) -> None:
    record = await emulator.wait_for_disconnect(timeout=2)
    assert record.disconnected_at is not None
    assert record.disconnected_at - since < 0.1, "the server must see the close within 100 ms"


async def test_break_out_of_plain_async_for_closes_at_once(
    client: gs.Client, emulator: Emulator
) -> None:
    async for _ in client.stream(MODEL, LONG):
        break
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_leaving_async_with_after_the_first_chunk_closes(
    client: gs.Client, emulator: Emulator
) -> None:
    async with client.stream(MODEL, LONG) as stream:
        await stream.__anext__()
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_aclose_closes_and_can_be_called_twice(client: gs.Client, emulator: Emulator) -> None:
    stream = client.stream(MODEL, LONG)
    await stream.__anext__()
    await stream.aclose()
    since = time.monotonic()
    await stream.aclose()
    await _assert_server_saw_disconnect(emulator, since)
    with pytest.raises(gs.StreamConsumedError):
        stream.__aiter__()


async def test_an_exception_in_the_loop_body_closes(client: gs.Client, emulator: Emulator) -> None:
    with pytest.raises(ZeroDivisionError):
        async for _ in client.stream(MODEL, LONG):
            1 / 0  # noqa: B018
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_cancelling_the_consumer_closes(client: gs.Client, emulator: Emulator) -> None:
    got_one = asyncio.Event()

    async def consume() -> None:
        async for _ in client.stream(MODEL, LONG):
            got_one.set()
            await asyncio.sleep(10)

    task = asyncio.ensure_future(consume())
    await got_one.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_cancelling_while_waiting_for_data_closes(
    emulator: Emulator, client: gs.Client
) -> None:
    emulator.script(gs_fault(first_delay=5))
    task = asyncio.ensure_future(client.stream(MODEL, "Hi").final_text())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_the_stream_path_holds_no_reference_cycles(client: gs.Client) -> None:
    gc.collect()
    gc.disable()  # so only reference counting can free the stream
    try:
        stream = client.stream(MODEL, LONG)
        alive = weakref.ref(stream)
        async for _ in stream:
            break
        del stream
        # Freed by reference counting alone, so no cycle runs through the stream (the
        # emulator in this process makes garbage of its own, so gc.collect() proves nothing).
        assert alive() is None, "a dropped stream must be freed at once, without the GC"
    finally:
        gc.enable()


async def test_a_thousand_break_after_first_chunk_streams_leak_nothing(
    emulator: Emulator,
) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", max_connections=50) as client:
        for _ in range(1000):
            async for _chunk in client.stream(MODEL, LONG):
                break
        await emulator.wait_idle(timeout=5)
        assert emulator.active_requests == 0
        # Every broken stream closed its connection; none piles up on the server.
        assert emulator.open_connections <= 1
    assert all(r.disconnected for r in emulator.records)


def gs_fault(**kwargs: object) -> object:
    from gemini_stream.emulator import Fault

    return Fault(**kwargs)  # type: ignore[arg-type]


async def test_requests_are_sent_as_json(client: gs.Client, emulator: Emulator) -> None:
    await client.stream(MODEL, "Hi").final_text()
    assert emulator.records[0].headers["content-type"] == "application/json"


async def test_an_error_in_the_stream_closes_at_once(client: gs.Client, emulator: Emulator) -> None:
    emulator.script(gs_fault(malformed_after=1))
    with pytest.raises(gs.ResponseDecodeError):
        async for _ in client.stream(MODEL, LONG):
            pass
    since = time.monotonic()
    await _assert_server_saw_disconnect(emulator, since)


async def test_exhaustion_releases_the_connection_for_reuse(
    client: gs.Client, emulator: Emulator
) -> None:
    for _ in range(3):
        assert await client.stream(MODEL, "Hi").final_text()
    await emulator.wait_idle(timeout=2)
    assert not any(r.disconnected for r in emulator.records)  # read to the end, not cut off
    assert emulator.open_connections == 1  # one pooled keep-alive connection served all three
