"""``stream_many`` holds what ``client.stream`` holds per open stream, and its worker pool keeps
the task group's guarantees (issue 26).

A bot keeping thousands of slow replies open in one batch pays per stream for what the batch
holds beside the stream itself. Each worker was a task of the batch's anyio task group, which
costs about 2.5 KB more than a plain task; the workers are plain tasks now, which one task of
the group starts, watches and stops. The tests below check the memory per open stream against
``client.stream`` (one plain task per stream), and that a worker's own error, an outer cancel
scope and a lazy input end the batch as the group made them do.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import pytest

import gemini_stream as gs
from benchmarks._e2e_support import emulator
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"
HELD = 5  # events every stream receives before the emulator stalls it
PROMPT = "Keep going emulator:words=200"
STALL = {"x-emulator-fault": f"stall-after={HELD}; stall=30"}
SLOW = {"x-emulator-fault": "delay=0.05"}
OPEN = 40
# What stream_many may hold per open stream beyond a task iterating ``client.stream``: its
# worker's three coroutines and the last read's record are about as much as the task's
# four; an anyio task per worker was 2.5 KB more.
MARGIN = 1024

Opened = Callable[[int, Callable[[], None]], Awaitable[Callable[[], Awaitable[None]]]]


async def _held_per_stream(open_streams: Opened) -> float:
    """Bytes alive per open stream once ``OPEN`` streams each received ``HELD`` chunks."""
    reached = anyio.Event()
    count = 0

    def ready() -> None:
        nonlocal count
        count += 1
        if count == OPEN:
            reached.set()

    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    close = await open_streams(OPEN, ready)
    try:
        with anyio.fail_after(20):
            await reached.wait()
        await asyncio.sleep(0.1)  # let every worker settle at its next read
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        await close()
        await asyncio.sleep(0.2)  # the closed connections' transports go (call_soon)
    return held / OPEN


def _tasks(client: gs.Client) -> Opened:
    async def open_streams(n: int, ready: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        async def one() -> None:
            count = 0
            async for _chunk in client.stream(MODEL, PROMPT):
                count += 1
                if count == HELD:
                    ready()

        tasks = [asyncio.ensure_future(one()) for _ in range(n)]

        async def close() -> None:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        return close

    return open_streams


def _many(client: gs.Client) -> Opened:
    async def open_streams(n: int, ready: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        async def consume() -> None:
            counts = [0] * n
            requests = [gs.Request(MODEL, PROMPT)] * n
            async with client.stream_many(requests, concurrency=n) as results:
                async for item in results:
                    assert item.kind == "chunk", item
                    counts[item.index] += 1
                    if counts[item.index] == HELD:
                        ready()

        task = asyncio.ensure_future(consume())

        async def close() -> None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        return close

    return open_streams


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


@pytest.fixture
def remote() -> Iterator[str]:
    """The emulator in a process of its own: what it holds is not traced here."""
    with emulator() as url:
        yield url


@pytest.mark.usefixtures("traced")
async def test_stream_many_holds_what_client_stream_holds_per_open_stream(remote: str) -> None:
    async with gs.Client(
        base_url=remote, api_key="k", headers=STALL, max_connections=OPEN * 3
    ) as client:
        # Warm up both ways (lazy imports, the session, each path's first objects).
        for way in (_tasks(client), _many(client)):
            close = await way(2, lambda: None)
            await asyncio.sleep(0.2)
            await close()
            await asyncio.sleep(0.2)
        ours = await _held_per_stream(_tasks(client))
        many = await _held_per_stream(_many(client))
    assert ours > 2000, ours  # the measure sees an open stream at all
    assert many < ours + MARGIN, (many, ours)


def _slow(client: gs.Client, n: int) -> list[Any]:
    return [lambda k=k: client.stream(MODEL, f"slow {k} emulator:words=300") for k in range(n)]


def _short(client: gs.Client) -> Any:
    return lambda: client.stream(MODEL, "short emulator:words=3")


async def _slow_ones_closed(emulator: Emulator, sent: int) -> None:
    """``sent`` requests reached the emulator; every slow one was cut off, none is running."""
    await emulator.wait_idle(timeout=5)
    assert emulator.active_requests == 0
    assert len(emulator.records) == sent
    slow = [r for r in emulator.records if "slow" in r.body["contents"][0]["parts"][0]["text"]]
    assert slow
    assert all(r.status == 200 and r.disconnected_at is not None for r in slow), slow


async def test_an_error_in_a_worker_is_raised_as_itself_and_closes_every_response(
    emulator: Emulator,
) -> None:
    # The progress callback runs in a worker when it starts a request: its error is no
    # request's, it ends the batch. The short request's worker starts the fifth.
    raised: list[int] = []

    def progress(p: gs.Progress) -> None:
        if p.started == 5 and not raised:  # once: it is called again when a request ends
            raised.append(p.started)
            raise LookupError("the progress callback failed")

    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        requests = [_short(client), *_slow(client, 3), *_slow(client, 4)]
        with pytest.raises(LookupError, match="progress callback"):
            with anyio.fail_after(20):
                async with client.stream_many(
                    requests, concurrency=4, progress=progress
                ) as results:
                    async for _item in results:
                        pass
        await _slow_ones_closed(emulator, sent=4)


async def test_a_bad_request_of_a_lazy_input_is_raised_and_the_rest_closed(
    emulator: Emulator,
) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:

        def requests() -> Iterator[object]:
            yield _short(client)
            yield from _slow(client, 3)
            yield 42  # checked when a worker takes it: a TypeError from that worker

        with pytest.raises(TypeError, match=r"requests\[4\]"):
            with anyio.fail_after(20):
                async with client.stream_many(requests(), concurrency=4) as results:
                    async for _item in results:
                        pass
        await _slow_ones_closed(emulator, sent=4)


async def test_an_outer_cancel_scope_stops_the_batch_and_closes_every_response(
    emulator: Emulator,
) -> None:
    # Cancelled from another task while the consumer waits for a read: the workers stop too.
    progress = gs.Progress()
    streaming = anyio.Event()
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        chunks = 0
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:

                async def cancel_once_streaming() -> None:
                    with anyio.fail_after(20):
                        await streaming.wait()
                    scope.cancel()

                group.start_soon(cancel_once_streaming)
                async with client.stream_many(
                    _slow(client, 8), concurrency=8, progress=progress
                ) as results:
                    async for _item in results:
                        chunks += 1
                        if chunks == 40:
                            streaming.set()
        assert scope.cancelled_caught
        assert chunks >= 40
        await _slow_ones_closed(emulator, sent=8)
        assert progress.in_flight == 0


def test_bench_memory_opens_stream_many_batch_by_batch_or_at_once() -> None:
    # More streams than one opening batch (100): the second batch waits for the first.
    from benchmarks import bench_memory

    names = ["stream_many", "stream_many-at-once"]
    result = bench_memory.run(sizes=(150,), names=names, rounds=1)
    assert result["problems"] == []
    for name in names:
        assert [r["at_barrier"] for r in result["runs"][150][name]] == [150]
