"""``TextStream``: the text (or thought-summary text) of an Interactions stream's events, as
an async iterator of strings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .deltas import TextDelta, ThoughtSummaryDelta
from .events import StepDeltaEvent, StepStartEvent
from .steps import ModelOutputStep, ThoughtStep

if TYPE_CHECKING:
    from .events import InteractionEvent

__all__ = ("TextStream", "event_text")


def event_text(event: InteractionEvent, *, thought: bool) -> str:
    """The text an event adds to the answer (``thought``: to the thought summaries)."""
    if isinstance(event, StepDeltaEvent):
        delta = event.delta
        if thought:
            if isinstance(delta, ThoughtSummaryDelta) and delta.content is not None:
                return delta.content.text or ""
        elif isinstance(delta, TextDelta):
            return delta.text
    elif isinstance(event, StepStartEvent):
        step = event.step  # a step.start may already carry the step's first content
        if (thought and isinstance(step, ThoughtStep)) or (
            not thought and isinstance(step, ModelOutputStep)
        ):
            return step.text
    return ""


class TextStream(AsyncIterator[str]):
    """The non-empty text pieces of a stream, in order; reading it reads the stream."""

    __slots__ = ("_events", "_thought")

    def __init__(self, events: AsyncIterator[InteractionEvent], *, thought: bool) -> None:
        self._events = events
        self._thought = thought

    def __aiter__(self) -> TextStream:
        return self

    async def __anext__(self) -> str:
        while True:
            text = event_text(await self._events.__anext__(), thought=self._thought)
            if text:
                return text
