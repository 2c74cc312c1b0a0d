"""``EventReader``: an Interactions SSE body's bytes in, typed events out.

An event's ``event:`` line names what its JSON's ``event_type`` says again, so only the data
is read, and each event's data is decoded once, straight from the buffer, into the union of
event types. The usual shape (``event: X`` LF ``data: {...}`` LF LF, or data lines alone)
is framed by one regular-expression split per read; any other shape (CR or CRLF
line ends, several data lines, comments, ``id:`` lines, a BOM, text that is no SSE) goes
through the package's exact ``DataDecoder``. ``data: [DONE]`` ends the stream."""

from __future__ import annotations

import re

import msgspec

from .. import sse
from .._errors import EventTooLargeError, ResponseDecodeError
from .events import DONE, EVENT_DECODER, InteractionEvent, decode_event

__all__ = ("EventReader",)

_DONE = bytearray(DONE)
_decode = EVENT_DECODER.decode


class EventReader:
    """Decodes the events of one Interactions stream, fed as the socket delivers it.

    Attributes:
        done: whether ``data: [DONE]`` arrived (what comes after it is ignored).
    """

    __slots__ = ("_buf", "_exact", "_max", "done")

    def __init__(self, max_event_bytes: int = sse.DEFAULT_MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._buf = bytearray()
        # Made at the first read the fast framing does not take; it then reads the rest.
        self._exact: sse.DataDecoder | None = None
        self.done = False

    def feed(
        self, chunk: bytes | bytearray | memoryview
    ) -> tuple[list[InteractionEvent], ResponseDecodeError | None]:
        """The events completed by ``chunk``, in order, and the error of a malformed one
        (the events returned are those before it).

        Raises:
            EventTooLargeError: an event grew past ``max_event_bytes``.
        """
        event = self.one(chunk)
        return ([event], None) if event is not None else self.feed_rest(chunk)

    def one(self, chunk: bytes | bytearray | memoryview) -> InteractionEvent | None:
        """The event of a read that is exactly one whole event of the usual shape (the
        usual read of a paced stream), decoded; ``None`` for any other read, which
        ``feed_rest`` then reads (nothing is consumed)."""
        # An optional ``event:`` line, one ``data:`` line, a blank line, LF line ends only
        # (what ``_EVENTS`` matches), and nothing buffered before it.
        if (
            type(chunk) is bytes
            and chunk.endswith(b"\n\n")
            and 13 not in chunk
            and not self._buf
            and self._exact is None
            and not self.done
        ):
            end = len(chunk) - 2
            start = chunk.find(b"\n") + 1 if chunk.startswith(b"event: ") else 0
            if chunk.startswith(b"data: ", start) and chunk.find(b"\n", start, end) == -1:
                try:
                    return _decode(chunk[start + 6 : end])
                except msgspec.DecodeError:
                    pass  # [DONE], an unknown kind or a malformed event: feed_rest reads it
        return None

    def feed_rest(
        self, chunk: bytes | bytearray | memoryview
    ) -> tuple[list[InteractionEvent], ResponseDecodeError | None]:
        """``feed`` for a read ``one`` did not take (it does not try ``one`` again)."""
        if self.done:
            return [], None
        try:
            payloads = self._frame(chunk)
        except sse.EventTooLargeError as exc:
            raise EventTooLargeError(str(exc)) from exc
        if _DONE in payloads:
            payloads = payloads[: payloads.index(_DONE)]
            self.done = True
        try:
            return list(map(_decode, payloads)), None  # the loop runs in C
        except msgspec.DecodeError:
            pass  # a kind this version does not know, or a malformed event: one at a time
        events: list[InteractionEvent] = []
        for payload in payloads:
            try:
                events.append(decode_event(payload))
            except ResponseDecodeError as exc:
                return events, exc
        return events, None

    def flush(self) -> bytes:
        """End the body; return the text that was no SSE event (a raw JSON error, say)."""
        if self._exact is not None:
            return self._exact.flush()
        rest, self._buf = bytes(self._buf), bytearray()
        return rest if rest.strip() else b""

    def _frame(self, chunk: bytes | bytearray | memoryview) -> list[bytes | bytearray]:
        exact = self._exact
        if exact is not None:
            return list(exact.feed(chunk))
        buf = self._buf
        if 13 in chunk or (not buf and chunk[:1] == b"\xef"):  # CR, or a BOM maybe
            return self._go_exact(chunk)
        start = len(buf)
        buf += chunk
        end = buf.rfind(b"\n\n", max(start - 1, 0)) + 2
        if end < 2:
            if len(buf) > self._max:
                return self._go_exact(b"")  # it raises, or keeps text that is no SSE
            return []
        region = buf[:end]
        del buf[:end]
        # [text before the first event, data, text between, data, ..., text after]: the
        # usual shape has no text outside its events.
        parts = _EVENTS.split(region)
        if any(parts[::2]) or end > self._max:
            self._buf, rest = bytearray(), bytes(buf)
            return self._go_exact(region + rest)
        return parts[1::2]

    def _go_exact(self, data: bytes | bytearray | memoryview) -> list[bytes | bytearray]:
        exact = self._exact = sse.DataDecoder(max_event_bytes=self._max)
        pending, self._buf = bytes(self._buf), bytearray()
        return list(exact.feed(pending + bytes(data)))


# One event of the usual shape: an optional event line, one data line, a blank line (LF).
_EVENTS = re.compile(rb"(?:event: [^\n]*\n)?data: ([^\n]*)\n\n")
