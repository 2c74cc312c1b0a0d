"""``Client.aclose()`` ends the waits that no closed connection wakes: a retry's backoff, the
rate limiter, a borrowed session's request waiting for its headers, and a unary call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"
# Every wait below would last a minute or more; aclose() must end each within this bound.
WOKEN_WITHIN = 5.0


@pytest.fixture
def _real_backoff_sleeps() -> None:
    gs.set_testing(False)  # after conftest's autouse fixture turned waits off


class SlowServer:
    """``/busy``: 429 asking for a minute's wait; anything else: headers that never come."""

    def __init__(self) -> None:
        self.url = ""
        self.requests = 0
        self.came = asyncio.Event()

    async def reached(self) -> None:
        """Until a request came (and, for ``/busy``, its answer went out)."""
        await self.came.wait()
        await asyncio.sleep(0.2)


@pytest.fixture
async def slow_server() -> AsyncIterator[SlowServer]:
    server = SlowServer()

    async def handle(request: web.Request) -> web.StreamResponse:
        server.requests += 1
        server.came.set()
        if "busy" in request.path:
            return web.json_response(
                {"error": {"code": 429, "message": "busy", "status": "RESOURCE_EXHAUSTED"}},
                status=429,
                headers={"Retry-After": "60"},
            )
        await asyncio.sleep(120)
        return web.Response(status=500)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()


async def _closed_while_waiting(
    client: gs.Client, call: Callable[[], Awaitable[object]], reached: Callable[[], Awaitable[None]]
) -> None:
    """Start ``call``, let it reach its wait, close the client: the call fails at once."""
    task = asyncio.ensure_future(call())
    await asyncio.wait_for(reached(), WOKEN_WITHIN)
    assert not task.done(), task
    await client.aclose()
    with pytest.raises(gs.ClientClosedError, match="aclose"):
        await asyncio.wait_for(task, WOKEN_WITHIN)


async def _stream_text(client: gs.Client, prompt: str) -> str:
    return "".join([chunk.text async for chunk in client.stream(MODEL, prompt)])


@pytest.mark.usefixtures("_real_backoff_sleeps")
async def test_aclose_ends_a_retry_backoff_at_once(slow_server: SlowServer) -> None:
    retry = gs.RetryPolicy(max_attempts=3, max_delay=60)
    client = gs.Client("k", base_url=slow_server.url + "/busy", retry=retry)
    await _closed_while_waiting(client, lambda: _stream_text(client, "hi"), slow_server.reached)
    slow_server.requests = 0
    slow_server.came.clear()
    client = gs.Client("k", base_url=slow_server.url + "/busy", retry=retry)
    await _closed_while_waiting(client, lambda: client.generate(MODEL, "hi"), slow_server.reached)
    assert slow_server.requests == 1  # no second attempt after aclose()


async def test_aclose_ends_a_wait_for_the_rate_limiter(emulator: Emulator) -> None:
    client = gs.Client("k", base_url=emulator.url, rate_limit=gs.RateLimit(requests=1))
    assert await client.generate(MODEL, "first")  # the minute's one request

    async def reached() -> None:
        await asyncio.sleep(0.3)

    await _closed_while_waiting(client, lambda: _stream_text(client, "second"), reached)
    assert len(emulator.records) == 1  # the second was never sent


async def test_aclose_ends_a_borrowed_sessions_wait_for_the_headers(
    slow_server: SlowServer,
) -> None:
    async with aiohttp.ClientSession() as session:
        client = gs.Client("k", base_url=slow_server.url, session=session)
        await _closed_while_waiting(client, lambda: _stream_text(client, "hi"), slow_server.reached)
        assert not session.closed  # borrowed: left open for its owner


async def test_aclose_fails_a_unary_call_waiting_for_its_headers_as_closed(
    slow_server: SlowServer,
) -> None:
    client = gs.Client("k", base_url=slow_server.url, retry=gs.RetryPolicy(max_attempts=1))
    await _closed_while_waiting(client, lambda: client.generate(MODEL, "hi"), slow_server.reached)


async def test_a_call_that_finished_first_keeps_its_result(emulator: Emulator) -> None:
    async with gs.Client("k", base_url=emulator.url) as client:
        transport = client._endpoint.transport
        assert await transport.unless_closed(asyncio.sleep(0, "done")) == "done"
        with pytest.raises(ValueError, match="boom"):
            await transport.unless_closed(_fails())


async def _fails() -> None:
    raise ValueError("boom")
