"""The steps of an interaction's timeline (``thought``, ``model_output``, ``function_call``,
tool calls and results...), typed by ``type``; a kind added later is an ``UnknownStep``
holding the raw object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, get_args

import msgspec

from .content import Content, IxWire

__all__ = (
    "AnyStep",
    "CodeExecutionCallStep",
    "CodeExecutionResultStep",
    "FileSearchCallStep",
    "FileSearchResultStep",
    "FunctionCallStep",
    "FunctionResultStep",
    "GoogleMapsCallStep",
    "GoogleMapsResultStep",
    "GoogleSearchCallStep",
    "GoogleSearchResultStep",
    "KnownStep",
    "McpServerToolCallStep",
    "McpServerToolResultStep",
    "ModelOutputStep",
    "RetrievalCallStep",
    "RetrievalResultStep",
    "ThoughtStep",
    "ToolCallStep",
    "ToolResultStep",
    "UnknownStep",
    "UrlContextCallStep",
    "UrlContextResultStep",
    "UserInputStep",
    "step_from",
)


class UserInputStep(IxWire, tag_field="type", tag="user_input", frozen=True, kw_only=True):
    """The user's input (sent as ``input``; ``get`` echoes it as the first step)."""

    type: ClassVar[str] = "user_input"
    content: list[Content] = msgspec.field(default_factory=list)


class ModelOutputStep(IxWire, tag_field="type", tag="model_output", frozen=True, kw_only=True):
    """What the model said: ``content`` blocks (text, images, audio...)."""

    type: ClassVar[str] = "model_output"
    content: list[Content] = msgspec.field(default_factory=list)
    error: Any = None

    @property
    def text(self) -> str:
        """The step's text blocks, joined."""
        return "".join(c.text for c in self.content if c.type == "text" and c.text)


class ThoughtStep(IxWire, tag_field="type", tag="thought", frozen=True, kw_only=True):
    """A thought: its ``signature`` (echo it unchanged in stateless history) and, with
    ``thinking_summaries="auto"``, ``summary`` blocks."""

    type: ClassVar[str] = "thought"
    signature: str | None = None
    summary: list[Content] = msgspec.field(default_factory=list)

    @property
    def text(self) -> str:
        """The summary's text, joined."""
        return "".join(c.text for c in self.summary if c.type == "text" and c.text)


class FunctionCallStep(IxWire, tag_field="type", tag="function_call", frozen=True, kw_only=True):
    """A call of one of your functions: answer it with a ``function_result`` step whose
    ``call_id`` is this ``id``."""

    type: ClassVar[str] = "function_call"
    id: str | None = None
    name: str | None = None
    arguments: dict[str, Any] = msgspec.field(default_factory=dict)
    signature: str | None = None


class FunctionResultStep(
    IxWire, tag_field="type", tag="function_result", frozen=True, kw_only=True
):
    """The result of a function call (what you send back)."""

    type: ClassVar[str] = "function_result"
    call_id: str | None = None
    result: Any = None
    name: str | None = None
    is_error: bool | None = None
    signature: str | None = None


class ToolCallStep(IxWire, tag_field="type", frozen=True, kw_only=True):
    """Base of the calls of server-side tools (Google Search, code execution, ...)."""

    type: ClassVar[str] = ""
    id: str | None = None
    arguments: Any = None
    name: str | None = None
    server_name: str | None = None
    search_type: str | None = None
    signature: str | None = None


class ToolResultStep(IxWire, tag_field="type", frozen=True, kw_only=True):
    """Base of the results of server-side tools; ``result`` is kept as plain JSON."""

    type: ClassVar[str] = ""
    call_id: str | None = None
    result: Any = None
    name: str | None = None
    server_name: str | None = None
    is_error: bool | None = None
    signature: str | None = None


class CodeExecutionCallStep(ToolCallStep, tag="code_execution_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "code_execution_call"


class CodeExecutionResultStep(
    ToolResultStep, tag="code_execution_result", frozen=True, kw_only=True
):
    type: ClassVar[str] = "code_execution_result"


class UrlContextCallStep(ToolCallStep, tag="url_context_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "url_context_call"


class UrlContextResultStep(ToolResultStep, tag="url_context_result", frozen=True, kw_only=True):
    type: ClassVar[str] = "url_context_result"


class GoogleSearchCallStep(ToolCallStep, tag="google_search_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "google_search_call"


class GoogleSearchResultStep(ToolResultStep, tag="google_search_result", frozen=True, kw_only=True):
    type: ClassVar[str] = "google_search_result"


class GoogleMapsCallStep(ToolCallStep, tag="google_maps_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "google_maps_call"


class GoogleMapsResultStep(ToolResultStep, tag="google_maps_result", frozen=True, kw_only=True):
    type: ClassVar[str] = "google_maps_result"


class FileSearchCallStep(ToolCallStep, tag="file_search_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "file_search_call"


class FileSearchResultStep(ToolResultStep, tag="file_search_result", frozen=True, kw_only=True):
    type: ClassVar[str] = "file_search_result"


class McpServerToolCallStep(ToolCallStep, tag="mcp_server_tool_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "mcp_server_tool_call"


class McpServerToolResultStep(
    ToolResultStep, tag="mcp_server_tool_result", frozen=True, kw_only=True
):
    type: ClassVar[str] = "mcp_server_tool_result"


class RetrievalCallStep(ToolCallStep, tag="retrieval_call", frozen=True, kw_only=True):
    type: ClassVar[str] = "retrieval_call"


class RetrievalResultStep(ToolResultStep, tag="retrieval_result", frozen=True, kw_only=True):
    type: ClassVar[str] = "retrieval_result"


class UnknownStep(IxWire, frozen=True, kw_only=True):
    """A step of a kind this version does not know: its ``type`` and the whole ``raw``
    object, kept (and sent back as it came in stateless history)."""

    type: str = ""
    raw: dict[str, Any] = msgspec.field(default_factory=dict)


KnownStep = (
    UserInputStep
    | ModelOutputStep
    | ThoughtStep
    | FunctionCallStep
    | FunctionResultStep
    | CodeExecutionCallStep
    | CodeExecutionResultStep
    | UrlContextCallStep
    | UrlContextResultStep
    | GoogleSearchCallStep
    | GoogleSearchResultStep
    | GoogleMapsCallStep
    | GoogleMapsResultStep
    | FileSearchCallStep
    | FileSearchResultStep
    | McpServerToolCallStep
    | McpServerToolResultStep
    | RetrievalCallStep
    | RetrievalResultStep
)
if TYPE_CHECKING:
    AnyStep = KnownStep | UnknownStep
else:  # what msgspec decodes: an unknown kind fails the fast decode, and step_from keeps it
    AnyStep = KnownStep


def step_from(obj: object) -> AnyStep:
    """A step from a decoded JSON value: typed when its kind is known, else ``UnknownStep``.

    Raises:
        msgspec.ValidationError: a known kind with fields of the wrong shape.
    """
    if not isinstance(obj, dict):
        raise msgspec.ValidationError(f"a step must be an object, got {obj!r:.80}")
    kind = obj.get("type")
    if isinstance(kind, str) and kind in _KNOWN:
        step: AnyStep = msgspec.convert(obj, _KNOWN[kind], strict=False)
        return step
    return UnknownStep(type=str(kind or ""), raw=obj)


_KNOWN: dict[str, Any] = {cls.type: cls for cls in get_args(KnownStep)}
