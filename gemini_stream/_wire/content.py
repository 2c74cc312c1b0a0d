"""Wire types of a conversation turn: ``Content`` and its ``Part`` (data kinds: ``parts``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from typing import IO, Any

import msgspec

from .base import Wire
from .convert import short_repr
from .parts import (
    AudioTranscription,
    Blob,
    CodeExecutionResult,
    ExecutableCode,
    FileData,
    FunctionCall,
    FunctionResponse,
    PartMediaResolution,
    ToolCall,
    ToolResponse,
    VideoMetadata,
)

__all__ = ("Content", "Part", "parts_text")

# Reading media (``.media``) and its settings (``.media_options``) are imported by the methods
# that make a media part: at the top they cost ~13 ms of ``import gemini_stream`` (mimetypes
# above all), which a program that streams text never needs.


def _too_large(label: str, size: int) -> str:
    return (
        f"{label} is {size / 1e6:.1f} MB, too large to send inline "
        "(the API limits a request to 20 MB); upload it with the Files API: "
        "`await client.prepare_part(...)` or `await client.files.upload(...)`"
    )


class Part(Wire, frozen=True, kw_only=True):
    """One piece of a turn: exactly one data field, plus optional modifiers.

    ``thought`` marks a thought summary; ``thought_signature`` is opaque bytes the API needs back
    verbatim, on the same part, in later turns.
    """

    text: str | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None
    executable_code: ExecutableCode | None = None
    code_execution_result: CodeExecutionResult | None = None
    tool_call: ToolCall | None = None
    tool_response: ToolResponse | None = None
    audio_transcription: AudioTranscription | None = None
    thought: bool | None = None
    thought_signature: bytes | None = None
    video_metadata: VideoMetadata | None = None
    media_resolution: PartMediaResolution | None = None
    part_metadata: dict[str, Any] | None = None

    @classmethod
    def from_text(cls, text: str, *, thought: bool | None = None) -> Part:
        """Return a text part (a thought summary when ``thought`` is true).

        Example:
            >>> Part.from_text("Hello")
            Part(text='Hello')
        """
        return cls(text=text, thought=thought)

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        mime_type: str,
        *,
        start_offset: float | timedelta | str | None = None,
        end_offset: float | timedelta | str | None = None,
        fps: float | None = None,
        media_resolution: str | PartMediaResolution | None = None,
    ) -> Part:
        """Return an inline-media part, e.g. ``Part.from_bytes(png, "image/png")``.

        The keyword arguments are those of ``from_file``.

        Raises:
            TypeError: ``data`` is not bytes (a ``str`` must be encoded, or sent as text).
            ValueError: ``data`` is above the inline limit (upload it with the Files API),
                or a setting is invalid.
        """
        from .media import INLINE_LIMIT, base64_size  # when used: see the top
        from .media_options import part_modifiers

        given: object = data
        if isinstance(given, (bytearray, memoryview)):
            data = bytes(given)
        elif not isinstance(given, bytes):
            hint = (
                "; encode it (text.encode()) or use Part.from_text for text"
                if isinstance(given, str)
                else ""
            )
            raise TypeError(
                f"Part.from_bytes takes bytes, got {type(given).__name__} {short_repr(given)}{hint}"
            )
        if base64_size(len(data)) > INLINE_LIMIT:
            raise ValueError(_too_large(f"{mime_type} data", len(data)))

        extra = part_modifiers(
            mime_type,
            start_offset=start_offset,
            end_offset=end_offset,
            fps=fps,
            media_resolution=media_resolution,
        )
        return cls(inline_data=Blob(mime_type=mime_type, data=data), **extra)

    @classmethod
    def from_file(
        cls,
        file: str | os.PathLike[str] | IO[bytes],
        mime_type: str | None = None,
        *,
        start_offset: float | timedelta | str | None = None,
        end_offset: float | timedelta | str | None = None,
        fps: float | None = None,
        media_resolution: str | PartMediaResolution | None = None,
    ) -> Part:
        """Return an inline-media part holding a file's bytes (image, audio, video, PDF...).

        The file is read at once (a blocking read). Above the API's 20 MB request limit,
        upload it instead: ``await client.prepare_part(path)`` picks inline or upload.

        Args:
            file: a path, or a file object open in binary mode (read from its position).
            mime_type: the MIME type; by default guessed from the extension, then from the
                file's first bytes.
            start_offset: where a video clip starts: seconds, a ``timedelta`` or ``"1.5s"``.
            end_offset: where a video clip ends.
            fps: frames per second to sample from a video (the API's default is 1).
            media_resolution: ``"low"``, ``"medium"``, ``"high"`` or ``"ultra_high"``.

        Raises:
            OSError: the file cannot be read (the message names the path).
            ValueError: the MIME type cannot be determined, the file is above the inline
                limit, or a setting is invalid.

        Example:
            >>> part = Part.from_file("clip.mp4", start_offset=10, end_offset=12.5, fps=2)
        """
        from .media import INLINE_LIMIT, base64_size, open_media  # when used: see the top

        reader = open_media(file, mime_type)
        try:
            if base64_size(reader.size) > INLINE_LIMIT:
                raise ValueError(_too_large(reader.label, reader.size))
            data = reader.read()
        finally:
            reader.close()
        return cls.from_bytes(
            data,
            reader.mime_type,
            start_offset=start_offset,
            end_offset=end_offset,
            fps=fps,
            media_resolution=media_resolution,
        )

    @classmethod
    def from_uri(
        cls,
        file_uri: str,
        mime_type: str | None = None,
        *,
        start_offset: float | timedelta | str | None = None,
        end_offset: float | timedelta | str | None = None,
        fps: float | None = None,
        media_resolution: str | PartMediaResolution | None = None,
    ) -> Part:
        """Return a part referring to uploaded media (Files-API URI or YouTube URL).

        The keyword arguments are those of ``from_file``.
        """
        from .media_options import part_modifiers  # when used: see the top

        extra = part_modifiers(
            mime_type,
            start_offset=start_offset,
            end_offset=end_offset,
            fps=fps,
            media_resolution=media_resolution,
        )
        return cls(file_data=FileData(file_uri=file_uri, mime_type=mime_type), **extra)

    @classmethod
    def from_function_call(
        cls, name: str, args: dict[str, Any] | None = None, *, id: str | None = None
    ) -> Part:
        """Return a part holding a function call (as the model sends it)."""
        return cls(function_call=FunctionCall(id=id, name=name, args=args))

    @classmethod
    def from_function_response(
        cls, name: str, response: dict[str, Any], *, id: str | None = None
    ) -> Part:
        """Return a part answering a function call.

        Args:
            name: the called function's name.
            response: a JSON object; by convention ``{"output": ...}`` or ``{"error": ...}``.
            id: the ``FunctionCall.id`` being answered, when the model sent one.
        """
        return cls(function_response=FunctionResponse(id=id, name=name, response=response))


def parts_text(parts: Iterable[Part], *, thought: bool = False) -> str:
    """Join the text of ``parts`` that are (``thought=True``) or are not thought summaries."""
    return "".join(p.text for p in parts if p.text and bool(p.thought) is thought)


def _as_part(value: Part | str) -> Part:
    if isinstance(value, str):
        return Part(text=value)
    if isinstance(value, Part):
        return value
    raise TypeError(f"expected a Part or a str, got {type(value).__name__} {short_repr(value)}")


class Content(Wire, frozen=True, kw_only=True):
    """One turn of a conversation: a role (``"user"`` or ``"model"``) and its parts."""

    role: str | None = None
    parts: list[Part] = msgspec.field(default_factory=list)

    @classmethod
    def user(cls, *parts: Part | str) -> Content:
        """Return a user turn; strings become text parts.

        Example:
            >>> Content.user("Describe this", Part.from_bytes(b"...", "image/png")).role
            'user'
        """
        return cls(role="user", parts=[_as_part(p) for p in parts])

    @classmethod
    def model(cls, *parts: Part | str) -> Content:
        """Return a model turn (e.g. to replay history); strings become text parts."""
        return cls(role="model", parts=[_as_part(p) for p in parts])

    @property
    def text(self) -> str:
        """The turn's text without thought summaries (``""`` when there is none)."""
        return parts_text(self.parts)

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls in this turn, in order."""
        return [p.function_call for p in self.parts if p.function_call is not None]
