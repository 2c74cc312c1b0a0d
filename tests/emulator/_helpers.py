"""Shared helpers for the emulator tests: URLs, requests and SSE splitting."""

from __future__ import annotations

import json
from typing import Any

KEY = {"x-goog-api-key": "test-key"}
MODEL = "gemini-2.5-flash"


def url(emulator: Any, rpc: str, model: str = MODEL, query: str = "") -> str:
    return f"{emulator.url}/v1beta/models/{model}:{rpc}{query}"


def stream_url(emulator: Any, model: str = MODEL) -> str:
    return url(emulator, "streamGenerateContent", model, "?alt=sse")


def user(text: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def split_sse(body: bytes) -> list[bytes]:
    """Split a Gemini SSE body into event payloads, checking the exact framing."""
    assert body.endswith(b"\r\n\r\n"), body[-40:]
    events = body.split(b"\r\n\r\n")[:-1]
    for event in events:
        assert event.startswith(b"data: "), event[:40]
        assert b"\n" not in event
        assert b"\r" not in event
    return [event[len(b"data: ") :] for event in events]


def google_line(obj: Any) -> bytes:
    """Google's single-line style, written independently of the emulator's writer."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ": "))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").encode()


def google_pretty(obj: Any) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").encode()


async def post(session: Any, target: str, body: Any, headers: Any = KEY) -> tuple[int, Any, bytes]:
    async with session.post(target, json=body, headers=headers) as response:
        return response.status, response.headers, await response.read()


async def stream_chunks(session: Any, emulator: Any, body: Any, **kw: Any) -> list[dict[str, Any]]:
    status, _, raw = await post(session, stream_url(emulator, **kw), body)
    assert status == 200, raw
    return [json.loads(p) for p in split_sse(raw)]
