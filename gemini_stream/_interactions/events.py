"""The events of an Interactions stream, typed by ``event_type``, and their decoding: one
msgspec decode of the union per event; an event, step or delta of a kind this version does
not know is kept raw (``UnknownEvent``, ``UnknownStep``, ``UnknownDelta``), never fatal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, get_args

import msgspec

from .._errors import ResponseDecodeError
from .._wire.convert import excerpt
from .content import IxWire, Usage
from .deltas import AnyDelta, UnknownDelta, delta_from
from .interaction import Interaction, InteractionErrorInfo
from .steps import AnyStep, UnknownStep, step_from

__all__ = (
    "DONE",
    "EVENT_DECODER",
    "InteractionCompletedEvent",
    "InteractionCreatedEvent",
    "InteractionErrorEvent",
    "InteractionEvent",
    "StatusUpdateEvent",
    "StepDeltaEvent",
    "StepStartEvent",
    "StepStopEvent",
    "UnknownEvent",
    "decode_event",
    "interaction_from",
)

DONE = b"[DONE]"
"""The data of the stream's last event (``event: done``); not JSON."""


class _Event(IxWire, tag_field="event_type", frozen=True, kw_only=True):
    event_type: ClassVar[str] = ""
    event_id: str | None = None


class InteractionCreatedEvent(_Event, tag="interaction.created", frozen=True, kw_only=True):
    """The first event: the new interaction (``id``, ``status``, ``model``/``agent``)."""

    event_type: ClassVar[str] = "interaction.created"
    interaction: Interaction = Interaction()
    metadata: Any = None


class StatusUpdateEvent(_Event, tag="interaction.status_update", frozen=True, kw_only=True):
    """The interaction's ``status`` changed."""

    event_type: ClassVar[str] = "interaction.status_update"
    interaction_id: str | None = None
    status: str | None = None


class _InProgress(StatusUpdateEvent, tag="interaction.in_progress", frozen=True, kw_only=True):
    # Named by the May 2026 migration notes only; read as a status update.
    event_type: ClassVar[str] = "interaction.in_progress"


class _RequiresAction(
    StatusUpdateEvent, tag="interaction.requires_action", frozen=True, kw_only=True
):
    event_type: ClassVar[str] = "interaction.requires_action"


class StepStartEvent(_Event, tag="step.start", frozen=True, kw_only=True):
    """A step begins at ``index``; ``step`` may already hold its first content."""

    event_type: ClassVar[str] = "step.start"
    index: int = 0
    step: AnyStep = UnknownStep()


class StepDeltaEvent(_Event, tag="step.delta", frozen=True, kw_only=True):
    """More of the step at ``index`` (``delta``: text, a thought summary, arguments...)."""

    event_type: ClassVar[str] = "step.delta"
    index: int = 0
    delta: AnyDelta = UnknownDelta()
    metadata: Any = None


class StepStopEvent(_Event, tag="step.stop", frozen=True, kw_only=True):
    """The step at ``index`` is complete."""

    event_type: ClassVar[str] = "step.stop"
    index: int = 0
    usage: Usage | None = None
    step_usage: Usage | None = None


class InteractionCompletedEvent(_Event, tag="interaction.completed", frozen=True, kw_only=True):
    """The last event of a run: the final ``status`` and ``usage`` (no steps: they came as
    events)."""

    event_type: ClassVar[str] = "interaction.completed"
    interaction: Interaction = Interaction()
    metadata: Any = None


class InteractionErrorEvent(_Event, tag="error", frozen=True, kw_only=True):
    """The server reports an error inside the stream (``error.code``, ``error.message``)."""

    event_type: ClassVar[str] = "error"
    error: InteractionErrorInfo = InteractionErrorInfo()


class UnknownEvent(IxWire, frozen=True, kw_only=True):
    """An event of a kind this version does not know: its ``event_type``, its ``event_id``
    and the ``raw`` object."""

    event_type: str = ""
    event_id: str | None = None
    raw: dict[str, Any] = msgspec.field(default_factory=dict)


_KnownEvent = (
    InteractionCreatedEvent
    | StatusUpdateEvent
    | _InProgress
    | _RequiresAction
    | StepStartEvent
    | StepDeltaEvent
    | StepStopEvent
    | InteractionCompletedEvent
    | InteractionErrorEvent
)
if TYPE_CHECKING:
    InteractionEvent = _KnownEvent | UnknownEvent
else:
    InteractionEvent = _KnownEvent

EVENT_DECODER = _decoder = msgspec.json.Decoder(_KnownEvent)
"""Decodes the events of the kinds known here (one decode per event, in C)."""
_any_decoder = msgspec.json.Decoder()
_interaction_decoder = msgspec.json.Decoder(Interaction, strict=False)
_KINDS: dict[str, Any] = {cls.event_type: cls for cls in get_args(_KnownEvent)}


def decode_event(payload: bytes | bytearray | memoryview) -> InteractionEvent:
    """Decode one event's data (one msgspec decode; a second, lenient one only for kinds
    this version does not know).

    Raises:
        ResponseDecodeError: the data is not a JSON object, or a known kind is malformed.
    """
    try:
        event: InteractionEvent = _decoder.decode(payload)
        return event
    except msgspec.DecodeError as exc:
        failure = exc
    try:
        return _lenient_event(_any_decoder.decode(payload))
    except (msgspec.DecodeError, TypeError, ValueError) as exc:
        raise ResponseDecodeError(
            f"cannot decode an Interactions event: {exc or failure}", excerpt=excerpt(payload)
        ) from exc


def _lenient_event(obj: object) -> InteractionEvent:
    if not isinstance(obj, dict):
        raise msgspec.ValidationError("an event must be a JSON object")
    kind = obj.get("event_type")
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    event_id = obj.get("event_id")
    event_id = event_id if isinstance(event_id, str) else None
    if cls is None:
        return UnknownEvent(event_type=str(kind or ""), event_id=event_id, raw=obj)
    nested = {k: obj[k] for k in ("step", "delta", "interaction") if k in obj}
    flat = {k: v for k, v in obj.items() if k not in nested}
    event: InteractionEvent = msgspec.convert(flat, cls, strict=False)
    if "step" in nested:
        event = msgspec.structs.replace(event, step=step_from(nested["step"]))
    if "delta" in nested:
        event = msgspec.structs.replace(event, delta=delta_from(nested["delta"]))
    if "interaction" in nested:
        event = msgspec.structs.replace(event, interaction=interaction_from(nested["interaction"]))
    return event


def interaction_from(obj: object) -> Interaction:
    """An ``Interaction`` from a decoded JSON value, unknown step kinds kept raw."""
    if not isinstance(obj, dict):
        raise msgspec.ValidationError("an interaction must be a JSON object")
    steps = obj.get("steps")
    rest = {k: v for k, v in obj.items() if k != "steps"}
    interaction: Interaction = msgspec.convert(rest, Interaction, strict=False)
    if isinstance(steps, list):
        interaction = msgspec.structs.replace(interaction, steps=[step_from(s) for s in steps])
    return interaction


def decode_interaction(body: bytes | bytearray | memoryview) -> Interaction:
    """Decode an ``Interaction`` body (create, get, cancel).

    Raises:
        ResponseDecodeError: the body is not an interaction.
    """
    try:
        interaction: Interaction = _interaction_decoder.decode(body)
        return interaction
    except msgspec.DecodeError:
        pass
    try:
        return interaction_from(_any_decoder.decode(body))
    except (msgspec.DecodeError, TypeError, ValueError) as exc:
        raise ResponseDecodeError(
            f"cannot decode an Interaction: {exc}", excerpt=excerpt(body)
        ) from exc
