"""What a log line or a hook may show of a request: URLs without secrets, bodies without
their media bytes, and the operation and model a call's label names."""

from __future__ import annotations

import urllib.parse
from typing import Any

import msgspec

__all__ = ("describe_body", "operation_of", "safe_url")

# Query parameters whose values say nothing secret; any other value (``key``, an upload's
# ``upload_id``, which works as a credential, ...) is shown as ***.
_SHOWN = frozenset(
    {"alt", "pageSize", "updateMask", "stream", "last_event_id", "upload_protocol", "view"}
)
_MASK = "***"
# Keys of base64 fields that hold media: elided with their size.
_MEDIA = frozenset({"data", "bytesBase64Encoded", "bytes_base64_encoded"})
_BODY_LIMIT = 16 * 1024  # a body logged is cut after this many characters


def safe_url(url: str) -> str:
    """``url`` with any user info and the values of its query parameters (but a few
    harmless ones) replaced by ``***``."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{_MASK}@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        query = "&".join(f"{k}={v if k in _SHOWN else _MASK}" for k, v in pairs)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def operation_of(label: str) -> tuple[str, str | None]:
    """The API method and the model a call's label names: ``"models/m:generateContent"``
    gives ``("generateContent", "m")``; ``"files.get"`` gives ``("files.get", None)``."""
    path, colon, method = label.partition(":")
    if not colon:
        if label.startswith(("models/", "tunedModels/")):
            return "models.get", label.split("/", 1)[1]
        return label, None
    name = path.rpartition("/models/")[2] if "/models/" in path else path
    return method, name.removeprefix("models/")


def describe_body(body: bytes | None) -> str:
    """A request or response body for the bodies log: JSON with each inline media field
    replaced by its size, cut after 16 KiB; other bodies by their size only."""
    if not body:
        return "(empty)"
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return f"({len(body)} bytes, not JSON)"
    text = msgspec.json.encode(_elided(value)).decode()
    if len(text) > _BODY_LIMIT:
        text = f"{text[:_BODY_LIMIT]}... ({len(text) - _BODY_LIMIT} more characters)"
    return text


def _elided(value: Any) -> Any:
    if isinstance(value, dict):
        media = "mimeType" in value or "mime_type" in value or "bytesBase64Encoded" in value
        return {
            key: _size(item) if media and key in _MEDIA and isinstance(item, str) else _elided(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_elided(item) for item in value]
    return value


def _size(base64: str) -> str:
    decoded = len(base64) * 3 // 4 - base64[-2:].count("=")
    return f"<{decoded} bytes elided>"
