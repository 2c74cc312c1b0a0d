"""The error bodies the emulator answers with, shaped like the Gemini API's own.

Each builder returns ``(http_status, body_dict, extra_headers)``; the body is written with
``dumps_pretty`` like every Google error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._wire import duration

ErrorReply = tuple[int, dict[str, Any], dict[str, str]]

_TYPE = "type.googleapis.com/google.rpc."
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES = {
    400: "Request contains an invalid argument.",
    403: "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API.",
    404: "Requested entity was not found.",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}
_RATE_LIMIT_DOCS = "https://ai.google.dev/gemini-api/docs/rate-limits"
_QUOTA_METRIC = "generativelanguage.googleapis.com/generate_content_free_tier_requests"


def error_body(
    code: int, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Build ``{"error": {code, message, status, details?}}`` for an HTTP status."""
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "status": STATUS_NAMES.get(code, "UNKNOWN"),
    }
    if details:
        error["details"] = [dict(d) for d in details]
    return {"error": error}


def status_error(code: int, model: str, retry_after: float | None = None) -> ErrorReply:
    """The error the real API typically gives for ``code``; 429 is the free-tier quota one.

    With ``retry_after``, the body gets a RetryInfo detail and the reply a ``Retry-After``
    header (whole seconds, rounded up), whatever the code.
    """
    if code == 429:
        return rate_limited(model, retry_after, 10)
    message = _MESSAGES.get(code, "Internal error encountered.")
    if retry_after is None:
        return code, error_body(code, message), {}
    details = [{"@type": _TYPE + "RetryInfo", "retryDelay": duration(retry_after)}]
    return code, error_body(code, message, details), _retry_after(retry_after)


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(0, math.ceil(seconds)))}


def permission_denied() -> ErrorReply:
    """403 for a request that carries no API key at all."""
    return 403, error_body(403, _MESSAGES[403]), {}


def api_key_invalid() -> ErrorReply:
    """400 for a key the emulator was not told to accept (ErrorInfo ``API_KEY_INVALID``)."""
    message = "API key not valid. Please pass a valid API key."
    details: list[dict[str, Any]] = [
        {
            "@type": _TYPE + "ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        },
        {"@type": _TYPE + "LocalizedMessage", "locale": "en-US", "message": message},
    ]
    return 400, error_body(400, message, details), {}


def model_not_found(name: str, method: str) -> ErrorReply:
    """404 for an unknown model, or a model that does not support ``method``."""
    message = (
        f"{name} is not found for API version v1beta, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods."
    )
    return 404, error_body(404, message), {}


def not_found(message: str = _MESSAGES[404]) -> ErrorReply:
    """404 for a path the API does not serve."""
    return 404, error_body(404, message), {}


def bad_request(violations: Sequence[tuple[str, str]]) -> ErrorReply:
    """400 with a BadRequest detail; each violation is ``(field path or "", description)``."""
    field_violations = [
        {"field": field, "description": text} if field else {"description": text}
        for field, text in violations
    ]
    message = "\n".join(text for _, text in violations)
    details = [{"@type": _TYPE + "BadRequest", "fieldViolations": field_violations}]
    return 400, error_body(400, message, details), {}


def invalid_argument(message: str) -> ErrorReply:
    """400 INVALID_ARGUMENT with a message and no details (e.g. missing ``contents``)."""
    return 400, error_body(400, message), {}


def rate_limited(model: str, retry_after: float | None, limit: int) -> ErrorReply:
    """429 like the free tier's: Help, QuotaFailure and (with a delay) RetryInfo details.

    The delay also goes out as a ``Retry-After`` header in whole seconds, rounded up.
    """
    message = (
        "You exceeded your current quota, please check your plan and billing details. "
        f"For more information on this error, head to: {_RATE_LIMIT_DOCS}. "
        "To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n"
        f"* Quota exceeded for metric: {_QUOTA_METRIC}, limit: {limit}, model: {model}"
    )
    details: list[dict[str, Any]] = [
        {
            "@type": _TYPE + "Help",
            "links": [
                {"description": "Learn more about Gemini API quotas", "url": _RATE_LIMIT_DOCS}
            ],
        },
        {
            "@type": _TYPE + "QuotaFailure",
            "violations": [
                {
                    "quotaMetric": _QUOTA_METRIC,
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(limit),
                }
            ],
        },
    ]
    headers: dict[str, str] = {}
    if retry_after is not None:
        message += f"\nPlease retry in {retry_after:g}s."
        details.append({"@type": _TYPE + "RetryInfo", "retryDelay": duration(retry_after)})
        headers = _retry_after(retry_after)
    return 429, error_body(429, message, details), headers
