"""Deterministic sample values that conform to a Gemini ``Schema`` or a JSON Schema.

Used for structured output (``responseSchema`` / ``responseJsonSchema``) and for function
call arguments. Objects get every declared property, in ``propertyOrdering`` order when given;
arrays get two items (within ``minItems``/``maxItems``); enums take their first value;
numbers stay within ``minimum``/``maximum``; ``anyOf``/``oneOf`` use the first branch;
``$ref`` to ``#/$defs/...`` (or ``#/definitions/...``) is followed. ``pattern`` is ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_MAX_DEPTH = 6
_FORMATS = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def sample(schema: Any, *, name: str = "value") -> Any:
    """Return a JSON value conforming to ``schema`` (Gemini Schema or JSON Schema).

    Args:
        schema: the schema, as decoded JSON; type names may be upper or lower case.
        name: the property name the value is for; it seeds sample strings.

    Returns:
        A JSON-compatible Python value.
    """
    root = schema if isinstance(schema, Mapping) else {}
    return _Sampler(root).value(root, name, 0, 0)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Sampler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def _resolve(self, schema: Any) -> Mapping[str, Any]:
        for _ in range(32):  # a bound, because a $ref may point at itself
            if not isinstance(schema, Mapping) or "$ref" not in schema:
                break
            target: Any = self.root
            for key in str(schema["$ref"]).lstrip("#").strip("/").split("/"):
                target = target.get(key, {}) if isinstance(target, Mapping) and key else target
            schema = target
        return schema if isinstance(schema, Mapping) else {}

    def value(self, schema: Any, name: str, index: int, depth: int) -> Any:
        schema = self._resolve(schema)
        if depth > 2 * _MAX_DEPTH:  # only a schema that demands endless nesting gets here
            return None
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if schema.get(key):
                branches = [self._resolve(b) for b in schema[key]]
                preferred = [b for b in branches if _type_of(b) != "NULL"] or branches
                return self.value(preferred[0], name, index, depth + 1)
        kind = _type_of(schema)
        if kind == "OBJECT":
            return self._object(schema, depth)
        if kind == "ARRAY":
            return self._array(schema, name, depth)
        if kind == "INTEGER":
            return int(self._number(schema, 1 + index, integer=True))
        if kind == "NUMBER":
            return self._number(schema, 1.5 + index, integer=False)
        if kind == "BOOLEAN":
            return index % 2 == 0
        if kind == "NULL":
            return None
        return self._string(schema, name, index)

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        if depth >= _MAX_DEPTH:
            properties = {k: v for k, v in properties.items() if k in schema.get("required", [])}
        ordering = [k for k in schema.get("propertyOrdering", []) if k in properties]
        names = ordering + [k for k in properties if k not in ordering]
        return {k: self.value(properties[k], k, 0, depth + 1) for k in names}

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        low = _int(schema.get("minItems"), 0)
        high = _int(schema.get("maxItems"), 2)
        prefix = schema.get("prefixItems") or []
        wanted = 2 if depth < _MAX_DEPTH else 0
        count = max(low, min(wanted, high), min(len(prefix), high))
        item = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        return [
            self.value(prefix[i] if i < len(prefix) else item, name, i, depth + 1)
            for i in range(count)
        ]

    def _number(self, schema: Mapping[str, Any], preferred: float, *, integer: bool) -> float:
        low = _num(schema.get("minimum"), _num(schema.get("exclusiveMinimum"), -math.inf))
        high = _num(schema.get("maximum"), _num(schema.get("exclusiveMaximum"), math.inf))
        if integer and math.isfinite(low):
            low = math.floor(low) + 1 if low == schema.get("exclusiveMinimum") else math.ceil(low)
        if integer and math.isfinite(high):
            high = (
                math.ceil(high) - 1 if high == schema.get("exclusiveMaximum") else math.floor(high)
            )
        if low < preferred < high or (low <= preferred <= high and integer):
            return preferred
        if math.isinf(low) or math.isinf(high):
            return low + 1 if math.isinf(high) else high - 1
        return float(low) if integer else (low + high) / 2

    def _string(self, schema: Mapping[str, Any], name: str, index: int) -> str:
        text = _FORMATS.get(str(schema.get("format", "")), f"{name} {index + 1}")
        low = _int(schema.get("minLength"), 0)
        high = _int(schema.get("maxLength"), max(len(text), low))
        return (text + "x" * max(0, low - len(text)))[:high]


def _num(value: Any, default: float) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else default


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        named = [str(k).upper() for k in kind if str(k).upper() != "NULL"]
        return named[0] if named else "NULL"
    if isinstance(kind, str) and kind.upper() != "TYPE_UNSPECIFIED":
        return kind.upper()
    if "properties" in schema:
        return "OBJECT"
    if "items" in schema or "prefixItems" in schema:
        return "ARRAY"
    return "STRING"
