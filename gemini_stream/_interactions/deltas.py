"""The increments of a streamed step (``step.delta``'s ``delta``), typed by ``type``; a kind
added later is an ``UnknownDelta`` holding the raw object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Union, get_args

import msgspec

from .content import Content, IxWire

__all__ = (
    "AnyDelta",
    "ArgumentsDelta",
    "AudioDelta",
    "DocumentDelta",
    "FunctionResultDelta",
    "ImageDelta",
    "KnownDelta",
    "MediaDelta",
    "TextAnnotationDelta",
    "TextDelta",
    "ThoughtSignatureDelta",
    "ThoughtSummaryDelta",
    "ToolDelta",
    "UnknownDelta",
    "VideoDelta",
    "delta_from",
)


class TextDelta(IxWire, tag_field="type", tag="text", frozen=True, kw_only=True):
    """More text of a ``model_output`` step."""

    type: ClassVar[str] = "text"
    text: str = ""


class MediaDelta(IxWire, tag_field="type", frozen=True, kw_only=True):
    """Base of the media blocks of a ``model_output`` step (each a new content block)."""

    type: ClassVar[str] = ""
    data: str | None = None
    uri: str | None = None
    mime_type: str | None = None
    resolution: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


class ImageDelta(MediaDelta, tag="image", frozen=True, kw_only=True):
    type: ClassVar[str] = "image"


class AudioDelta(MediaDelta, tag="audio", frozen=True, kw_only=True):
    type: ClassVar[str] = "audio"


class DocumentDelta(MediaDelta, tag="document", frozen=True, kw_only=True):
    type: ClassVar[str] = "document"


class VideoDelta(MediaDelta, tag="video", frozen=True, kw_only=True):
    type: ClassVar[str] = "video"


class ThoughtSummaryDelta(
    IxWire, tag_field="type", tag="thought_summary", frozen=True, kw_only=True
):
    """A new item of a thought's ``summary``."""

    type: ClassVar[str] = "thought_summary"
    content: Content | None = None


class ThoughtSignatureDelta(
    IxWire, tag_field="type", tag="thought_signature", frozen=True, kw_only=True
):
    """A thought's ``signature`` (the last delta before ``step.stop``)."""

    type: ClassVar[str] = "thought_signature"
    signature: str = ""


class TextAnnotationDelta(
    IxWire, tag_field="type", tag="text_annotation_delta", frozen=True, kw_only=True
):
    """Citations of the current text block."""

    type: ClassVar[str] = "text_annotation_delta"
    annotations: list[Any] = msgspec.field(default_factory=list)


class ArgumentsDelta(IxWire, tag_field="type", tag="arguments_delta", frozen=True, kw_only=True):
    """A piece of a function call's arguments, as partial JSON text (the pieces joined are
    the arguments' JSON)."""

    type: ClassVar[str] = "arguments_delta"
    arguments: str = ""


class FunctionResultDelta(
    IxWire, tag_field="type", tag="function_result", frozen=True, kw_only=True
):
    """A function result's fields."""

    type: ClassVar[str] = "function_result"
    call_id: str | None = None
    result: Any = None
    name: str | None = None
    is_error: bool | None = None


class ToolDelta(IxWire, tag_field="type", frozen=True, kw_only=True):
    """The fields of a server-side tool's call or result step, merged into it."""

    type: ClassVar[str] = ""
    id: str | None = None
    call_id: str | None = None
    arguments: Any = None
    result: Any = None
    name: str | None = None
    server_name: str | None = None
    is_error: bool | None = None
    signature: str | None = None


_TOOL_KINDS = (
    "code_execution_call", "code_execution_result", "url_context_call", "url_context_result",
    "google_search_call", "google_search_result", "google_maps_call", "google_maps_result",
    "file_search_call", "file_search_result", "mcp_server_tool_call", "mcp_server_tool_result",
    "retrieval_call", "retrieval_result",
)  # fmt: skip
# One subclass per tool kind, made here rather than written out fourteen times.
_TOOL_DELTAS: tuple[type[ToolDelta], ...] = tuple(
    type(
        "".join(w.title() for w in kind.split("_")) + "Delta",
        (ToolDelta,),
        {"__module__": __name__, "type": kind, "__annotations__": {"type": "ClassVar[str]"}},
        tag=kind,
        frozen=True,
        kw_only=True,
    )
    for kind in _TOOL_KINDS
)


class UnknownDelta(IxWire, frozen=True, kw_only=True):
    """A delta of a kind this version does not know: its ``type`` and the ``raw`` object."""

    type: str = ""
    raw: dict[str, Any] = msgspec.field(default_factory=dict)


KnownDelta = (
    TextDelta
    | ImageDelta
    | AudioDelta
    | DocumentDelta
    | VideoDelta
    | ThoughtSummaryDelta
    | ThoughtSignatureDelta
    | TextAnnotationDelta
    | ArgumentsDelta
    | FunctionResultDelta
    | ToolDelta
)
if TYPE_CHECKING:
    AnyDelta = KnownDelta | UnknownDelta
else:
    AnyDelta = Union[get_args(KnownDelta)[:-1] + _TOOL_DELTAS]  # noqa: UP007

_KNOWN: dict[str, Any] = {cls.type: cls for cls in get_args(AnyDelta) if cls is not UnknownDelta}


def delta_from(obj: object) -> AnyDelta:
    """A delta from a decoded JSON value: typed when its kind is known, else ``UnknownDelta``.

    Raises:
        msgspec.ValidationError: a known kind with fields of the wrong shape.
    """
    if not isinstance(obj, dict):
        raise msgspec.ValidationError(f"a delta must be an object, got {obj!r:.80}")
    kind = obj.get("type")
    if isinstance(kind, str) and kind in _KNOWN:
        delta: AnyDelta = msgspec.convert(obj, _KNOWN[kind], strict=False)
        return delta
    return UnknownDelta(type=str(kind or ""), raw=obj)
