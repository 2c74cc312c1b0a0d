"""``FanoutItem``: one thing that happened to one request of a ``stream_many`` batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import msgspec

from .._wire.response import GenerateContentResponse

if TYPE_CHECKING:
    from .request import StreamLike

__all__ = ("FanoutItem",)


class FanoutItem(msgspec.Struct, frozen=True):
    """One thing that happened to one request of a ``stream_many`` batch.

    Every request gives zero or more ``"chunk"`` items, then exactly one ``"done"`` or
    ``"error"`` item. Items of different requests interleave as their chunks arrive.

    Attributes:
        kind: ``"chunk"``, ``"done"`` (the reply ended well) or ``"error"`` (it failed).
        index: the request's position in the input.
        request: the request as it was given.
        chunk: for ``"chunk"``: the chunk, as ``async for chunk in stream`` gives it.
        error: for ``"error"``: the exception; a ``GeminiError`` carries ``.partial``.
        response: for ``"done"``: the whole reply, merged (``stream.response``). It is
            merged when first read, so a loop that only relays chunks never pays for it;
            until then the item holds the chunks its stream received last (about 1 KB
            each): to keep many replies, keep ``item.response`` rather than the item.
    """

    kind: Literal["chunk", "done", "error"]
    index: int
    request: object
    chunk: GenerateContentResponse | None = None
    error: Exception | None = None
    # For "done": the reply, or the finished stream that merges it when asked.
    _reply: GenerateContentResponse | StreamLike | None = None

    @property
    def response(self) -> GenerateContentResponse | None:
        """For ``"done"``: the whole reply, merged; ``None`` for other kinds."""
        reply = self._reply
        if reply is None or isinstance(reply, GenerateContentResponse):
            return reply
        return reply.response

    def __repr__(self) -> str:
        shown = [f"kind={self.kind!r}", f"index={self.index!r}", f"request={self.request!r}"]
        for name in ("chunk", "error", "response"):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        return f"FanoutItem({', '.join(shown)})"
