"""``DeltaStream``: the text or thought-summary deltas of any stream of reply chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .._wire.content import parts_text
from .._wire.response import GenerateContentResponse

__all__ = ("DeltaStream",)


class DeltaStream:
    """Async iterator over the text (or, with ``thought=True``, the thought-summary) deltas
    of a chunk stream; chunks without such text are skipped."""

    __slots__ = ("_source", "_thought")

    def __init__(
        self, source: AsyncIterator[GenerateContentResponse], *, thought: bool = False
    ) -> None:
        self._source = source
        self._thought = thought

    def __aiter__(self) -> DeltaStream:
        return self

    async def __anext__(self) -> str:
        source = self._source
        while True:
            chunk = await source.__anext__()
            text = parts_text(chunk.parts, thought=self._thought)
            if text:
                return text
