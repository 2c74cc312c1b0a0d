"""Fan-out: ``stream_many`` and ``generate_many`` run many requests of one client at once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, overload

import anyio
from anyio.streams.memory import MemoryObjectSendStream

from .._errors import unwrapped
from .._limits.admission import batch_limiter
from .._limits.limiter import Limiter
from .._stream.chunk_stream import ChunkStream
from .._stream.reader import _NEW
from .._wire.response import GenerateContentResponse
from .items import FanoutItem
from .jobs import check_count, open_stream, prepare
from .progress import Tracker
from .reads import hand_over, send_batch
from .results import FanoutResults
from .workers import supervise

if TYPE_CHECKING:
    from typing import TypeAlias

    from anyio import CancelScope

    from .._http.endpoint import Endpoint
    from .jobs import Job
    from .progress import ProgressArg
    from .reads import Batch
    from .request import RequestLike, StreamLike

    Outcome: TypeAlias = GenerateContentResponse | Exception

DEFAULT_CONCURRENCY = 64
# Below one slot per running request, a busy batch blocks (slowly) on most chunks.
MIN_BUFFER = 16


def stream_many(
    endpoint: Endpoint,
    requests: Iterable[RequestLike],
    *,
    concurrency: int,
    rate_limit: Limiter | None,
    progress: ProgressArg,
    buffer: int | None,
) -> AbstractAsyncContextManager[FanoutResults]:
    """See ``Client.stream_many``."""
    jobs, total = prepare(endpoint, requests, concurrency)
    if buffer is None:
        buffer = max(concurrency, MIN_BUFFER)
    check_count("buffer", buffer)
    tracker = Tracker(progress, total)
    workers = concurrency if total is None else min(concurrency, total)
    return _streaming(endpoint, jobs, workers, rate_limit, tracker, buffer)


@asynccontextmanager
async def _streaming(
    endpoint: Endpoint,
    jobs: Iterator[Job],
    workers: int,
    limiter: Limiter | None,
    tracker: Tracker,
    buffer: int,
) -> AsyncIterator[FanoutResults]:
    # Items travel in batches (a read's chunks, last first, or the read itself): one buffer
    # slot and one hand-over per socket read rather than per chunk.
    send, receive = anyio.create_memory_object_stream["Batch"](buffer)
    senders = _Senders(send, workers)
    with unwrapped():
        async with anyio.create_task_group() as group:
            # A fixed pool of workers pulls from one iterator: the input is read lazily and
            # a batch of a million requests costs ``concurrency`` tasks, not a million. They
            # are plain tasks, which one task of the group watches (``_fanout.workers``).
            group.start_soon(
                supervise, workers, partial(_produce, endpoint, jobs, senders, limiter, tracker)
            )
            try:
                yield FanoutResults(receive, tracker.progress)
            finally:
                # Leaving early (break, an error, cancellation) cancels every request; each
                # closes its response on the way out.
                group.cancel_scope.cancel()
                receive.close()


class _Senders:
    """The send end the workers share, closed when the last one is done (so the consumer's
    loop ends); a clone per worker would cost an object and six calls each (with the consumer
    making each read's memoryview: young collections 638 -> 607 per 30 batches of 200)."""

    __slots__ = ("send", "workers")

    def __init__(self, send: MemoryObjectSendStream[Batch], workers: int) -> None:
        self.send = send
        self.workers = workers
        if not workers:
            send.close()

    def done(self) -> None:
        self.workers -= 1
        if not self.workers:
            self.send.close()


async def _produce(
    endpoint: Endpoint,
    jobs: Iterator[Job],
    senders: _Senders,
    limiter: Limiter | None,
    tracker: Tracker,
) -> None:
    if limiter is not None:
        batch_limiter.set(limiter)  # this task's own context: the streams it opens see it
    send = senders.send
    try:
        for index, request in jobs:
            try:
                outcome = await _run(endpoint, request, index, tracker, send)
                if outcome is None:
                    continue  # the consumer reports the end of the reply it decodes
                if isinstance(outcome, Exception):
                    await send_batch(send, [FanoutItem("error", index, request, error=outcome)])
                else:
                    await send_batch(send, [FanoutItem("done", index, request, _reply=outcome)])
            except anyio.BrokenResourceError:
                return  # the consumer closed its end: nobody wants the rest
    finally:
        senders.done()


async def generate_many(
    endpoint: Endpoint,
    requests: Iterable[RequestLike],
    *,
    concurrency: int,
    rate_limit: Limiter | None,
    return_exceptions: bool,
    progress: ProgressArg,
) -> list[Outcome]:
    """See ``Client.generate_many``."""
    jobs, total = prepare(endpoint, requests, concurrency, eager=True)
    tracker = Tracker(progress, total)
    results: list[Outcome] = [GenerateContentResponse()] * (total or 0)
    failures: list[Exception] = []
    with unwrapped():
        async with anyio.create_task_group() as group:
            work = partial(
                _collect, endpoint, jobs, results, failures, return_exceptions,
                group.cancel_scope, rate_limit, tracker,
            )  # fmt: skip
            group.start_soon(supervise, min(concurrency, total or 0), work)
    if failures:
        raise failures[0]
    return results


async def _collect(
    endpoint: Endpoint,
    jobs: Iterator[Job],
    results: list[Outcome],
    failures: list[Exception],
    return_exceptions: bool,
    scope: CancelScope,
    limiter: Limiter | None,
    tracker: Tracker,
) -> None:
    if limiter is not None:
        batch_limiter.set(limiter)
    for index, request in jobs:
        outcome = await _run(endpoint, request, index, tracker, None)
        if isinstance(outcome, Exception) and not return_exceptions:
            failures.append(outcome)
            scope.cancel()  # the rest is cancelled; each request closes its response
            return
        results[index] = outcome


@overload
async def _run(
    endpoint: Endpoint, request: object, index: int, tracker: Tracker, send: None
) -> Outcome: ...
@overload
async def _run(
    endpoint: Endpoint,
    request: object,
    index: int,
    tracker: Tracker,
    send: MemoryObjectSendStream[Batch],
) -> Outcome | None: ...
async def _run(
    endpoint: Endpoint,
    request: object,
    index: int,
    tracker: Tracker,
    send: MemoryObjectSendStream[Batch] | None,
) -> Outcome | None:
    """Open one request's stream and read it to its end, handing chunks to ``send``.

    The request's own failure is returned, not raised: it belongs to that request only.
    ``None`` (only with a consumer, ``send``): the stream's reads went to the consumer
    undecoded (``_fanout.reads``), and the consumer reports how the reply ended.
    """
    progress = tracker.progress
    tracker.started()
    stream: StreamLike | None = None
    handed_over = False
    released = False
    try:
        stream = await open_stream(endpoint, request, index)
        if isinstance(stream, ChunkStream):
            if send is not None and stream._state == _NEW:
                stream._undecoded = b""  # the consumer decodes all but the first event
            # A read's chunks at once: no coroutine per chunk, one hand-over per read.
            while batch := await stream._next_batch():
                progress.chunks += len(batch)
                if send is not None:
                    content = stream._content
                    if content is not None:  # the reply goes on: the consumer decodes it
                        await hand_over(stream, content, send, index, request, tracker, batch)
                        handed_over = True
                        return None
                    await send_batch(send, _chunk_items(index, request, batch))
        else:
            async for chunk in stream:
                progress.chunks += 1
                if send is not None:
                    await send_batch(send, [FanoutItem("chunk", index, request, chunk)])
    except anyio.BrokenResourceError:
        raise
    except Exception as exc:
        released = True
        tracker.released()  # first: the callback ``ended`` calls sees it no longer running
        tracker.ended(getattr(exc, "partial", None), failed=True)
        return exc
    finally:
        if isinstance(stream, ChunkStream):
            if not handed_over:  # else the consumer decodes the rest and releases the response
                await stream.aclose()  # closes at once, without suspending
        elif stream is not None:
            with anyio.CancelScope(shield=True):  # another stream's aclose may suspend
                await stream.aclose()
        # Handed over, the body was read to its end (aiohttp freed the connection): the
        # worker goes on to its next request, so this one is no longer in flight.
        if not released:
            tracker.released()
    tracker.ended(stream.response, failed=False)
    return stream.response


def _chunk_items(
    index: int, request: object, batch: list[GenerateContentResponse]
) -> list[FanoutItem]:
    # Not a comprehension in ``_run``: on Python 3.11 that would make ``index`` and
    # ``request`` cells, two more objects alive for each running request (see _NO_CHUNKS).
    return [FanoutItem("chunk", index, request, chunk) for chunk in batch]
