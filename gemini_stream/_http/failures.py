"""Failures of one HTTP exchange, translated into the ``GeminiError`` tree: a request that
did not get through, a reply that broke off, an error status or an error body."""

from __future__ import annotations

import asyncio

import aiohttp

from .._config import Timeouts
from .._errors import (
    APIConnectionError,
    APIError,
    ConnectTimeoutError,
    FirstChunkTimeoutError,
    GeminiError,
    IdleTimeoutError,
    StreamInterruptedError,
    TotalTimeoutError,
    api_error,
)
from .._wire.convert import excerpt
from .codec import decode_error
from .retry import parse_retry_after

__all__ = ("READ_FAILURES", "error_from_body", "read_error", "read_failure", "send_failure")

# Error bodies are a few KB; a proxy's HTML page can be larger, and only its start is shown.
_MAX_ERROR_BODY = 64 * 1024


def send_failure(exc: BaseException, url: str, timeouts: Timeouts) -> GeminiError:
    """Translate an aiohttp failure before a reply's headers arrived into a ``GeminiError``."""
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
    first-chunk timeout, after them the idle one.
    """
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
    return StreamInterruptedError(f"the connection dropped in the middle of the reply: {exc}")


async def read_error(response: aiohttp.ClientResponse) -> APIError:
    """Read an HTTP error response (status >= 400) and turn it into the matching ``APIError``."""
    try:
        body = await response.content.read(_MAX_ERROR_BODY)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        body = b""
    finally:
        response.close()
    error = error_from_body(
        body,
        code=response.status,
        reason=response.reason or "",
        retry_after=response.headers.get("Retry-After"),
    )
    assert error is not None  # with an HTTP code there is always an error to report
    return error


def error_from_body(
    body: bytes, *, code: int | None = None, reason: str = "", retry_after: str | None = None
) -> APIError | None:
    """Map Google's ``{"error": {...}}`` body to an ``APIError``.

    With ``code`` (an HTTP error status) a body that is not Google's JSON still gives an
    error carrying an excerpt; without it (an error inside a 200 stream) such a body gives
    ``None``.
    """
    status = decode_error(body)
    if status is None:
        if code is None:
            return None
        return api_error(
            code,
            "",
            excerpt(body) if body.strip() else reason,
            (),
            body,
            parse_retry_after(retry_after),
        )
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
