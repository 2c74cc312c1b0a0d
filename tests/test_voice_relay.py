"""The voice relay example: microphone PCM up a WebSocket, the model's speech back, through a
live session the server opens with an ephemeral token; then the page itself in headless
Chromium with a fake microphone."""

from __future__ import annotations

import asyncio
import importlib.util
import json
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
from gemini_stream.emulator import Emulator
from gemini_stream.emulator._live_model import tone
from tests.test_web_relay import _chromium, _free_port, _stop_group

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "voice_relay.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("voice_relay", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["voice_relay"] = module
    spec.loader.exec_module(module)
    return module


voice = _load_example()


@pytest.fixture
async def relay_url(client: gs.Client, emulator: Emulator) -> AsyncIterator[str]:
    runner = web.AppRunner(voice.make_app(client, emulator.url), handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_microphone_audio_is_relayed_and_answered_with_speech(
    relay_url: str, emulator: Emulator
) -> None:
    heard, said, audio = "", "", 0
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{relay_url}/relay") as ws:
        for _ in range(4):
            await ws.send_bytes(tone(0.1))
        await ws.send_str(json.dumps({"mic": "paused"}))
        while True:
            frame = await asyncio.wait_for(ws.receive(), 10)
            if frame.type == aiohttp.WSMsgType.BINARY:
                audio += len(frame.data)
                continue
            update = json.loads(frame.data)
            heard += update["heard"]
            said += update["said"]
            if update["turn_complete"]:
                break
    assert heard == "[speech 0.40s]"
    assert said.endswith('the last user message was "[speech 0.40s]".')
    assert audio > 0 and audio % 2 == 0
    assert len(emulator.live.tokens) == 1  # minted for this visitor, and used up
    live = [r for r in emulator.records if r.rpc == "BidiGenerateContentConstrained"]
    assert len(live) == 1 and "x-goog-api-key" not in live[0].headers


async def _page_log(session: aiohttp.ClientSession, debug_port: int) -> tuple[str, str]:
    async with session.get(f"http://127.0.0.1:{debug_port}/json/list") as response:
        pages = [p for p in await response.json() if p.get("type") == "page"]
    async with session.ws_connect(pages[0]["webSocketDebuggerUrl"]) as ws:
        expression = "[document.title, document.getElementById('log').textContent]"
        params = {"expression": expression, "returnByValue": True}
        await ws.send_json({"id": 1, "method": "Runtime.evaluate", "params": params})
        reply = await ws.receive_json(timeout=5)
    title, log = reply["result"]["result"]["value"]
    return title, log


@pytest.mark.skipif(
    _chromium() is None,
    reason="headless Chromium is not installed here (.ci/run installs it)",
)
async def test_headless_chromium_talks_through_a_fake_microphone(relay_url: str) -> None:
    browser = _chromium()
    assert browser is not None
    debug_port = _free_port()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(  # noqa: ASYNC220 - the browser runs beside the test
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-device-for-media-stream",  # a microphone that beeps
                "--use-fake-ui-for-media-stream",  # no permission prompt
                "--autoplay-policy=no-user-gesture-required",
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={debug_port}",
                f"{relay_url}/?talk=1.5",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            title, log = "", ""
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    await asyncio.sleep(0.1)
                    try:
                        title, log = await _page_log(session, debug_port)
                    except (aiohttp.ClientError, KeyError, IndexError):
                        continue
                    if title == "done":
                        break
        finally:
            _stop_group(process)
    assert title == "done", log
    state = json.loads(log)
    assert state["micBytes"] > 0  # the fake microphone was captured and sent
    assert state["heard"].startswith("[speech ")  # and the model heard it
    assert state["audioBytes"] > 0 and state["said"]  # its speech came back to the page
