"""Interactions requests: validation, and translation into the model's generateContent terms.

The built-in model (``_compose``) reads a normalised ``GenerateContentRequest``. A create body
of the Interactions API (snake_case, ``input`` as text, content, contents or steps, flat
``function`` tools, ``generation_config``, ``response_format``) is checked here, and its
conversation (the steps of the ``previous_interaction_id`` chain, then this input) becomes
``contents``, so the same conversation gets the same deterministic answer on both APIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ("CONTENT_TYPES", "LEGACY_MESSAGE", "as_request", "check_create", "input_steps")

CONTENT_TYPES = frozenset({"text", "image", "audio", "document", "video"})
_MODEL_SIDE = frozenset({"model_output", "thought", "function_call"})
_KNOWN_FIELDS = frozenset(
    {
        "model", "agent", "input", "system_instruction", "tools", "generation_config",
        "agent_config", "response_format", "previous_interaction_id", "stream", "store",
        "background", "service_tier", "safety_settings", "labels", "webhook_config",
        "environment", "response_modalities", "cached_content", "presence_penalty",
        "frequency_penalty",
    }
)  # fmt: skip
_TOOL_CHOICES = frozenset({"auto", "any", "none", "validated"})
LEGACY_MESSAGE = (
    "The legacy Interactions API schema is no longer supported. Please upgrade your client "
    "SDK to Python >= 2.0.0 or JavaScript/TypeScript >= 2.0.0 to adopt the new 'steps' "
    "schema. For details and migration examples, see: "
    "https://ai.google.dev/gemini-api/docs/interactions-breaking-changes-may-2026"
)


def _kind(value: Any) -> str:
    return type(value).__name__


def check_create(body: Any) -> str | None:
    """Return the 400 ``invalid_request`` message for a create body, or ``None`` if it is fine.

    Checks the shape only (what a typo or a wrong type produces); which model exists and
    whether the previous interaction is usable are the server's checks.
    """
    if not isinstance(body, Mapping):
        return f"The request body must be a JSON object, got {_kind(body)}."
    if "response_mime_type" in body or _has_turns(body.get("input")):
        return LEGACY_MESSAGE
    unknown = sorted(k for k in body if k not in _KNOWN_FIELDS)
    if unknown:
        return f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.'
    has_model, has_agent = "model" in body, "agent" in body
    if has_model == has_agent:
        return "Exactly one of 'model' or 'agent' must be set." + (
            f" Got model={body['model']!r} and agent={body['agent']!r}." if has_model else ""
        )
    name = body.get("model", body.get("agent"))
    if not isinstance(name, str) or not name:
        return f"'{'model' if has_model else 'agent'}' must be a non-empty string, got {name!r}."
    if has_model and "agent_config" in body:
        return "'agent_config' is only applicable when 'agent' is set."
    if has_agent and "generation_config" in body:
        return "'generation_config' is only applicable when 'model' is set."
    for key in ("stream", "store", "background"):
        if key in body and not isinstance(body[key], bool):
            return f"'{key}' must be a boolean, got {body[key]!r}."
    if body.get("background") and body.get("store") is False:
        return "'background' requires 'store' to be true."
    if has_agent and not body.get("background"):
        return f"Agent '{name}' requires 'background' to be true."
    if "input" not in body:
        return "'input' is required."
    system = body.get("system_instruction")
    if system is not None and not isinstance(system, str):
        return f"'system_instruction' must be a string, got {_kind(system)}."
    previous = body.get("previous_interaction_id")
    if previous is not None and (not isinstance(previous, str) or not previous):
        return f"'previous_interaction_id' must be a non-empty string, got {previous!r}."
    return (
        _input_problem(body["input"])
        or _tools_problem(body.get("tools", []))
        or _config_problem("generation_config" if "model" in body else "agent_config", body)
    )


_CHOICES = {
    "thinking_level": ("minimal", "low", "medium", "high"),
    "thinking_summaries": ("auto", "none"),
}


def _config_problem(name: str, body: Mapping[str, Any]) -> str | None:
    config = body.get(name, {})
    if not isinstance(config, Mapping):
        return f"'{name}' must be an object, got {config!r}."
    for key, allowed in _CHOICES.items():
        if key in config and config[key] not in allowed:
            return f"Invalid value for '{key}': {config[key]!r}; expected one of {allowed}."
    limit = config.get("max_output_tokens", 1)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        return f"'max_output_tokens' must be a non-negative integer, got {limit!r}."
    return None


def _has_turns(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(i, Mapping) and "role" in i and "type" not in i for i in items)


def _input_problem(value: Any) -> str | None:
    try:
        input_steps(value)
    except ValueError as exc:
        return str(exc)
    return None


def _tools_problem(tools: Any) -> str | None:
    if not isinstance(tools, list):
        return f"'tools' must be a list, got {_kind(tools)}."
    for i, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("type"), str):
            return f"tools[{i}] must be an object with a 'type', got {tool!r}."
        if tool["type"] == "function" and not tool.get("name"):
            return f"tools[{i}]: a function tool needs a 'name'."
    return None


def input_steps(value: Any) -> list[dict[str, Any]]:
    """The steps an ``input`` stands for (a text or contents become one ``user_input`` step).

    Raises:
        ValueError: the input is none of text, content, contents or steps.
    """
    if isinstance(value, str):
        return [{"type": "user_input", "content": [{"type": "text", "text": value}]}]
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not items:
        return _bad_input(value)
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            return _bad_input(item)
    kinds = {item["type"] in CONTENT_TYPES for item in items}
    if kinds == {True}:
        return [{"type": "user_input", "content": [dict(i) for i in items]}]
    if kinds == {False}:
        for item in items:
            _check_step(item)
        return [dict(i) for i in items]
    raise ValueError("'input' mixes content blocks and steps; send one or the other.")


def _check_step(step: Mapping[str, Any]) -> None:
    kind = step["type"]
    if kind == "function_result" and not isinstance(step.get("call_id"), str):
        raise ValueError(f"A function_result step needs a string 'call_id', got {step!r}.")
    if kind in ("user_input", "model_output") and not isinstance(step.get("content", []), list):
        raise ValueError(f"A {kind} step's 'content' must be a list, got {step['content']!r}.")


def _bad_input(value: Any) -> list[dict[str, Any]]:
    raise ValueError(
        "'input' must be a string, a content block, a list of content blocks or a list of "
        f"steps (each an object with a 'type'), got {value!r}."
    )


def _part(block: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = block.get("type")
    if kind == "text":
        return {"text": str(block.get("text", ""))}
    if kind in CONTENT_TYPES:
        mime = str(block.get("mime_type", ""))
        if "data" in block:
            return {"inlineData": {"mimeType": mime, "data": block["data"]}}
        return {"fileData": {"mimeType": mime, "fileUri": str(block.get("uri", ""))}}
    return None


def _parts(step: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    kind = step.get("type")
    if kind in ("user_input", "model_output"):
        blocks = step.get("content", [])
        parts = [_part(b) for b in blocks if isinstance(b, Mapping)]
        return [p for p in parts if p is not None]
    if kind == "function_call":
        args = step.get("arguments", {})
        call = {"name": step.get("name", ""), "args": args, "id": step.get("id", "")}
        return [{"functionCall": call}]
    if kind == "function_result":
        call_id = str(step.get("call_id", ""))
        name = step.get("name") or names.get(call_id, "")
        return [{"functionResponse": {"name": name, "response": step.get("result"), "id": call_id}}]
    return []  # thoughts and server-side tool steps do not change what the model says


def _contents(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Group chronological steps into alternating user/model contents."""
    names = {
        str(s.get("id")): str(s.get("name", "")) for s in steps if s.get("type") == "function_call"
    }
    contents: list[dict[str, Any]] = []
    for step in steps:
        role = "model" if step.get("type") in _MODEL_SIDE else "user"
        parts = _parts(step, names)
        if not parts:
            continue
        if contents and contents[-1]["role"] == role and step.get("type") != "user_input":
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    return contents


def _tool_config(choice: Any) -> dict[str, Any] | None:
    if isinstance(choice, str) and choice in _TOOL_CHOICES:
        return {"functionCallingConfig": {"mode": choice.upper()}}
    if isinstance(choice, Mapping) and isinstance(choice.get("allowed_tools"), Mapping):
        allowed = choice["allowed_tools"]
        config = {"mode": str(allowed.get("mode", "auto")).upper()}
        return {
            "functionCallingConfig": {**config, "allowedFunctionNames": allowed.get("tools", [])}
        }
    return None


def _formats(body: Mapping[str, Any]) -> dict[str, Any]:
    """``response_format`` (one or a list) and ``response_modalities`` as generation config."""
    raw = body.get("response_format", [])
    formats = [f for f in (raw if isinstance(raw, list) else [raw]) if isinstance(f, Mapping)]
    config: dict[str, Any] = {}
    modalities = [str(m).upper() for m in body.get("response_modalities", [])]
    for fmt in formats:
        kind = str(fmt.get("type", "text"))
        modalities.append(kind.upper())
        if kind == "text" and (fmt.get("mime_type") == "application/json" or "schema" in fmt):
            config["responseMimeType"] = "application/json"
            if "schema" in fmt:
                config["responseJsonSchema"] = fmt["schema"]
    if {"IMAGE", "AUDIO"} & set(modalities):
        config["responseModalities"] = list(dict.fromkeys(modalities))
    return config


def as_request(body: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``GenerateContentRequest`` (camelCase) that asks the model what ``body`` asks.

    Args:
        body: a create body that passed :func:`check_create`.
        steps: the whole conversation: the chain's stored steps, then this input's steps.
    """
    request: dict[str, Any] = {"contents": _contents(steps)}
    if body.get("system_instruction"):
        request["systemInstruction"] = {"parts": [{"text": body["system_instruction"]}]}
    declarations = [
        {
            "name": tool["name"],
            **({"description": tool["description"]} if "description" in tool else {}),
            **({"parametersJsonSchema": tool["parameters"]} if "parameters" in tool else {}),
        }
        for tool in body.get("tools", [])
        if tool.get("type") == "function"
    ]
    if declarations:
        request["tools"] = [{"functionDeclarations": declarations}]
    generation = body.get("generation_config") or {}
    tool_config = _tool_config(generation.get("tool_choice"))
    if tool_config is not None:
        request["toolConfig"] = tool_config
    config = _formats(body)
    if "max_output_tokens" in generation:
        config["maxOutputTokens"] = generation["max_output_tokens"]
    if generation.get("stop_sequences"):
        config["stopSequences"] = list(generation["stop_sequences"])
    if config:
        request["generationConfig"] = config
    return request
