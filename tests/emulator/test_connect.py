"""open_client: the real API with a key, an embedded emulator without one."""

from __future__ import annotations

import time

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream.emulator import open_client


async def test_without_a_key_it_starts_an_emulator_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    said: list[str] = []
    async with open_client(announce=said.append, chunk_tokens=4) as client:
        assert await client.stream("gemini-2.5-flash", "Hi").final_text()
    assert len(said) == 1
    assert said[0].startswith(
        "no GEMINI_API_KEY set: using the local emulator at http://127.0.0.1:"
    )


async def test_with_a_key_it_is_a_plain_client_unless_forced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "a-real-looking-key")
    async with open_client(announce=None) as client:
        assert isinstance(client, gs.Client)
        assert "generativelanguage.googleapis.com" in repr(client)  # nothing is sent here
    said: list[str] = []
    async with open_client(force_emulator=True, announce=said.append) as client:
        assert "127.0.0.1" in repr(client)
    assert said[0].startswith("emulator forced")


async def test_burst_writes_a_reply_in_one_piece_with_the_same_bytes() -> None:
    from gemini_stream.emulator import Emulator

    body = {"contents": [{"role": "user", "parts": [{"text": "Hi emulator:words=50"}]}]}
    path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    replies = []
    for burst in (False, True):
        async with Emulator(burst=burst) as emulator:
            async with (
                aiohttp.ClientSession() as session,
                session.post(emulator.url + path, json=body, headers={"x-goog-api-key": "k"}) as r,
            ):
                replies.append(await r.read())
            assert emulator.records[0].events_written == replies[-1].count(b"data: ")
    assert replies[0] == replies[1]


async def test_burst_answers_a_repeated_request_with_the_same_bytes_and_timing() -> None:
    """Burst replies are made once per distinct request (a memo); nothing else changes."""
    from gemini_stream.emulator import Emulator

    path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"

    def body(text: str) -> dict[str, object]:
        return {"contents": [{"role": "user", "parts": [{"text": text}]}]}

    async with (
        Emulator(burst=True, first_chunk_delay=0.2) as emulator,
        aiohttp.ClientSession() as session,
    ):

        async def post(text: str) -> tuple[bytes, float]:
            started = time.monotonic()
            async with session.post(
                emulator.url + path, json=body(text), headers={"x-goog-api-key": "k"}
            ) as response:
                return await response.read(), time.monotonic() - started

        first, _ = await post("Hi emulator:words=40")
        again, waited = await post("Hi emulator:words=40")
        other, _ = await post("Bye emulator:words=40")
        assert again == first  # the model is deterministic: the memo gives the same bytes
        assert other != first
        assert waited >= 0.2  # the first-chunk delay still applies to a remembered reply
        written = [record.events_written for record in emulator.records]
        assert written == [reply.count(b"data: ") for reply in (first, again, other)]
