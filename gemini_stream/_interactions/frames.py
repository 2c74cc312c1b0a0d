"""``EventReader``: an Interactions SSE body's bytes in, typed events out.

The SSE framing is the package's ``DataDecoder`` (blank-line search with ``bytes.find``, CR /
LF / CRLF, a size cap): an event's ``event:`` line names what its JSON's ``event_type`` says
again, so only the data is read, and each event's data is decoded once, straight from the
buffer, into the union of event types. ``data: [DONE]`` ends the stream."""

from __future__ import annotations

from .. import sse
from .._errors import EventTooLargeError, ResponseDecodeError
from .events import DONE, InteractionEvent, decode_event

__all__ = ("EventReader",)

_DONE = bytearray(DONE)


class EventReader:
    """Decodes the events of one Interactions stream, fed as the socket delivers it.

    Attributes:
        done: whether ``data: [DONE]`` arrived (what comes after it is ignored).
    """

    __slots__ = ("_data", "done")

    def __init__(self, max_event_bytes: int = sse.DEFAULT_MAX_EVENT_BYTES) -> None:
        self._data = sse.DataDecoder(max_event_bytes=max_event_bytes)
        self.done = False

    def feed(
        self, chunk: bytes | bytearray | memoryview
    ) -> tuple[list[InteractionEvent], ResponseDecodeError | None]:
        """The events completed by ``chunk``, in order, and the error of a malformed one
        (the events returned are those before it).

        Raises:
            EventTooLargeError: an event grew past ``max_event_bytes``.
        """
        if self.done:
            return [], None
        try:
            payloads = self._data.feed(chunk)
        except sse.EventTooLargeError as exc:
            raise EventTooLargeError(str(exc)) from exc
        if _DONE in payloads:
            payloads = payloads[: payloads.index(_DONE)]
            self.done = True
        try:
            return list(map(decode_event, payloads)), None  # the loop runs in C
        except ResponseDecodeError:
            pass
        events: list[InteractionEvent] = []
        for payload in payloads:
            try:
                events.append(decode_event(payload))
            except ResponseDecodeError as exc:
                return events, exc
        raise AssertionError("an event failed to decode once, then decoded")  # pragma: no cover

    def flush(self) -> bytes:
        """End the body; return the text that was no SSE event (a raw JSON error, say)."""
        return self._data.flush()
