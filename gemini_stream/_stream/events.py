"""What one socket read of a reply holds: its chunks, an error event among them, where its
first event ends; and whether a reply that ended was complete."""

from __future__ import annotations

from .._errors import GeminiError, IncompleteStreamError
from .._http.codec import decode_chunks
from .._http.failures import error_from_body
from .._wire.response import GenerateContentResponse

__all__ = ("checked_chunks", "first_event_end", "incomplete")


def checked_chunks(
    payloads: list[bytearray],
) -> tuple[list[GenerateContentResponse], GeminiError | None]:
    """Decode a read's events: the chunks, and the error to raise after them, if any.

    An error event (Google's ``{"error": {...}}`` inside a 200 stream) ends the chunks there;
    otherwise a malformed event's error comes after every chunk that did decode.
    """
    batch, malformed = decode_chunks(payloads)
    for position, chunk in enumerate(batch):
        # An error event decodes to a chunk with none of a reply's fields.
        if (
            chunk.candidates is None
            and chunk.usage_metadata is None
            and chunk.prompt_feedback is None
        ):
            error = error_from_body(bytes(payloads[position]))
            if error is not None:
                return batch[:position], error
    return batch, malformed


def incomplete(reply: GenerateContentResponse, leftover: bytes) -> IncompleteStreamError | None:
    """The error of a reply whose body ended without a ``finishReason`` (nor a block), if so;
    ``leftover``: bytes after the last complete event."""
    if reply.finish_reason is not None or reply.blocked:
        return None
    trailing = f" (trailing bytes {_short(leftover)})" if leftover else ""
    return IncompleteStreamError(
        f"the stream ended without a finishReason: the reply is truncated{trailing}"
    )


def first_event_end(data: bytes) -> int:
    """Where ``data`` goes on after its first event's blank line (``len(data)``: none seen).

    Only a hint of where to cut: the decoder, fed both parts in order, decides.
    """
    end = data.find(b"\r\n\r\n")
    if end >= 0:
        return end + 4
    end = data.find(b"\n\n")
    return len(data) if end < 0 else end + 2


def _short(data: bytes) -> str:
    return repr(data[:80]) + ("..." if len(data) > 80 else "")
