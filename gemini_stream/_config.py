"""Frozen, keyword-only configuration values: ``Timeouts``, ``RetryPolicy`` and ``RateLimit``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

RETRYABLE_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})


def _check_number(owner: str, name: str, value: object, *, minimum: float, strict: bool) -> None:
    """Reject anything but a finite number above (``strict``) or at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner}.{name} must be a number, got {_shown(value)}")
    too_small = value <= minimum if strict else value < minimum
    if not math.isfinite(value) or too_small:
        bound = f"{'above' if strict else 'at least'} {minimum:g}"
        raise ValueError(f"{owner}.{name} must be a finite number {bound}, got {value!r}")


def _check_int(
    owner: str, name: str, value: object, *, minimum: int, or_none: bool = False
) -> None:
    """Reject anything but an ``int`` (not a ``bool``) of at least ``minimum``.

    ``ValueError`` for a wrong type too, as these fields always raised.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        expected = f"an int >= {minimum}" + (" or None" if or_none else "")
        raise ValueError(f"{owner}.{name} must be {expected}, got {_shown(value)}")


def _statuses(value: object) -> frozenset[int]:
    """``RetryPolicy.retry_statuses`` as a frozenset of HTTP statuses (ints from 100 to 599)."""
    where = "RetryPolicy.retry_statuses"
    if isinstance(value, (str, bytes, bytearray, int)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{where} must be a collection of HTTP status ints such as {{429, 503}}, "
            f"got {_shown(value)}"
        )
    statuses = list(value)
    for status in statuses:
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f"{where} must hold HTTP status ints, got {_shown(status)}")
        if not 100 <= status <= 599:
            raise ValueError(f"{where} must hold HTTP statuses (100 to 599), got {status!r}")
    return frozenset(statuses)


def _shown(value: object) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{type(value).__name__} {text}"


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    """How long each phase of a request may take, in seconds (``None`` means no limit).

    Attributes:
        connect: establishing the connection (DNS, TCP, TLS).
        first_chunk: from sending the request to the first byte of the reply body. Thinking
            models can be silent for minutes before their first event, so this is long.
        idle: the longest silence allowed between two reads once the reply has started.
        total: one whole call, retries and backoff included. ``None`` by default, so a long
            stream is never cut off while it is still making progress. It covers one HTTP
            call: a chat message that runs tools makes a call per round, each with its own
            ``total``, and the tools run between rounds are limited by the chat's
            ``tool_timeout`` instead.

    Example:
        >>> client = gs.Client(timeouts=gs.Timeouts(idle=30))
        >>> patient = client.timeouts.replace(first_chunk=900)
    """

    connect: float | None = 10.0
    first_chunk: float | None = 300.0
    idle: float | None = 120.0
    total: float | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                _check_number("Timeouts", field.name, value, minimum=0, strict=True)

    def replace(self, **changes: float | None) -> Timeouts:
        """Return a copy with the named fields changed (``None`` removes a limit)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """When and how often a failed request is sent again.

    Connection errors, HTTP 408/429/500/502/503/504, an error event that arrives before any
    content, and a first-chunk timeout are retried with exponential backoff and full jitter.
    A delay the server asks for (``RetryInfo.retryDelay`` or ``Retry-After``) wins over the
    computed one, capped by ``max_delay``. Nothing is replayed once content was yielded.

    Attributes:
        max_attempts: attempts in all, counting the first; ``1`` turns retrying off.
        initial_delay: the backoff ceiling before the second attempt, in seconds.
        max_delay: the largest wait between two attempts, server-requested delays included.
        multiplier: how much the backoff ceiling grows per attempt.
        retry_statuses: the HTTP statuses that are worth another attempt.

    Example:
        >>> client = gs.Client(retry=gs.RetryPolicy(max_attempts=3, max_delay=10))
        >>> no_retries = gs.RetryPolicy(max_attempts=1)
    """

    max_attempts: int = 4
    initial_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 2.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES

    def __post_init__(self) -> None:
        _check_int("RetryPolicy", "max_attempts", self.max_attempts, minimum=1)
        _check_number("RetryPolicy", "initial_delay", self.initial_delay, minimum=0, strict=False)
        _check_number("RetryPolicy", "max_delay", self.max_delay, minimum=0, strict=False)
        _check_number("RetryPolicy", "multiplier", self.multiplier, minimum=1, strict=False)
        object.__setattr__(self, "retry_statuses", _statuses(self.retry_statuses))

    def replace(self, **changes: object) -> RetryPolicy:
        """Return a copy with the named fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class RateLimit:
    """Client-side limits that make requests wait for their turn instead of failing with 429.

    Give it to ``Client(rate_limit=...)`` (shared by every call of the client) or to
    ``stream_many`` / ``generate_many`` (for that batch, on top of the client's). Requests and
    input tokens are counted over a sliding window, as the Gemini API counts its quotas; a 429
    with a retry delay pauses every request of the limiter until the delay has passed.
    ``None`` means no limit of that kind.

    Attributes:
        requests_per_minute: requests sent per window (the API's RPM).
        tokens_per_minute: input tokens sent per window (the API's TPM counts input tokens).
            Estimated before sending from an upper bound that never counts too few (see
            docs/concurrency.md), then corrected from the reply's
            ``usageMetadata.promptTokenCount``.
        concurrent: requests in flight at once, from sending until the reply ends.
        window: the length of the sliding window in seconds; 60 matches the API's quotas.

    Example:
        >>> client = gs.Client(rate_limit=gs.RateLimit(requests_per_minute=15))
        >>> gentle = gs.RateLimit(requests_per_minute=60, tokens_per_minute=250_000)
    """

    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    concurrent: int | None = None
    window: float = 60.0

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "tokens_per_minute", "concurrent"):
            value = getattr(self, name)
            if value is not None:
                _check_int("RateLimit", name, value, minimum=1, or_none=True)
        _check_number("RateLimit", "window", self.window, minimum=0, strict=True)

    def replace(self, **changes: float | None) -> RateLimit:
        """Return a copy with the named fields changed (``None`` removes a limit)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
