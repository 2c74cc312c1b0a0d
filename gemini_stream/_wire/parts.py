"""Wire types of what a ``Part`` carries: inline media, file references, function calls and
responses, executable code, server-side tool calls, audio transcriptions, and the video and
resolution settings of a media part."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from msgspec import UNSET, UnsetType

from .base import Wire

__all__ = (
    "AudioTranscription",
    "Blob",
    "CodeExecutionResult",
    "ExecutableCode",
    "FileData",
    "FunctionCall",
    "FunctionResponse",
    "FunctionResponsePart",
    "PartMediaResolution",
    "PartialArg",
    "ToolCall",
    "ToolResponse",
    "VideoMetadata",
)


class Blob(Wire, frozen=True, kw_only=True):
    """Inline media: raw ``data`` bytes (base64 on the wire) and their MIME type."""

    mime_type: str | None = None
    data: bytes | None = None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the bytes to ``path`` and return it; raw speech PCM saved as ``.wav`` gets a
        WAV header so it plays anywhere.

        Example:
            >>> reply.images[0].save("cat.png")
            PosixPath('cat.png')
        """
        from .save import save_blob  # when used: ``wave`` costs import time otherwise

        return save_blob(self.mime_type, self.data, path)


class FileData(Wire, frozen=True, kw_only=True):
    """A reference to uploaded media (a Files-API URI or a YouTube URL)."""

    mime_type: str | None = None
    file_uri: str | None = None


class PartialArg(Wire, frozen=True, kw_only=True):
    """A piece of a function call's arguments streamed by Vertex AI: the value at
    ``json_path`` (RFC 9535, ``"$.recipe.steps[0]"``). A string may come in several pieces:
    ``will_continue`` says another piece of the same path follows.

    ``null_value`` is ``UNSET`` when absent; a JSON ``null`` there (``None``) is a null value.
    """

    json_path: str | None = None
    string_value: str | None = None
    number_value: int | float | None = None
    bool_value: bool | None = None
    null_value: str | UnsetType | None = UNSET
    will_continue: bool | None = None


class FunctionCall(Wire, frozen=True, kw_only=True):
    """A call the model asks the client to run; ``args`` is arbitrary JSON, never renamed.

    With ``streamFunctionCallArguments`` (Vertex AI) a call arrives in pieces: its name with
    ``will_continue``, then nameless pieces carrying ``partial_args``, then an empty call
    ending it. A stream's merged reply folds them into one call with whole ``args``; single
    chunks keep the pieces as they came.
    """

    id: str | None = None
    name: str | None = None
    args: dict[str, Any] | None = None
    partial_args: list[PartialArg] | None = None
    will_continue: bool | None = None


class FunctionResponsePart(Wire, frozen=True, kw_only=True):
    """Media attached to a function result (multimodal function responses)."""

    inline_data: Blob | None = None
    file_data: FileData | None = None


class FunctionResponse(Wire, frozen=True, kw_only=True):
    """The client's result for a ``FunctionCall``; echo the call's ``id`` when it had one."""

    id: str | None = None
    name: str
    response: dict[str, Any]
    parts: list[FunctionResponsePart] | None = None
    will_continue: bool | None = None
    scheduling: str | None = None


class ExecutableCode(Wire, frozen=True, kw_only=True):
    """Code the model generated for the code-execution tool."""

    language: str | None = None
    code: str | None = None
    id: str | None = None


class CodeExecutionResult(Wire, frozen=True, kw_only=True):
    """The outcome of running an ``ExecutableCode`` part."""

    outcome: str | None = None
    output: str | None = None
    id: str | None = None


class ToolCall(Wire, frozen=True, kw_only=True):
    """A server-side tool invocation (only with ``include_server_side_tool_invocations``)."""

    id: str | None = None
    tool_type: str | None = None
    args: dict[str, Any] | None = None


class ToolResponse(Wire, frozen=True, kw_only=True):
    """The result of a server-side tool invocation; must be echoed back like the call."""

    id: str | None = None
    tool_type: str | None = None
    response: dict[str, Any] | None = None


class AudioTranscription(Wire, frozen=True, kw_only=True):
    """A transcription of generated audio (output only)."""

    text: str | None = None
    finished: bool | None = None
    language_code: str | None = None
    speaker_label: str | None = None
    words: list[dict[str, Any]] | None = None


class VideoMetadata(Wire, frozen=True, kw_only=True):
    """Clip and frame-rate settings for a video part; offsets are Duration strings (``"1.5s"``)."""

    start_offset: str | None = None
    end_offset: str | None = None
    fps: float | None = None


class PartMediaResolution(Wire, frozen=True, kw_only=True):
    """Per-part media resolution."""

    level: str | None = None
    num_tokens: int | None = None
