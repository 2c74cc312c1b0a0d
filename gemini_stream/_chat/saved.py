"""``SavedChat``: the JSON a chat is saved as (``Chat.dumps``) and read back from."""

from __future__ import annotations

import msgspec

from .._wire.config import GenerationConfig, SafetySetting
from .._wire.content import Content
from .._wire.tools import Tool, ToolConfig

__all__ = ("SavedChat", "read_saved_chat")

_FORMAT = "gemini-stream/chat"


class SavedChat(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """A saved chat. The wire types inside keep their API spelling, and bytes (thought
    signatures) are base64, so they come back byte for byte."""

    format: str = _FORMAT
    version: int = 1
    model: str
    system_instruction: Content | None = None
    config: GenerationConfig | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    history: list[Content] = msgspec.field(default_factory=list)
    automatic_function_calling: bool = True
    max_function_rounds: int = 10


# strict=False as for every request type: int64 values may be JSON strings (proto3 JSON).
_decoder = msgspec.json.Decoder(SavedChat, strict=False)


def read_saved_chat(data: bytes | str) -> SavedChat:
    """Decode what ``Chat.dumps`` wrote.

    Raises:
        ValueError: ``data`` is not a saved chat of this version.
    """
    try:
        saved = _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not a saved chat: {exc}") from exc
    if saved.format != _FORMAT or saved.version != 1:
        raise ValueError(f"not a saved chat of this version: {saved.format!r} {saved.version}")
    return saved
