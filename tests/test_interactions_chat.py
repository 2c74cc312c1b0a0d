"""``client.interactions.chat``: turns chained with ``previous_interaction_id`` (or sent in
full with ``store=False``), interaction-scoped fields sent every turn, Python tools run
automatically (several at once), and broken turns left out of the chain."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

import gemini_stream as gs
import gemini_stream.interactions as gsi
from tests._interactions_server import (
    E3_TURN1_STREAM,
    E3_TURN2_STREAM,
    E3_UNARY,
    InteractionsServer,
    events_of,
)


@pytest.fixture
async def server() -> AsyncIterator[InteractionsServer]:
    server = InteractionsServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(server: InteractionsServer) -> AsyncIterator[gs.Client]:
    async with gs.Client("test-key", base_url=server.url) as client:
        yield client


def answer(id_: str, text: str) -> dict[str, Any]:
    return {
        "id": id_,
        "status": "completed",
        "steps": [{"type": "model_output", "content": [{"type": "text", "text": text}]}],
    }


async def get_weather(location: str) -> dict[str, str]:
    """Get the current weather in a given location.

    Args:
        location: The city and state, e.g. San Francisco, CA
    """
    return {"weather": f"Sunny and 22°C in {location}"}


async def test_two_turns_with_a_tool_call(server: InteractionsServer, client: gs.Client) -> None:
    def respond(body: dict[str, Any]) -> dict[str, Any]:
        n = len(server.requests)
        return json.loads(E3_UNARY) if n == 1 else answer(f"v1_turn{n}", f"answer {n}")

    server.respond = respond
    chat = client.interactions.chat(
        "gemini-3-flash-preview", tools=[get_weather], system_instruction="Be brief"
    )
    first = await chat.send("What is the weather in Boston?")
    assert first.text == "answer 2" and chat.last_id == "v1_turn2"
    ask, reply = (r.body for r in server.requests)
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Get the current weather in a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "The city and state, e.g. San Francisco, CA",
                }
            },
            "required": ["location"],
        },
    }
    assert ask == {
        "model": "gemini-3-flash-preview",
        "input": "What is the weather in Boston?",
        "tools": [tool],
        "system_instruction": "Be brief",
    }
    assert reply == {
        "model": "gemini-3-flash-preview",
        "input": [
            {
                "type": "function_result",
                "call_id": "gth23981",
                "name": "get_weather",
                "result": {"weather": "Sunny and 22°C in Boston, MA"},
            }
        ],
        "tools": [tool],
        "system_instruction": "Be brief",
        "previous_interaction_id": "v1_unary",
    }
    await chat.send("And tomorrow?")
    third = server.requests[2].body
    assert third["previous_interaction_id"] == "v1_turn2" and third["tools"] == [tool]
    assert third["input"] == "And tomorrow?" and chat.last_id == "v1_turn3"


async def test_a_streamed_turn_runs_the_tool_between_its_rounds(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.respond = lambda body: E3_TURN1_STREAM if len(server.requests) == 1 else E3_TURN2_STREAM
    chat = client.interactions.chat("gemini-3-flash-preview", tools=[get_weather])
    stream = chat.stream("What is the weather in Paris right now?")
    events = [event async for event in stream]
    names = [name for name, _ in events_of(E3_TURN1_STREAM) + events_of(E3_TURN2_STREAM)]
    assert [e.event_type for e in events] == names
    deltas = [
        e.delta
        for e in events
        if isinstance(e, gsi.StepDeltaEvent) and isinstance(e.delta, gsi.ArgumentsDelta)
    ]
    assert deltas[0].arguments == '{"location":"Paris, France"}'  # visible while streaming
    assert stream.interaction.text == "It's currently sunny in Paris, about 22°C."
    second = server.requests[1].body
    assert second["stream"] is True and second["previous_interaction_id"] == "v1_..."
    assert second["input"] == [
        {
            "type": "function_result",
            "call_id": "ktr5aysg",
            "name": "get_weather",
            "result": {"weather": "Sunny and 22°C in Paris, France"},
        }
    ]
    assert chat.last_id == "v1_turn2..."


async def test_parallel_calls_run_at_once_and_answer_in_order(
    server: InteractionsServer, client: gs.Client
) -> None:
    calls = {
        "id": "v1_two",
        "status": "requires_action",
        "steps": [
            {"type": "function_call", "id": "a", "name": "slow", "arguments": {"n": 1}},
            {"type": "function_call", "id": "b", "name": "slow", "arguments": {"n": 2}},
        ],
    }
    server.respond = lambda body: calls if len(server.requests) == 1 else answer("v1_done", "ok")
    started: list[int] = []
    both = asyncio.Event()

    async def slow(n: int) -> int:
        started.append(n)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), 5)  # returns only if the other call runs too
        return n * 10

    chat = client.interactions.chat("m", tools=[slow])
    assert (await asyncio.wait_for(chat.send("go"), 10)).text == "ok"
    results = server.requests[1].body["input"]
    assert [(r["call_id"], r["result"]) for r in results] == [
        ("a", {"output": 10}),
        ("b", {"output": 20}),
    ]


async def test_a_broken_turn_is_not_chained(server: InteractionsServer, client: gs.Client) -> None:
    server.respond = lambda body: answer(f"v1_{len(server.requests)}", "fine")
    chat = client.interactions.chat("m", retry=gs.RetryPolicy(max_attempts=1))
    await chat.send("one")
    assert chat.last_id == "v1_1"
    server.fail = [(400, '{"error":{"code":"invalid_request","message":"no"}}')]
    with pytest.raises(gs.BadRequestError):
        await chat.send("two")
    assert chat.last_id == "v1_1"
    await chat.send("three")
    assert server.requests[-1].body["previous_interaction_id"] == "v1_1"


async def test_store_false_keeps_the_history_as_steps(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.respond = lambda body: answer("", f"reply {len(server.requests)}") | {"id": None}
    chat = client.interactions.chat("m", store=False)
    await chat.send("hello")
    await chat.send([{"type": "text", "text": "again"}])
    first, second = (r.body for r in server.requests)
    user1 = {"type": "user_input", "content": [{"type": "text", "text": "hello"}]}
    model1 = {"type": "model_output", "content": [{"type": "text", "text": "reply 1"}]}
    user2 = {"type": "user_input", "content": [{"type": "text", "text": "again"}]}
    assert first == {"model": "m", "input": [user1], "store": False}
    assert second == {"model": "m", "input": [user1, model1, user2], "store": False}
    assert "previous_interaction_id" not in second and len(chat.history) == 4


async def test_tool_rounds_are_bounded(server: InteractionsServer, client: gs.Client) -> None:
    server.respond = lambda body: json.loads(E3_UNARY) | {"id": f"v1_{len(server.requests)}"}
    chat = client.interactions.chat("m", tools=[get_weather], max_function_rounds=2)
    with pytest.raises(gs.FunctionCallLimitError, match="max_function_rounds=2") as info:
        await chat.send("loop")
    assert len(server.requests) == 3 and chat.last_id is None
    assert isinstance(info.value.partial, gs.Interaction)
    with pytest.raises(TypeError, match="'sytem'"):
        client.interactions.chat("m", sytem="x")


async def test_turns_of_one_chat_go_one_at_a_time(
    server: InteractionsServer, client: gs.Client
) -> None:
    def respond(body: dict[str, Any]) -> str | dict[str, Any]:
        n = len(server.requests)
        return (
            E3_TURN2_STREAM.replace("v1_turn2...", f"v1_{n}")
            if body.get("stream")
            else answer(f"v1_{n}", "ok")
        )

    server.respond = respond
    chat = client.interactions.chat("m")
    await asyncio.wait_for(
        asyncio.gather(chat.send("a"), chat.send("b"), chat.stream("c").final()), 10
    )
    chained = [r.body.get("previous_interaction_id") for r in server.requests]
    assert chained == [None, "v1_1", "v1_2"] and chat.last_id == "v1_3"
    # A streamed turn left after a break lets the next turn go, unchained to it.
    server.holds = [1]
    async for _ in chat.stream("d"):
        break
    await asyncio.wait_for(chat.send("e"), 10)
    assert server.requests[-1].body["previous_interaction_id"] == "v1_3"
