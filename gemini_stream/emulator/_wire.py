"""Google-style JSON writing: the single-line SSE form, the pretty form and the event framing.

Google's serializer puts ``": "`` after every key and a bare ``,`` between members on one
line, escapes ``<`` and ``>`` as ``\\u003c``/``\\u003e`` and writes other non-ASCII text as raw
UTF-8. Pretty bodies use a 2-space indent and end with a newline.
"""

from __future__ import annotations

import json
from typing import Any

SSE_HEADERS = {
    "Content-Type": "text/event-stream",
    "Content-Disposition": "attachment",
}
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
# Headers every Google front end adds; clients should ignore them, but a faithful emulator
# lets a test notice a client that trips over them.
COMMON_HEADERS = {
    "Vary": "Origin, X-Origin, Referer",
    "Server": "scaffolding on HTTPServer2",
    "X-XSS-Protection": "0",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}


def _escape(text: str) -> bytes:
    # Lone surrogates (legal in JSON escapes, illegal in UTF-8) go back out as JSON escapes.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .encode("utf-8", errors="backslashreplace")
    )


def dumps_line(obj: Any) -> bytes:
    """Encode ``obj`` as one line in Google's streaming style (``": "`` and a bare ``,``)."""
    return _escape(json.dumps(obj, ensure_ascii=False, separators=(",", ": ")))


def dumps_pretty(obj: Any) -> bytes:
    """Encode ``obj`` pretty-printed with a 2-space indent and a trailing newline."""
    return _escape(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def sse_event(payload: bytes) -> bytes:
    """Frame one JSON payload as a Gemini SSE event: ``data: ...`` and a CRLF blank line."""
    return b"data: " + payload + b"\r\n\r\n"


def server_timing(seconds: float) -> str:
    """Format the ``Server-Timing`` header value Google sends (``gfet4t7; dur=N`` in ms)."""
    return f"gfet4t7; dur={max(0, round(seconds * 1000))}"


def duration(seconds: float) -> str:
    """Format a protobuf Duration as Google does: ``"47s"``, ``"1.500s"``."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:.3f}s"
