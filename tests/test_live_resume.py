"""Live sessions survive their connections: a session cut at every message index resumes
with nothing lost or repeated; ``goAway`` moves it at a turn boundary; handles resume an
earlier session; attempts are bounded."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator
from gemini_stream.emulator._live_model import silence, tone

MODEL = "gemini-3.1-flash-live-preview"
TEXT = {"response_modalities": ["TEXT"]}
_CONNECTION_MESSAGES = ("session_resumption_update", "go_away")


def get_weather(city: str) -> dict[str, str]:
    """The weather in a city."""
    return {"city": city, "sky": "clear"}


async def conversation(client: gs.Client, **options: Any) -> tuple[list[bytes], int, int]:
    """Three turns (one runs a tool): the content messages as bytes, how many messages
    the loop saw in all, and the session's reconnections."""
    seen = 0
    content: list[bytes] = []
    async with client.live.connect(MODEL, config=TEXT, tools=[get_weather], **options) as s:
        for prompt in ("Hello", "Please call get_weather", "Goodbye"):
            await s.send_text(prompt)
            async for message in s:
                seen += 1
                if message.kind not in _CONNECTION_MESSAGES:
                    content.append(msgspec.json.encode(message))
                if message.turn_complete:
                    break
        return content, seen, s.reconnects


async def test_a_session_cut_at_every_message_resumes_with_nothing_lost_or_repeated(
    client: gs.Client, emulator: Emulator
) -> None:
    expected, seen, reconnects = await conversation(client)
    assert reconnects == 0 and seen > 30
    sent = emulator.live.frames_sent
    for cut in range(sent):
        emulator.live.drop_next(cut)  # the first connection drops after `cut` frames
        got, _, reconnects = await asyncio.wait_for(conversation(client), 20)
        assert got == expected, f"cut after {cut} frames"
        if cut < sent - 1:  # the last frame follows the last turn, which the loop leaves
            assert reconnects == 1, f"cut after {cut} frames"
    # Every session closed its last socket cleanly (the last cut's socket was the dropped one).
    assert emulator.live.close_codes.count(1000) >= sent


async def test_an_audio_session_cut_at_every_message_resumes(
    client: gs.Client, emulator: Emulator
) -> None:
    async def talk() -> tuple[bytes, str, str, int]:
        async with client.live.connect(
            MODEL, input_transcription=True, output_transcription=True
        ) as session:
            await session.send_audio(tone(0.3))
            await session.send_audio(silence(0.1))
            audio, heard, said = b"", "", ""
            async for message in session:
                audio += message.audio
                heard += message.input_transcription
                said += message.output_transcription
                if message.turn_complete:
                    return audio, heard, said, session.reconnects
        raise AssertionError("no turn")

    audio, heard, said, _ = await talk()
    assert heard == "[speech 0.30s]" and said.endswith('"[speech 0.30s]".') and audio
    start = emulator.live.frames_sent
    await talk()
    frames = emulator.live.frames_sent - start
    for cut in range(frames):
        emulator.live.drop_next(cut)
        again = await asyncio.wait_for(talk(), 20)
        assert again[:3] == (audio, heard, said), f"cut after {cut} frames"
        assert again[3] == (1 if cut < frames - 1 else again[3]), f"cut after {cut} frames"


async def test_go_away_moves_the_session_at_a_turn_boundary(
    client: gs.Client, emulator: Emulator
) -> None:
    expected, _, _ = await conversation(client)
    emulator.live.go_away_after = 0.05
    emulator.live.go_away_time_left = 30  # the move happens well before the cut
    emulator.live.frame_delay = 0.01
    kinds: list[str] = []
    content: list[bytes] = []
    async with client.live.connect(MODEL, config=TEXT, tools=[get_weather]) as session:
        for prompt in ("Hello", "Please call get_weather", "Goodbye"):
            await session.send_text(prompt)
            async for message in session:
                kinds.append(message.kind)
                if message.kind not in _CONNECTION_MESSAGES:
                    content.append(msgspec.json.encode(message))
                if message.turn_complete:
                    break
        reconnects = session.reconnects
    assert content == expected
    assert "go_away" in kinds  # the user sees it, and nothing else changes
    assert reconnects >= 1
    assert 1000 in emulator.live.close_codes[:-1]  # the old connection was closed by us


async def test_the_connection_time_limit_cut_resumes(client: gs.Client, emulator: Emulator) -> None:
    expected, _, _ = await conversation(client)
    emulator.live.go_away_after = 0.15  # each connection lasts 0.16 s,
    emulator.live.go_away_time_left = 0.01  # so the cuts fall in the middle of turns
    emulator.live.frame_delay = 0.005
    got, _, reconnects = await asyncio.wait_for(conversation(client), 30)
    assert got == expected and reconnects >= 1


async def test_a_handle_resumes_an_earlier_session(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT) as first:
        await first.send_text("My name is Ada")
        async for _ in first.text_stream():
            pass
        async for message in first:  # the handle after the turn
            if message.kind == "session_resumption_update":
                break
        handle = first.handle
    assert handle
    async with client.live.connect(MODEL, config=TEXT, resumption=handle) as second:
        await second.send_text("What is my name?")
        text = "".join([t async for t in second.text_stream()])
    assert 'I saw 2 user turns and 1 model turn. The first user message was "My name is Ada"' in (
        text
    )


async def test_an_unknown_handle_is_a_bad_request(client: gs.Client) -> None:
    with pytest.raises(gs.BadRequestError, match="resumption handle") as info:
        async with client.live.connect(MODEL, resumption="no-such-handle"):
            pass
    assert info.value.close_code == 1007


async def test_reconnection_attempts_are_bounded(client: gs.Client, emulator: Emulator) -> None:
    emulator.live.drop_next(2)  # the first connection drops after two frames,
    emulator.live.drop_next(0, times=10)  # and every new one right after setupComplete
    async with client.live.connect(MODEL, config=TEXT, max_reconnects=3) as session:
        await session.send_text("Hello")
        # A connection dropped right after setupComplete ends either after it opened (it
        # counts as a connection that delivered nothing) or while the client still writes
        # to it (a failed attempt to reconnect): both are bounded by max_reconnects.
        bounded = "4 connections in a row|resuming the session failed after 3 attempts"
        with pytest.raises(gs.StreamInterruptedError, match=bounded):
            async for _ in session:
                pass
    assert emulator.live.connections == 4  # the first and three more


async def test_a_failing_reconnection_is_retried_then_bounded(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.drop_next(2)
    async with client.live.connect(MODEL, config=TEXT, max_reconnects=2) as session:
        emulator.live.go_away_after = None
        await session.send_text("Hello")
        await emulator.close()  # nothing listens any more: each attempt fails to connect
        with pytest.raises(gs.StreamInterruptedError, match="after 2 attempts"):
            async for _ in session:
                pass


async def test_a_server_error_that_is_not_retryable_ends_the_session(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.close_next(1008, "Requested entity was not found.", after=3)
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        with pytest.raises(gs.NotFoundError):
            async for _ in session:
                pass
    assert emulator.live.connections == 1  # not retried


async def test_input_sent_while_the_connection_is_down_is_not_lost(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.frame_delay = 0.02
    emulator.live.drop_next(3)  # in the middle of the first turn
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("one")
        await session.send_text("two")  # queued on the server behind the first turn
        texts = []
        for _ in range(2):
            texts.append("".join([t async for t in session.text_stream()]))
        await session.send_text("three")  # maybe on the new connection, maybe while moving
        texts.append("".join([t async for t in session.text_stream()]))
        assert session.reconnects == 1
    assert texts[0].endswith('the last user message was "one".')
    assert texts[1].endswith('the last user message was "two".')
    assert "I saw 3 user turns and 2 model turns" in texts[2]


async def test_closing_the_client_ends_its_sessions_without_reconnecting(
    emulator: Emulator,
) -> None:
    client = gs.Client(base_url=emulator.url, api_key="k")
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        await session.__anext__()
        await client.aclose()
        with pytest.raises(gs.ClientClosedError):
            async for _ in session:
                pass
        with pytest.raises(gs.ClientClosedError):
            await session.send_text("again")
    assert emulator.live.connections == 1


async def test_a_resumed_turn_that_differs_is_marked_interrupted_then_given_whole(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.frame_delay = 0.5  # the first connection speaks slowly,
    emulator.live.drop_next(2)  # and drops after the handle and one piece of text
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        messages: list[gs.LiveMessage] = []
        async for message in session:
            if message.kind == "session_resumption_update":
                continue
            messages.append(message)
            if len(messages) == 1:
                # A real model answers a resumed turn anew, not word for word: here the
                # resumed connection cuts its answer into other pieces.
                emulator.live.chunk_tokens = 5
                emulator.live.frame_delay = 0
            if message.turn_complete:
                break
        assert session.reconnects == 1
    first, marker, *rest = messages
    assert first.text and marker.interrupted and not marker.text
    assert [m.interrupted for m in rest].count(True) == 0
    assert "".join(m.text for m in rest) == (
        f"I am the gemini-stream emulator running {MODEL}. I saw 1 user turn and 0 model "
        'turns. The first user message was "Hello" and the last user message was "Hello".'
    )
    assert rest[0].text != first.text  # the new answer, from its start
