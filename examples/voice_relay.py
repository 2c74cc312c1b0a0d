"""A voice relay: a browser page captures the microphone and plays the model's speech, and this
small aiohttp server holds the Live API session for it, opened with an ephemeral token.

Per visitor, the server mints a one-use token with its API key (as a backend does before it
hands a token to a browser or a phone) and opens the live session with that token; the page
sends 16 kHz microphone PCM up its WebSocket and gets 24 kHz speech back, with transcripts.
When the user speaks over the model, the page drops the speech it has not played yet.

Run: python examples/voice_relay.py [--port 8080]   (uses the embedded emulator without a key)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import anyio
from aiohttp import WSMsgType, web

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-3.1-flash-live-preview"
CLIENT: web.AppKey[gs.Client] = web.AppKey("client", gs.Client)
BASE_URL: web.AppKey[str] = web.AppKey("base_url", str)

PAGE = """<!doctype html>
<meta charset="utf-8"><title>gemini-stream voice relay</title>
<button id="start">Talk</button> <span id="state"></span>
<pre id="log"></pre>
<script>
const state = {audioBytes: 0, micBytes: 0, heard: "", said: "", turns: 0};
const show = () => {
  document.getElementById("log").textContent = JSON.stringify(state);
};
const speaker = new AudioContext({sampleRate: 24000});
let playAt = 0, playing = [];
function play(buffer) {                       // 16-bit PCM, 24 kHz mono
  const pcm = new Int16Array(buffer);
  const audio = speaker.createBuffer(1, pcm.length, 24000);
  const samples = audio.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
  const source = speaker.createBufferSource();
  source.buffer = audio;
  source.connect(speaker.destination);
  playAt = Math.max(playAt, speaker.currentTime);
  source.start(playAt);
  playAt += audio.duration;
  playing.push(source);
}
function stopPlayback() { playing.forEach((s) => s.stop()); playing = []; playAt = 0; }

async function talk(seconds) {
  const ws = new WebSocket(`ws://${location.host}/relay`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (event) => {
    if (typeof event.data !== "string") {
      state.audioBytes += event.data.byteLength;
      play(event.data);
    } else {
      const message = JSON.parse(event.data);
      state.heard += message.heard || "";
      state.said += message.said || "";
      if (message.interrupted) stopPlayback();
      if (message.turn_complete) { state.turns += 1; document.title = "done"; }
    }
    show();
  };
  await new Promise((resolve) => { ws.onopen = resolve; });
  const microphone = new AudioContext({sampleRate: 16000});
  const stream = await navigator.mediaDevices.getUserMedia({audio: true});
  const input = microphone.createMediaStreamSource(stream);
  const node = microphone.createScriptProcessor(2048, 1, 1);   // 128 ms at 16 kHz
  let sending = true;
  node.onaudioprocess = (event) => {
    if (!sending || ws.readyState !== WebSocket.OPEN) return;
    const samples = event.inputBuffer.getChannelData(0);
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i++) {
      pcm[i] = Math.max(-1, Math.min(1, samples[i])) * 32767;
    }
    state.micBytes += pcm.byteLength;
    ws.send(pcm.buffer);
  };
  input.connect(node);
  node.connect(microphone.destination);
  document.getElementById("state").textContent = "listening";
  if (seconds) {                               // a test: speak a while, then pause the mic
    setTimeout(() => {
      sending = false;
      ws.send(JSON.stringify({mic: "paused"}));
      document.getElementById("state").textContent = "paused";
    }, seconds * 1000);
  }
}
document.getElementById("start").onclick = () => talk(0);
const preset = new URLSearchParams(location.search).get("talk");
if (preset) talk(Number(preset));
</script>
"""


async def index(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


async def relay(request: web.Request) -> web.WebSocketResponse:
    """``GET /relay`` (WebSocket): binary frames are microphone PCM, the text ``{"mic":
    "paused"}`` pauses it; speech comes back as binary frames, the rest as JSON."""
    browser = web.WebSocketResponse()
    await browser.prepare(request)
    backend = request.app[CLIENT]
    token = await backend.live.create_token(uses=1, expire_time=600)
    async with (
        gs.Client(base_url=request.app[BASE_URL], ephemeral_token=token.name) as client,
        client.live.connect(MODEL, input_transcription=True, output_transcription=True) as live,
        anyio.create_task_group() as group,
    ):

        async def to_browser() -> None:
            async for message in live:
                if message.audio:
                    await browser.send_bytes(message.audio)
                update = {
                    "heard": message.input_transcription,
                    "said": message.output_transcription,
                    "interrupted": message.interrupted,
                    "turn_complete": message.turn_complete,
                }
                if any(update.values()):
                    await browser.send_json(update)

        group.start_soon(to_browser)
        async for frame in browser:
            if frame.type == WSMsgType.BINARY:
                await live.send_audio(frame.data)
            elif frame.type == WSMsgType.TEXT and "paused" in frame.data:
                await live.send_realtime(audio_stream_end=True)
        group.cancel_scope.cancel()  # the browser left: close the live session too
    return browser


def make_app(client: gs.Client, base_url: str) -> web.Application:
    """The relay: ``client`` (holding the API key) mints the tokens, for ``base_url``."""
    app = web.Application()
    app[CLIENT] = client
    app[BASE_URL] = base_url
    app.router.add_get("/", index)
    app.router.add_get("/relay", relay)
    return app


@contextlib.asynccontextmanager
async def backend() -> AsyncIterator[tuple[gs.Client, str]]:
    """The real API with ``GEMINI_API_KEY``, else an embedded emulator."""
    if os.environ.get("GEMINI_API_KEY"):
        async with gs.Client() as client:
            yield client, "https://generativelanguage.googleapis.com"
        return
    async with Emulator() as emulator, gs.Client(base_url=emulator.url, api_key="k") as client:
        print(f"no GEMINI_API_KEY set: using the local emulator at {emulator.url}")
        yield client, emulator.url


async def serve(port: int) -> None:
    async with backend() as (client, base_url):
        runner = web.AppRunner(make_app(client, base_url), handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(f"Open http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args().port))
