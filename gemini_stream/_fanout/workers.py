"""The workers of a fan-out batch (``stream_many``, ``generate_many``): plain asyncio tasks,
which one task of the batch's task group starts, watches and stops (``supervise``).

A task that an anyio task group starts costs about 2.5 KB more than a plain asyncio task
(anyio 4.16: a ``TaskHandle`` with its own cancel scope and two sets, an event and its deque,
a wrapping coroutine, a done callback and its cell, a task state). A batch holding thousands
of slow replies open has a worker per open stream, so that was an eighth of what each held.
The supervisor keeps what the group gave each worker:

* it ends when every worker has ended (the batch's requests are all done);
* a worker's unexpected error (not a request's: ``_run`` returns those) cancels the other
  workers and is raised from the supervisor, so the group cancels the consumer and raises it
  as before (``generate_many`` cancels the group's scope itself on a request's error);
* cancelled (the consumer left the batch, or an outer cancel scope), it cancels every worker
  and waits until each has closed its response, as the group waited for its tasks.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

__all__ = ("supervise",)


class _Watch:
    """Counts the workers still running; wakes the supervisor when none is, or one failed."""

    __slots__ = ("error", "running", "woken")

    def __init__(self, woken: asyncio.Future[None], running: int) -> None:
        self.woken = woken
        self.running = running
        self.error: BaseException | None = None

    def done(self, task: asyncio.Task[None]) -> None:
        self.running -= 1
        if not task.cancelled() and (error := task.exception()) is not None:
            if self.error is None:
                self.error = error
        elif self.running:
            return
        if not self.woken.done():
            self.woken.set_result(None)


async def supervise(workers: int, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``work()`` in ``workers`` plain tasks until they all end; raise the first error
    one of them raised (the others cancelled first)."""
    if not workers:
        return
    loop = asyncio.get_running_loop()
    watch = _Watch(loop.create_future(), workers)
    # One context for every done callback, rather than a copy made for each (the workers
    # themselves copy this task's context, as the tasks of a task group do).
    context = contextvars.copy_context()
    done = watch.done  # one bound method for them all, not one made per task
    tasks: list[asyncio.Task[None]] = []
    try:
        for _ in range(workers):
            task = loop.create_task(work())
            task.add_done_callback(done, context=context)
            tasks.append(task)
        await watch.woken
    finally:
        running = [task for task in tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            with anyio.CancelScope(shield=True):  # each closes its response on the way out
                await asyncio.wait(running)
        # Raised even when cancelled meanwhile: the group reports it, as it did a worker's.
        error, watch.error = watch.error, None
        if error is not None:
            raise error
