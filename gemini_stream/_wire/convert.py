"""Converts wire-shaped dicts with camelCase or snake_case keys into wire Structs.

Keys are mapped to wire names only along the known schema (walked through
``msgspec.inspect``): the keys inside user data (function-call arguments, function responses,
JSON Schemas, ``Schema.properties`` names) are never renamed. Unlike server responses, an
unknown key is an error, with the closest field name suggested.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar, get_origin

import msgspec
import msgspec.inspect as mi

from .base import Wire

__all__ = ("from_mapping", "short_repr")

_S = TypeVar("_S", bound=Wire)

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = 4
_repr.maxlevel = 3

_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def short_repr(value: object) -> str:
    """Return ``repr(value)`` shortened for an error message."""
    return _repr.repr(value)


@cache
def _fields(cls: type[msgspec.Struct]) -> dict[str, tuple[str, mi.Type]]:
    """Map both the snake_case and the wire name of each field of ``cls`` to (wire name, type)."""
    info = mi.type_info(cls)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{cls!r} is not a msgspec Struct type")
    table: dict[str, tuple[str, mi.Type]] = {}
    for field in info.fields:
        table[field.name] = table[field.encode_name] = (field.encode_name, field.type)
    return table


def _normalize(value: Any, type_: mi.Type, path: str) -> Any:
    """Rewrite struct keys in ``value`` to wire names, walking ``type_`` only.

    Anything that is not a struct, a list of structs or a map of structs (``Any`` fields, plain
    values, Struct instances) is returned untouched, so user data keeps its keys.
    """
    if isinstance(type_, mi.UnionType):
        for member in type_.types:
            if isinstance(member, (mi.StructType, mi.ListType, mi.DictType)):
                return _normalize(value, member, path)
        return value
    if isinstance(type_, mi.StructType):
        if isinstance(value, Mapping):
            return _normalize_struct(value, type_.cls, path)
        return value
    if isinstance(type_, mi.ListType):
        if isinstance(value, (list, tuple)):
            item = type_.item_type
            return [_normalize(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
        return value
    if (
        isinstance(type_, mi.DictType)
        and not isinstance(type_.value_type, mi.AnyType)
        and isinstance(value, Mapping)
    ):
        item = type_.value_type
        return {k: _normalize(v, item, f"{path}[{k!r}]") for k, v in value.items()}
    return value


def _normalize_struct(
    value: Mapping[Any, Any], cls: type[msgspec.Struct], path: str
) -> dict[str, Any]:
    fields = _fields(cls)
    out: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else str(key)
        if not isinstance(key, str):
            raise TypeError(f"{cls.__name__} keys must be strings, got {short_repr(key)}")
        entry = fields.get(key)
        if entry is None:
            raise ValueError(_unknown_key_message(key, cls, path))
        wire_name, type_ = entry
        if wire_name in out:
            raise ValueError(f"{where}: field {wire_name!r} of {cls.__name__} is given twice")
        out[wire_name] = _normalize(item, type_, where)
    return out


def _unknown_key_message(key: str, cls: type[msgspec.Struct], path: str) -> str:
    names = sorted({name for name, _ in _fields(cls).values()} | set(cls.__struct_fields__))
    where = f" at {path!r}" if path else ""
    message = f"unknown field {key!r} for {cls.__name__}{where}"
    import difflib  # for an error message only: not loaded at start-up

    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; expected one of: {', '.join(cls.__struct_fields__)}"


def _value_at(obj: Any, path: str) -> tuple[bool, Any]:
    """Follow a msgspec error path (``$.a[0].b``) into ``obj``; (False, None) if it cannot."""
    for name, index in _PATH_TOKEN.findall(path.removeprefix("$")):
        if name and isinstance(obj, Mapping) and name in obj:
            obj = obj[name]
        elif index and isinstance(obj, (list, tuple)) and int(index) < len(obj):
            obj = obj[int(index)]
        else:
            return False, None
    return True, obj


def from_mapping(value: Mapping[Any, Any], cls: type[_S], what: str) -> _S:
    """Convert a wire-shaped dict (camelCase or snake_case keys) into ``cls``.

    Raises:
        ValueError: an unknown or duplicated key, or a missing required field.
        TypeError: a value of the wrong type.
    """
    normalized = _normalize_struct(value, cls, "")
    try:
        # strict=False as in proto3 JSON: numbers (int64 in particular) may be given as strings.
        return msgspec.convert(normalized, cls, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        _, at, path = message.rpartition(" - at `")
        found, bad = _value_at(normalized, path.rstrip("`")) if at else (True, value)
        got = f" (got {short_repr(bad)})" if found else ""
        error = TypeError if message.startswith("Expected") else ValueError
        raise error(f"invalid {what}: {message}{got}") from exc


def excerpt(data: bytes | bytearray | memoryview, limit: int = 200) -> str:
    """Return a short, printable excerpt of ``data`` for an error message."""
    head = bytes(data[: limit + 1])
    text = head[:limit].decode("utf-8", errors="replace")
    return repr(text) + ("..." if len(head) > limit else "")


def type_name(type_: Any) -> str:
    """How a type is named in a message: ``Recipe``, ``list[Recipe]``."""
    if isinstance(type_, type) and get_origin(type_) is None:
        return type_.__qualname__
    return repr(type_)  # list[Recipe], Optional[X], ...
