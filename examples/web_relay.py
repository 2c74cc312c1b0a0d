"""Relay a chat's streamed reply to a browser as Server-Sent Events (aiohttp web service).

Each browser session gets its own chat. When the browser goes away mid-reply (tab closed,
EventSource closed), aiohttp cancels the handler, which leaves ``async with chat.stream(...)``
and closes the upstream Gemini stream at once: the model stops generating, and the unfinished
turn is not committed to the chat's history.

Run: python examples/web_relay.py [--port 8080]   (uses the embedded emulator without a key)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json

from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import open_client

MODEL = "gemini-2.5-flash"
CLIENT: web.AppKey[gs.Client] = web.AppKey("client", gs.Client)
CHATS: web.AppKey[dict[str, gs.Chat]] = web.AppKey("chats", dict)

PAGE = """<!doctype html>
<meta charset="utf-8"><title>gemini-stream relay</title>
<form id="ask"><input id="message" autofocus size="60"><button>Send</button></form>
<pre id="reply"></pre>
<script>
const session = Math.random().toString(36).slice(2);
function ask(message) {
  const reply = document.getElementById("reply");
  reply.textContent = "";
  const url = `/chat?session=${session}&message=${encodeURIComponent(message)}`;
  const source = new EventSource(url);
  source.onmessage = (event) => { reply.textContent += JSON.parse(event.data).text; };
  source.addEventListener("done", () => {
    source.close();
    document.title = "done";
    if (window.onReplyDone) window.onReplyDone(reply.textContent);
  });
  source.onerror = () => source.close();
}
document.getElementById("ask").onsubmit = (event) => {
  event.preventDefault();
  ask(document.getElementById("message").value);
};
const preset = new URLSearchParams(location.search).get("ask");
if (preset) ask(preset);
</script>
"""


async def index(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


async def chat_events(request: web.Request) -> web.StreamResponse:
    """``GET /chat?session=S&message=M``: the reply to M as an SSE stream of text deltas."""
    session, message = request.query.get("session"), request.query.get("message", "")
    if not session or not message.strip():
        raise web.HTTPBadRequest(text="session and message are required")
    chats = request.app[CHATS]
    chat = chats.get(session) or chats.setdefault(session, request.app[CLIENT].chat(MODEL))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    async with chat.stream(message) as stream:
        async for text in stream.text_stream:
            await response.write(f"data: {json.dumps({'text': text})}\n\n".encode())
    await response.write(b"event: done\ndata: {}\n\n")
    return response


def make_app(client: gs.Client) -> web.Application:
    """The relay as an aiohttp application using ``client`` for the model."""
    app = web.Application()
    app[CLIENT] = client
    app[CHATS] = {}
    app.router.add_get("/", index)
    app.router.add_get("/chat", chat_events)
    return app


async def serve(port: int) -> None:
    async with open_client(chunk_delay=0.05) as client:
        # handler_cancellation: a browser that goes away cancels its handler at once.
        runner = web.AppRunner(make_app(client), handler_cancellation=True)
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
