"""What a reply's JSON holds that its types do not model: fields a newer server added, found by
walking the JSON against the Struct types (``reply.unknown_fields``)."""

from __future__ import annotations

import functools
from typing import Any

import msgspec.inspect as mi

__all__ = ("unknown_fields",)


@functools.lru_cache(maxsize=16)
def _info(type_: type) -> mi.Type:
    return mi.type_info(type_)


def unknown_fields(data: object, type_: type) -> dict[str, Any]:
    """The members of ``data`` (decoded JSON) that ``type_`` has no field for, by JSON path
    (``"usageMetadata.newCount"``, ``"candidates[0].newField"``), with their JSON values."""
    found: dict[str, Any] = {}
    _walk(data, _info(type_), "", found)
    return found


def _walk(value: object, info: mi.Type, path: str, found: dict[str, Any]) -> None:
    if isinstance(info, mi.UnionType):  # ``X | None``: the member that fits the value
        for member in info.types:
            if (isinstance(member, mi.StructType) and isinstance(value, dict)) or (
                isinstance(member, (mi.ListType, mi.TupleType, mi.VarTupleType))
                and isinstance(value, list)
            ):
                info = member
                break
        else:
            return
    if isinstance(info, mi.StructType) and isinstance(value, dict):
        fields = {field.encode_name: field.type for field in info.fields}
        for name, item in value.items():
            where = f"{path}.{name}" if path else name
            kind = fields.get(name)
            if kind is None:
                found[where] = item
            else:
                _walk(item, kind, where, found)
    elif isinstance(info, (mi.ListType, mi.VarTupleType)) and isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, info.item_type, f"{path}[{i}]", found)
