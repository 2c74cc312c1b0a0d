"""Vertex AI on the emulator: bearer-token authentication and the Vertex-only request fields.

The emulator serves the same models behind the Vertex URL shapes
(``/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:...`` and express mode's
``/v1beta1/publishers/google/models/{m}:...``). There a request authenticates with an API
key (express mode) or any non-empty ``Authorization: Bearer`` token, and may carry fields the
Gemini API rejects (``labels``, ``safetySettings[].method``,
``toolConfig.functionCallingConfig.streamFunctionCallArguments``, ...): they are checked, then
set aside, so the rest goes through the Gemini API's schema (calls still come whole).
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from ._errors import ErrorReply, bad_request
from ._records import RequestRecord

__all__ = ("bearer_problem", "split_vertex_fields")

_UNAUTHENTICATED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_METHODS = {"HARM_BLOCK_METHOD_UNSPECIFIED", "SEVERITY", "PROBABILITY"}
_CONFIG_FIELDS = ("routingConfig", "modelSelectionConfig", "audioTimestamp", "modelArmorConfig")


def bearer_problem(request: web.Request, record: RequestRecord) -> ErrorReply | None:
    """``None`` when the request carries a bearer token, else Vertex AI's 401."""
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        record.api_key = None
        return None
    body = {"error": {"code": 401, "message": _UNAUTHENTICATED, "status": "UNAUTHENTICATED"}}
    return 401, body, {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}


def split_vertex_fields(body: Any) -> tuple[Any, dict[str, Any], ErrorReply | None]:
    """Return ``(body without Vertex-only fields, those fields, a 400 reply or None)``."""
    if not isinstance(body, dict):
        return body, {}, None
    rest = copy.deepcopy(body)
    found: dict[str, Any] = {}
    labels = rest.pop("labels", None)
    if labels is not None:
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            return body, {}, bad_request([("labels", "Invalid value at 'labels' (map<string>)")])
        found["labels"] = labels
    for i, setting in enumerate(rest.get("safetySettings") or []):
        if isinstance(setting, dict) and "method" in setting:
            method = setting.pop("method")
            if method not in _METHODS:
                where = f"safety_settings[{i}].method"
                return body, {}, bad_request([(where, f"Invalid value at '{where}' (TYPE_ENUM)")])
            found.setdefault("safetySettings.method", []).append(method)
    tool_config = rest.get("toolConfig")
    calling = tool_config.get("functionCallingConfig") if isinstance(tool_config, dict) else None
    if isinstance(calling, dict) and "streamFunctionCallArguments" in calling:
        value = calling.pop("streamFunctionCallArguments")
        if not isinstance(value, bool):
            where = "tool_config.function_calling_config.stream_function_call_arguments"
            return body, {}, bad_request([(where, f"Invalid value at '{where}' (TYPE_BOOL)")])
        found["toolConfig.functionCallingConfig.streamFunctionCallArguments"] = value
    config = rest.get("generationConfig")
    if isinstance(config, dict):
        for name in _CONFIG_FIELDS:
            if name in config:
                found[f"generationConfig.{name}"] = config.pop(name)
    return rest, found, None
