"""``InteractionStream``: one Interactions stream as an async iterator of typed events that
resumes by itself from its last ``event_id`` when the connection drops, and an async context
manager that releases the connection exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._errors import StreamConsumedError
from .interaction import Interaction
from .reader import _DONE, _OPEN, EventStreamReader
from .texts import TextStream

if TYPE_CHECKING:
    from types import TracebackType

    from .events import InteractionEvent

__all__ = ("InteractionStream",)

_T = TypeVar("_T")


class InteractionStream(EventStreamReader):
    """One Interactions stream: ``async for event in stream`` yields typed events, each with
    its ``event_type`` as on the wire.

    Returned by ``client.interactions.stream(...)`` (or ``resume(...)``) without ``await``;
    nothing is sent until it is first iterated. When the connection drops, the reply goes
    silent past ``Timeouts.idle``, or the body ends before the interaction did, the stream
    reconnects by itself from the last ``event_id`` it saw (up to ``RetryPolicy.max_attempts``
    times in a row without progress, with backoff), and every event reaches you exactly once.
    An ``error`` event is raised as an ``APIError`` and a ``"failed"`` status as
    ``InteractionFailedError``, each with the ``Interaction`` so far as ``partial``.

    Example:
        >>> async with client.interactions.stream("gemini-3-flash-preview", "Hi") as stream:
        ...     async for text in stream.text_stream:
        ...         print(text, end="")
        >>> print(stream.interaction.usage)
    """

    __slots__ = ()

    # -- what the caller reads -----------------------------------------------------------------

    @property
    def interaction(self) -> Interaction:
        """The interaction assembled from the events received so far."""
        return self._fold.interaction

    @property
    def interaction_id(self) -> str | None:
        """The interaction's ``id`` (known from the first event on)."""
        return self._fold.id

    @property
    def last_event_id(self) -> str | None:
        """The ``event_id`` of the last event received: what ``resume`` continues after."""
        return self._last_id()

    @property
    def text_stream(self) -> TextStream:
        """An async iterator over the answer's text pieces (thought summaries excluded)."""
        return TextStream(self, thought=False)

    @property
    def thought_stream(self) -> TextStream:
        """An async iterator over the thought summaries' text pieces."""
        return TextStream(self, thought=True)

    async def final(self) -> Interaction:
        """Consume the rest of the stream and return the assembled ``Interaction``.

        Raises:
            APIError: the stream carried an ``error`` event.
            InteractionFailedError: the interaction ended with status ``"failed"``.
        """
        if self._state != _DONE or self._pending or self._deferred is not None:
            async for _ in self:
                pass
        return self.interaction

    @overload
    async def final_parsed(self, type_: type[_T]) -> _T: ...
    @overload
    async def final_parsed(self, type_: Any = None) -> Any: ...
    async def final_parsed(self, type_: Any = None) -> Any:
        """Consume the rest of the stream and decode the answer's JSON (structured output).

        Args:
            type_: the type to decode into; by default the type given as
                ``response_format``, or plain JSON values.

        Raises:
            ParseError: the text is not JSON or does not conform to the type.
        """
        interaction = await self.final()
        return interaction.parsed(self._parse_type if type_ is None else type_)

    def __aiter__(self) -> InteractionStream:
        if self._state == _DONE and not self._pending and self._deferred is None:
            raise StreamConsumedError(
                "this stream was already consumed or closed; see stream.interaction"
            )
        return self

    async def __anext__(self) -> InteractionEvent:
        if self._pending:
            return self._pending.pop()
        return await self._next_slow()

    async def __aenter__(self) -> InteractionStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the stream and release its connection; safe to call more than once. (The
        interaction itself goes on on the server if it runs in the background.)"""
        self._pending = []
        self._deferred = None
        if self._state == _OPEN:
            self._report("closed", None)
        self._finish(close=True)

    def __del__(self) -> None:
        if self._state == _OPEN:  # left with a break: the end of the request, for its log
            self._report("closed", None)
        response, loop = self._response, self._loop
        running = loop is not None and not loop.is_closed()
        if response is not None:
            self._call.transport.responses.discard(response)
            if running:
                response.close()
        lease = self._lease
        if lease is not None and running:
            lease.release()

    def __repr__(self) -> str:
        state = ("not started", "open", "finished")[self._state]
        return f"<InteractionStream {self._fold.id or self._call.label} {state}>"
