"""``RedisLimiter``: one quota shared by every process through Redis (redis-py, imported lazily)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import math
import random
import secrets
import time

import anyio

from .._config import RateLimit
from .._errors import LimiterUnavailableError
from .limiter import InProcessLimiter, Lease, Limiter
from .redis_keys import Store, connect, namespace
from .redis_script import KEY_NAMES, SCRIPT

_log = logging.getLogger("gemini_stream")

POLL = 1.0  # the longest sleep between two polls: a waiting process shows it is alive
TICKET_LIFE = 5.0  # a process that has not polled for this long loses its place in the queue
NUDGE = 0.002  # added to a wait (with jitter), so that waiters do not all ask at once
RETRY_REDIS = 1.0  # how often a limiter that fell back tries Redis again


class _Unavailable(Exception):
    """Redis did not answer (refused, timed out, or failed the command)."""


class RedisLimiter:
    """A ``Limiter`` whose quota is shared by every process that uses the same Redis and key.

    Requests per ``per`` seconds, input tokens per ``per`` seconds and requests per day are
    counted in Redis, by one Lua script per admission (one round trip, atomic, on Redis's own
    clock), so ten workers configured for 1,000 RPM send 1,000 between them. As with
    ``InProcessLimiter``, requests wait instead of failing, tokens are estimated before
    sending and corrected from the reply's usage, a 429 pauses every process of the quota,
    and waiting processes take turns first come, first served. ``concurrent`` counts the
    requests of this process only.

    Args:
        redis: a ``redis://`` (or ``rediss://``, ``unix://``) URL, or a
            ``redis.asyncio.Redis`` client of yours (then yours to close).
        limit: the quota (``gs.RateLimit``); give every process the same one.
        key: what the quota belongs to: your project id, or the API key. Only a SHA-256
            fingerprint of it is stored in Redis. Default: ``GEMINI_API_KEY`` (or
            ``GOOGLE_API_KEY``) from the environment.
        model: the model the quota is for (Gemini's quotas are per project and model);
            ``None`` shares one quota across models.
        on_unavailable: what happens when Redis does not answer within ``timeout``:
            ``"raise"`` (default) fails the request with ``LimiterUnavailableError`` before
            it is sent; ``"local"`` falls back to an in-process limiter with the same limit
            (logging a warning, and trying Redis again every second); or a ``gs.Limiter`` of
            your own to fall back to (a share of the quota, say).
        timeout: seconds one round trip to Redis may take, connecting included.
        prefix: the start of every Redis key of the limiter.

    Raises:
        ImportError: the ``redis`` package is missing (``pip install gemini-stream[redis]``).

    Example:
        >>> limit = gs.RateLimit(requests=1_000, tokens=1_000_000, requests_per_day=10_000)
        >>> async with gs.RedisLimiter("redis://localhost:6379/0", limit) as limiter:
        ...     async with gs.Client(rate_limit=limiter) as client: ...
    """

    def __init__(
        self,
        redis: Store,
        limit: RateLimit | None = None,
        *,
        key: str | None = None,
        model: str | None = None,
        on_unavailable: str | Limiter = "raise",
        timeout: float = 1.0,
        prefix: str = "gemini-stream",
    ) -> None:
        if limit is not None and not isinstance(limit, RateLimit):
            raise TypeError(f"limit must be a gs.RateLimit, got {limit!r}")
        self.limit = limit = limit or RateLimit()
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"timeout must be a number of seconds above 0, got {timeout!r}")
        self._fallback: Limiter | None
        if on_unavailable == "raise":
            self._fallback = None
        elif on_unavailable == "local":
            self._fallback = InProcessLimiter(limit)
        elif isinstance(on_unavailable, Limiter):
            self._fallback = on_unavailable
        else:
            raise ValueError(
                f'on_unavailable must be "raise", "local" or a gs.Limiter, got {on_unavailable!r}'
            )
        self._client, self._owned = connect(redis, timeout)
        self._timeout = float(timeout)
        self.namespace = namespace(prefix, key, model)
        self._keys = [f"{self.namespace}:{name}" for name in KEY_NAMES]
        self._sha = hashlib.sha1(SCRIPT.encode()).hexdigest()
        self._ticket = secrets.token_hex(8)  # this limiter's place in the shared queue
        self._numbers = itertools.count()
        self._queue: list[anyio.Event] = []
        self._in_flight = 0
        self._freed: anyio.Event | None = None
        self._paused_until = 0.0  # time.monotonic(): this process knows before Redis does
        self._falling_back_until: float | None = None  # fallen back: until then, no Redis
        # What leases asked for, carried by the next round trip: (entry, tokens) pairs.
        self._stamps: list[str] = []
        self._corrections: list[tuple[str, int]] = []
        self._pause = 0.0
        self._drop_ticket = False
        self._flusher: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<RedisLimiter {self.namespace} {self.limit} in_flight={self._in_flight}>"

    async def __aenter__(self) -> RedisLimiter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def in_flight(self) -> int:
        """Requests of this process admitted whose lease was not released yet."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Requests of this process waiting for their turn."""
        return len(self._queue)

    @property
    def falling_back(self) -> bool:
        """Whether Redis was unreachable and requests go through the fallback limiter."""
        return self._falling_back_until is not None

    async def usage(self) -> tuple[int, int]:
        """Requests and input tokens counted in the shared window now (one round trip).

        Raises:
            LimiterUnavailableError: Redis did not answer.
        """
        try:
            reply = await self._call(-1, "")
        except _Unavailable as exc:
            raise LimiterUnavailableError(str(exc)) from exc
        return reply[2], reply[3]

    async def acquire(self, tokens: int) -> Lease:
        """Wait for the go-ahead to send one request of about ``tokens`` input tokens.

        Raises:
            LimiterUnavailableError: Redis did not answer and ``on_unavailable="raise"``.
        """
        tokens = max(int(tokens), 0)
        fallback = self._fallback
        if fallback is not None and self._redis_away():
            return await fallback.acquire(tokens)
        lease = await self._acquire(tokens)
        if lease is None:  # Redis is away (without a fallback, _acquire raised instead)
            if fallback is None:
                raise LimiterUnavailableError("the rate limiter's Redis did not answer")
            return await fallback.acquire(tokens)
        if self._falling_back_until is not None:
            self._falling_back_until = None
            _log.warning("rate limiter: Redis answers again; %s is shared again", self.namespace)
        return lease

    def penalize(self, seconds: float) -> None:
        """Admit nothing for ``seconds``, in every process of the quota (a 429 said so).

        Raises:
            ValueError: ``seconds`` is not a finite number.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"penalize() takes a number of seconds, got {seconds!r}")
        if not math.isfinite(seconds):
            raise ValueError(f"penalize() takes a finite number of seconds, got {seconds!r}")
        seconds = max(float(seconds), 0.0)
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._pause = max(self._pause, seconds)
        if self._fallback is not None:
            self._fallback.penalize(seconds)
        self._flush_soon()

    async def aclose(self) -> None:
        """Send what leases left to say, then close the Redis client if the limiter made it."""
        flusher = self._flusher
        if flusher is not None and not flusher.done():
            await asyncio.wait((flusher,), timeout=self._timeout * 2)
            if not flusher.done():  # its own timeout bounds it; belt and braces
                flusher.cancel()
                await asyncio.wait((flusher,))
        if self._stamps or self._corrections or self._pause or self._drop_ticket:
            await self._flush()
        if self._owned:
            await self._client.aclose()  # redis>=5.0.1 (5.0.0 has only close())

    async def _acquire(self, tokens: int) -> Lease | None:
        """Queue up in this process, then in Redis; ``None``: fall back (Redis is away)."""
        turn = anyio.Event()
        queue = self._queue
        queue.append(turn)
        queued = admitted = False
        try:
            if queue[0] is not turn:
                await turn.wait()
            entry = f"{self._ticket}:{next(self._numbers)}"
            while True:
                await self._local_wait()
                if self._fallback is not None and self._redis_away():
                    return None  # an earlier request just found Redis away
                queued = True  # from here on the script may have queued this process
                try:
                    admitted_now, wait, _, _ = await self._call(tokens, entry)
                except _Unavailable as exc:
                    if self._fallback is None:
                        raise LimiterUnavailableError(
                            f"the rate limiter's Redis did not answer ({exc}); the request "
                            "was not sent"
                        ) from exc
                    if self._falling_back_until is None:
                        _log.warning(
                            "rate limiter: Redis did not answer (%s); using the fallback "
                            "limiter, in this process only, until it does",
                            exc,
                        )
                    self._falling_back_until = time.monotonic() + RETRY_REDIS
                    return None
                if admitted_now:
                    admitted = True
                    break
                # Polls stay frequent enough to keep the place in the queue; a little jitter
                # keeps the processes behind from all asking at the same moment.
                await anyio.sleep(min(wait + NUDGE * (1 + random.random()), POLL))
        finally:
            queue.remove(turn)
            if queue:
                queue[0].set()
            elif queued and not admitted:
                self._drop_ticket = True  # gave up: do not hold the others back
                self._flush_soon()
        self._in_flight += 1
        return _RedisLease(self, entry, tokens)

    def _redis_away(self) -> bool:
        """Whether Redis failed to answer less than ``RETRY_REDIS`` seconds ago."""
        until = self._falling_back_until
        return until is not None and time.monotonic() < until

    async def _local_wait(self) -> None:
        """Wait out a pause this process knows of, and for a slot under ``concurrent``."""
        left = self._paused_until - time.monotonic()
        while left > 0:  # a later penalize() may lengthen the pause meanwhile
            await anyio.sleep(left)
            left = self._paused_until - time.monotonic()
        concurrent = self.limit.concurrent
        while concurrent is not None and self._in_flight >= concurrent:
            if self._freed is None:
                self._freed = anyio.Event()
            await self._freed.wait()

    async def _call(self, want: int, entry: str) -> tuple[int, float, int, int]:
        """One round trip: carry what leases asked for, and admit ``want`` tokens (or, for
        ``-1``, only flush); return (admitted, seconds to wait, requests, tokens)."""
        limit = self.limit
        stamps, self._stamps = self._stamps, []
        corrections, self._corrections = self._corrections, []
        pause, self._pause = self._pause, 0.0
        drop, self._drop_ticket = self._drop_ticket, False
        args: list[str | int | float] = [
            limit.per,
            limit.requests or 0,
            limit.tokens or 0,
            limit.requests_per_day or 0,
            self._ticket,
            want,
            entry,
            TICKET_LIFE,
            pause,
            int(drop),
            len(stamps),
            *stamps,
            len(corrections),
            *[part for pair in corrections for part in pair],
        ]
        from redis.exceptions import NoScriptError, RedisError

        client = self._client
        with anyio.move_on_after(self._timeout) as scope:
            try:
                try:
                    reply = await client.evalsha(self._sha, len(self._keys), *self._keys, *args)
                except NoScriptError:  # a new or restarted Redis: send the script itself
                    reply = await client.eval(SCRIPT, len(self._keys), *self._keys, *args)
            except (RedisError, OSError) as exc:
                raise _Unavailable(f"{type(exc).__name__}: {exc}") from exc
        if scope.cancelled_caught:
            raise _Unavailable(f"no answer within {self._timeout:g}s")
        admitted, wait_us, count, total = (int(value) for value in reply)
        return admitted, wait_us / 1_000_000, count, total

    def _flush_soon(self) -> None:
        """Send what leases asked for now, from a task of the running loop, if any (a lease
        may be released from ``__del__``, outside a coroutine; the next call carries it)."""
        flusher = self._flusher
        if flusher is not None and not flusher.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        # A task of its own: the lease's sent() and release() must not block (the Limiter
        # protocol). It is kept here and awaited by aclose().
        self._flusher = loop.create_task(self._flush())

    async def _flush(self) -> None:
        while self._stamps or self._corrections or self._pause or self._drop_ticket:
            try:
                await self._call(-1, "")
            except _Unavailable as exc:
                # Best effort: the entries keep their first stamp and estimate (they leave
                # the window a little early, or count a little high); the pause is local.
                _log.debug("rate limiter: could not tell Redis (%s)", exc)
                return

    def _sent(self, entry: str) -> None:
        self._stamps.append(entry)
        self._flush_soon()

    def _release(self, entry: str, estimate: int, tokens: int | None) -> None:
        self._in_flight -= 1
        freed, self._freed = self._freed, None
        if freed is not None:
            freed.set()
        if tokens is not None and tokens != estimate:
            self._corrections.append((entry, max(int(tokens), 0)))
            self._flush_soon()


class _RedisLease:
    __slots__ = ("_entry", "_estimate", "_limiter")

    def __init__(self, limiter: RedisLimiter, entry: str, estimate: int) -> None:
        self._limiter: RedisLimiter | None = limiter
        self._entry = entry
        self._estimate = estimate

    def sent(self) -> None:
        if self._limiter is not None:
            self._limiter._sent(self._entry)

    def release(self, tokens: int | None = None) -> None:
        limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter._release(self._entry, self._estimate, tokens)
