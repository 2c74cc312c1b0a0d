"""``Client(event_hooks=...)``: hooks fire in order with the documented shapes, across a retry
and an error inside the stream; async hooks; a hook that raises never breaks the request."""

from __future__ import annotations

import asyncio
import logging

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"
_HOOKS = ("request", "response", "retry", "chunk_error", "end")


def _recorder() -> tuple[list[gs.RequestEvent], gs.Hooks]:
    seen: list[object] = []
    hooks = gs.Hooks(**{f"on_{name}": seen.append for name in _HOOKS})
    return seen, hooks  # type: ignore[return-value]


def _kinds(seen: list[object]) -> list[str]:
    return [type(event).__name__.removesuffix("Event") for event in seen]


async def test_hooks_fire_in_order_across_a_retry(emulator: Emulator) -> None:
    seen, hooks = _recorder()
    emulator.fail_next(1, 503)
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks) as client:
        text = await client.stream(MODEL, "Tell me emulator:words=30").final_text()
    assert _kinds(seen) == ["Request", "Response", "Retry", "Request", "Response", "End"]
    first, failed, retry, second, ok, end = seen
    assert len({e.request_id for e in seen}) == 1  # type: ignore[attr-defined]
    assert isinstance(first, gs.RequestEvent) and isinstance(second, gs.RequestEvent)
    assert (first.attempt, second.attempt) == (1, 2)
    assert first.method == "POST" and first.operation == "streamGenerateContent"
    assert first.model == MODEL and first.body_bytes > 0
    assert first.url == f"{emulator.url}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    assert isinstance(failed, gs.ResponseEvent) and (failed.status, failed.attempt) == (503, 1)
    assert failed.elapsed >= 0
    assert isinstance(retry, gs.RetryEvent)
    assert (retry.attempt, retry.status) == (1, 503)
    assert isinstance(retry.error, gs.ServiceUnavailableError) and retry.delay >= 0
    assert isinstance(ok, gs.ResponseEvent) and (ok.status, ok.attempt) == (200, 2)
    assert isinstance(end, gs.EndEvent)
    assert (end.attempt, end.outcome, end.status, end.error) == (2, "ok", 200, None)
    assert end.finish_reason == "STOP" and end.response_model == MODEL
    assert end.usage is not None and end.usage.candidates_token_count
    assert end.chunks > 1 and end.bytes > 0 and text


async def test_an_error_inside_the_stream_after_content(emulator: Emulator) -> None:
    seen, hooks = _recorder()
    emulator.script(Fault(disconnect_after=2))
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks) as client:
        with pytest.raises(gs.StreamInterruptedError) as info:
            await client.stream(MODEL, "Tell me emulator:words=80").final_text()
    assert _kinds(seen) == ["Request", "Response", "ChunkError", "End"]
    chunk_error, end = seen[2], seen[3]
    assert isinstance(chunk_error, gs.ChunkErrorEvent)
    assert chunk_error.error is info.value and chunk_error.chunks == 2
    assert isinstance(end, gs.EndEvent)
    assert (end.outcome, end.status, end.error, end.chunks) == ("error", 200, info.value, 2)
    assert end.finish_reason is None


async def test_an_error_inside_the_stream_before_content_is_retried(emulator: Emulator) -> None:
    seen, hooks = _recorder()
    emulator.script(Fault(error_after=0, error_status=503))
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks) as client:
        assert await client.stream(MODEL, "Hi").final_text()
    assert _kinds(seen) == [
        "Request", "Response", "ChunkError", "Retry", "Request", "Response", "End",
    ]  # fmt: skip
    assert seen[1].status == 200 and seen[2].chunks == 0  # type: ignore[attr-defined]
    assert isinstance(seen[3].error, gs.ServiceUnavailableError)  # type: ignore[attr-defined]
    assert seen[-1].outcome == "ok"  # type: ignore[attr-defined]


async def test_unary_calls_fire_the_same_hooks(emulator: Emulator) -> None:
    seen, hooks = _recorder()
    emulator.fail_next(1, 429, retry_after=0.01)
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks) as client:
        await client.generate(MODEL, "Hello")
        with pytest.raises(gs.PermissionDeniedError):
            await client.files.get("files/missing")
    assert _kinds(seen) == [
        "Request", "Response", "Retry", "Request", "Response", "End",
        "Request", "Response", "End",
    ]  # fmt: skip
    retry, end, failed = seen[2], seen[5], seen[8]
    assert isinstance(retry, gs.RetryEvent) and isinstance(retry.error, gs.RateLimitError)
    assert retry.delay == pytest.approx(0.01)
    assert isinstance(end, gs.EndEvent) and end.usage is not None and end.finish_reason == "STOP"
    assert isinstance(failed, gs.EndEvent) and (failed.outcome, failed.status) == ("error", 403)
    assert failed.method == "GET" and failed.operation == "files.get" and failed.model is None


async def test_break_ends_the_request_as_closed(emulator: Emulator) -> None:
    ends: list[gs.EndEvent] = []
    emulator.script(Fault(delay=0.05, times=2))  # paced: the replies are still coming
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks={"end": ends.append}) as c:
        async for _ in c.stream(MODEL, "Tell me emulator:words=200"):
            break
        async with c.stream(MODEL, "Tell me emulator:words=200") as stream:
            await stream.__anext__()
    assert [(e.outcome, e.error) for e in ends] == [("closed", None), ("closed", None)]


async def test_a_cancelled_request_ends_as_cancelled(emulator: Emulator) -> None:
    ends: list[gs.EndEvent] = []
    emulator.script(Fault(first_delay=30))
    async with gs.Client(
        base_url=emulator.url, api_key="k", event_hooks={"on_end": ends.append}
    ) as c:
        task = asyncio.ensure_future(c.stream(MODEL, "Hi").final_text())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [(e.outcome, e.status) for e in ends] == [("cancelled", 200)]


async def test_stream_many_fires_one_end_per_request(emulator: Emulator) -> None:
    ends: list[gs.EndEvent] = []
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks={"end": ends.append}) as c:
        requests = [gs.Request(MODEL, f"Question {i} emulator:words=50") for i in range(5)]
        async with c.stream_many(requests, concurrency=3) as results:
            chunks = sum([1 async for item in results if item.kind == "chunk"])
    assert len(ends) == 5 and {e.outcome for e in ends} == {"ok"}
    assert sum(e.chunks for e in ends) == chunks


async def test_async_hooks_run_as_tasks_and_aclose_waits_for_them(emulator: Emulator) -> None:
    order: list[str] = []

    async def on_end(event: gs.EndEvent) -> None:
        await asyncio.sleep(0.05)
        order.append(f"end {event.outcome}")

    client = gs.Client(
        base_url=emulator.url, api_key="k",
        event_hooks=gs.Hooks(on_request=lambda e: order.append("request"), on_end=on_end),
    )  # fmt: skip
    await client.generate(MODEL, "Hello")
    assert order == ["request"]  # the request did not wait for the async hook
    await client.aclose()
    assert order == ["request", "end ok"]


async def test_a_hook_that_raises_is_logged_and_the_request_goes_on(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("metrics backend down")

    async def broken_async(event: object) -> None:
        raise ValueError("async hook failed")

    hooks = gs.Hooks(on_request=broken, on_end=broken_async)
    async with gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks) as client:
        assert await client.stream(MODEL, "Hi").final_text()
    errors = [r for r in caplog.records if r.name == "gemini_stream.hooks"]
    assert [r.levelno for r in errors] == [logging.ERROR, logging.ERROR]
    assert "on_request raised" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "metrics backend down" in str(errors[0].exc_info[1])
    assert errors[1].exc_info is not None and "async hook failed" in str(errors[1].exc_info[1])


def test_events_are_frozen_and_encode_to_json() -> None:
    event = gs.RequestEvent(
        request_id=1, attempt=1, method="POST", url="u", operation="generateContent",
        model="m", body_bytes=3,
    )  # fmt: skip
    with pytest.raises(AttributeError):
        event.attempt = 2  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(event))["operation"] == "generateContent"


def test_bad_event_hooks_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="unknown event hook 'on_finish'"):
        gs.Client(api_key="k", event_hooks={"on_finish": print})
    with pytest.raises(TypeError, match=r"Hooks\.on_end must be callable or None, got 3"):
        gs.Hooks(on_end=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"event_hooks must be a gs\.Hooks or a dict"):
        gs.Client(api_key="k", event_hooks=[print])  # type: ignore[arg-type]


async def test_aclose_cancels_an_async_hook_that_hangs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gemini_stream._observe import probe

    monkeypatch.setattr(probe, "_WAIT", 0.05)
    cancelled = asyncio.Event()

    async def hangs(event: gs.EndEvent) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    client = gs.Client(base_url=emulator.url, api_key="k", event_hooks={"on_end": hangs})
    await client.generate(MODEL, "Hello")
    await asyncio.wait_for(client.aclose(), 10)
    await asyncio.wait_for(cancelled.wait(), 10)
    assert "an async event hook still ran after 0.05s: cancelled" in caplog.text
