"""The retry schedule: backoff with full jitter, server-requested delays, a testing switch."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from .._config import RetryPolicy
from .._errors import (
    APIConnectionError,
    APIError,
    ConnectTimeoutError,
    FirstChunkTimeoutError,
    GeminiError,
    RateLimitError,
)

if TYPE_CHECKING:
    from .._limits.limiter import Limiter
    from .._observe.probe import Probe

T = TypeVar("T")
_log = logging.getLogger("gemini_stream")
# Failures that say nothing about the request itself, so the same request may well succeed.
_TRANSIENT = (APIConnectionError, ConnectTimeoutError, FirstChunkTimeoutError)

_testing = False


def set_testing(enabled: bool) -> None:
    """Turn real backoff sleeping off (``True``) or back on, for test suites.

    Retries still happen, in the same order and number; only the waits between attempts
    are skipped, so tests of retry behaviour run instantly.

    Example:
        >>> gs.set_testing(True)
    """
    global _testing
    _testing = bool(enabled)


def is_testing() -> bool:
    """Whether ``set_testing(True)`` is in force."""
    return _testing


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Read an HTTP ``Retry-After`` header: delta-seconds or an HTTP date; ``None`` if absent
    or malformed. Never raises; a value it returns is finite and at least zero."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return server_seconds(float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return server_seconds(max(0.0, seconds))


def server_seconds(value: object) -> float | None:
    """A delay the server asked for, as a finite number of seconds at least zero, or
    ``None`` when it is no such number (``inf``, ``nan``, negative, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds >= 0.0 else None


def backoff_delay(policy: RetryPolicy, attempt: int, server_delay: float | None = None) -> float:
    """How long to wait after failed attempt number ``attempt`` (1-based).

    A delay the server asked for wins, capped by ``policy.max_delay``; otherwise the wait is
    drawn uniformly from zero up to the exponential ceiling ("full jitter"), so many clients
    that failed together do not come back together.
    """
    server_delay = server_seconds(server_delay)
    if server_delay is not None:
        return min(server_delay, policy.max_delay)
    ceiling = policy.initial_delay * policy.multiplier ** (attempt - 1)
    return random.uniform(0.0, min(ceiling, policy.max_delay))


async def sleep(seconds: float) -> None:
    """Wait between attempts, unless the testing switch is on (then only yield once)."""
    await asyncio.sleep(0 if _testing else seconds)


def _retry_hint(exc: GeminiError, policy: RetryPolicy) -> tuple[bool, float | None]:
    """Whether ``exc`` is worth another attempt, and the delay the server asked for."""
    if isinstance(exc, APIError):
        return exc.code in policy.retry_statuses, server_seconds(getattr(exc, "retry_delay", None))
    return isinstance(exc, _TRANSIENT), None


async def retrying(
    policy: RetryPolicy,
    total: float | None,
    attempt: Callable[[float | None], Awaitable[T]],
    reset: Callable[[], bool] | None = None,
    *,
    limiter: Limiter | None = None,
    failed: GeminiError | None = None,
    started: float | None = None,
    pause: Callable[[float], Awaitable[None]] = sleep,
    probe: Probe | None = None,
) -> T:
    """Run ``attempt(time_left)`` until it succeeds, fails for good, or attempts run out.

    ``reset`` is called before each new attempt; returning ``False`` forbids it (a stream
    does so once a chunk reached the caller: content is never replayed). The last error is
    raised as it is when no attempt is left or the wait would overrun ``total``. A 429 also
    pauses the whole ``limiter``, so the client's other requests slow down with this one.

    ``pause`` waits between attempts (a transport's, so that closing the client ends it).
    ``failed``: the error of a first attempt the caller made itself, at loop time
    ``started``. A stream does so: while a thousand requests wait for their headers, a
    coroutine (and two bound methods) fewer per request is less for the garbage collector.
    ``probe``: the request's watchers, told of each retry (and then they log it).
    """
    loop = asyncio.get_running_loop()
    if started is None:
        started = loop.time()
    deadline = None if total is None else started + total
    number = 0 if failed is None else 1
    while True:
        if failed is None:
            number += 1
            left = None if deadline is None else max(deadline - loop.time(), 0.001)
            try:
                return await attempt(left)
            except GeminiError as exc:
                failed = exc
        delay = _next_delay(failed, number, policy, deadline, reset, limiter, probe)
        if delay is None:
            raise failed
        failed = None
        await pause(delay)


def _next_delay(
    exc: GeminiError,
    number: int,
    policy: RetryPolicy,
    deadline: float | None,
    reset: Callable[[], bool] | None,
    limiter: Limiter | None,
    probe: Probe | None,
) -> float | None:
    """How long to wait before the attempt after failed attempt ``number``; ``None``: no
    more attempts (not retryable, none left, no time left, or ``reset`` forbids it)."""
    retryable, server_delay = _retry_hint(exc, policy)
    if limiter is not None and isinstance(exc, RateLimitError):
        # The whole client pauses no longer than one attempt would wait: a server asking
        # for hours (or for ``inf``) must not stall every caller past ``max_delay``.
        pause = policy.initial_delay if server_delay is None else server_delay
        limiter.penalize(min(pause, policy.max_delay))
    if not retryable or number >= policy.max_attempts:
        return None
    delay = backoff_delay(policy, number, server_delay)
    if deadline is not None and asyncio.get_running_loop().time() + delay >= deadline:
        return None
    if reset is not None and not reset():
        return None
    if probe is not None:
        probe.retrying(exc, delay)  # logs it, with the request's facts
    else:
        _log.info("attempt %d failed (%s); retrying in %.2fs", number, exc, delay)
    return delay
