"""The ``gemini_stream`` logger tree, ``GEMINI_STREAM_LOG``, and the text of each record."""

from __future__ import annotations

import logging
import os
import sys

from .events import EndEvent, RetryEvent

__all__ = ("BODIES", "HOOKS", "HTTP", "bodies_on", "configure_from_env", "end_message")

HTTP = logging.getLogger("gemini_stream.http")
"""One INFO record per request as it ends, one per failed attempt that is retried; DEBUG:
each attempt sent and its headers."""
BODIES = logging.getLogger("gemini_stream.bodies")
"""DEBUG: request and response bodies, media elided; only when this logger's own level is
set (a level inherited from ``gemini_stream`` or the root turns nothing on)."""
HOOKS = logging.getLogger("gemini_stream.hooks")
"""ERROR: a hook raised."""

ENV = "GEMINI_STREAM_LOG"
_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG, "bodies": logging.DEBUG}
_configured = False


def bodies_on() -> bool:
    """Whether bodies are logged: ``gemini_stream.bodies`` was set to DEBUG itself."""
    return 0 < BODIES.level <= logging.DEBUG and BODIES.isEnabledFor(logging.DEBUG)


def configure_from_env() -> None:
    """Apply ``GEMINI_STREAM_LOG`` (``info``, ``debug`` or ``bodies``) once per process: the
    ``gemini_stream`` logger gets that level and, unless it has handlers already, one
    writing to stderr; ``bodies`` also turns the bodies on."""
    global _configured
    if _configured:
        return
    value = os.environ.get(ENV, "").strip().lower()
    level = _LEVELS.get(value)
    if value and level is None:
        raise ValueError(f"invalid {ENV}={value!r}: expected 'info', 'debug' or 'bodies'")
    _configured = True
    if level is None:
        return
    root = logging.getLogger("gemini_stream")
    root.setLevel(level)
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    if value == "bodies":
        BODIES.setLevel(logging.DEBUG)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def end_message(event: EndEvent) -> str:
    """One line saying how a request went."""
    status = "no response" if event.status is None else str(event.status)
    text = (
        f"{event.method} {event.url} -> {status} {event.outcome}, attempt {event.attempt}, "
        f"headers {_ms(event.time_to_headers)}"
    )
    if event.time_to_first_chunk is not None:
        text += f", first chunk {_ms(event.time_to_first_chunk)}"
    text += f", total {_ms(event.elapsed)}"
    if event.chunks:
        text += f", {event.chunks} chunks"
    text += f", {event.bytes} bytes"
    usage = event.usage
    if usage is not None:
        output = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
        text += f", tokens {usage.prompt_token_count or 0} in / {output} out"
    if event.finish_reason:
        text += f", finish {event.finish_reason}"
    if event.error is not None:
        text += f": {type(event.error).__name__}: {event.error}"
    return text


def retry_message(event: RetryEvent) -> str:
    """The line of an attempt that failed and is retried."""
    status = "no response" if event.status is None else str(event.status)
    return (
        f"{event.method} {event.url} -> {status}, attempt {event.attempt} failed "
        f"({type(event.error).__name__}: {event.error}); retrying in {event.delay:.2f}s"
    )
