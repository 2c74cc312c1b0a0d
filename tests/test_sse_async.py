"""aiter_events over async byte sources: events in order, and the source is always closed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gemini_stream.sse import EventTooLargeError, ServerSentEvent, aiter_events

STREAM = [b"data: a\r", b"\n\r\ndata: b\r\n\r\nid: 1\r\n", b"data: c\r\n\r\ndata: unterminated"]
EVENTS = [
    ServerSentEvent(data="a"),
    ServerSentEvent(data="b"),
    ServerSentEvent(data="c", id="1"),
]


class Source:
    """An async iterator of chunks that records whether it was closed."""

    def __init__(self, chunks: list[bytes], error: BaseException | None = None) -> None:
        self.chunks = list(chunks)
        self.error = error
        self.closed = 0

    def __aiter__(self) -> Source:
        return self

    async def __anext__(self) -> bytes:
        if self.chunks:
            return self.chunks.pop(0)
        if self.error is not None:
            raise self.error
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self.closed += 1


async def test_events_in_order_and_source_closed_when_exhausted() -> None:
    source = Source(STREAM)
    assert [event async for event in aiter_events(source)] == EVENTS
    assert source.closed == 1


async def test_async_generator_source_is_closed_on_early_exit() -> None:
    state = {"finally": False}

    async def chunks() -> AsyncIterator[bytes]:
        try:
            for chunk in STREAM:
                yield chunk
        finally:
            state["finally"] = True

    async with aiter_events(chunks()) as events:
        async for event in events:
            assert event == EVENTS[0]
            break
        assert not state["finally"]
    assert state["finally"]


async def test_aclose_is_idempotent_and_ends_iteration() -> None:
    source = Source(STREAM)
    events = aiter_events(source)
    assert await anext(events) == EVENTS[0]
    await events.aclose()
    await events.aclose()
    assert source.closed == 1
    with pytest.raises(StopAsyncIteration):
        await anext(events)


async def test_source_error_propagates_and_closes() -> None:
    source = Source(STREAM[:1], error=ConnectionResetError("peer reset"))
    events = aiter_events(source)
    with pytest.raises(ConnectionResetError, match="peer reset"):
        await anext(events)
    assert source.closed == 1


async def test_decoder_error_closes_the_source() -> None:
    source = Source([b"data: " + b"x" * 100])
    with pytest.raises(EventTooLargeError):
        async for _ in aiter_events(source, max_event_bytes=50):
            pass
    assert source.closed == 1


async def test_iterable_without_aclose() -> None:
    class Plain:
        def __init__(self) -> None:
            self.chunks = list(STREAM)

        def __aiter__(self) -> Plain:
            return self

        async def __anext__(self) -> bytes:
            if not self.chunks:
                raise StopAsyncIteration
            return self.chunks.pop(0)

    assert [event async for event in aiter_events(Plain())] == EVENTS


async def test_one_byte_chunks() -> None:
    data = b"".join(STREAM)
    source = Source([data[i : i + 1] for i in range(len(data))])
    assert [event async for event in aiter_events(source)] == EVENTS
