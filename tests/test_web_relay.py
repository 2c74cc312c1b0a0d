"""The web relay example: SSE to a browser, per-session chats, and upstream closing on disconnect.

The last test drives the example's own page in headless Chromium (Debian's package, which
``.ci/run`` installs) through the DevTools protocol and reads the relayed reply off the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import aiohttp
import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import Emulator, expected_text

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "web_relay.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_relay", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_relay"] = module
    spec.loader.exec_module(module)
    return module


relay = _load_example()


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    return {"chunk_delay": 0.005}


@pytest.fixture
async def relay_url(client: gs.Client) -> AsyncIterator[str]:
    runner = web.AppRunner(relay.make_app(client), handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def _relayed(session: aiohttp.ClientSession, url: str) -> tuple[str, bool]:
    texts, done = [], False
    async with session.get(url) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        async for event in gs.sse.aiter_events(response.content.iter_any()):
            if event.event == "done":
                done = True
            else:
                texts.append(json.loads(event.data)["text"])
    return "".join(texts), done


def _request(*turns: str) -> dict[str, object]:
    return {"contents": [{"role": "user", "parts": [{"text": t}]} for t in turns]}


async def test_relays_the_reply_and_keeps_one_chat_per_session(relay_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        first, done = await _relayed(session, f"{relay_url}/chat?session=a&message=Hello")
        assert done
        assert first == expected_text(_request("Hello"), relay.MODEL)
        second, _ = await _relayed(session, f"{relay_url}/chat?session=a&message=Again")
        assert "I saw 2 user turns and 1 model turn" in second
        other, _ = await _relayed(session, f"{relay_url}/chat?session=b&message=Hi")
        assert "I saw 1 user turn and 0 model turns" in other


async def test_a_browser_leaving_closes_the_upstream_stream(
    relay_url: str, emulator: Emulator
) -> None:
    message = "Long story emulator:words=400"
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{relay_url}/chat?session=c&message={message}") as response,
    ):
        await response.content.readuntil(b"\n\n")  # one relayed event, then go away
    record = await emulator.wait_for_disconnect(timeout=2)
    assert record.disconnected
    assert record.events_written < 40  # generation stopped long before the reply's end


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _page_state(session: aiohttp.ClientSession, debug_port: int) -> tuple[str, str]:
    async with session.get(f"http://127.0.0.1:{debug_port}/json/list") as response:
        pages = [p for p in await response.json() if p.get("type") == "page"]
    async with session.ws_connect(pages[0]["webSocketDebuggerUrl"]) as ws:
        expression = "[document.title, document.getElementById('reply').textContent]"
        await ws.send_json(
            {
                "id": 1,
                "method": "Runtime.evaluate",
                "params": {"expression": expression, "returnByValue": True},
            }
        )
        reply = await ws.receive_json(timeout=5)
    title, text = reply["result"]["result"]["value"]
    return title, text


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with ``start_new_session=True`` and every process of its group."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # helpers that outlived the browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"),
    reason="headless Chromium is not installed here (.ci/run installs it)",
)
async def test_headless_chromium_receives_the_relayed_stream(relay_url: str) -> None:
    browser = _chromium()
    assert browser is not None, "CI must have Chromium: .ci/run installs Debian's package"
    debug_port = _free_port()
    # Chromium's helper processes can still write to the profile as the browser exits: the
    # whole process group is stopped, and a file left behind does not fail the test.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(  # noqa: ASYNC220 - the browser runs beside the test
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={debug_port}",
                f"{relay_url}/?ask=Hello%20from%20Chromium",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, helpers included
        )
        try:
            title, text = "", ""
            async with aiohttp.ClientSession() as session:
                for _ in range(150):
                    await asyncio.sleep(0.1)
                    try:
                        title, text = await _page_state(session, debug_port)
                    except (aiohttp.ClientError, KeyError, IndexError):
                        continue  # the browser is still starting
                    if title == "done":
                        break
        finally:
            _stop_group(process)
    assert title == "done"
    assert text == expected_text(_request("Hello from Chromium"), relay.MODEL)
