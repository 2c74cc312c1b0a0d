"""The body of a create request (``POST /v1beta/interactions``), checked before anything is
sent: every field of the reference, the input in each of its forms, and a clear error naming
a value that cannot be right."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from .._input.structured import is_type, json_schema
from .content import Content
from .steps import UnknownStep

__all__ = ("FIELDS", "InputLike", "build_body", "encode_body", "response_type")

InputLike = str | Content | Mapping[str, Any] | msgspec.Struct | list[Any]
"""What ``input`` accepts: a string, one content block, a list of content blocks, or a list
of steps (``{"type": "function_result", ...}``, steps of an earlier ``Interaction``)."""

# Every request field but model, agent, input and stream, with the check it gets.
FIELDS = frozenset({
    "system_instruction", "tools", "generation_config", "agent_config", "response_format",
    "previous_interaction_id", "store", "background", "service_tier", "safety_settings",
    "labels", "webhook_config", "environment", "response_modalities",
    # Documented in June 2026, dropped from the SDK types since: sent if given.
    "temperature", "top_p", "presence_penalty", "frequency_penalty", "cached_content",
})  # fmt: skip
_THINKING_LEVELS = ("minimal", "low", "medium", "high")
_SUMMARIES = ("auto", "none")
_MODALITIES = ("text", "image", "audio", "video", "document")
_encoder = msgspec.json.Encoder()


def build_body(
    model: str | None, agent: str | None, input: object, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The create request's JSON object (without ``stream``).

    Raises:
        TypeError: a value of the wrong type, or an unknown field name.
        ValueError: a malformed value, or fields that do not go together.
    """
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        hint = " (stream() streams; create() does not)" if "stream" in unknown else ""
        raise TypeError(f"unknown Interactions request field {unknown[0]!r}{hint}")
    if (model is None) == (agent is None):
        raise ValueError(
            "give exactly one of model (e.g. 'gemini-3-flash-preview') or agent "
            f"(e.g. 'deep-research-preview-04-2026'), got model={model!r}, agent={agent!r}"
        )
    body: dict[str, Any] = {}
    if model is not None:
        body["model"] = _name("model", model)
    else:
        body["agent"] = _name("agent", agent)
    body["input"] = to_input(input)
    for name, value in fields.items():
        if value is not None:
            body[name] = _CHECKS.get(name, _plain)(name, value)
    if agent is not None and "generation_config" in body:
        raise ValueError("generation_config applies to a model; an agent takes agent_config")
    if model is not None and "agent_config" in body:
        raise ValueError("agent_config applies to an agent; a model takes generation_config")
    if body.get("background") and body.get("store") is False:
        raise ValueError("background=True needs the interaction stored: drop store=False")
    return body


def encode_body(body: Mapping[str, Any]) -> bytes:
    return _encoder.encode(body)


def _name(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{what} must be a non-empty string, got {value!r}")
    if what == "model" and value.startswith("models/"):
        return value[len("models/") :]  # the Interactions API takes bare model ids
    return value


def to_input(value: object) -> object:
    """``input`` in wire shape: a string, or content blocks / steps as JSON objects."""
    if isinstance(value, str):
        if not value:
            raise ValueError("input must not be an empty string")
        return value
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("input must not be an empty list")
        return [_block(item, i) for i, item in enumerate(value)]
    if value is None:
        raise TypeError("input is required: a string, content blocks or steps")
    return _block(value, None)


def _block(item: object, index: int | None) -> dict[str, Any]:
    where = "input" if index is None else f"input[{index}]"
    if isinstance(item, UnknownStep):
        return dict(item.raw)
    if isinstance(item, msgspec.Struct):
        item = msgspec.to_builtins(item)  # a tagged step keeps its "type"
    if isinstance(item, str) and index is not None:
        return {"type": "text", "text": item}
    if not isinstance(item, Mapping):
        raise TypeError(
            f"{where} must be a content block or a step (a dict with a 'type'), got {item!r:.80}"
        )
    if not isinstance(item.get("type"), str) or not item["type"]:
        raise ValueError(
            f"{where} has no 'type' (such as 'text' or 'function_result'): {item!r:.80}"
        )
    return dict(item)


def _plain(name: str, value: object) -> object:
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    return value


def _string(name: str, value: object) -> object:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r:.80}")
    return value


def _flag(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _typed_objects(name: str, value: object) -> object:
    """A list of JSON objects, each with a ``type`` (tools)."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of dicts with a 'type', got {value!r:.80}")
    checked = []
    for i, item in enumerate(value):
        item = _plain(name, item)
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise TypeError(f"{name}[{i}] must be a dict with a 'type', got {item!r:.80}")
        checked.append(dict(item))
    return checked


def _response_format(name: str, value: object) -> object:
    """One format or a list; a type (a msgspec Struct, a dataclass, ``list[X]``...) stands
    for structured JSON output of its schema, as may a format's ``schema``."""
    if is_type(value):
        value = {"type": "text", "schema": value}
    if isinstance(value, (list, tuple)):
        return [_one_format(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return _one_format(name, value)


def _one_format(name: str, value: object) -> dict[str, Any]:
    if is_type(value):
        value = {"type": "text", "schema": value}
    value = _plain(name, value)
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise TypeError(
            f"{name} must be a type to parse the answer into, or a dict with a 'type' "
            f"('text', 'image', 'audio'), got {value!r:.80}"
        )
    out = dict(value)
    schema = out.get("schema")
    if is_type(schema):
        out["schema"] = json_schema(schema)
    if "schema" in out:
        out.setdefault("mime_type", "application/json")
    return out


def response_type(fields: Mapping[str, Any]) -> Any:
    """The type the answer's JSON is to be parsed into, if ``response_format`` named one."""
    value = fields.get("response_format")
    for item in value if isinstance(value, (list, tuple)) else [value]:
        if is_type(item):
            return item
        if isinstance(item, Mapping) and is_type(item.get("schema")):
            return item["schema"]
    return None


def _object(name: str, value: object) -> dict[str, Any]:
    value = _plain(name, value)
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {value!r:.80}")
    return dict(value)


def _generation_config(name: str, value: object) -> object:
    config = _object(name, value)
    for key, allowed in (("thinking_level", _THINKING_LEVELS), ("thinking_summaries", _SUMMARIES)):
        if key in config and config[key] not in allowed:
            raise ValueError(
                f"generation_config[{key!r}] must be one of {', '.join(allowed)}; "
                f"got {config[key]!r}"
            )
    return config


def _agent_config(name: str, value: object) -> object:
    config = _object(name, value)
    if not isinstance(config.get("type"), str):
        raise ValueError(
            f"agent_config needs a 'type' (such as 'deep-research'), got {config!r:.80}"
        )
    return config


def _modalities(name: str, value: object) -> object:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list such as ['text', 'image'], got {value!r:.80}")
    for item in value:
        if item not in _MODALITIES:
            raise ValueError(f"{name}: unknown modality {item!r}; known: {', '.join(_MODALITIES)}")
    return list(value)


def _labels(name: str, value: object) -> object:
    labels = _object(name, value)
    for key, item in labels.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"labels must map strings to strings, got {key!r}: {item!r}")
    return labels


_CHECKS = {
    "system_instruction": _string,
    "previous_interaction_id": _string,
    "service_tier": _string,
    "cached_content": _string,
    "store": _flag,
    "background": _flag,
    "tools": _typed_objects,
    "safety_settings": _plain,
    "response_format": _response_format,
    "generation_config": _generation_config,
    "agent_config": _agent_config,
    "webhook_config": _object,
    "labels": _labels,
    "response_modalities": _modalities,
}
