"""``client.interactions`` against the emulator's Interactions API: whole streams, a stream cut
at every event index (dropped or ended early) resuming into the same events, a background run
picked up after a break, a chat of two turns with a tool call, structured output, errors."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

import gemini_stream as gs
import gemini_stream.interactions as gsi
from gemini_stream.emulator import Emulator, Fault, expected_text

MODEL = "gemini-3.8-flash"
AGENT = "deep-research-preview-04-2026"
PROMPT = "Tell me about TPUs emulator:words=40"


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    return {"chunk_delay": 0.001}


def stream(client: gs.Client) -> gs.InteractionStream:
    return client.interactions.stream(
        MODEL, PROMPT, generation_config={"thinking_summaries": "auto"}
    )


async def test_a_whole_stream_and_the_stored_interaction(
    emulator: Emulator, client: gs.Client
) -> None:
    s = stream(client)
    events = await asyncio.wait_for(_collect(s), 10)
    assert events[0].event_type == "interaction.created"
    assert events[-1].event_type == "interaction.completed"
    assert all(e.event_id for e in events)
    interaction = s.interaction
    assert interaction.status == "completed" and interaction.thoughts
    want = expected_text({"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}, MODEL)
    assert interaction.text == want
    assert "".join([t async for t in stream(client).text_stream]) == want
    stored = await client.interactions.get(interaction.id or "")
    assert isinstance(stored.steps[0], gsi.UserInputStep)
    assert stored.steps[1:] == interaction.steps and stored.text == want


@pytest.mark.parametrize("fault", ["disconnect_after", "close_after"])
async def test_a_stream_cut_at_every_event_index_yields_the_same_events(
    emulator: Emulator, client: gs.Client, fault: str
) -> None:
    whole = await asyncio.wait_for(_collect(stream(client)), 10)
    kinds = [e.event_type for e in whole]
    for cut in range(1, len(whole)):
        emulator.script(Fault(**{fault: cut}))  # type: ignore[arg-type]
        before = len(emulator.records)
        s = stream(client)
        events = await asyncio.wait_for(_collect(s), 10)
        assert [e.event_type for e in events] == kinds, cut
        assert [e.event_id for e in events] == [f"evt-{i:04d}" for i in range(1, len(kinds) + 1)]
        assert s.interaction.text == (await client.interactions.get(s.interaction_id or "")).text
        requests = emulator.records[before:]
        assert len(requests) == 3  # the create, one resume, the get above
        assert requests[1].query["last_event_id"] == f"evt-{cut:04d}"


async def test_a_background_run_is_picked_up_after_a_break(
    emulator: Emulator, client: gs.Client
) -> None:
    emulator.interactions.background_duration = 0.5
    s = client.interactions.stream(
        agent=AGENT, input="Research the history of Google TPUs.", background=True,
        agent_config={"type": "deep-research", "thinking_summaries": "auto"},
    )  # fmt: skip
    async for event in s:
        if event.event_type == "step.start":
            break
    saved_id, saved_last = s.interaction_id, s.last_event_id
    assert saved_id and saved_last
    await s.aclose()  # the process "restarts": the run goes on on the server
    await emulator.wait_for_disconnect(timeout=5)
    resumed = client.interactions.resume(saved_id, last_event_id=saved_last)
    rest = await asyncio.wait_for(_collect(resumed), 10)
    assert rest[-1].event_type == "interaction.completed"
    assert int((rest[0].event_id or "x-0").split("-")[1]) == int(saved_last.split("-")[1]) + 1
    finished = await client.interactions.wait(saved_id, timeout=10)
    assert finished.status == "completed" and resumed.interaction.text in finished.text


async def test_two_turns_of_a_chat_with_a_tool_call(emulator: Emulator, client: gs.Client) -> None:
    calls: list[str] = []

    async def get_weather(location: str) -> dict[str, str]:
        """Get the current weather in a given location."""
        calls.append(location)
        return {"weather": "Sunny and 22°C"}

    chat = client.interactions.chat("gemini-3-flash-preview", tools=[get_weather])
    first = await asyncio.wait_for(chat.send("Please call get_weather for Paris."), 10)
    assert first.status == "completed" and calls and "Sunny" in first.text
    turn = chat.stream("And get_weather for Rome?")
    events = await asyncio.wait_for(_collect(turn), 10)  # type: ignore[arg-type]
    assert any(isinstance(getattr(e, "delta", None), gsi.ArgumentsDelta) for e in events)
    assert turn.interaction.status == "completed" and len(calls) == 2
    stateless = client.interactions.chat("gemini-3-flash-preview", tools=[get_weather], store=False)
    again = await asyncio.wait_for(stateless.send("Please call get_weather for Paris."), 10)
    assert again.text == first.text  # the same answer as the chained form


async def test_structured_output_and_errors(emulator: Emulator, client: gs.Client) -> None:
    class Recipe(msgspec.Struct):
        name: str
        minutes: int

    parsed = await client.interactions.stream(
        "gemini-3-flash-preview", "A recipe", response_format=Recipe
    ).final_parsed()
    assert isinstance(parsed, Recipe)
    emulator.script(Fault(error_event_after=2))
    with pytest.raises(gs.APIError) as info:
        await stream(client).final()
    assert isinstance(info.value.partial, gs.Interaction) and info.value.partial.id
    with pytest.raises(gs.NotFoundError) as missing:
        await client.interactions.create("no-such-model", "Hi")
    assert missing.value.status == "not_found"
    emulator.fail_next(1, 429, retry_after=0)
    assert (await client.interactions.create("gemini-3-flash-preview", "Hi")).status == "completed"


async def test_break_closes_the_connection(emulator: Emulator, client: gs.Client) -> None:
    async for _ in client.interactions.stream(MODEL, "A long story emulator:words=3000"):
        break
    record = await emulator.wait_for_disconnect(timeout=5)
    assert record.disconnected


async def _collect(events: gs.InteractionStream) -> list[gs.InteractionEvent]:
    return [e async for e in events]
