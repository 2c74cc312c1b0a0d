"""Error bodies as real traffic brings them: in several reads (chunked, with pauses between
the pieces), read whole up to the cap, so the status, the message, the RetryInfo delay and
the error class all survive."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream._http import failures
from tests._loopback import serve

MODEL = "gemini-2.5-flash"
ONCE = gs.RetryPolicy(max_attempts=1)

# Written in the shape of Google's replies (pretty-printed, typed details); not captures.
QUOTA = {
    "error": {
        "code": 429,
        "message": "Quota exceeded for the input tokens per minute of this model; "
        "wait and try again, or see the rate-limit docs for your tier.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/input_token_count",
                        "quotaId": "InputTokensPerModelPerMinute-Test",
                        "quotaDimensions": {"location": "global", "model": MODEL},
                        "quotaValue": "125000",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Rate limits", "url": "https://example.invalid/"}],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "41s"},
        ],
    }
}
BAD_KEY = {
    "error": {
        "code": 400,
        "message": "The API key you passed is not valid; pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": "The API key you passed is not valid; pass a valid API key.",
            },
        ],
    }
}


def _pieces(body: bytes, count: int) -> list[bytes]:
    size = -(-len(body) // count)
    return [body[i : i + size] for i in range(0, len(body), size)]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _chunked(status: int, body: bytes, count: int = 4, **headers: str) -> Handler:
    """Answer ``status`` with ``body`` in ``count`` chunked writes, pausing between them."""

    async def answer(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(
            status=status, headers={"Content-Type": "application/json; charset=UTF-8", **headers}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for piece in _pieces(body, count):
                await response.write(piece)
                await asyncio.sleep(0.05)  # each piece in a read of its own
            await response.write_eof()
        except ConnectionError:
            pass  # the client stopped reading at the cap
        return response

    return answer


def _serve(handler: Handler) -> contextlib.AbstractAsyncContextManager[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return serve(app)


async def _errors(handler: Handler) -> list[gs.GeminiError]:
    """The errors of one ``generate`` and one ``stream`` against ``handler``."""
    found: list[gs.GeminiError] = []
    async with _serve(handler) as url, gs.Client("k", base_url=url, retry=ONCE) as client:
        for call in (
            lambda: client.generate(MODEL, "Hi"),
            lambda: client.stream(MODEL, "Hi").final_text(),
        ):
            with pytest.raises(gs.GeminiError) as info:
                await asyncio.wait_for(call(), 10)
            found.append(info.value)
    return found


def _pretty(body: Any) -> bytes:
    return json.dumps(body, indent=2).encode() + b"\n"


async def test_a_chunked_429_keeps_its_retry_delay_and_details() -> None:
    body = _pretty(QUOTA)
    for error in await _errors(_chunked(429, body)):
        assert isinstance(error, gs.RateLimitError)
        assert error.retry_delay == 41.0
        assert (error.code, error.status) == (429, "RESOURCE_EXHAUSTED")
        assert error.message == QUOTA["error"]["message"]
        assert type(error.details[0]).__name__ == "QuotaFailure"
        assert error.body == body


async def test_a_chunked_api_key_invalid_is_an_authentication_error() -> None:
    for error in await _errors(_chunked(400, _pretty(BAD_KEY), count=6)):
        assert isinstance(error, gs.AuthenticationError)
        assert error.status == "INVALID_ARGUMENT"
        assert error.message.startswith("The API key you passed is not valid")


async def test_a_chunked_list_wrapped_error_body_is_read_whole() -> None:
    for error in await _errors(_chunked(400, _pretty([BAD_KEY]), count=3)):
        assert isinstance(error, gs.AuthenticationError)


async def test_an_error_body_is_read_up_to_the_cap_and_no_further() -> None:
    cap = failures._MAX_ERROR_BODY
    page = b"<html><body>" + b"upstream proxy error " * (3 * cap // 21) + b"</body></html>"
    for error in await _errors(_chunked(502, page, count=12)):
        assert isinstance(error, gs.ServerError) and error.code == 502
        assert error.body == page[:cap]
        assert "<html><body>upstream proxy error" in error.message


async def test_an_error_body_cut_by_the_server_keeps_what_arrived() -> None:
    body = _pretty(QUOTA)

    async def answer(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(status=429, headers={"Retry-After": "9"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for piece in _pieces(body, 4)[:3]:
            await response.write(piece)
            await asyncio.sleep(0.05)
        assert request.transport is not None
        request.transport.close()  # the last piece never comes
        return response

    for error in await _errors(answer):
        assert isinstance(error, gs.RateLimitError) and error.code == 429
        assert error.retry_delay == 9.0  # the body is cut: Retry-After still counts
        assert error.body == b"".join(_pieces(body, 4)[:3])
