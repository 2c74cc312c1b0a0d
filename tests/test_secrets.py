"""Secrets stay secret: the key goes only to ``base_url``'s origin (redirects are refused), no
repr or traceback shows it, aiohttp's copies of the request headers are scrubbed from the
errors we raise, the emulator's records mask it, and headers that could smuggle another
header are refused at ``Client()``."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import Emulator, RequestRecord
from tests._loopback import serve

MODEL = "gemini-2.5-flash"
KEY = "AIzaSy-SECRET-key-0123456789abcdef"
TOKEN = "ya29.SECRET-bearer-token-0123456789"
_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_BASE_URL",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
)
ONCE = gs.RetryPolicy(max_attempts=1)
REPLY = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}
    ]
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _formatted(exc: BaseException) -> str:
    """The traceback as an error tracker or ``pytest -l`` shows it: locals of every frame,
    the whole chain of causes and contexts."""
    te = traceback.TracebackException.from_exception(exc, capture_locals=True)
    return "".join(te.format())


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]


def _assert_hidden(exc: BaseException, *secrets: str) -> None:
    text = _formatted(exc)
    for e in _chain(exc):
        text += repr(e) + repr(e.args) + repr(getattr(e, "request_info", None))
        text += repr(getattr(e, "history", None))
    for secret in secrets:
        assert secret not in text


# -- redirects ------------------------------------------------------------------------------


class Elsewhere:
    """Another origin (another port): records what reaches it, answers like the API."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, {k.lower(): v for k, v in request.headers.items()}))
        return web.json_response(REPLY)


@pytest.fixture
async def elsewhere() -> AsyncIterator[tuple[Elsewhere, str]]:
    other = Elsewhere()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", other.handle)
    async with serve(app) as url:
        yield other, url


async def _redirecting(status: int, target: str, hits: list[str]) -> AsyncIterator[str]:
    async def redirect(request: web.Request) -> web.Response:
        hits.append(request.method)
        return web.Response(status=status, headers={"Location": target + request.path_qs})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    async with serve(app) as url:
        yield url


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_to_another_origin_is_refused_and_the_key_stays(
    status: int, elsewhere: tuple[Elsewhere, str]
) -> None:
    other, target = elsewhere
    hits: list[str] = []
    async for url in _redirecting(status, target, hits):
        async with gs.Client(KEY, base_url=url) as client:  # retries on, as by default
            with pytest.raises(gs.RedirectError) as info:
                await client.generate(MODEL, "Hi")
            with pytest.raises(gs.RedirectError):
                await client.stream(MODEL, "Hi").final_text()
    assert other.seen == []  # neither the key nor a POST turned GET ever went there
    assert hits == ["POST", "POST"]  # one attempt each: a redirect is never retried
    error = info.value
    assert error.code == status
    assert error.location is not None and error.location.startswith(target)
    assert str(status) in str(error) and target in str(error)
    assert isinstance(error, gs.GeminiError) and not isinstance(error, gs.APIError)
    _assert_hidden(error, KEY)


async def test_a_redirect_within_the_origin_is_refused_too() -> None:
    hits: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        hits.append(request.path)
        if request.path.startswith("/moved/"):
            return web.json_response(REPLY)
        return web.Response(status=308, headers={"Location": "/moved" + request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    async with serve(app) as url, gs.Client(KEY, base_url=url) as client:
        with pytest.raises(gs.RedirectError) as info:
            await client.generate(MODEL, "Hi")
    assert hits == [f"/v1beta/models/{MODEL}:generateContent"]
    assert info.value.code == 308 and info.value.location == f"/moved{hits[0]}"


async def test_a_vertex_token_is_not_sent_across_a_redirect_either(
    elsewhere: tuple[Elsewhere, str],
) -> None:
    other, target = elsewhere
    hits: list[str] = []
    async for url in _redirecting(307, target, hits):
        async with gs.Client(
            base_url=url, vertexai=True, project="p", token_provider=lambda: TOKEN
        ) as client:
            with pytest.raises(gs.RedirectError) as info:
                await client.generate(MODEL, "Hi")
    assert other.seen == [] and hits == ["POST"]
    _assert_hidden(info.value, TOKEN)


async def test_files_api_calls_refuse_redirects(elsewhere: tuple[Elsewhere, str]) -> None:
    other, target = elsewhere
    hits: list[str] = []
    async for url in _redirecting(302, target, hits):
        async with gs.Client(KEY, base_url=url) as client:
            with pytest.raises(gs.RedirectError):
                await client.files.get("files/abc")
            with pytest.raises(gs.RedirectError):
                await client.files.upload(b"data", mime_type="text/plain")
    assert other.seen == [] and hits == ["GET", "POST"]


# -- reprs and tracebacks -------------------------------------------------------------------


def test_reprs_of_everything_that_holds_the_key_mask_it() -> None:
    client = gs.Client(KEY, base_url="http://127.0.0.1:9", headers={"Authorization": TOKEN})
    endpoint = client._endpoint
    call = endpoint.model_call(MODEL, "generateContent", b"{}", None, None)
    upload = endpoint.url_call("http://127.0.0.1:9/upload", "files.upload", b"", None)
    for thing in (client, endpoint, endpoint.transport, endpoint.headers, call, call.headers,
                  upload, upload.headers):  # fmt: skip
        shown = repr(thing) + str(thing)
        assert KEY not in shown and TOKEN not in shown, shown
    assert "x-goog-api-key" in repr(endpoint.headers)  # masked, not hidden: it was sent
    assert call.headers["x-goog-api-key"] == KEY  # the value itself is unchanged


def test_vertex_credentials_are_masked_in_reprs() -> None:
    token = gs.AccessToken(TOKEN, time.time() + 3600, quota_project="billing")
    assert TOKEN not in repr(token) and TOKEN not in str(token) and "billing" in repr(token)
    assert token.token == TOKEN
    express = gs.Client(vertexai=True, api_key=KEY)
    assert KEY not in repr(express._endpoint.vertex) and KEY not in repr(express)
    project = gs.Client(vertexai=True, project="p", token_provider=lambda: token)
    assert project._endpoint.vertex is not None and project._endpoint.vertex.token is not None
    assert TOKEN not in repr(project._endpoint.vertex.token)


async def test_a_server_error_traceback_with_locals_never_shows_the_key(
    emulator: Emulator,
) -> None:
    async with gs.Client(KEY, base_url=emulator.url, retry=ONCE) as client:
        emulator.fail_next(1, 500)
        with pytest.raises(gs.ServerError) as generated:
            await client.generate(MODEL, "Hi")
        emulator.fail_next(1, 500)
        with pytest.raises(gs.ServerError) as streamed:
            async for _ in client.stream(MODEL, "Hi"):
                pass
    for error in (generated.value, streamed.value):
        assert "Call" in _formatted(error)  # the call's frame was formatted with its locals
        _assert_hidden(error, KEY)


async def test_a_vertex_token_never_shows_in_a_traceback(emulator: Emulator) -> None:
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=lambda: TOKEN,
        retry=ONCE,
    ) as client:  # fmt: skip
        emulator.fail_next(1, 503)
        with pytest.raises(gs.ServiceUnavailableError) as info:
            await client.generate(MODEL, "Hi")
    _assert_hidden(info.value, TOKEN)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_a_refused_connection_traceback_never_shows_the_key() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with gs.Client(KEY, base_url=url, retry=ONCE) as client:
        with pytest.raises(gs.APIConnectionError) as generated:
            await client.generate(MODEL, "Hi")
        with pytest.raises(gs.APIConnectionError) as streamed:
            await client.stream(MODEL, "Hi").final_text()
    for error in (generated.value, streamed.value):
        assert error.__cause__ is not None  # the cause is kept, scrubbed
        _assert_hidden(error, KEY)


# -- aiohttp's request_info -----------------------------------------------------------------


@pytest.fixture
async def garbled() -> AsyncIterator[str]:
    """A server whose reply aiohttp cannot parse: aiohttp raises a ClientResponseError that
    carries ``request_info`` (the request's headers, the key included)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


async def test_aiohttp_request_info_is_scrubbed_from_our_errors(garbled: str) -> None:
    async with gs.Client(KEY, base_url=garbled, retry=ONCE) as client:
        with pytest.raises(gs.APIConnectionError) as generated:
            await client.generate(MODEL, "Hi")
        with pytest.raises(gs.APIConnectionError) as streamed:
            await client.stream(MODEL, "Hi").final_text()
    for error in (generated.value, streamed.value):
        infos = [e for e in _chain(error) if getattr(e, "request_info", None) is not None]
        assert infos  # aiohttp's error is still there to say what went wrong
        for e in infos:
            headers: Any = e.request_info.headers  # type: ignore[attr-defined]
            assert KEY not in headers.values()
        _assert_hidden(error, KEY)


async def test_aiohttp_request_info_with_a_vertex_token_is_scrubbed(garbled: str) -> None:
    async with gs.Client(
        base_url=garbled, vertexai=True, project="p", token_provider=lambda: TOKEN, retry=ONCE
    ) as client:
        with pytest.raises(gs.APIConnectionError) as info:
            await client.generate(MODEL, "Hi")
    _assert_hidden(info.value, TOKEN)


# -- the emulator's records -----------------------------------------------------------------


async def test_emulator_records_mask_keys_with_a_fingerprint(emulator: Emulator) -> None:
    async with gs.Client(KEY, base_url=emulator.url) as client:
        await client.generate(MODEL, "Hi")
    async with gs.Client("another-secret-key-42", base_url=emulator.url) as client:
        await client.generate(MODEL, "Hi")
    first, second = emulator.records
    assert KEY not in repr(first) and KEY not in json.dumps(first.headers)
    assert first.api_key == first.headers["x-goog-api-key"] == RequestRecord.fingerprint(KEY)
    assert second.api_key == RequestRecord.fingerprint("another-secret-key-42")
    assert first.api_key != second.api_key


async def test_emulator_records_mask_bearer_tokens(emulator: Emulator) -> None:
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=lambda: TOKEN
    ) as client:
        await client.generate(MODEL, "Hi")
    (record,) = emulator.records
    assert TOKEN not in repr(record)
    assert record.headers["authorization"] == "Bearer " + RequestRecord.fingerprint(TOKEN)


# -- headers refused at Client() ------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"x-trace": "a\r\nx-goog-api-key: stolen"}, "x-trace"),
        ({"x-trace": "a\nb"}, "x-trace"),
        ({"x-trace": "a\rb"}, "x-trace"),
        ({"x-trace": "a\x00b"}, "x-trace"),
        ({"x-trace\r\nx-evil": "1"}, "x-trace\\r\\nx-evil"),
        ({"x trace": "1"}, "x trace"),
        ({"x-trace:": "1"}, "x-trace:"),
        ({"": "1"}, "''"),
    ],
)
def test_headers_that_http_forbids_are_refused_at_the_client(
    headers: dict[str, str], named: str
) -> None:
    with pytest.raises(ValueError, match="header") as info:
        gs.Client(KEY, headers=headers)
    assert named in str(info.value)
    assert "stolen" not in str(info.value)  # a value is never echoed (it may be a secret)


def test_header_names_and_values_must_be_strings() -> None:
    with pytest.raises(TypeError, match="x-count"):
        gs.Client(KEY, headers={"x-count": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="headers"):
        gs.Client(KEY, headers=[("x-a", "b")])  # type: ignore[arg-type]


def test_ordinary_headers_are_accepted() -> None:
    client = gs.Client(KEY, headers={"X-Trace-Id": "abc def\t1", "x-unicode": "café"})
    assert client._endpoint.headers["x-trace-id"] == "abc def\t1"
