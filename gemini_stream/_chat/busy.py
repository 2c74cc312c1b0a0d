"""Waiting for a chat's previous reply, and the error naming one left open and unread.

A message waits while the previous reply streams. A reply nobody reads (a stream kept in a
variable after ``break``) would make it wait forever: when that reply has not moved on, and no
task was reading it, for ``chat.abandoned_after`` seconds, the message raises
``ChatBusyError`` naming it. A reply being read, however slowly (a chunk handed out, body bytes
received, a task waiting for data or running the model's functions), is waited for. Nothing
is measured while replies stream: only the waiting message looks, a few times a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import anyio

from .._errors import ChatBusyError

__all__ = ("DEFAULT_ABANDONED_AFTER", "check_abandoned_after", "wait_for_chat")

DEFAULT_ABANDONED_AFTER = 60.0
"""Seconds a previous reply may sit unread before a waiting message gives up on it."""


class _Reply(Protocol):
    """What a waiting message asks of the reply holding the chat (``ChatRounds``)."""

    def _progress(self) -> object: ...

    def _describe(self) -> str: ...


def check_abandoned_after(value: object) -> float | None:
    """``value`` as ``abandoned_after``: seconds above 0, or ``None`` (wait forever)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"abandoned_after must be seconds or None, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"abandoned_after must be above 0 and finite, got {value!r}")
    return float(value)


async def wait_for_chat(
    lock: anyio.Semaphore, limit: float | None, holder: Callable[[], _Reply | None]
) -> None:
    """Take the chat's ``lock`` once its previous reply (``holder()``) ends; ``limit`` is
    ``chat.abandoned_after`` (see the module docstring).

    Raises:
        ChatBusyError: the reply holding the chat was left open and unread.
    """
    if limit is None or lock.value:  # free (the usual case): no timer to set up
        await lock.acquire()
        return
    step = min(limit / 4, 0.5)
    mark: object = None
    still_since = anyio.current_time()
    while True:
        with anyio.move_on_after(step):
            await lock.acquire()
            return
        reply = holder()
        progress = reply._progress() if reply is not None else None
        now = anyio.current_time()
        if progress is None or progress != mark:
            mark, still_since = progress, now
        elif reply is not None and now - still_since >= limit:
            raise ChatBusyError(
                f"this chat's previous reply is still open and nobody has read it for "
                f"{limit:g}s: {reply._describe()}. A stream kept after `break` holds its "
                "chat until it is closed: read it with `async with chat.stream(...) as "
                "stream:`, or call `await stream.aclose()` (chat.abandoned_after sets this "
                "wait; None waits forever)"
            )
