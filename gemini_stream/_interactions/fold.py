"""``Fold``: the ``Interaction`` assembled from a stream's events, as the reference's state
machine says (seed a step from ``step.start``, apply its deltas, finish it at ``step.stop``;
status and usage from the interaction events). Applying an event is cheap (text pieces are
appended to a list); the ``Interaction`` is built when asked for."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, cast

import msgspec

from .content import Content, Usage
from .deltas import (
    ArgumentsDelta,
    FunctionResultDelta,
    MediaDelta,
    TextAnnotationDelta,
    TextDelta,
    ThoughtSignatureDelta,
    ThoughtSummaryDelta,
    ToolDelta,
)
from .events import (
    InteractionCompletedEvent,
    InteractionCreatedEvent,
    InteractionErrorEvent,
    InteractionEvent,
    StatusUpdateEvent,
    StepDeltaEvent,
    StepStartEvent,
    StepStopEvent,
)
from .interaction import Interaction, InteractionErrorInfo
from .steps import (
    AnyStep,
    FunctionCallStep,
    FunctionResultStep,
    ModelOutputStep,
    ThoughtStep,
    ToolCallStep,
    ToolResultStep,
    UnknownStep,
)

__all__ = ("Fold",)

_EVENT_ID = attrgetter("event_id")
_NOTHING_YET = Interaction()  # a fold's base until an event says what the interaction is
_MERGED_INTO = (ToolCallStep, ToolResultStep, FunctionResultStep, FunctionCallStep)


def _ignore(text: str) -> None:
    """Where text would go before a text delta named its block (never called)."""


class _Step:
    """One step being assembled: the ``step.start`` object and what the deltas added."""

    __slots__ = ("annotations", "args", "blocks", "signature", "step", "summary")

    def __init__(self, step: AnyStep) -> None:
        self.step = step
        # model_output: content blocks; a text block is a list of its pieces.
        self.blocks: list[Content | list[str]] = []
        self.annotations: dict[int, list[Any]] = {}
        self.summary: list[Content] | None = None
        self.signature: str | None = None
        self.args: list[str] | None = None
        if isinstance(step, ModelOutputStep):
            for block in step.content:
                if block.type == "text" and not block.annotations:
                    self.blocks.append([block.text or ""])
                else:
                    self.blocks.append(block)

    def apply(self, delta: object) -> None:
        if isinstance(delta, TextDelta):
            blocks = self.blocks
            if blocks and isinstance(blocks[-1], list):
                blocks[-1].append(delta.text)
            else:
                blocks.append([delta.text])
        elif isinstance(delta, ArgumentsDelta):
            if self.args is None:
                self.args = []
            self.args.append(delta.arguments)
        elif isinstance(delta, ThoughtSummaryDelta):
            if self.summary is None:
                step = self.step
                self.summary = list(step.summary) if isinstance(step, ThoughtStep) else []
            if delta.content is not None:
                self.summary.append(delta.content)
        elif isinstance(delta, ThoughtSignatureDelta):
            self.signature = delta.signature
        elif isinstance(delta, MediaDelta):
            fields = msgspec.structs.asdict(delta)
            self.blocks.append(Content(type=delta.type, **fields))
        elif isinstance(delta, TextAnnotationDelta):
            if self.blocks:
                self.annotations.setdefault(len(self.blocks) - 1, []).extend(delta.annotations)
        elif isinstance(delta, (ToolDelta, FunctionResultDelta)):
            self._merge(delta)
        # An UnknownDelta stays on its event: there is no rule to apply it by.

    def _merge(self, delta: ToolDelta | FunctionResultDelta) -> None:
        step = self.step
        if not isinstance(step, _MERGED_INTO):
            return
        known = step.__struct_fields__
        changes = {
            name: value
            for name, value in msgspec.structs.asdict(delta).items()
            if value is not None and name in known
        }
        if changes:
            self.step = msgspec.structs.replace(step, **changes)

    def build(self) -> AnyStep:
        step = self.step
        if isinstance(step, ModelOutputStep):
            content = []
            for i, block in enumerate(self.blocks):
                if isinstance(block, list):
                    block = Content(type="text", text="".join(block))
                notes = self.annotations.get(i)
                if notes:
                    block = msgspec.structs.replace(
                        block, annotations=[*(block.annotations or ()), *notes]
                    )
                content.append(block)
            return msgspec.structs.replace(step, content=content)
        if isinstance(step, ThoughtStep):
            changes: dict[str, Any] = {}
            if self.summary is not None:
                changes["summary"] = self.summary
            if self.signature is not None:
                changes["signature"] = self.signature
            return msgspec.structs.replace(step, **changes) if changes else step
        if isinstance(step, FunctionCallStep) and self.args is not None:
            text = "".join(self.args)
            try:  # mid-stream the JSON may be unfinished: the start's arguments stand
                arguments = msgspec.json.decode(text) if text.strip() else {}
            except msgspec.DecodeError:
                return step
            if isinstance(arguments, dict):
                return msgspec.structs.replace(step, arguments=arguments)
        return step


def _seed(delta: object) -> AnyStep:
    """The step a delta implies when its ``step.start`` never came."""
    if isinstance(delta, (TextDelta, MediaDelta, TextAnnotationDelta)):
        return ModelOutputStep()
    if isinstance(delta, (ThoughtSummaryDelta, ThoughtSignatureDelta)):
        return ThoughtStep()
    if isinstance(delta, ArgumentsDelta):
        return FunctionCallStep()
    return UnknownStep(type=str(getattr(delta, "type", "")))


class Fold:
    """The interaction assembled from the events applied so far (``interaction``).

    Events are queued when applied and folded when the interaction (or its ``id`` or
    ``status``) is asked for: a stream nobody asks about costs one append per read.
    """

    __slots__ = ("_base", "_built", "_error", "_ids", "_steps", "_todo", "apply", "extend")

    def __init__(self, base: Interaction | None = None) -> None:
        self._base = _NOTHING_YET if base is None else base
        self._steps: dict[int, _Step] = {}
        self._built: Interaction | None = None
        self._error: InteractionErrorInfo | None = None
        self._todo: list[InteractionEvent] = []  # applied, not folded yet
        self._ids: list[str | None] = []
        # Apply one event, or events in order (an ``UnknownEvent`` changes nothing); the
        # list's own methods: no Python call per read.
        self.apply: Callable[[InteractionEvent], None] = self._todo.append
        self.extend: Callable[[list[InteractionEvent]], None] = self._todo.extend

    @property
    def event_ids(self) -> list[str | None]:
        """The ``event_id`` of each event applied, in order (``None`` where it had none)."""
        self._catch_up()
        return self._ids

    @property
    def id(self) -> str | None:
        self._catch_up()
        return self._base.id

    @property
    def status(self) -> str | None:
        self._catch_up()
        return self._base.status

    @property
    def usage(self) -> Usage | None:
        self._catch_up()
        return self._base.usage

    @property
    def error(self) -> InteractionErrorInfo | None:
        """The ``error`` event's error, if one came."""
        self._catch_up()
        return self._error

    @property
    def interaction(self) -> Interaction:
        """The interaction as the events so far describe it."""
        self._catch_up()
        built = self._built
        if built is None:
            steps = [self._steps[i].build() for i in sorted(self._steps)]
            built = self._built = msgspec.structs.replace(self._base, steps=steps)
        return built

    def _catch_up(self) -> None:
        todo = self._todo
        if not todo:
            return
        events = todo.copy()
        todo.clear()  # in place: ``extend`` is this list's
        self._built = None
        self._ids += map(_EVENT_ID, events)
        steps, handlers = self._steps, _HANDLERS
        # The usual delta adds a piece of text (or of arguments) to the list the step's
        # previous delta added to: that list's append is kept at hand.
        text_index: int | None = None
        args_index: int | None = None
        add_text: Callable[[str], None] = _ignore
        add_args: Callable[[str], None] = _ignore
        for event in events:
            if type(event) is not StepDeltaEvent:
                text_index = args_index = None
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(self, event)
                continue
            delta: Any = event.delta
            kind = type(delta)
            if kind is TextDelta:
                if event.index == text_index:
                    add_text(delta.text)
                    continue
            elif kind is ArgumentsDelta and event.index == args_index:
                add_args(delta.arguments)
                continue
            step = steps.get(event.index)
            if step is None:  # its step.start never came
                step = steps[event.index] = _Step(_seed(delta))
            step.apply(delta)
            text_index = args_index = None
            if kind is TextDelta:  # the text block it went to is the last one
                text_index, add_text = event.index, cast("list[str]", step.blocks[-1]).append
            elif kind is ArgumentsDelta:
                args_index, add_args = event.index, cast("list[str]", step.args).append

    def _on_interaction(self, event: InteractionCreatedEvent | InteractionCompletedEvent) -> None:
        # The events' interaction is partial (no steps): its set fields win over ours.
        if self._base is _NOTHING_YET:  # the first: taken whole (built with our steps)
            self._base = event.interaction
            return
        fields = {
            name: value
            for name, value in msgspec.structs.asdict(event.interaction).items()
            if name != "steps" and value is not None
        }
        if fields:
            self._base = msgspec.structs.replace(self._base, **fields)

    def _on_status(self, event: StatusUpdateEvent) -> None:
        changes = {"status": event.status} if event.status else {}
        if event.interaction_id and self._base.id is None:
            changes["id"] = event.interaction_id
        if changes:
            self._base = msgspec.structs.replace(self._base, **changes)

    def _on_start(self, event: StepStartEvent) -> None:
        self._steps[event.index] = _Step(event.step)

    def _on_stop(self, event: StepStopEvent) -> None:
        pass  # a step is built from its pieces when the interaction is asked for

    def _on_error(self, event: InteractionErrorEvent) -> None:
        self._error = event.error


_HANDLERS: dict[type, Callable[[Fold, Any], None]] = {
    InteractionCreatedEvent: Fold._on_interaction,
    InteractionCompletedEvent: Fold._on_interaction,
    StepStartEvent: Fold._on_start,
    StepStopEvent: Fold._on_stop,
    InteractionErrorEvent: Fold._on_error,
}
_HANDLERS[StatusUpdateEvent] = Fold._on_status
for _kind in StatusUpdateEvent.__subclasses__():
    _HANDLERS[_kind] = Fold._on_status
