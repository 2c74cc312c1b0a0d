"""``SavedChat``: the JSON a chat is saved as (``Chat.dumps``) and read back from."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import msgspec

from .._wire.config import GenerationConfig, SafetySetting
from .._wire.content import Content
from .._wire.convert import short_repr
from .._wire.tools import Tool, ToolConfig

__all__ = ("FORMAT", "VERSION", "SavedChat", "read_saved_chat", "warn_missing_functions")

FORMAT = "gemini-stream/chat"
"""The ``format`` every saved chat names."""
VERSION = 1
"""The newest ``version`` of the saved-chat format this library reads and writes."""


class SavedChat(msgspec.Struct, kw_only=True, omit_defaults=True, rename="camel"):
    """A saved chat. The wire types inside keep their API spelling, and bytes (thought
    signatures) are base64, so they come back byte for byte.

    ``format`` and ``version`` are always written: a new ``SavedChat`` fills them in (left at
    their defaults, ``omit_defaults`` would drop them, as it did before they were enforced).
    """

    format: str | None = None
    version: int | None = None
    model: str
    system_instruction: Content | None = None
    config: GenerationConfig | None = None
    tools: list[Tool] | None = None
    python_functions: list[str] | None = None  # names only: a function cannot be saved
    tool_config: ToolConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    history: list[Content] = msgspec.field(default_factory=list)
    automatic_function_calling: bool = True
    max_function_rounds: int = 10
    cached_content: str | None = None

    def __post_init__(self) -> None:
        if self.format is None:
            self.format = FORMAT
        if self.version is None:
            self.version = VERSION


class _LegacySavedChat(SavedChat, forbid_unknown_fields=True):
    """A chat saved before ``format`` was written: accepted only if every key is one of ours."""


class _Header(msgspec.Struct):
    format: object = None
    version: object = None


# strict=False as for every request type: int64 values may be JSON strings (proto3 JSON).
_decoder = msgspec.json.Decoder(SavedChat, strict=False)
_legacy_decoder = msgspec.json.Decoder(_LegacySavedChat, strict=False)
_header_decoder = msgspec.json.Decoder(_Header)

_NOT_OURS = "not a saved chat (what gemini-stream's Chat.dumps writes)"


def read_saved_chat(data: bytes | str) -> SavedChat:
    """Decode what ``Chat.dumps`` wrote, in this version's format or an older one.

    A JSON object naming ``"format": "gemini-stream/chat"`` is read (its unknown keys are
    ignored, as newer minor additions may add some); one naming no format is read only if all
    its keys are those ``Chat.dumps`` wrote before it named its format. Anything else (another
    SDK's export, a list, another schema) is refused.

    Raises:
        ValueError: ``data`` is not a saved chat, or one of a newer format version.
    """
    if not isinstance(data, (bytes, bytearray, memoryview, str)):
        raise TypeError(f"a saved chat is bytes or str, got {type(data).__name__}")
    try:
        header = _header_decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{_NOT_OURS}: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise ValueError(f"{_NOT_OURS}: invalid JSON ({exc})") from exc
    legacy = header.format is None
    if not legacy:
        _check_header(header)
    try:
        return (_legacy_decoder if legacy else _decoder).decode(data)
    except msgspec.DecodeError as exc:
        hint = " (and it names no format)" if legacy else ""
        raise ValueError(f"{_NOT_OURS}{hint}: {exc}") from exc


def _check_header(header: _Header) -> None:
    if header.format != FORMAT:
        raise ValueError(f"{_NOT_OURS}: its format is {short_repr(header.format)}, not {FORMAT!r}")
    version = header.version
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"{_NOT_OURS}: invalid format version {short_repr(version)}")
    if version > VERSION:
        raise ValueError(
            f"this chat was saved in format version {version} by a newer gemini-stream; "
            f"this one reads versions up to {VERSION}"
        )


def warn_missing_functions(saved: SavedChat, given: Iterable[str]) -> None:
    """Warn, naming them, about the Python functions the saved chat had and the restored one
    was not given again (``Chat.loads(..., tools=[...])``)."""
    missing = [name for name in saved.python_functions or () if name not in set(given)]
    if missing:
        names = ", ".join(map(repr, missing))
        warnings.warn(
            f"the saved chat had the Python function tool(s) {names}, not given to "
            f"Chat.loads(tools=[...]): the restored chat neither declares nor runs them",
            UserWarning,
            stacklevel=3,
        )
