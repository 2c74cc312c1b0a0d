"""Wire types of Google's error body ``{"error": {code, message, status, details}}``.

``details`` is a list of ``google.protobuf.Any`` objects tagged by ``"@type"``. They are kept as
raw JSON objects, so a detail type nobody knows yet never breaks decoding, and the known ones are
read on demand through typed accessors (``ErrorStatus.retry_info`` and friends).
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import msgspec

from .base import Wire

__all__ = (
    "BadRequest",
    "ErrorBody",
    "ErrorDetail",
    "ErrorInfo",
    "ErrorStatus",
    "FieldViolation",
    "Help",
    "HelpLink",
    "LegacyError",
    "LocalizedMessage",
    "QuotaFailure",
    "QuotaViolation",
    "RetryInfo",
)

_T = TypeVar("_T", bound=Wire)


def duration_seconds(value: str | None) -> float | None:
    """Parse a protobuf Duration string (``"47s"``, ``"25.465784708s"``); None if malformed,
    negative or not finite."""
    if not value or not value.endswith("s"):
        return None
    try:
        seconds = float(value[:-1])
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class RetryInfo(Wire, frozen=True, kw_only=True):
    """``google.rpc.RetryInfo``: how long to wait before retrying."""

    retry_delay: str | None = None

    @property
    def delay_seconds(self) -> float | None:
        """``retry_delay`` in seconds, or None when absent or malformed."""
        return duration_seconds(self.retry_delay)


class ErrorInfo(Wire, frozen=True, kw_only=True):
    """``google.rpc.ErrorInfo``: a machine-readable reason such as ``"API_KEY_INVALID"``."""

    reason: str | None = None
    domain: str | None = None
    metadata: dict[str, str] | None = None


class QuotaViolation(Wire, frozen=True, kw_only=True):
    """One exhausted quota; ``quota_value`` is int64 and arrives as a JSON string."""

    subject: str | None = None
    description: str | None = None
    quota_metric: str | None = None
    quota_id: str | None = None
    quota_dimensions: dict[str, str] | None = None
    quota_value: int | None = None


class QuotaFailure(Wire, frozen=True, kw_only=True):
    """``google.rpc.QuotaFailure``: which quotas were exceeded."""

    violations: list[QuotaViolation] | None = None


class FieldViolation(Wire, frozen=True, kw_only=True):
    """One invalid request field; ``field`` is a snake_case path like ``contents[0].parts``."""

    field: str | None = None
    description: str | None = None
    reason: str | None = None


class BadRequest(Wire, frozen=True, kw_only=True):
    """``google.rpc.BadRequest``: the request fields that were invalid."""

    field_violations: list[FieldViolation] | None = None


class HelpLink(Wire, frozen=True, kw_only=True):
    """A link to documentation about the error."""

    description: str | None = None
    url: str | None = None


class Help(Wire, frozen=True, kw_only=True):
    """``google.rpc.Help``: links about the error."""

    links: list[HelpLink] | None = None


class LocalizedMessage(Wire, frozen=True, kw_only=True):
    """``google.rpc.LocalizedMessage``: the message in a given locale."""

    locale: str | None = None
    message: str | None = None


class LegacyError(Wire, frozen=True, kw_only=True):
    """One item of the legacy ``errors`` list some Google front ends (Vertex AI) still add
    beside ``details``: ``{"message", "domain", "reason"}``."""

    message: str | None = None
    domain: str | None = None
    reason: str | None = None
    location: str | None = None
    location_type: str | None = None
    extended_help: str | None = None
    send_report: str | None = None


ErrorDetail = (
    RetryInfo | ErrorInfo | QuotaFailure | BadRequest | Help | LocalizedMessage | dict[str, Any]
)
_DETAIL_TYPES: dict[str, type[Wire]] = {
    "google.rpc." + t.__name__: t
    for t in (RetryInfo, ErrorInfo, QuotaFailure, BadRequest, Help, LocalizedMessage)
}


def _detail_type(item: object) -> type[Wire] | None:
    if not isinstance(item, dict):
        return None
    type_url = item.get("@type")
    if not isinstance(type_url, str):
        return None
    return _DETAIL_TYPES.get(type_url.rpartition("/")[2])


def _read_detail(item: dict[str, Any], type_: type[Wire]) -> ErrorDetail:
    try:
        return msgspec.convert(item, type_, strict=False)  # type: ignore[return-value]
    except msgspec.ValidationError:
        # A malformed detail stays raw: it must never hide the error it came with.
        return item


class ErrorStatus(Wire, frozen=True, kw_only=True):
    """The ``error`` object: HTTP ``code``, ``message``, rpc ``status`` name and ``details``
    (and, from some front ends, the legacy ``errors`` list).

    Example:
        >>> retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"}
        >>> ErrorStatus(code=429, details=[retry]).retry_delay
        47.0
    """

    code: int | None = None
    message: str | None = None
    status: str | None = None
    details: list[Any] | None = None
    errors: list[LegacyError] | None = None

    def detail(self, type_: type[_T]) -> _T | None:
        """Return the first detail of ``type_`` (matched by its ``@type``), read leniently.

        Args:
            type_: a detail Struct: ``RetryInfo``, ``ErrorInfo``, ``QuotaFailure``,
                ``BadRequest``, ``Help`` or ``LocalizedMessage``.

        Returns:
            The typed detail, or None when there is none or it does not have the expected shape.
        """
        for item in self.details or ():
            if _detail_type(item) is type_:
                typed = _read_detail(item, type_)
                return typed if isinstance(typed, type_) else None
        return None

    @property
    def typed_details(self) -> tuple[ErrorDetail, ...]:
        """Every detail in order: known ``google.rpc`` types as Structs, others as raw dicts."""
        out: list[ErrorDetail] = []
        for item in self.details or ():
            type_ = _detail_type(item)
            if type_ is not None:
                out.append(_read_detail(item, type_))
            elif isinstance(item, dict):
                out.append(item)
        return tuple(out)

    @property
    def retry_info(self) -> RetryInfo | None:
        """The ``RetryInfo`` detail, if any."""
        return self.detail(RetryInfo)

    @property
    def error_info(self) -> ErrorInfo | None:
        """The ``ErrorInfo`` detail, if any."""
        return self.detail(ErrorInfo)

    @property
    def quota_failure(self) -> QuotaFailure | None:
        """The ``QuotaFailure`` detail, if any."""
        return self.detail(QuotaFailure)

    @property
    def bad_request(self) -> BadRequest | None:
        """The ``BadRequest`` detail, if any."""
        return self.detail(BadRequest)

    @property
    def help(self) -> Help | None:
        """The ``Help`` detail, if any."""
        return self.detail(Help)

    @property
    def localized_message(self) -> LocalizedMessage | None:
        """The ``LocalizedMessage`` detail, if any."""
        return self.detail(LocalizedMessage)

    @property
    def retry_delay(self) -> float | None:
        """The server's requested retry delay in seconds (from ``RetryInfo``), if any."""
        info = self.retry_info
        return None if info is None else info.delay_seconds


class ErrorBody(Wire, frozen=True, kw_only=True):
    """A whole error response body: ``{"error": {...}}``."""

    error: ErrorStatus | None = None
