"""The cap on a reply's size: an endless reply ends with ``ReplyTooLargeError`` and what came,
for ``client.stream``, chats and ``stream_many``; the setting is checked; the default is big."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import gemini_stream as gs

MODEL = "gemini-2.5-flash"
CAP = 64 * 1024
_EVENT = (
    b"data: "
    + json.dumps(
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "blah " * 40}]}}]}
    ).encode()
    + b"\r\n\r\n"
)


class _Endless:
    """A server whose replies never end: events as fast as the client takes them."""

    def __init__(self) -> None:
        self.sent: list[int] = []  # bytes written per reply, once the client went away

    async def answer(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        sent = 0
        try:
            while True:
                await response.write(_EVENT)
                sent += len(_EVENT)
                await asyncio.sleep(0)
        except (ConnectionError, asyncio.CancelledError):
            self.sent.append(sent)
            raise


@contextlib.asynccontextmanager
async def _endless_server() -> AsyncIterator[tuple[str, _Endless]]:
    endless = _Endless()
    app = web.Application()
    app.router.add_post("/v1beta/models/{name}", endless.answer)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", endless
    finally:
        await runner.cleanup()


def _check(error: BaseException | None, seen: str) -> None:
    assert isinstance(error, gs.ReplyTooLargeError), error
    assert str(CAP) in str(error) and "max_reply_bytes" in str(error)
    assert error.partial is not None
    text = error.partial.text
    assert text.startswith(seen) and text.startswith("blah blah")
    assert CAP // 2 < len(text) < 4 * CAP  # what came before the cap is kept, and no more


async def test_an_endless_reply_ends_at_the_cap_with_what_came() -> None:
    async with (
        _endless_server() as (url, endless),
        gs.Client("k", base_url=url, max_reply_bytes=CAP) as client,
    ):
        seen = ""
        with pytest.raises(gs.ReplyTooLargeError) as info:
            async for chunk in client.stream(MODEL, "Hi"):
                seen += chunk.text
        _check(info.value, seen)
        for _ in range(100):  # the server sees the client go away
            if endless.sent:
                break
            await asyncio.sleep(0.01)
        assert endless.sent and endless.sent[0] < 100 * CAP


async def test_the_cap_holds_for_chats_and_stream_many() -> None:
    async with (
        _endless_server() as (url, _),
        gs.Client("k", base_url=url, max_reply_bytes=CAP) as client,
    ):
        chat = client.chat(MODEL)
        with pytest.raises(gs.ReplyTooLargeError) as info:
            await chat.send("Hi")
        _check(info.value, "")
        assert chat.history == []  # a reply cut short is not committed
        async with client.stream_many([gs.Request(MODEL, "Hi")] * 3) as results:
            errors = [item.error async for item in results if item.kind == "error"]
        assert len(errors) == 3
        for error in errors:
            _check(error, "")


@pytest.mark.parametrize(
    ("value", "kind", "match"),
    [
        (0, ValueError, "max_reply_bytes must be positive, got 0"),
        (-5, ValueError, "got -5"),
        ("big", TypeError, "max_reply_bytes must be an int or None, got 'big'"),
        (1.5, TypeError, "got 1.5"),
        (True, TypeError, "got True"),
    ],
)
def test_a_bad_cap_is_refused_naming_it(value: object, kind: type[Exception], match: str) -> None:
    with pytest.raises(kind, match=match):
        gs.Client("k", max_reply_bytes=value)  # type: ignore[arg-type]


async def test_the_default_cap_is_generous_and_none_lifts_it() -> None:
    async with _endless_server() as (url, _):
        async with gs.Client("k", base_url=url) as client:
            assert client.max_reply_bytes == 256 * 1024 * 1024
        async with gs.Client("k", base_url=url, max_reply_bytes=None) as client:
            assert client.max_reply_bytes is None
            received = 0
            async for chunk in client.stream(MODEL, "Hi"):
                received += len(chunk.text)
                if received > 4 * CAP:  # well past the small cap: nothing stopped it
                    break
