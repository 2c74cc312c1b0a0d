"""The exception tree: every error the library raises is a ``GeminiError``.

    GeminiError
    └── ResponseDecodeError (also ValueError)   malformed JSON from the server

Later layers (transport, HTTP status mapping, timeouts) add their classes here so the whole
tree is documented in one place.
"""

from __future__ import annotations

_EXCERPT_CHARS = 200


def excerpt(data: bytes | bytearray | memoryview, limit: int = _EXCERPT_CHARS) -> str:
    """Return a short, printable excerpt of ``data`` for an error message."""
    head = bytes(data[: limit + 1])
    text = head[:limit].decode("utf-8", errors="replace")
    return repr(text) + ("..." if len(head) > limit else "")


class GeminiError(Exception):
    """Base class of every exception raised by gemini-stream."""


class ResponseDecodeError(GeminiError, ValueError):
    """The server sent JSON that could not be decoded into the expected type.

    Attributes:
        excerpt: the start of the offending payload, for the message and for logs.
    """

    def __init__(self, message: str, *, excerpt: str = "") -> None:
        super().__init__(f"{message}; payload starts {excerpt}" if excerpt else message)
        self.excerpt = excerpt
