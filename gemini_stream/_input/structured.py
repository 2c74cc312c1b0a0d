"""Structured output: Python types to JSON Schema, and config shorthands.

``config={"response_schema": Recipe}`` (a msgspec Struct, a dataclass, ``list[Recipe]``, any
type msgspec can describe) becomes ``responseJsonSchema`` plus ``responseMimeType:
application/json``; the reply text is decoded back into the type by ``parse_json`` (in
``_wire.response``). The thinking shorthands (``thinking_budget``, ``thinking_level``,
``include_thoughts``) are folded into ``thinking_config`` here too, so every config
shorthand lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_origin

import msgspec

from .._wire.convert import short_repr, type_name
from .._wire.tools import Schema

__all__ = ("expand_config", "json_schema", "schema_type")

_SCHEMA_KEYS = ("response_schema", "responseSchema", "response_json_schema", "responseJsonSchema")
_MIME_KEYS = ("response_mime_type", "responseMimeType")
# shorthand (snake_case) -> its camelCase spelling inside thinking_config
_THINKING = {
    "include_thoughts": "includeThoughts",
    "thinking_budget": "thinkingBudget",
    "thinking_level": "thinkingLevel",
}
_THINKING_KEYS = {**{k: k for k in _THINKING}, **{v: k for k, v in _THINKING.items()}}
_SCHEMA_FIELDS = frozenset(
    name for f in msgspec.structs.fields(Schema) for name in (f.name, f.encode_name)
)

# Typed schemas seen by expand_config, keyed by the exact JSON bytes of the schema, so a
# stream can find the type its request asked for from the request body alone. Types are
# long-lived (usually module level); the cap only bounds a program that makes types on the fly.
_TYPES: dict[bytes, Any] = {}
_MAX_TYPES = 1024
_encoder = msgspec.json.Encoder()


def is_type(value: object) -> bool:
    """Whether ``value`` is a type annotation (a class or ``list[X]``-style alias)."""
    return isinstance(value, type) or get_origin(value) is not None


def json_schema(type_: Any) -> dict[str, Any]:
    """Return a self-contained JSON Schema for ``type_`` with its root inlined.

    ``msgspec.json.schema`` puts a Struct or dataclass under ``$defs`` and refers to it from
    the root; APIs want ``"type": "object"`` at the root, so the root definition is moved
    up (and kept in ``$defs`` only when it refers to itself).

    Raises:
        TypeError: msgspec cannot describe ``type_``.
    """
    try:
        schema: dict[str, Any] = msgspec.json.schema(type_)
    except (TypeError, ValueError, NameError) as exc:
        # NameError: a type hint names a class msgspec cannot find from its module.
        raise TypeError(f"cannot build a JSON Schema for {type_name(type_)}: {exc}") from exc
    ref = schema.get("$ref")
    defs: dict[str, Any] = dict(schema.get("$defs", {}))
    if set(schema) != {"$ref", "$defs"} or not isinstance(ref, str):
        return schema
    name = ref.rpartition("/")[2]
    root = dict(defs[name])
    if f'"{ref}"'.encode() not in _encoder.encode(defs):
        del defs[name]
    if defs:
        root["$defs"] = defs
    return root


def _register(type_: Any, schema: dict[str, Any]) -> None:
    key = _encoder.encode(schema)
    _TYPES.pop(key, None)
    _TYPES[key] = type_
    if len(_TYPES) > _MAX_TYPES:
        del _TYPES[next(iter(_TYPES))]


def _gemini_spelled(value: object) -> bool:
    """Whether a schema dict uses ``types.Schema`` spelling (known keys, UPPER type names)."""
    if not isinstance(value, Mapping) or any(k not in _SCHEMA_FIELDS for k in value):
        return False
    kind = value.get("type")
    if kind is not None and not (isinstance(kind, str) and kind.isupper()):
        return False
    properties = value.get("properties") or {}
    if not isinstance(properties, Mapping):
        return False
    subschemas = [*properties.values(), *(value.get("any_of") or value.get("anyOf") or ())]
    if "items" in value:
        subschemas.append(value["items"])
    return all(_gemini_spelled(s) for s in subschemas)


def expand_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite the shorthand keys of a config dict into ``GenerationConfig`` fields.

    * ``response_schema`` / ``response_json_schema`` given a type: its JSON Schema goes to
      ``response_json_schema`` (remembered, so ``final_parsed()`` can find the type).
    * ``response_schema`` given a dict: one in ``types.Schema`` spelling (UPPER type names
      such as ``"OBJECT"``) stays a ``response_schema``; any other dict is JSON Schema and is
      sent as ``response_json_schema``.
    * With either conversion, ``response_mime_type`` defaults to ``application/json``.
    * ``include_thoughts``, ``thinking_budget``, ``thinking_level`` go into
      ``thinking_config`` (a level is upper-cased, as the API spells it).

    Raises:
        ValueError: a shorthand conflicts with another key, or both a thinking budget and
            a thinking level are set (the API refuses that pair).
        TypeError: msgspec cannot describe a schema type.
    """
    out = dict(config)
    converted = False
    for key in _SCHEMA_KEYS:
        value = out.get(key)
        if value is None or isinstance(value, Schema):
            continue
        json_key = key in _SCHEMA_KEYS[2:]
        if is_type(value):
            schema = json_schema(value)
            _register(value, schema)
        elif isinstance(value, Mapping) and not (
            json_key or ("type" in value and _gemini_spelled(value))
        ):
            schema = dict(value)
        else:
            continue
        del out[key]
        if any(out.get(k) is not None for k in _SCHEMA_KEYS):
            raise ValueError(f"config: give one response schema, not {key!r} and another")
        out["response_json_schema"] = schema
        converted = True
    if converted and not any(out.get(k) is not None for k in _MIME_KEYS):
        out["response_mime_type"] = "application/json"
    return _expand_thinking(out)


def _expand_thinking(out: dict[str, Any]) -> dict[str, Any]:
    shorthands = {_THINKING_KEYS[k]: out.pop(k) for k in list(out) if k in _THINKING_KEYS}
    shorthands = {k: v for k, v in shorthands.items() if v is not None}
    if not shorthands:
        return out
    level = shorthands.get("thinking_level")
    if isinstance(level, str):
        shorthands["thinking_level"] = level.upper()
    key = "thinking_config" if "thinking_config" in out else "thinkingConfig"
    given = out.get(key)
    if given is None:
        merged: dict[str, Any] = {}
    elif isinstance(given, Mapping):
        merged = dict(given)
    else:
        merged = msgspec.structs.asdict(given)
        merged = {k: v for k, v in merged.items() if v is not None}
    for name, value in shorthands.items():
        camel = _THINKING[name]
        if merged.get(name, merged.get(camel)) not in (None, value):
            raise ValueError(f"config: {name}={short_repr(value)} conflicts with thinking_config")
        merged.pop(camel, None)
        merged[name] = value
    if merged.get("thinking_budget") is not None and merged.get("thinking_level") is not None:
        raise ValueError(
            "config: set thinking_budget (Gemini 2.5) or thinking_level (Gemini 3), not both; "
            "the API refuses the pair"
        )
    out[key] = merged
    return out


def schema_type(body: bytes | None) -> Any:
    """The type whose schema a request body carries as ``responseJsonSchema``, else ``None``."""
    if not body:
        return None
    try:
        probe = _probe_decoder.decode(body)
    except msgspec.DecodeError:
        return None
    config = probe.generation_config
    if config is None or not config.response_json_schema:
        return None
    return _TYPES.get(bytes(config.response_json_schema))


class _ConfigProbe(msgspec.Struct, rename="camel"):
    response_json_schema: msgspec.Raw = msgspec.Raw()


class _RequestProbe(msgspec.Struct, rename="camel"):
    generation_config: _ConfigProbe | None = None


# msgspec.Raw keeps the schema's exact bytes, which match the registry's keys because both
# come from msgspec encoding the same dict.
_probe_decoder = msgspec.json.Decoder(_RequestProbe)
