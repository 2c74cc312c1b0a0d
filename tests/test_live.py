"""The Live API client against the emulator: turns, audio, transcriptions, interruption,
tools, closing codes, errors and backpressure (``gemini_stream/_live/``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream.emulator import Emulator
from gemini_stream.emulator._live_model import expected_pcm_bytes, silence, tone

MODEL = "gemini-3.1-flash-live-preview"
TEXT = {"response_modalities": ["TEXT"]}


def answer(count: int, first: str, last: str, models: int = 0) -> str:
    users = "1 user turn" if count == 1 else f"{count} user turns"
    turns = "1 model turn" if models == 1 else f"{models} model turns"
    return (
        f"I am the gemini-stream emulator running {MODEL}. I saw {users} and {turns}. "
        f'The first user message was "{first}" and the last user message was "{last}".'
    )


async def turn(session: Any) -> list[gs.LiveMessage]:
    """The messages of one model turn, up to turnComplete."""
    out = []
    async for message in session:
        out.append(message)
        if message.turn_complete:
            return out
    raise AssertionError("the session ended inside a turn")


async def test_a_text_turn_streams_the_models_answer(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        pieces = [text async for text in session.text_stream()]
        assert len(pieces) > 1  # streamed in pieces, not one block
        assert "".join(pieces) == answer(1, "Hello", "Hello")
        await session.send_text("Again")
        messages = await asyncio.wait_for(turn(session), 10)
    text = "".join(m.text for m in messages)
    assert text == answer(2, "Hello", "Again", models=1)  # the session kept the history
    kinds = [m.kind for m in messages]
    assert kinds[-1] == "server_content" and messages[-1].turn_complete
    assert "usage" in kinds
    usage = next(m.usage_metadata for m in messages if m.usage_metadata is not None)
    assert usage.response_token_count and usage.total_token_count
    assert messages[-2].kind == "usage" or any(m.generation_complete for m in messages)


async def test_setup_carries_the_system_instruction_and_history(client: gs.Client) -> None:
    history = [
        gs.Content(role="user", parts=[gs.Part(text="My name is Ada.")]),
        gs.Content(role="model", parts=[gs.Part(text="Nice to meet you, Ada.")]),
    ]
    async with client.live.connect(
        MODEL, config=TEXT, system_instruction="Be brief", history=history
    ) as session:
        await session.send_text("What is my name?")
        text = "".join([t async for t in session.text_stream()])
    assert text == (
        answer(2, "My name is Ada.", "What is my name?", models=1)
        + ' The system instruction was "Be brief".'
    )


async def test_an_audio_turn_is_24khz_pcm_of_the_right_length(
    client: gs.Client, emulator: Emulator
) -> None:
    async with client.live.connect(MODEL, output_transcription=True) as session:
        await session.send_text("Hello")
        messages = await asyncio.wait_for(turn(session), 10)
    expected = answer(1, "Hello", "Hello")
    audio = b"".join(m.audio for m in messages)
    assert len(audio) == expected_pcm_bytes(expected, emulator.model.chunk_tokens)
    assert any(audio)
    blobs = [
        p.inline_data
        for m in messages
        if m.server_content and m.server_content.model_turn
        for p in m.server_content.model_turn.parts
        if p.inline_data
    ]
    assert {b.mime_type for b in blobs} == {"audio/pcm;rate=24000"}
    assert "".join(m.output_transcription for m in messages) == expected
    assert [m.generation_complete for m in messages].count(True) == 1


async def test_audio_stream_and_transcribed_text_stream(client: gs.Client) -> None:
    async with client.live.connect(MODEL, output_transcription=True) as session:
        await session.send_text("Hi")
        chunks = [c async for c in session.audio_stream()]
        await session.send_text("Hi again")
        text = "".join([t async for t in session.text_stream()])
    assert len(chunks) > 1 and all(len(c) % 2 == 0 for c in chunks)
    assert text == answer(2, "Hi", "Hi again", models=1)  # the transcript, in AUDIO mode


async def test_user_audio_is_transcribed_and_answered(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT, input_transcription=True) as session:
        for _ in range(5):
            await session.send_audio(tone(0.1))  # 100 ms chunks of speech
        await session.send_audio(silence(0.1))  # the end of the utterance
        messages = await asyncio.wait_for(turn(session), 10)
    transcripts = [m.input_transcription for m in messages if m.input_transcription]
    assert transcripts == ["[speech 0.50s]"]
    assert "".join(m.text for m in messages) == answer(1, "[speech 0.50s]", "[speech 0.50s]")


async def test_audio_stream_end_ends_the_utterance(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_realtime(audio=tone(0.25))
        await session.send_realtime(audio_stream_end=True)
        text = "".join([t async for t in session.text_stream()])
    assert text == answer(1, "[speech 0.25s]", "[speech 0.25s]")


async def test_speech_during_a_turn_interrupts_it(client: gs.Client, emulator: Emulator) -> None:
    emulator.live.frame_delay = 0.05  # a turn that takes a while to speak
    async with client.live.connect(MODEL, output_transcription=True) as session:
        await session.send_text("Tell me a long story")
        first = await asyncio.wait_for(session.__anext__(), 10)
        assert first.kind == "session_resumption_update"  # the handle after setup
        async for message in session:
            if message.audio:
                break  # the model is speaking: barge in
        await session.send_audio(tone(0.2))
        rest = await asyncio.wait_for(turn(session), 10)
        assert [m.interrupted for m in rest].count(True) == 1
        assert not any(m.generation_complete for m in rest)  # it did not finish
        await session.send_audio(silence(0.1))  # the interruption becomes the next turn
        emulator.live.frame_delay = 0
        text = "".join([t.output_transcription async for t in _until_turn_end(session)])
    assert text == answer(2, "Tell me a long story", "[speech 0.20s]")


async def _until_turn_end(session: Any) -> AsyncIterator[gs.LiveMessage]:
    async for message in session:
        yield message
        if message.turn_complete:
            return


def get_weather(city: str) -> dict[str, str]:
    """The weather in a city.

    Args:
        city: the city's name.
    """
    return {"city": city, "sky": "clear"}


async def test_python_tools_run_automatically(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT, tools=[get_weather]) as session:
        await session.send_text("Please call get_weather")
        messages = await asyncio.wait_for(turn(session), 10)
    calls = [c for m in messages for c in m.function_calls]
    assert [c.name for c in calls] == ["get_weather"]  # the call is shown to the user too
    text = "".join(m.text for m in messages)
    args = calls[0].args or {}
    result = json.dumps({"city": args["city"], "sky": "clear"})
    assert text.startswith(f"The function get_weather returned {result}.")


async def test_declared_functions_are_answered_by_the_user(client: gs.Client) -> None:
    declaration = {"name": "turn_on_the_lights", "description": "Turn on the lights."}
    async with client.live.connect(MODEL, config=TEXT, tools=[declaration]) as session:
        await session.send_text("turn_on_the_lights please")
        async for message in session:
            if message.tool_call is not None:
                break
        (call,) = message.function_calls
        await session.send_tool_response(
            {"id": call.id, "name": call.name, "response": {"result": "ok"}}
        )
        text = "".join([t async for t in session.text_stream()])
    assert text.startswith('The function turn_on_the_lights returned {"result": "ok"}.')


async def test_an_interruption_cancels_a_running_tool(
    client: gs.Client, emulator: Emulator
) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def get_weather(city: str) -> str:
        """The weather in a city."""
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "sunny"

    async with client.live.connect(MODEL, config=TEXT, tools=[get_weather]) as session:
        await session.send_text("get_weather for Paris")
        await asyncio.wait_for(started.wait(), 10)
        await session.send_audio(tone(0.1))  # the user speaks while the tool runs
        messages = await asyncio.wait_for(turn(session), 10)
        await asyncio.wait_for(cancelled.wait(), 10)
    kinds = [m.kind for m in messages]
    assert "tool_call_cancellation" in kinds
    assert messages[-2].interrupted


# -- closing -------------------------------------------------------------------------------


async def test_leaving_the_block_closes_with_1000(client: gs.Client, emulator: Emulator) -> None:
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        await session.__anext__()
    await emulator.wait_idle(10)
    assert emulator.live.close_codes == [1000]
    with pytest.raises(gs.StreamConsumedError):
        await session.send_text("late")


async def test_an_error_in_the_block_closes_with_1011_and_propagates(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.raises(KeyError, match="mine"):
        async with client.live.connect(MODEL, config=TEXT) as session:
            await session.send_text("Hello")
            raise KeyError("mine")
    await emulator.wait_idle(10)
    assert emulator.live.close_codes == [1011]


async def test_cancelling_closes_at_once_with_1001(client: gs.Client, emulator: Emulator) -> None:
    emulator.live.frame_delay = 0.5
    inside = asyncio.Event()

    async def talk() -> None:
        async with client.live.connect(MODEL, config=TEXT) as session:
            await session.send_text("Hello")
            inside.set()
            async for _ in session:
                pass

    task = asyncio.ensure_future(talk())
    await asyncio.wait_for(inside.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await emulator.wait_idle(10)
    assert emulator.live.close_codes == [1001]


async def test_break_then_leave_closes_and_the_server_stops(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.frame_delay = 0.01
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello emulator:words=500")
        async for message in session:
            if message.text:
                break
    await emulator.wait_idle(10)  # the server's handler ended: nothing left running
    assert emulator.live.close_codes == [1000]


# -- errors --------------------------------------------------------------------------------


async def test_an_unknown_model_is_not_found(client: gs.Client) -> None:
    with pytest.raises(gs.NotFoundError, match="not supported for bidiGenerateContent") as info:
        async with client.live.connect("gemini-2.5-flash"):
            pass
    assert info.value.close_code == 1008 and info.value.code == 404


async def test_a_bad_api_key_is_an_authentication_error() -> None:
    async with (
        Emulator(api_keys=["good"]) as emulator,
        gs.Client(base_url=emulator.url, api_key="bad") as client,
    ):
        with pytest.raises(gs.AuthenticationError, match="API key not valid") as info:
            async with client.live.connect(MODEL):
                pass
    assert info.value.close_code == 1007


@pytest.mark.parametrize(
    ("code", "reason", "error"),
    [
        (1007, "Request contains an invalid argument.", gs.BadRequestError),
        (1008, "Requested entity was not found.", gs.NotFoundError),
        (1011, "Internal error occurred.", gs.ServerError),
        (1011, "You exceeded your current quota", gs.RateLimitError),
    ],
)
async def test_close_codes_map_into_the_error_tree(
    client: gs.Client, emulator: Emulator, code: int, reason: str, error: type[Exception]
) -> None:
    emulator.live.close_next(code, reason, after=2, times=10)
    async with client.live.connect(MODEL, config=TEXT, resumption=False) as session:
        await session.send_text("Hello")
        with pytest.raises(error, match=reason) as info:
            async for _ in session:
                pass
        with pytest.raises(error):  # sends raise it too
            await session.send_text("again")
    assert getattr(info.value, "close_code", None) == code


async def test_a_drop_without_resumption_is_stream_interrupted(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.live.drop_next(3)
    async with client.live.connect(MODEL, config=TEXT, resumption=False) as session:
        await session.send_text("Hello")
        received = []
        with pytest.raises(gs.StreamInterruptedError, match="1006"):
            async for message in session:
                received.append(message)
    assert len(received) == 3  # what came before the drop was delivered


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"config": {"response_modalities": ["TEXT", "AUDIO"]}}, ValueError, "one modality"),
        ({"buffer": 0}, ValueError, "buffer"),
        ({"resumption": 3}, TypeError, "resumption"),
        ({"realtime_input_config": [1]}, TypeError, "realtime_input_config"),
        ({"config": {"temprature": 1}}, ValueError, "temprature"),
    ],
)
def test_bad_arguments_are_refused_before_connecting(
    client: gs.Client, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        client.live.connect(MODEL, **kwargs)


async def test_bad_input_is_refused_before_sending(client: gs.Client) -> None:
    async with client.live.connect(MODEL, config=TEXT) as session:
        with pytest.raises(ValueError, match="odd"):
            await session.send_audio(b"\x00\x01\x02")
        with pytest.raises(ValueError, match="exactly one"):
            await session.send_realtime(text="a", audio=b"")
        with pytest.raises(TypeError, match="str"):
            await session.send_text(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least one"):
            await session.send_tool_response([])
        await session.send_text("still fine")
        text = "".join([t async for t in session.text_stream()])
    assert text == answer(1, "still fine", "still fine")


# -- backpressure --------------------------------------------------------------------------


async def _settled(read: Any) -> int:
    """Wait until ``read()`` stops changing (a stalled producer), and return it."""
    last = -1
    while True:
        now = read()
        if now == last:
            return int(now)
        last = now
        await asyncio.sleep(0.3)


async def test_a_consumer_that_stops_reading_holds_a_bounded_buffer(
    client: gs.Client, emulator: Emulator
) -> None:
    words = 8000  # about 30 MB of audio, in frames of 25 KB: more than the socket buffers
    async with client.live.connect(MODEL, output_transcription=True, buffer=4) as session:
        await session.send_text(f"Hello emulator:words={words}")
        await asyncio.wait_for(session.__anext__(), 10)  # then stop reading
        sent = await asyncio.wait_for(_settled(lambda: emulator.live.frames_sent), 30)
        assert session._receive.statistics().current_buffer_used == 4
        text = "".join([t async for t in session.text_stream()])
        total = emulator.live.frames_sent
    assert sent < total  # the server was held back, not buffered in the client
    assert len(text.split()) > words  # and nothing was lost


async def test_sending_faster_than_the_socket_drains_waits(client: gs.Client) -> None:
    # A server that completes setup and then never reads.
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.receive()
        await ws.send_bytes(b'{"setupComplete":{}}')
        await asyncio.sleep(60)
        return ws

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            gs.Client(base_url=f"http://127.0.0.1:{port}", api_key="k") as stalled,
            stalled.live.connect(MODEL, resumption=False) as session,
        ):
            done = 0
            chunk = tone(1.0)  # 32 KB per send

            async def pump() -> None:
                nonlocal done
                for _ in range(100_000):  # 3 GB if nothing waited
                    await session.send_audio(chunk)
                    done += 1

            task = asyncio.ensure_future(pump())
            stalled_at = await asyncio.wait_for(_settled(lambda: done), 30)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert stalled_at < 2000  # under ~64 MB in flight: the sender waited
    finally:
        await runner.cleanup()


async def test_messages_decode_from_text_frames_too(client: gs.Client, emulator: Emulator) -> None:
    emulator.live.text_frames = True
    async with client.live.connect(MODEL, config=TEXT) as session:
        await session.send_text("Hello")
        text = "".join([t async for t in session.text_stream()])
    assert text == answer(1, "Hello", "Hello")


def test_message_properties_never_raise() -> None:
    message = gs.LiveMessage()
    assert (message.kind, message.text, message.audio) == ("unknown", "", b"")
    assert not message.turn_complete and message.function_calls == []
    assert gs.LiveMessage(go_away=gs.LiveGoAway(time_left="50s")).go_away.seconds == 50.0


async def test_an_aiohttp_session_of_your_own_is_used(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as own:
        async with (
            gs.Client(base_url=emulator.url, api_key="k", session=own) as client,
            client.live.connect(MODEL, config=TEXT) as session,
        ):
            await session.send_text("Hi")
            text = "".join([t async for t in session.text_stream()])
        assert not own.closed
    assert text == answer(1, "Hi", "Hi")
