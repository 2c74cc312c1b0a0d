"""Turns what users pass as contents (strings, parts, ``Content``s, wire-shaped dicts) into the
``contents`` and ``system_instruction`` of a request.

Dicts may use camelCase or snake_case keys, as the REST API itself accepts both (see
``_wire.convert``). Every mistake raises ``TypeError`` or ``ValueError`` naming the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from .._wire.base import Wire
from .._wire.content import Content, Part
from .._wire.convert import from_mapping, short_repr

__all__ = (
    "ContentsInput",
    "PartInput",
    "SystemInstructionInput",
    "as_items",
    "to_contents",
    "to_system_instruction",
)

PartInput: TypeAlias = str | Part | Mapping[str, Any]
ContentsInput: TypeAlias = (
    str | Part | Content | Mapping[str, Any] | Sequence[str | Part | Content | Mapping[str, Any]]
)
SystemInstructionInput: TypeAlias = Content | PartInput | Sequence[PartInput] | None

_ROLES = ("user", "model")
_PART_DATA_FIELDS = (
    "text",
    "inline_data",
    "file_data",
    "function_call",
    "function_response",
    "executable_code",
    "code_execution_result",
    "tool_call",
    "tool_response",
)
_CONTENT_KEYS = frozenset({"role", "parts"})


def _to_part(value: object, where: str) -> Part:
    if isinstance(value, str):
        return Part(text=value)
    if isinstance(value, Part):
        part = value
    elif isinstance(value, Mapping):
        part = from_mapping(value, Part, f"part {where}")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"{where}: raw bytes {short_repr(value)} have no MIME type; "
            "use Part.from_bytes(data, mime_type)"
        )
    else:
        raise TypeError(
            f"{where}: expected a str, a Part or a part dict, got {type(value).__name__} "
            f"{short_repr(value)}"
        )
    if all(getattr(part, name) is None for name in _PART_DATA_FIELDS):
        raise ValueError(f"{where}: part {short_repr(part)} has no data (text, inline_data, ...)")
    return part


def _check_content(content: Content, where: str) -> Content:
    # Model turns usually come back from the server (chat history): their parts are sent back
    # as they came, even of a kind this version does not know.
    if content.role is not None and content.role not in _ROLES:
        hint = " (use system_instruction for a system prompt)" if content.role == "system" else ""
        raise ValueError(
            f"{where}: role {content.role!r} is not valid; expected 'user' or 'model'{hint}"
        )
    if not content.parts:
        raise ValueError(f"{where}: Content {short_repr(content)} has no parts")
    if content.role != "model":
        for i, part in enumerate(content.parts):
            _to_part(part, f"{where}.parts[{i}]")
    return content


def _is_content_mapping(value: Mapping[Any, Any]) -> bool:
    return any(key in _CONTENT_KEYS for key in value)


def as_items(value: object) -> list[object] | None:
    """The items of a list-like input, or None when ``value`` is a single item."""
    if isinstance(value, (str, bytes, bytearray, memoryview, Mapping, Wire)):
        return None
    if isinstance(value, Sequence):
        return list(value)
    return None


def to_contents(contents: ContentsInput) -> list[Content]:
    """Turn user input into the ``contents`` of a request.

    A string, a part, or a list of strings and parts is one user turn; a ``Content`` or a
    list of them is a conversation, kept as given. Dicts in wire shape (camelCase or
    snake_case keys) stand for a ``Content`` when they have ``role`` or ``parts``, otherwise
    for a ``Part``.

    Example:
        >>> to_contents("Hi")
        [Content(role='user', parts=[Part(text='Hi')])]

    Raises:
        TypeError: an item of the wrong type (e.g. raw bytes: use ``Part.from_bytes``).
        ValueError: empty input, a Content without parts or with a bad role, Contents mixed
            with bare parts, or a dict with an unknown key.
    """
    items = as_items(contents)
    if items is None:
        items = [contents]
    if not items or contents == "":
        raise ValueError(f"contents is empty ({short_repr(contents)}); give at least one part")
    turns: list[Content] = []
    parts: list[Part] = []
    for i, item in enumerate(items):
        where = f"contents[{i}]"
        if isinstance(item, Content):
            turns.append(_check_content(item, where))
        elif isinstance(item, Mapping) and _is_content_mapping(item):
            turns.append(_check_content(from_mapping(item, Content, where), where))
        else:
            parts.append(_to_part(item, where))
        if turns and parts:
            raise ValueError(
                f"{where}: contents mixes Content turns and bare parts ({short_repr(item)}); "
                "pass either a list of Contents (a conversation) or a list of parts and "
                "strings (one user turn), e.g. wrap the parts in Content.user(...)"
            )
    return turns or [Content(role="user", parts=parts)]


def to_system_instruction(value: SystemInstructionInput) -> Content | None:
    """Turn a string, part(s) or ``Content`` into a system instruction (role left unset).

    Raises:
        TypeError, ValueError: as for ``to_contents``; a list of Contents is not allowed.
    """
    if value is None:
        return None
    where = "system_instruction"
    if isinstance(value, Content):
        return _check_content(value, where)
    if isinstance(value, Mapping) and _is_content_mapping(value):
        return _check_content(from_mapping(value, Content, where), where)
    items = as_items(value)
    if items is None:
        items = [value]
    if not items:
        raise ValueError(f"system_instruction is empty ({short_repr(value)})")
    return Content(parts=[_to_part(item, f"{where}[{i}]") for i, item in enumerate(items)])


# -- config, tools, safety ------------------------------------------------------------------
