"""Frozen, keyword-only configuration values: ``Timeouts``, ``RetryPolicy`` and ``RateLimit``."""

from __future__ import annotations

import dataclasses
import math
import warnings
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


# The names ``RateLimit`` took before 0.x, mapped to today's: ``requests_per_minute`` read as
# "per minute" even when ``window`` made it "per 5 seconds".
_RENAMED = {"requests_per_minute": "requests", "tokens_per_minute": "tokens", "window": "per"}
DAY = 86_400.0  # the window of ``requests_per_day``, in seconds


def _renamed(changes: dict[str, object], stacklevel: int) -> dict[str, object]:
    """``changes`` with the deprecated names of ``RateLimit`` turned into today's, warning."""
    for old, new in _RENAMED.items():
        if old in changes:
            if new in changes:
                raise TypeError(f"RateLimit takes {new}= or {old}= (deprecated), not both")
            warnings.warn(
                f"RateLimit({old}=...) is deprecated: use RateLimit({new}=...); "
                "requests and tokens are counted per `per` seconds (60 by default)",
                DeprecationWarning,
                stacklevel=stacklevel + 1,
            )
            changes[new] = changes.pop(old)
    return changes


@dataclass(frozen=True, init=False)
class RateLimit:
    """Client-side limits that make requests wait for their turn instead of failing with 429.

    Give it to ``Client(rate_limit=...)`` (shared by every call of the client) or to
    ``stream_many`` / ``generate_many`` (for that batch, on top of the client's). Requests and
    input tokens are counted over a sliding window of ``per`` seconds, as the Gemini API counts
    its per-minute quotas; a 429 with a retry delay pauses every request of the limiter until
    the delay has passed. ``None`` means no limit of that kind.

    Attributes:
        requests: requests sent per ``per`` seconds (the API's RPM, with the default ``per``).
        tokens: input tokens sent per ``per`` seconds (the API's TPM counts input tokens).
            Estimated before sending from an upper bound that never counts too few (see
            docs/concurrency.md), then corrected from the reply's
            ``usageMetadata.promptTokenCount``.
        per: the length of the sliding window of ``requests`` and ``tokens``, in seconds; 60
            matches the API's per-minute quotas.
        requests_per_day: requests sent per sliding 24 hours (the API's RPD), counted in
            one-minute steps.
        concurrent: requests in flight at once, from sending until the reply ends.

    The names before ``requests``, ``tokens`` and ``per`` (``requests_per_minute``,
    ``tokens_per_minute`` and ``window``) still work, with a ``DeprecationWarning``.

    Example:
        >>> client = gs.Client(rate_limit=gs.RateLimit(requests=15))  # 15 a minute
        >>> gentle = gs.RateLimit(requests=60, tokens=250_000, requests_per_day=1_000)
        >>> burst = gs.RateLimit(requests=10, per=5)  # 10 every 5 seconds
    """

    requests: int | None
    tokens: int | None
    per: float
    requests_per_day: int | None
    concurrent: int | None

    def __init__(
        self,
        *,
        requests: int | None = None,
        tokens: int | None = None,
        per: float = 60.0,
        requests_per_day: int | None = None,
        concurrent: int | None = None,
        **renamed: float | None,
    ) -> None:
        unknown = sorted(set(renamed) - set(_RENAMED))
        if unknown:
            raise TypeError(f"RateLimit() got an unexpected keyword argument {unknown[0]!r}")
        given: dict[str, object] = {
            "requests": requests,
            "tokens": tokens,
            "per": per,
            "requests_per_day": requests_per_day,
            "concurrent": concurrent,
        }
        if renamed:
            for new in [_RENAMED[old] for old in renamed]:
                if given[new] != (60.0 if new == "per" else None):
                    old = next(o for o, n in _RENAMED.items() if n == new)
                    raise TypeError(f"RateLimit takes {new}= or {old}= (deprecated), not both")
                del given[new]
            given.update(_renamed(dict(renamed), stacklevel=2))
        for name in ("requests", "tokens", "requests_per_day", "concurrent"):
            value = given[name]
            if value is not None:
                _check_int("RateLimit", name, value, minimum=1, or_none=True)
        _check_number("RateLimit", "per", given["per"], minimum=0, strict=True)
        for name, value in given.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: float | None) -> RateLimit:
        """Return a copy with the named fields changed (``None`` removes a limit)."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        fields.update(_renamed(dict(changes), stacklevel=2))
        return RateLimit(**fields)

    @property
    def requests_per_minute(self) -> int | None:
        """Deprecated: ``requests`` (counted per ``per`` seconds, not always a minute)."""
        _renamed({"requests_per_minute": None}, stacklevel=2)
        return self.requests

    @property
    def tokens_per_minute(self) -> int | None:
        """Deprecated: ``tokens`` (counted per ``per`` seconds, not always a minute)."""
        _renamed({"tokens_per_minute": None}, stacklevel=2)
        return self.tokens

    @property
    def window(self) -> float:
        """Deprecated: ``per``."""
        _renamed({"window": None}, stacklevel=2)
        return self.per
