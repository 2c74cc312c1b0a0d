"""The Live API's server messages as typed values: one ``LiveMessage`` per WebSocket frame.

Every server frame is a JSON object with one message key (``serverContent``, ``toolCall``,
...) and maybe ``usageMetadata`` beside it, so a frame decodes into one Struct whose unset
fields are ``None``; ``LiveMessage.kind`` names the key that is set.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from .._wire.base import Wire
from .._wire.candidate import ModalityTokenCount
from .._wire.content import Content
from .._wire.parts import FunctionCall

__all__ = (
    "LiveGoAway",
    "LiveMessage",
    "LiveResumptionUpdate",
    "LiveServerContent",
    "LiveToolCall",
    "LiveToolCallCancellation",
    "LiveTranscription",
    "LiveUsage",
    "decode_message",
)

_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?)s\s*")


class LiveTranscription(Wire, frozen=True, kw_only=True):
    """A piece of transcript: of the user's audio (input) or of the model's (output)."""

    text: str | None = None
    finished: bool | None = None


class LiveServerContent(Wire, frozen=True, kw_only=True):
    """``serverContent``: a piece of the model's turn and the turn's milestones."""

    model_turn: Content | None = None
    generation_complete: bool = False
    turn_complete: bool = False
    interrupted: bool = False
    input_transcription: LiveTranscription | None = None
    output_transcription: LiveTranscription | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    turn_complete_reason: str | None = None
    waiting_for_input: bool | None = None


class LiveToolCall(Wire, frozen=True, kw_only=True):
    """``toolCall``: functions the model asks the client to run (answer each ``id``)."""

    function_calls: list[FunctionCall] = msgspec.field(default_factory=list)


class LiveToolCallCancellation(Wire, frozen=True, kw_only=True):
    """``toolCallCancellation``: earlier calls that should not have run (the user barged in)."""

    ids: list[str] = msgspec.field(default_factory=list)


class LiveGoAway(Wire, frozen=True, kw_only=True):
    """``goAway``: the server will close this connection after ``time_left`` (``"50s"``)."""

    time_left: str | None = None

    @property
    def seconds(self) -> float | None:
        """``time_left`` in seconds, or ``None`` when absent or not a ``"<n>s"`` duration."""
        match = _DURATION.fullmatch(self.time_left or "")
        return float(match.group(1)) if match else None


class LiveResumptionUpdate(Wire, frozen=True, kw_only=True):
    """``sessionResumptionUpdate``: a handle to resume the session from this point.

    ``resumable`` is false (and ``new_handle`` empty) where resuming would lose data, such
    as while the model generates. ``last_consumed_client_message_index`` says which of this
    connection's client messages the handle covers (sent by Vertex AI's transparent mode
    and by the emulator; absent on the Gemini API).
    """

    new_handle: str | None = None
    resumable: bool = False
    last_consumed_client_message_index: int | str | None = None  # int64: maybe a string


class LiveUsage(Wire, frozen=True, kw_only=True):
    """``usageMetadata`` of a live session (the Live API calls output ``response`` tokens)."""

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    response_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    response_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None


class LiveMessage(Wire, frozen=True, kw_only=True):
    """One message from the server; ``kind`` names the field that is set.

    The properties never raise: ``text`` is ``""`` and ``audio`` is ``b""`` for a message
    without them.

    Example:
        >>> async for message in session:
        ...     if message.kind == "server_content" and message.turn_complete:
        ...         break
    """

    setup_complete: dict[str, Any] | None = None
    server_content: LiveServerContent | None = None
    tool_call: LiveToolCall | None = None
    tool_call_cancellation: LiveToolCallCancellation | None = None
    go_away: LiveGoAway | None = None
    session_resumption_update: LiveResumptionUpdate | None = None
    usage_metadata: LiveUsage | None = None

    @property
    def kind(self) -> str:
        """``"server_content"``, ``"tool_call"``, ``"tool_call_cancellation"``,
        ``"go_away"``, ``"session_resumption_update"``, ``"setup_complete"``, ``"usage"``
        (usage alone) or ``"unknown"`` (a message this version does not know)."""
        if self.server_content is not None:
            return "server_content"
        if self.tool_call is not None:
            return "tool_call"
        if self.tool_call_cancellation is not None:
            return "tool_call_cancellation"
        if self.session_resumption_update is not None:
            return "session_resumption_update"
        if self.go_away is not None:
            return "go_away"
        if self.setup_complete is not None:
            return "setup_complete"
        return "usage" if self.usage_metadata is not None else "unknown"

    @property
    def text(self) -> str:
        """The text parts of the model's turn in this message (thoughts left out)."""
        content = self.server_content
        turn = content.model_turn if content is not None else None
        if turn is None:
            return ""
        return "".join(p.text for p in turn.parts if p.text is not None and not p.thought)

    @property
    def audio(self) -> bytes:
        """The audio of the model's turn in this message: raw 16-bit PCM, 24 kHz mono."""
        content = self.server_content
        turn = content.model_turn if content is not None else None
        if turn is None:
            return b""
        pieces = [
            p.inline_data.data
            for p in turn.parts
            if p.inline_data is not None
            and p.inline_data.data
            and (p.inline_data.mime_type or "").startswith("audio/")
        ]
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    @property
    def turn_complete(self) -> bool:
        """Whether the model's turn is over (after ``generation_complete`` or ``interrupted``)."""
        return self.server_content is not None and self.server_content.turn_complete

    @property
    def interrupted(self) -> bool:
        """Whether the user's input interrupted the model: drop the audio not yet played."""
        return self.server_content is not None and self.server_content.interrupted

    @property
    def generation_complete(self) -> bool:
        """Whether the model finished generating this turn (no more audio will come)."""
        return self.server_content is not None and self.server_content.generation_complete

    @property
    def input_transcription(self) -> str:
        """A piece of the transcript of the user's audio (``""`` if none in this message)."""
        content = self.server_content
        piece = content.input_transcription if content is not None else None
        return (piece.text or "") if piece is not None else ""

    @property
    def output_transcription(self) -> str:
        """A piece of the transcript of the model's audio (``""`` if none in this message)."""
        content = self.server_content
        piece = content.output_transcription if content is not None else None
        return (piece.text or "") if piece is not None else ""

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The calls of a ``tool_call`` message (``[]`` otherwise)."""
        return self.tool_call.function_calls if self.tool_call is not None else []


_decoder = msgspec.json.Decoder(LiveMessage)


def decode_message(data: bytes | str) -> LiveMessage:
    """Decode one server frame (text or binary: Google sends JSON in binary frames).

    Raises:
        msgspec.DecodeError: the frame is not a JSON object of the expected shape.
    """
    return _decoder.decode(data)
