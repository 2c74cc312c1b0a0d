"""Checks a request Struct (config, safety setting, tool config, tool) before it is sent:
its types as its dict form is checked, number ranges, finite floats, and known enum values.

A Struct built directly is checked like a dict. Its plain form (``msgspec.to_builtins``: only
the fields that are set) is walked for ranges, finite numbers and enum values, then
``msgspec.convert`` checks the types; anything irregular (a nested dict with snake_case keys,
a string where a number belongs) goes through ``from_mapping`` as the dict form does. About
2 µs for a typical config, once per request. Unknown enum values are warned about once
(``_input.enum_policy``), after the value holding them was found valid.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any, TypeAlias, TypeVar, cast

import msgspec
import msgspec.inspect as mi

from .._wire.base import Wire
from .._wire.config import GenerationConfig, SafetySetting, ThinkingConfig
from .._wire.convert import from_mapping, short_repr
from .._wire.tools import (
    ComputerUse,
    DynamicRetrievalConfig,
    FunctionCallingConfig,
    FunctionDeclaration,
    LatLng,
    Schema,
)
from .enum_policy import KNOWN, warn_unknown

__all__ = ("checked",)

_S = TypeVar("_S", bound=Wire)

_INT32 = (-(2**31), 2**31 - 1)
_ANY_NUMBER = (-sys.float_info.max, sys.float_info.max)  # any finite number
_COUNT = (1, 2**31 - 1)

# (lowest, highest) allowed, for the fields whose range the API documents; int32 fields get
# at least the int32 range (the API refuses anything wider).
_Range: TypeAlias = tuple[float, float]
_RANGES: dict[type[Wire], dict[str, _Range]] = {
    GenerationConfig: {
        "candidate_count": _COUNT,
        "max_output_tokens": _COUNT,
        "temperature": (0.0, 2.0),
        "top_p": (0.0, 1.0),
        "top_k": _COUNT,
        "seed": _INT32,
        "logprobs": (0, 2**31 - 1),
    },
    ThinkingConfig: {"thinking_budget": (-1, 2**31 - 1)},  # -1: dynamic, 0: off
    LatLng: {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)},
    DynamicRetrievalConfig: {"dynamic_threshold": (0.0, 1.0)},
}

# The enum-valued request fields: (class, field) -> the enum's name in KNOWN.
_ENUM_FIELDS: dict[type[Wire], dict[str, str]] = {
    GenerationConfig: {"response_modalities": "Modality", "media_resolution": "MediaResolution"},
    ThinkingConfig: {"thinking_level": "ThinkingLevel"},
    SafetySetting: {"category": "HarmCategory", "threshold": "HarmBlockThreshold"},
    FunctionCallingConfig: {"mode": "FunctionCallingMode"},
    DynamicRetrievalConfig: {"mode": "DynamicRetrievalMode"},
    FunctionDeclaration: {"behavior": "Behavior"},
    ComputerUse: {"environment": "Environment"},
    Schema: {"type": "SchemaType"},
}

# A path to a value, built only when a message needs it: (parent path, name or index).
_Path: TypeAlias = "tuple[Any, str | int] | str"
# An enum value not in KNOWN: (Struct class, field, enum name, value, path).
_Unknown: TypeAlias = "tuple[type[Any], str, str, str, _Path]"


class _Irregular(Exception):
    """The plain form holds what its Struct would not: an unknown key (a snake_case one in a
    nested dict, say) or a non-number where a number belongs; ``from_mapping`` sorts it out."""


# Each Struct's fields by wire name: (name, kind, rule). The kinds: "struct", "structs",
# "struct_map" (rule: the Struct class), "number" (rule: the bounds), "enum" (rule: the
# enum's name in KNOWN), "data" (user JSON that may hold floats), "" (nothing to check).
_Plan: TypeAlias = "dict[str, tuple[str, str, Any]]"
_plans: dict[type[Any], _Plan] = {}


def checked(value: Wire | Mapping[Any, Any], cls: type[_S], what: str) -> _S:
    """Return ``value`` (a ``cls`` or a dict of its fields) as a checked ``cls``.

    Raises:
        TypeError: a value of the wrong type (the message names the field and the value).
        ValueError: an unknown key, a number out of range, or ``nan``/``inf``.
    """
    if isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    plain = _to_builtins(value, what)
    unknown: list[_Unknown] = []
    if isinstance(value, cls):
        # The usual case: a Struct whose values all have their fields' types. Its plain form
        # holds only the fields that are set, so the walk is short.
        try:
            _walk(plain, cls, what, unknown)
            msgspec.convert(plain, cls, strict=False)  # the type check
        except (_Irregular, msgspec.ValidationError):
            unknown.clear()  # from_mapping converts it, or raises naming the value
        else:
            _warn(unknown)
            return value  # itself: a valid Struct passes through unchanged
    result = from_mapping(plain, cls, what)
    _walk(msgspec.to_builtins(result), cls, what, unknown)
    _warn(unknown)
    return result


def _warn(unknown: list[_Unknown]) -> None:
    """Warn about unknown enum values, once the value they are in was found valid."""
    for cls, name, enum, item, path in unknown:
        warn_unknown(f"{cls.__name__}.{name}", item, enum, _format(path))


def _to_builtins(value: Any, what: str) -> Any:
    try:
        return msgspec.to_builtins(value)
    except TypeError as exc:
        path, bad = _unencodable(value, what)
        raise TypeError(
            f"invalid {path}: {type(bad).__name__} {short_repr(bad)} cannot be sent as JSON"
        ) from exc


def _walk(plain: Any, cls: type[Any], path: _Path, unknown: list[_Unknown]) -> None:
    """Check ranges and finiteness in the plain form of a ``cls``; collect unknown enum
    values in ``unknown``."""
    if not isinstance(plain, dict):
        raise _Irregular
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = _plan(cls)
    for key, item in plain.items():
        entry = plan.get(key)
        if entry is None:
            raise _Irregular
        name, kind, rule = entry
        if not kind or item is None:
            continue
        if kind == "struct":
            _walk(item, rule, (path, name), unknown)
        elif kind == "number":
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise _Irregular
            if not rule[0] <= item <= rule[1]:  # also false for nan, and for inf: finite bounds
                _refuse_number(item, rule, (path, name))
        elif kind == "enum":
            if isinstance(item, list) or item not in KNOWN[rule]:
                _check_enum(item, cls, name, rule, (path, name), unknown)
        elif kind == "structs":
            if not isinstance(item, list):
                raise _Irregular
            for i, element in enumerate(item):
                _walk(element, rule, ((path, name), i), unknown)
        elif kind == "struct_map":
            if not isinstance(item, dict):
                raise _Irregular
            for k, element in item.items():
                _walk(element, rule, ((path, name), repr(k)), unknown)
        else:
            _walk_data(item, (path, name))


def _plan(cls: type[Any]) -> _Plan:
    ranges = _RANGES.get(cls, {})
    enums = _ENUM_FIELDS.get(cls, {})
    info = mi.type_info(cls)
    plan: _Plan = {}
    for field in info.fields if isinstance(info, mi.StructType) else ():
        name, type_ = field.name, _strip(field.type)
        kind, rule = "", cast(Any, None)
        if name in enums:
            kind, rule = "enum", enums[name]
        elif isinstance(type_, mi.StructType):
            kind, rule = "struct", type_.cls
        elif isinstance(type_, mi.ListType) and isinstance(type_.item_type, mi.StructType):
            kind, rule = "structs", type_.item_type.cls
        elif isinstance(type_, mi.DictType) and isinstance(type_.value_type, mi.StructType):
            kind, rule = "struct_map", type_.value_type.cls
        elif isinstance(type_, (mi.FloatType, mi.IntType)):
            kind, rule = "number", ranges.get(name, _ANY_NUMBER)
        elif _may_hold_float(type_):
            kind = "data"
        plan[field.encode_name] = (name, kind, rule)
    return plan


def _strip(type_: mi.Type) -> mi.Type:
    """A field's type without ``None``."""
    if isinstance(type_, mi.UnionType):
        members = [t for t in type_.types if not isinstance(t, mi.NoneType)]
        if len(members) == 1:
            return members[0]
    return type_


def _may_hold_float(type_: mi.Type) -> bool:
    """Whether user data of this type may hold a float (``Any``, or a container of one)."""
    if isinstance(type_, (mi.AnyType, mi.FloatType)):
        return True
    if isinstance(type_, mi.UnionType):
        return any(_may_hold_float(t) for t in type_.types)
    if isinstance(type_, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        return _may_hold_float(type_.item_type)
    if isinstance(type_, mi.DictType):
        return _may_hold_float(type_.value_type)
    return False


def _walk_data(value: Any, path: _Path) -> None:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{_format(path)} must be a finite number, got {value!r}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_data(item, (path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_data(item, (path, repr(key)))


def _refuse_number(value: float, bounds: _Range, path: _Path) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{_format(path)} must be a finite number, got {value!r}")
    low, high = (f"{b:,}" if isinstance(b, int) else f"{b:g}" for b in bounds)
    raise ValueError(f"{_format(path)} must be between {low} and {high}, got {value!r}")


def _check_enum(
    value: object, cls: type[Any], name: str, enum: str, path: _Path, unknown: list[_Unknown]
) -> None:
    known = KNOWN[enum]
    for i, item in enumerate(value if isinstance(value, list) else (value,)):
        if isinstance(item, str) and item not in known and item.upper() not in known:
            unknown.append((cls, name, enum, item, (path, i) if isinstance(value, list) else path))


def _format(path: _Path) -> str:
    parts: list[str] = []
    while isinstance(path, tuple):
        path, name = path
        parts.append(f"[{name}]" if isinstance(name, int) or name[:1] in "'\"" else f".{name}")
    return path + "".join(reversed(parts))


def _unencodable(value: Any, path: _Path) -> tuple[str, Any]:
    """The path and value of the first thing ``msgspec.to_builtins`` refuses below ``value``."""
    if isinstance(value, msgspec.Struct):
        items: list[tuple[str | int, Any]] = [
            (name, getattr(value, name)) for name in value.__struct_fields__
        ]
    elif isinstance(value, (list, tuple)):
        items = list(enumerate(value))
    elif isinstance(value, dict):
        items = [(repr(k), v) for k, v in value.items()]
    else:
        return _format(path), value
    for key, item in items:
        try:
            msgspec.to_builtins(item)
        except TypeError:
            return _unencodable(item, (path, key))
    return _format(path), value
