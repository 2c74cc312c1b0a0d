"""Turns the other arguments of a call (config, tools, tool config, safety settings) into
request Structs, and builds the whole ``GenerateContentRequest``.

Dicts may use camelCase or snake_case keys, as the REST API itself accepts both (see
``_wire.convert``). Typed Structs are checked like dicts (``_input.checks``: types, ranges,
finite numbers, known enum values). Every mistake raises ``TypeError`` or ``ValueError``
naming the value, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

import msgspec

from .._wire.base import Wire
from .._wire.config import GenerationConfig, SafetySetting
from .._wire.convert import short_repr
from .._wire.request import GenerateContentRequest
from .._wire.tools import FunctionDeclaration, Tool, ToolConfig
from .cache_ref import CacheInput, check_cache_use
from .checks import checked
from .contents import (
    ContentsInput,
    SystemInstructionInput,
    as_items,
    to_contents,
    to_system_instruction,
)
from .structured import expand_config
from .tier import check_service_tier

__all__ = (
    "ConfigInput",
    "SafetySettingsInput",
    "ToolConfigInput",
    "ToolsInput",
    "build_request",
    "merge_config",
    "to_config",
    "to_safety_settings",
    "to_tool_config",
    "to_tools",
)

ConfigInput: TypeAlias = GenerationConfig | Mapping[str, Any] | None
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
_SCHEMA_FIELDS = ("response_schema", "response_json_schema")


def _typed_or_mapping(value: object, cls: type[_S], what: str) -> _S | None:
    if value is None:
        return None
    if isinstance(value, (cls, Mapping)):
        return checked(value, cls, what)
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
    items = as_items(tools)
    if items is None:
        items = [tools]
    out: list[Tool] = []
    declarations: list[FunctionDeclaration] = []
    position = 0
    for i, item in enumerate(items):
        where = f"tools[{i}]"
        if (isinstance(item, Mapping) and "name" in item) or isinstance(item, FunctionDeclaration):
            if not declarations:
                position = len(out)
            declarations.append(checked(item, FunctionDeclaration, where))
        elif isinstance(item, (Tool, Mapping)):
            out.append(checked(item, Tool, where))
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
        found = as_items(settings)
        items = [settings] if found is None else found
    out: list[SafetySetting] = []
    for i, item in enumerate(items):
        where = f"safety_settings[{i}]"
        if not isinstance(item, (SafetySetting, Mapping)):
            raise TypeError(
                f"{where}: expected a SafetySetting or a dict, got {type(item).__name__} "
                f"{short_repr(item)}"
            )
        item = checked(item, SafetySetting, where)
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
    cached_content: CacheInput = None,
    model: str | None = None,
    service_tier: str | None = None,
) -> GenerateContentRequest:
    """Build a ``GenerateContentRequest`` from user input (see the ``to_*`` functions).

    Example:
        >>> build_request("Hi", config={"temperature": 0.2}).generation_config
        GenerationConfig(temperature=0.2)

    ``cached_content`` (a name or a ``CachedContent``) refuses ``system_instruction``,
    ``tools`` and ``tool_config`` beside it, as the API would; with a ``CachedContent`` and
    ``model``, a model other than the cache's is refused too (see ``cache_ref``).

    Raises:
        TypeError, ValueError: bad input; the message names the offending value.
    """
    request = GenerateContentRequest(
        contents=to_contents(contents),
        system_instruction=to_system_instruction(system_instruction),
        tools=to_tools(tools),
        tool_config=to_tool_config(tool_config),
        safety_settings=to_safety_settings(safety_settings),
        generation_config=to_config(config),
        service_tier=check_service_tier(service_tier),
    )
    if cached_content is None:
        return request
    name = check_cache_use(
        cached_content,
        model=model,
        system_instruction=request.system_instruction,
        tools=request.tools,
        tool_config=request.tool_config,
    )
    return msgspec.structs.replace(request, cached_content=name)


def _set_fields(struct: msgspec.Struct) -> dict[str, Any]:
    return {f: v for f in struct.__struct_fields__ if (v := getattr(struct, f)) is not None}


def merge_config(
    base: GenerationConfig | None, override: GenerationConfig | None
) -> GenerationConfig | None:
    """``base`` with every field ``override`` sets replaced; ``thinking_config`` merges field
    by field (a message may add ``include_thoughts`` to the chat's thinking level), and a
    response schema replaces the other kind."""
    if base is None or override is None:
        return override if base is None else base
    changes = _set_fields(override)
    if any(f in changes for f in _SCHEMA_FIELDS):
        changes = {**dict.fromkeys(_SCHEMA_FIELDS), **changes}
    thinking = changes.get("thinking_config")
    if thinking is not None and base.thinking_config is not None:
        changes["thinking_config"] = msgspec.structs.replace(
            base.thinking_config, **_set_fields(thinking)
        )
    return msgspec.structs.replace(base, **changes)
