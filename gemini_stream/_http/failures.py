"""Failures of one HTTP exchange, translated into the ``GeminiError`` tree: a request that
did not get through, a reply that broke off, a refused redirect, an error status or body.

aiohttp's exceptions are chained to ours (``raise ... from exc``) only after ``scrub``: their
frames and ``request_info`` hold the request headers, the API key included."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from .._config import Timeouts
from .._errors import (
    APIConnectionError,
    APIError,
    ConnectTimeoutError,
    FirstChunkTimeoutError,
    GeminiError,
    IdleTimeoutError,
    RedirectError,
    StreamInterruptedError,
    TotalTimeoutError,
    api_error,
)
from .._wire.convert import excerpt
from .._wire.http_info import HttpInfo
from .._wire.status import ErrorStatus
from .codec import decode_error, decode_interactions_error
from .retry import parse_retry_after
from .secrets import scrub

__all__ = (
    "READ_FAILURES",
    "error_from_body",
    "interactions_error",
    "read_error",
    "read_failure",
    "redirect_refused",
    "send_failure",
    "status_error",
)

# aiohttp names a broken body with its parser's error, whose repr carries the code an HTTP
# *server* would answer a malformed request with (always 400): not the reply's status.
_PARSER_ERROR = re.compile(r"<(\w+): \d{3}, message=(['\"])(.*?)\2>")

# Error bodies are a few KB; a proxy's HTML page can be larger, and only its start is shown.
_MAX_ERROR_BODY = 64 * 1024


def send_failure(exc: BaseException, url: str, timeouts: Timeouts) -> GeminiError:
    """Translate an aiohttp failure before a reply's headers arrived into a ``GeminiError``
    (``exc`` is scrubbed, to be chained)."""
    scrub(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeoutError(
            f"connecting took longer than Timeouts.connect={timeouts.connect}s"
        )
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return FirstChunkTimeoutError(
            f"no reply within Timeouts.first_chunk={timeouts.first_chunk}s"
        )
    if isinstance(exc, asyncio.TimeoutError):
        return TotalTimeoutError("the call took longer than Timeouts.total")
    return APIConnectionError(f"request to {url.split('?')[0]} failed: {exc}")


READ_FAILURES = (aiohttp.ClientError, asyncio.TimeoutError)


def read_failure(exc: BaseException, timeouts: Timeouts, *, started: bool) -> GeminiError:
    """Translate an aiohttp failure while reading a reply body (one of ``READ_FAILURES``).

    ``started`` says whether body bytes had arrived: a socket timeout before them is the
    first-chunk timeout, after them the idle one. ``exc`` is scrubbed, to be chained.
    """
    scrub(exc)
    if isinstance(exc, aiohttp.SocketTimeoutError):
        if started:
            return IdleTimeoutError(
                f"the reply went silent for longer than Timeouts.idle={timeouts.idle}s"
            )
        return FirstChunkTimeoutError(
            f"no reply within Timeouts.first_chunk={timeouts.first_chunk}s"
        )
    if isinstance(exc, asyncio.TimeoutError):
        return TotalTimeoutError(f"the call took longer than Timeouts.total={timeouts.total}s")
    return StreamInterruptedError(
        f"the connection dropped in the middle of the reply: {_PARSER_ERROR.sub(_plain, str(exc))}"
    )


def _plain(match: re.Match[str]) -> str:
    """``<TransferEncodingError: 400, message='Not enough data ...'>`` -> the name and the
    message, without the parser's code, which a reader would take for the reply's status."""
    return f"{match.group(1)}: {match.group(3)}"


def redirect_refused(response: aiohttp.ClientResponse, url: str) -> RedirectError:
    """The error for a 3xx reply (closed here): redirects are never followed, so the key
    and the request go only where ``base_url`` says."""
    response.close()
    location = response.headers.get("Location")
    where = f"a redirect to {location!r}" if location else "a redirect with no Location"
    status = f"{response.status} {response.reason or ''}".rstrip()
    return RedirectError(
        f"{url.split('?')[0]} answered {status}, {where}: redirects are refused so that the "
        "API key or token goes only to base_url's origin; set base_url to the final address",
        code=response.status,
        location=location,
    )


async def read_error(response: aiohttp.ClientResponse) -> APIError:
    """Read an HTTP error response (status >= 400) whole, up to ``_MAX_ERROR_BODY``, and
    turn it into the matching ``APIError``.

    One read returns what has arrived; a body that comes in several pieces is read to its end,
    or to the cap, or to a failure (what arrived before it is kept).
    """
    pieces: list[bytes] = []
    left = _MAX_ERROR_BODY
    try:
        while left > 0:
            piece = await response.content.read(left)
            if not piece:
                break
            pieces.append(piece)
            left -= len(piece)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        pass  # the status and what arrived still say what went wrong
    finally:
        response.close()
    error = status_error(
        b"".join(pieces),
        code=response.status,
        reason=response.reason or "",
        retry_after=response.headers.get("Retry-After"),
    )
    error.http = HttpInfo(response.status, response.headers, response.url)
    return error


def error_from_body(
    body: bytes, *, code: int | None = None, reason: str = "", retry_after: str | None = None
) -> APIError | None:
    """Map Google's ``{"error": {...}}`` body to an ``APIError``.

    With ``code`` (an HTTP error status) this is ``status_error``; without it (an error
    inside a 200 stream) a body that is not Google's JSON gives ``None``.
    """
    if code is not None:
        return status_error(body, code=code, reason=reason, retry_after=retry_after)
    status = decode_error(body)
    if status is None:
        found = decode_interactions_error(body)
        return None if found is None else interactions_error(*found, body)
    return _api_error(status, body, None, None)


def status_error(body: bytes, *, code: int, reason: str, retry_after: str | None) -> APIError:
    """The ``APIError`` for an HTTP error status and its body; a body that is not Google's
    JSON gives an error carrying an excerpt of it (or the reason phrase)."""
    status = decode_error(body)
    if status is None:
        found = decode_interactions_error(body)
        if found is not None:
            return interactions_error(*found, body, http_status=code, retry_after=retry_after)
        message = excerpt(body) if body.strip() else reason
        return api_error(code, "", message, (), body, parse_retry_after(retry_after))
    return _api_error(status, body, code, retry_after)


def _api_error(
    status: ErrorStatus, body: bytes, code: int | None, retry_after: str | None
) -> APIError:
    delay = status.retry_delay
    if delay is None:
        delay = parse_retry_after(retry_after)
    return api_error(
        status.code or code or 500,
        status.status or "",
        status.message or "",
        status.typed_details,
        body,
        delay,
    )


# The Interactions API names its errors with short strings; the HTTP status each stands for
# (for an error inside a stream, which has no status of its own).
_INTERACTIONS_CODES = {
    "invalid_request": 400, "invalid_argument": 400, "bad_request": 400,
    "failed_precondition": 400, "unauthenticated": 401, "permission_denied": 403,
    "not_found": 404, "conflict": 409, "aborted": 409, "resource_exhausted": 429,
    "rate_limit_exceeded": 429, "too_many_requests": 429, "cancelled": 499, "internal": 500,
    "internal_error": 500, "not_implemented": 501, "unavailable": 503,
    "service_unavailable": 503, "overloaded": 503, "gateway_timeout": 504,
    "deadline_exceeded": 504,
}  # fmt: skip


def interactions_error(
    code: str,
    message: str,
    body: bytes,
    *,
    http_status: int | None = None,
    retry_after: str | None = None,
) -> APIError:
    """The ``APIError`` for an Interactions API error (``{"error": {"code": "<string>",
    "message": ...}}``): ``status`` is the string code, ``code`` the HTTP status (for an
    error inside a stream, the status the string code stands for; 500 when unknown)."""
    number = http_status or _INTERACTIONS_CODES.get(code.lower(), 500)
    return api_error(number, code, message, (), body, parse_retry_after(retry_after))
