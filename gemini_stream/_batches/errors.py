"""One request's (or a failed batch's) error object as the typed ``APIError`` of our tree."""

from __future__ import annotations

from .._errors import APIError, api_error
from .._wire.status import ErrorStatus

__all__ = ("to_error",)

# google.rpc codes, when an error carries one instead of the HTTP status.
_RPC_TO_HTTP = {
    1: (499, "CANCELLED"),
    2: (500, "UNKNOWN"),
    3: (400, "INVALID_ARGUMENT"),
    4: (504, "DEADLINE_EXCEEDED"),
    5: (404, "NOT_FOUND"),
    7: (403, "PERMISSION_DENIED"),
    8: (429, "RESOURCE_EXHAUSTED"),
    9: (400, "FAILED_PRECONDITION"),
    13: (500, "INTERNAL"),
    14: (503, "UNAVAILABLE"),
    16: (401, "UNAUTHENTICATED"),
}


def to_error(status: ErrorStatus, body: bytes) -> APIError:
    """The typed ``APIError`` of one request's error object."""
    code = status.code or 500
    name = status.status or ""
    if code < 100:  # a google.rpc code
        code, default = _RPC_TO_HTTP.get(code, (500, "UNKNOWN"))
        name = name or default
    message = status.message or f"request failed with code {status.code}"
    return api_error(code, name, message, status.typed_details, body, status.retry_delay)
