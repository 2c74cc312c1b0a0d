"""Fault injection and scripting: what a generation request gets instead of a clean reply.

A :class:`Fault` describes latency and failures for one reply; a :class:`ScriptedReply` gives
the exact chunks to send. The :class:`FaultBook` picks, for each ``generateContent`` /
``streamGenerateContent`` request, the first of: the next scripted item (queued from Python),
the ``x-emulator-fault`` header, the server-wide fault.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FAULT_HEADER = "x-emulator-fault"
_SECONDS = frozenset({"retry_after", "first_delay", "delay", "stall"})
_FLAGS = frozenset({"no_done"})


@dataclass(frozen=True)
class Fault:
    """Latency and failures injected into one reply; every field is optional.

    "After N events" counts the events of the reply already written (0 = before the first).

    Attributes:
        status: answer this HTTP error (429, 500, 503, ...) before any byte of the reply.
        retry_after: seconds for ``RetryInfo.retryDelay`` and ``Retry-After`` on the error.
        first_delay: seconds of silence between the response headers and the first event.
        delay: seconds between events (overrides the server's ``chunk_delay``).
        disconnect_after: abruptly close the connection after N events.
        error_after: after N events, write Google's raw pretty-printed error JSON (no
            ``data:``) with ``error_status``, then end the body.
        error_event_after: after N events, send ``data: {"error": ...}`` and end the body.
        error_status: the status used by ``error_after`` / ``error_event_after``.
        malformed_after: after N events, insert an event whose ``data:`` is not valid JSON.
        oversized_after: after N events, insert a valid event of ``oversized_bytes`` bytes.
        oversized_bytes: the size of the oversized event, framing included.
        stall_after: after N events, go silent for ``stall`` seconds, then carry on.
        stall: the length of the stall in seconds.
        close_after: Interactions streams only: after N events, end the body cleanly
            without the ``done`` terminator (as Google ends a stream at its time limit).
        no_done: Interactions streams only: end the body after the last event without
            the ``done`` terminator.
        times: how many requests the fault applies to; ``None`` means every request for a
            server-wide or header fault and one request for a queued fault.
    """

    status: int | None = None
    retry_after: float | None = None
    first_delay: float | None = None
    delay: float | None = None
    disconnect_after: int | None = None
    error_after: int | None = None
    error_event_after: int | None = None
    error_status: int = 503
    malformed_after: int | None = None
    oversized_after: int | None = None
    oversized_bytes: int = 1 << 20
    stall_after: int | None = None
    stall: float = 1.0
    close_after: int | None = None
    no_done: bool = False
    times: int | None = None

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Parse the header syntax: ``name=value`` pairs separated by ``;``.

        Names are the field names with ``-`` or ``_``: ``status=429; retry-after=2`` or
        ``disconnect-after=3``. A bare name means ``0`` for the ``*-after`` fields and
        switches a flag (``no-done``) on; ``no-done=false`` leaves it off.

        Raises:
            ValueError: an unknown name or a value that is not a number.
        """
        values: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for item in filter(None, (i.strip() for i in text.split(";"))):
            name, _, raw = item.partition("=")
            key = name.strip().replace("-", "_")
            if key not in names:
                raise ValueError(f"unknown fault {name.strip()!r} in {text!r}")
            if key in _FLAGS:  # a bare name switches a flag on
                values[key] = raw.strip().lower() not in ("false", "no", "0")
                continue
            raw = raw.strip() or "0"
            try:
                values[key] = float(raw.rstrip("s")) if key in _SECONDS else int(raw)
            except ValueError:
                raise ValueError(f"fault {name.strip()!r} needs a number, got {raw!r}") from None
        return cls(**values)


Chunk = Mapping[str, Any] | bytes


@dataclass(frozen=True)
class ScriptedReply:
    """The exact reply to send to one generation request.

    Attributes:
        chunks: the events: dicts are written as Google-style JSON (one SSE event or array
            element each; ``generateContent`` merges them into one body), ``bytes`` are
            written verbatim with no framing.
        fault: latency or failures to apply while replaying the chunks.
        times: how many requests get this reply.
    """

    chunks: Sequence[Chunk]
    fault: Fault | None = None
    times: int = 1


class RateLimiter:
    """A per-key sliding window of requests and prompt tokens, like the API's RPM and TPM
    quotas (one minute by default; shorter in tests)."""

    def __init__(
        self, per_minute: int | None, tokens: int | None = None, window: float = 60.0
    ) -> None:
        self.per_minute = per_minute
        self.tokens = tokens
        self.window = window
        self._seen: dict[str, collections.deque[tuple[float, int]]] = {}
        self._sums: dict[str, int] = {}

    def check(self, key: str, tokens: int = 0) -> float | None:
        """Count one request of ``tokens`` prompt tokens for ``key``; return seconds to wait
        if it is over a limit (it is then not counted)."""
        now = time.monotonic()
        window = self._seen.setdefault(key, collections.deque())
        total = self._sums.get(key, 0)
        while window and now - window[0][0] >= self.window:
            total -= window.popleft()[1]
        over = self.per_minute is not None and len(window) >= self.per_minute
        if not over and self.tokens is not None and window and total + tokens > self.tokens:
            over = True
        self._sums[key] = total
        if over:
            return round(self.window - (now - window[0][0]), 3)
        window.append((now, tokens))
        self._sums[key] = total + tokens
        return None

    @property
    def limit(self) -> int:
        """The figure a 429 names: the request limit, else the token limit."""
        return self.per_minute or self.tokens or 0


class FaultBook:
    """Decides which fault or scripted reply each generation request gets."""

    def __init__(self, default: Fault | None) -> None:
        self.default = default
        self._default_used = 0
        self._queue: collections.deque[Fault | ScriptedReply] = collections.deque()
        self._header_uses: dict[str, int] = {}

    def push(self, item: Fault | ScriptedReply) -> None:
        """Queue a fault or scripted reply for the next generation request(s)."""
        times = item.times if item.times is not None else 1
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._queue.extend([item] * times)

    def clear(self) -> None:
        """Drop every queued item."""
        self._queue.clear()

    @property
    def pending(self) -> int:
        """How many requests the queued items will still answer."""
        return len(self._queue)

    def take(self, headers: Mapping[str, str]) -> Fault | ScriptedReply | None:
        """Pick the fault or script for one request (consuming queued items and counts).

        Raises:
            ValueError: the fault header does not parse.
        """
        if self._queue:
            return self._queue.popleft()
        header = headers.get(FAULT_HEADER)
        if header is not None:
            fault = Fault.parse(header)
            uses = self._header_uses.get(header, 0)
            self._header_uses[header] = uses + 1
            return fault if fault.times is None or uses < fault.times else None
        if self.default is not None:
            self._default_used += 1
            times = self.default.times
            return self.default if times is None or self._default_used <= times else None
        return None
