"""Turns what users naturally pass (strings, parts, wire-shaped dicts) into request Structs.

Dicts may use camelCase or snake_case keys, as the REST API itself accepts both (see
``_wire_convert``). Every mistake raises ``TypeError`` or ``ValueError`` naming the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

from .._wire.base import Wire
from .._wire.config import GenerationConfig, SafetySetting
from .._wire.content import Content, Part
from .._wire.convert import from_mapping, short_repr
from .._wire.request import GenerateContentRequest
from .._wire.tools import FunctionDeclaration, Tool, ToolConfig
from .structured import expand_config

__all__ = (
    "ConfigInput",
    "ContentsInput",
    "PartInput",
    "SafetySettingsInput",
    "SystemInstructionInput",
    "ToolConfigInput",
    "ToolsInput",
    "build_request",
    "to_config",
    "to_contents",
    "to_safety_settings",
    "to_system_instruction",
    "to_tool_config",
    "to_tools",
)

PartInput: TypeAlias = str | Part | Mapping[str, Any]
ContentsInput: TypeAlias = (
    str | Part | Content | Mapping[str, Any] | Sequence[str | Part | Content | Mapping[str, Any]]
)
ConfigInput: TypeAlias = GenerationConfig | Mapping[str, Any] | None
SystemInstructionInput: TypeAlias = Content | PartInput | Sequence[PartInput] | None
ToolsInput: TypeAlias = (
    Tool
    | FunctionDeclaration
    | Mapping[str, Any]
    | Sequence[Tool | FunctionDeclaration | Mapping[str, Any]]
    | None
)
ToolConfigInput: TypeAlias = ToolConfig | Mapping[str, Any] | None
SafetySettingsInput: TypeAlias = (
    SafetySetting | Mapping[str, Any] | Sequence[SafetySetting | Mapping[str, Any]] | None
)

_S = TypeVar("_S", bound=Wire)

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


# -- contents -------------------------------------------------------------------------------


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


def _items(value: object) -> list[object] | None:
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
    items = _items(contents)
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
    items = _items(value)
    if items is None:
        items = [value]
    if not items:
        raise ValueError(f"system_instruction is empty ({short_repr(value)})")
    return Content(parts=[_to_part(item, f"{where}[{i}]") for i, item in enumerate(items)])


# -- config, tools, safety ------------------------------------------------------------------


def _typed_or_mapping(value: object, cls: type[_S], what: str) -> _S | None:
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return from_mapping(value, cls, what)
    raise TypeError(
        f"{what} must be a {cls.__name__} or a dict, got {type(value).__name__} {short_repr(value)}"
    )


def to_config(config: ConfigInput) -> GenerationConfig | None:
    """Accept a ``GenerationConfig`` or a dict of its fields (camelCase or snake_case keys).

    A dict may also use the shorthands of ``_structured.expand_config``:
    ``response_schema=`` a type (msgspec Struct, dataclass, ``list[X]``, ...) or a JSON
    Schema dict, and ``thinking_budget=`` / ``thinking_level=`` / ``include_thoughts=``.

    Raises:
        ValueError: an unknown key (the message suggests the closest field name).
        TypeError: a value of the wrong type, or ``config`` itself of the wrong type.
    """
    if isinstance(config, Mapping):
        config = expand_config(config)
    return _typed_or_mapping(config, GenerationConfig, "config")


def to_tool_config(tool_config: ToolConfigInput) -> ToolConfig | None:
    """Accept a ``ToolConfig`` or a dict of its fields (camelCase or snake_case keys).

    Raises:
        ValueError, TypeError: as for ``to_config``.
    """
    return _typed_or_mapping(tool_config, ToolConfig, "tool_config")


def to_tools(tools: ToolsInput) -> list[Tool] | None:
    """Accept tools: ``Tool``s, ``FunctionDeclaration``s, or dicts of either.

    Function declarations given on their own (typed, or dicts with a ``name`` key) are
    gathered into one ``Tool`` at the position of the first of them.

    Raises:
        TypeError, ValueError: an item of the wrong type or a dict with an unknown key.
    """
    if tools is None:
        return None
    items = _items(tools)
    if items is None:
        items = [tools]
    out: list[Tool] = []
    declarations: list[FunctionDeclaration] = []
    position = 0
    for i, item in enumerate(items):
        where = f"tools[{i}]"
        if isinstance(item, Mapping) and "name" in item:
            item = from_mapping(item, FunctionDeclaration, where)
        if isinstance(item, FunctionDeclaration):
            if not declarations:
                position = len(out)
            declarations.append(item)
        elif isinstance(item, Tool):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(from_mapping(item, Tool, where))
        else:
            raise TypeError(
                f"{where}: expected a Tool, a FunctionDeclaration or a dict, got "
                f"{type(item).__name__} {short_repr(item)}"
            )
    if declarations:
        out.insert(position, Tool(function_declarations=declarations))
    return out or None


def to_safety_settings(settings: SafetySettingsInput) -> list[SafetySetting] | None:
    """Accept ``SafetySetting``s or dicts of their fields, or one ``{category: threshold}`` map.

    For example ``{"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE"}``, or
    ``[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]``.

    Raises:
        TypeError, ValueError: a bad item, an unknown key, or one category given twice.
    """
    if settings is None:
        return None
    items: list[object]
    if isinstance(settings, Mapping) and not ({"category", "threshold"} & settings.keys()):
        for key in settings:
            if not (isinstance(key, str) and key.startswith("HARM_CATEGORY_")):
                raise ValueError(
                    f"safety_settings: {short_repr(key)} is neither a HARM_CATEGORY_* name nor "
                    "a 'category'/'threshold' key"
                )
        items = [{"category": k, "threshold": v} for k, v in settings.items()]
    else:
        found = _items(settings)
        items = [settings] if found is None else found
    out: list[SafetySetting] = []
    for i, item in enumerate(items):
        where = f"safety_settings[{i}]"
        if isinstance(item, Mapping):
            item = from_mapping(item, SafetySetting, where)
        if not isinstance(item, SafetySetting):
            raise TypeError(
                f"{where}: expected a SafetySetting or a dict, got {type(item).__name__} "
                f"{short_repr(item)}"
            )
        if any(s.category == item.category for s in out):
            raise ValueError(f"{where}: category {item.category!r} is given twice")
        out.append(item)
    return out or None


def build_request(
    contents: ContentsInput,
    *,
    config: ConfigInput = None,
    system_instruction: SystemInstructionInput = None,
    tools: ToolsInput = None,
    tool_config: ToolConfigInput = None,
    safety_settings: SafetySettingsInput = None,
    cached_content: str | None = None,
) -> GenerateContentRequest:
    """Build a ``GenerateContentRequest`` from user input (see the ``to_*`` functions).

    Example:
        >>> build_request("Hi", config={"temperature": 0.2}).generation_config
        GenerationConfig(temperature=0.2)

    Raises:
        TypeError, ValueError: bad input; the message names the offending value.
    """
    if cached_content is not None and not isinstance(cached_content, str):
        raise TypeError(
            "cached_content must be a str like 'cachedContents/abc', got "
            + short_repr(cached_content)
        )
    return GenerateContentRequest(
        contents=to_contents(contents),
        system_instruction=to_system_instruction(system_instruction),
        tools=to_tools(tools),
        tool_config=to_tool_config(tool_config),
        safety_settings=to_safety_settings(safety_settings),
        generation_config=to_config(config),
        cached_content=cached_content,
    )
