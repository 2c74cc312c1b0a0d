"""The Interactions API's streams and the Batch API's result download end their requests for
the hooks and the log like every other call (a resumed stream: one request per connection)."""

from __future__ import annotations

import asyncio

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    return {"chunk_delay": 0.001}


def _client(emulator: Emulator, seen: list[object]) -> gs.Client:
    hooks = gs.Hooks(on_request=seen.append, on_chunk_error=seen.append, on_end=seen.append)
    return gs.Client(base_url=emulator.url, api_key="k", event_hooks=hooks)


def _kinds(seen: list[object]) -> list[str]:
    return [type(event).__name__.removesuffix("Event") for event in seen]


async def test_an_interactions_stream_and_its_resume(emulator: Emulator) -> None:
    seen: list[object] = []
    async with _client(emulator, seen) as client:
        events = [e async for e in client.interactions.stream(MODEL, "Hello there")]
        assert events[-1].event_type == "interaction.completed"
        assert _kinds(seen) == ["Request", "End"]
        end = seen[-1]
        assert isinstance(end, gs.EndEvent)
        assert (end.operation, end.outcome, end.status) == ("interactions", "ok", 200)
        assert end.bytes > 0 and end.time_to_first_chunk is not None

        seen.clear()
        emulator.script(Fault(disconnect_after=2))
        stream = client.interactions.stream(MODEL, "Hello there")
        again = await asyncio.wait_for(_events(stream), 10)
        assert [e.event_type for e in again] == [e.event_type for e in events]
    assert _kinds(seen) == ["Request", "ChunkError", "End", "Request", "End"]
    broken, resumed = seen[2], seen[4]
    assert isinstance(broken, gs.EndEvent) and isinstance(resumed, gs.EndEvent)
    assert broken.outcome == "error" and isinstance(broken.error, gs.StreamInterruptedError)
    assert (broken.method, resumed.method) == ("POST", "GET")
    assert resumed.outcome == "ok" and "last_event_id=evt-0002" in resumed.url
    assert broken.request_id != resumed.request_id


async def test_an_interactions_stream_left_early_is_closed(emulator: Emulator) -> None:
    seen: list[object] = []
    emulator.script(Fault(delay=0.05))
    async with _client(emulator, seen) as client:
        async for _ in client.interactions.stream(MODEL, "Hello there"):
            break
    assert _kinds(seen) == ["Request", "End"]
    assert seen[-1].outcome == "closed"  # type: ignore[attr-defined]


async def test_a_batch_result_download_ends_its_request(emulator: Emulator) -> None:
    seen: list[object] = []
    async with _client(emulator, seen) as client:
        pairs = [(f"q{i}", f"Question {i}") for i in range(5)]
        batch = await client.batches.create(MODEL, iter(pairs), inline_limit=200)
        waiting = client.batches.wait(batch, timeout=30, poll_interval=0.01)
        done = await asyncio.wait_for(waiting, 10)
        results = [key async for key, _ in client.batches.results(done)]
    assert results == [key for key, _ in pairs]
    ends = [e for e in seen if isinstance(e, gs.EndEvent)]
    (download,) = [e for e in ends if e.operation == "files.download"]
    assert (download.outcome, download.status) == ("ok", 200) and download.bytes > 0
    assert all(e.outcome == "ok" for e in ends)
    assert len(ends) == len([e for e in seen if isinstance(e, gs.RequestEvent)])


async def _events(stream: gs.InteractionStream) -> list[gs.InteractionEvent]:
    return [event async for event in stream]
