"""Client-side rate limiting: the ``Limiter`` interface and the in-process sliding-window one."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import anyio

from .._config import RateLimit
from .days import DayCount


class Lease(Protocol):
    """One admitted request's hold on a limiter, given back when the request ends."""

    def sent(self) -> None:
        """The server has the request (its response headers arrived).

        The server counted the request somewhere between admission and now; counting it
        from now on means the limiter's window never ends before the server's does.
        """

    def release(self, tokens: int | None = None) -> None:
        """End the hold; ``tokens`` is the request's real input-token count, if known.

        Called exactly once per lease by the library, synchronously (also from ``__del__``
        of a dropped stream), so it must not block.
        """


@runtime_checkable
class Limiter(Protocol):
    """What the client needs from a rate limiter; implement it to share limits between
    processes (a Redis- or database-backed limiter, say).

    ``acquire`` waits until a request estimated at ``tokens`` input tokens may be sent and
    returns its lease; ``penalize`` is called when the server answered 429, with the delay it
    asked for (finite, at least zero, and capped by the client's ``RetryPolicy.max_delay``),
    and should hold back every request of the limiter until that delay has passed.
    """

    async def acquire(self, tokens: int) -> Lease:
        """Wait for the go-ahead to send one request of about ``tokens`` input tokens."""
        ...

    def penalize(self, seconds: float) -> None:
        """The server said "slow down": admit nothing for ``seconds``."""
        ...


class _Entry:
    """One request in the window: when it was counted, its input tokens, and whether it is
    still on its way to the server (``pending``: it cannot leave the window yet)."""

    __slots__ = ("at", "live", "pending", "tokens")

    def __init__(self, at: float, tokens: int) -> None:
        self.at = at
        self.tokens = tokens
        self.live = True
        self.pending = True


class InProcessLimiter:
    """A ``Limiter`` for one process: a sliding-window log of requests and input tokens.

    Waiters are served first come, first served: only the head of the queue watches the
    clock, so a big request is not starved by a stream of small ones.

    Args:
        limit: the limits to keep (``gs.RateLimit``); the default keeps none but still pauses
            everyone after a 429.
        clock: a monotonic clock in seconds (a fake one makes tests instant).
        sleep: the coroutine used to wait for ``seconds`` (paired with ``clock``).

    Example:
        >>> limiter = gs.InProcessLimiter(gs.RateLimit(requests=60))
        >>> fast = gs.Client(rate_limit=limiter)
        >>> careful = gs.Client(rate_limit=limiter, timeouts=gs.Timeouts(idle=10))
    """

    def __init__(
        self,
        limit: RateLimit | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
    ) -> None:
        if limit is not None and not isinstance(limit, RateLimit):
            raise TypeError(f"limit must be a gs.RateLimit, got {limit!r}")
        self.limit = limit or RateLimit()
        self._clock = clock
        self._sleep = sleep
        self._entries: deque[_Entry] = deque()
        self._tokens = 0
        self._in_flight = 0
        self._paused_until = -math.inf
        self._queue: deque[anyio.Event] = deque()
        self._freed: anyio.Event | None = None
        self._day = DayCount()

    def __repr__(self) -> str:
        return f"<InProcessLimiter {self.limit} in_flight={self._in_flight}>"

    @property
    def in_flight(self) -> int:
        """Requests admitted whose lease was not released yet."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Requests waiting for their turn."""
        return len(self._queue)

    def usage(self) -> tuple[int, int]:
        """Requests and input tokens counted in the current window."""
        self._expire(self._clock())
        return len(self._entries), self._tokens

    async def acquire(self, tokens: int) -> Lease:
        """Wait for the go-ahead to send one request of about ``tokens`` input tokens."""
        tokens = max(int(tokens), 0)
        if self._queue or self._delay(tokens) != 0.0:
            await self._wait_turn(tokens)
        entry = _Entry(self._clock(), tokens)
        self._entries.append(entry)
        self._tokens += tokens
        self._in_flight += 1
        if self.limit.requests_per_day is not None:
            self._day.add(entry.at)
        return _Lease(self, entry)

    def penalize(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (a 429 asked the whole client to slow down).

        Raises:
            ValueError: ``seconds`` is not a finite number: a pause of ``inf`` or ``nan``
                would hold every caller for good.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"penalize() takes a number of seconds, got {seconds!r}")
        if not math.isfinite(seconds):
            raise ValueError(f"penalize() takes a finite number of seconds, got {seconds!r}")
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    async def _wait_turn(self, tokens: int) -> None:
        """Queue up, then, at the head of the queue, wait until ``tokens`` may go."""
        turn = anyio.Event()
        queue = self._queue
        queue.append(turn)
        try:
            if queue[0] is not turn:
                await turn.wait()
            while (delay := self._delay(tokens)) != 0.0:
                if delay is None:
                    if self._freed is None:
                        self._freed = anyio.Event()
                    await self._freed.wait()
                else:
                    await self._sleep(delay)
        finally:
            # The caller is admitted (or gave up) before anyone else looks at the window.
            queue.remove(turn)
            if queue:
                queue[0].set()

    def _delay(self, tokens: int) -> float | None:
        """Seconds until ``tokens`` may go, ``0.0`` for now, ``None`` for "when a lease
        moves on" (a slot frees, or a request on its way reaches the server)."""
        now = self._clock()
        self._expire(now)
        limit, entries = self.limit, self._entries
        leaving: list[float | None] = []
        rpm = limit.requests
        if rpm is not None and len(entries) >= rpm:
            leaving.append(self._gone_at(len(entries) - rpm + 1))
        rpd = limit.requests_per_day
        if rpd is not None:
            leaving.append(self._day.room_at(now, rpd))
        tpm = limit.tokens
        if tpm is not None and entries and self._tokens + tokens > tpm:
            # The oldest entries leave first: how many must go to make room? A request
            # bigger than the whole budget goes once the window is empty.
            excess, count = self._tokens + tokens - tpm, len(entries)
            for n, entry in enumerate(entries, 1):
                excess -= entry.tokens
                if excess <= 0:
                    count = n
                    break
            leaving.append(self._gone_at(count))
        wait = max([self._paused_until - now] + [at - now for at in leaving if at is not None])
        if wait > 0:
            return wait
        if None in leaving or (
            limit.concurrent is not None and self._in_flight >= limit.concurrent
        ):
            return None
        return 0.0

    def _gone_at(self, count: int) -> float | None:
        """When the ``count`` oldest entries will have left the window (``None``: not known
        while one of them is still on its way to the server)."""
        entries = self._entries
        for n in range(count):
            if entries[n].pending:
                return None
        return entries[count - 1].at + self.limit.per

    def _expire(self, now: float) -> None:
        entries, window = self._entries, self.limit.per
        while entries and not entries[0].pending and now - entries[0].at >= window:
            entry = entries.popleft()
            entry.live = False
            self._tokens -= entry.tokens

    def _sent(self, entry: _Entry) -> None:
        # The server counted the request at some moment up to now; counting it from now
        # means this window never ends before the server's.
        entry.pending = False
        if entry.live and self._clock() > entry.at:
            self._entries.remove(entry)  # the newest now: keep the log in time order
            self._entries.append(entry)
            entry.at = self._clock()
        self._wake()

    def _release(self, entry: _Entry, tokens: int | None) -> None:
        self._in_flight -= 1
        entry.pending = False  # never sent (a failure on the way): its count stands
        if tokens is not None and entry.live:
            self._tokens += tokens - entry.tokens
            entry.tokens = tokens
        self._wake()

    def _wake(self) -> None:
        freed, self._freed = self._freed, None
        if freed is not None:
            freed.set()


class _Lease:
    __slots__ = ("_entry", "_limiter")

    def __init__(self, limiter: InProcessLimiter, entry: _Entry) -> None:
        self._limiter: InProcessLimiter | None = limiter
        self._entry = entry

    def sent(self) -> None:
        if self._limiter is not None:
            self._limiter._sent(self._entry)

    def release(self, tokens: int | None = None) -> None:
        limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter._release(self._entry, tokens)
