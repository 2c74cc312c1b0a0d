"""Function calling: declarations from Python functions, the automatic loop against the emulator
(parallel, async and sync tools, failures, the round limit) and manual mode."""

from __future__ import annotations

import dataclasses
import enum
import functools
import threading
from typing import Any, Literal

import anyio
import msgspec
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, ScriptedReply

MODEL = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Place(msgspec.Struct):
    """Somewhere on Earth."""

    city: str
    country: str | None = None


@dataclasses.dataclass
class Window:
    start: str
    hours: int = 24


def forecast(
    place: Place,
    days: int,
    unit: Unit = Unit.CELSIUS,
    detail: Literal["short", "long"] = "short",
    window: Window | None = None,
    tags: list[str] | None = None,
    weights: dict[str, float] | None = None,
    hourly: bool = False,
    ratio: float = 0.5,
) -> dict[str, Any]:
    """Forecast the weather for a place.

    Only the first paragraph is the description.

    Args:
        place: where to forecast.
        days (int): how many days ahead, counting
            today.
        unit: the temperature unit.

    Returns:
        The forecast.
    """
    return {"place": place.city, "days": days, "unit": unit.value, "window": window}


def get_weather(city: str) -> dict[str, Any]:
    """Current weather in a city."""
    return {"city": city, "temp_c": 21, "thread": threading.current_thread().name}


async def get_time(zone: str) -> str:
    """The time in a time zone."""
    return "12:00"


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


def _calls_reply(*calls: tuple[str, dict[str, Any]]) -> ScriptedReply:
    parts = [
        {"functionCall": {"name": name, "args": args, "id": f"id-{i}"}}
        for i, (name, args) in enumerate(calls)
    ]
    return ScriptedReply(
        [{"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP"}]}]
    )


# -- declarations ------------------------------------------------------------------------------


def test_a_declaration_from_type_hints_and_docstring() -> None:
    declaration = gs.declare_function(forecast)
    assert declaration.name == "forecast"
    assert declaration.description == "Forecast the weather for a place."
    assert declaration.parameters is None
    schema = declaration.parameters_json_schema
    assert schema is not None and schema["type"] == "object"
    assert schema["required"] == ["place", "days"]
    props = schema["properties"]
    assert props["days"] == {
        "type": "integer",
        "description": "how many days ahead, counting today.",
    }
    assert props["place"] == {"$ref": "#/$defs/Place", "description": "where to forecast."}
    assert schema["$defs"]["Place"]["properties"]["country"]["anyOf"] == [
        {"type": "string"},
        {"type": "null"},
    ]
    assert props["unit"]["$ref"] == "#/$defs/Unit" and props["unit"]["default"] == "celsius"
    assert schema["$defs"]["Unit"]["enum"] == ["celsius", "fahrenheit"]
    assert props["detail"] == {"enum": ["long", "short"], "default": "short"}  # msgspec sorts
    assert schema["$defs"]["Window"]["required"] == ["start"]
    assert props["tags"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    assert props["weights"]["anyOf"][0] == {
        "type": "object",
        "additionalProperties": {"type": "number"},
    }
    assert props["hourly"] == {"type": "boolean", "default": False}
    assert props["ratio"] == {"type": "number", "default": 0.5}
    assert "title" not in schema


def test_declarations_refuse_what_the_model_cannot_call() -> None:
    def varargs(*names: str) -> None:
        """Takes anything."""

    with pytest.raises(TypeError, match=r"\*names"):
        gs.declare_function(varargs)
    with pytest.raises(ValueError, match="not a valid function name"):
        gs.declare_function(lambda x: x)
    declaration = gs.declare_function(get_time, name="clock", description="Tells the time.")
    assert (declaration.name, declaration.description) == ("clock", "Tells the time.")


class Glossary:
    """A glossary (the class docstring is not the function's)."""

    async def __call__(self, word: str, strict: object = None) -> str:
        """Look a word up.

        Args:
            word: the word
                to look up.
        """
        return word.upper()


def test_callable_objects_and_partials_are_described_by_their_function() -> None:
    glossary = gs.declare_function(Glossary())
    assert glossary.name == "Glossary" and glossary.description == "Look a word up."
    assert glossary.parameters_json_schema == {
        "type": "object",
        "properties": {
            "word": {"type": "string", "description": "the word to look up."},
            "strict": {"default": None},
        },
        "required": ["word"],
    }
    weekly = gs.declare_function(functools.partial(forecast, days=7))
    assert weekly.name == "forecast"
    assert weekly.description == "Forecast the weather for a place."
    assert weekly.parameters_json_schema is not None
    assert weekly.parameters_json_schema["properties"]["days"]["default"] == 7


def test_tools_refuse_duplicate_names(client: gs.Client) -> None:
    with pytest.raises(ValueError, match="two functions are named 'get_time'"):
        client.chat(MODEL, tools=[get_time, get_time])
    with pytest.raises(ValueError, match="both as a function and a declaration"):
        client.chat(MODEL, tools=[get_time, {"name": "get_time"}])


# -- automatic mode -------------------------------------------------------------------------


async def test_parallel_calls_run_and_the_answer_streams_on(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(GEMINI_3, tools=[get_weather, get_time])
    stream = chat.stream("What is get_time, then get_weather?")
    calls_seen = []
    text = ""
    async for chunk in stream:
        calls_seen += [call.name for call in chunk.function_calls]
        text += chunk.text
    assert calls_seen == ["get_time", "get_weather"]
    assert stream.function_rounds == 1 and stream.committed
    assert text.startswith(
        'The function get_time returned {"output": "12:00"}. The function get_weather '
        'returned {"city": "city 1", "temp_c": 21, "thread": "'
    )
    assert "MainThread" not in text  # the sync function ran in a worker thread
    assert text == stream.response.text == await stream.final_text()
    _, calls, results, answer = chat.history
    assert [t.role for t in chat.history] == ["user", "model", "user", "model"]
    assert [c.name for c in calls.function_calls] == ["get_time", "get_weather"]
    assert calls.parts[0].thought_signature and calls.parts[1].thought_signature is None
    ids = [c.id for c in calls.function_calls]
    assert all(ids)
    assert [p.function_response.id for p in results.parts if p.function_response] == ids
    assert answer.text == text
    # Round two went out in the shape the API needs: calls (signature kept), then results.
    body = emulator.records[-1].body
    assert body["contents"][1]["parts"][0]["thoughtSignature"]
    assert [p["functionResponse"]["name"] for p in body["contents"][2]["parts"]] == [
        "get_time",
        "get_weather",
    ]
    reply = await chat.send("Thanks")
    assert "I saw 2 user turns and 2 model turns" in reply.text  # results are not user text


async def test_parallel_calls_run_concurrently(client: gs.Client) -> None:
    ping_started, pong_started = anyio.Event(), anyio.Event()

    async def ping(n: int) -> str:
        """Ping."""
        ping_started.set()
        with anyio.fail_after(10):  # would time out if the calls ran one after the other
            await pong_started.wait()
        return "ping"

    async def pong(n: int) -> str:
        """Pong."""
        pong_started.set()
        with anyio.fail_after(10):
            await ping_started.wait()
        return "pong"

    chat = client.chat(MODEL, tools=[ping, pong])
    reply = await chat.send("Call ping and pong")
    assert reply.text.startswith(
        'The function ping returned {"output": "ping"}. The function pong returned '
        '{"output": "pong"}.'
    )


async def test_a_failing_function_and_an_unknown_one_become_error_results(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(_calls_reply(("explode", {"reason": "x"}), ("nowhere", {})))
    chat = client.chat(MODEL, tools=[explode, get_time])
    reply = await chat.send("Try it")
    results = emulator.records[-1].body["contents"][-1]["parts"]
    assert results == [
        {
            "functionResponse": {
                "id": "id-0",
                "name": "explode",
                "response": {"error": "RuntimeError: boom: x"},
            }
        },
        {
            "functionResponse": {
                "id": "id-1",
                "name": "nowhere",
                "response": {
                    "error": "unknown function 'nowhere'; the functions are: explode, get_time"
                },
            }
        },
    ]
    assert reply.text.startswith('The function explode returned {"error": "RuntimeError: boom')
    assert len(chat.history) == 4


async def test_invalid_arguments_become_an_error_result(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(_calls_reply(("forecast", {"place": {"city": "Oslo"}, "days": "many"})))
    chat = client.chat(MODEL, tools=[forecast])
    await chat.send("Forecast")
    error = emulator.records[-1].body["contents"][-1]["parts"][0]["functionResponse"]
    assert error["response"]["error"].startswith("invalid arguments for forecast: Expected `int`")


async def test_callable_objects_run_like_functions(client: gs.Client) -> None:
    chat = client.chat(MODEL, tools=[Glossary()])
    reply = await chat.send("Ask Glossary")
    assert reply.text.startswith('The function Glossary returned {"output": "WORD 1"}.')


async def test_arguments_are_converted_to_the_declared_types(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL, tools=[forecast])
    await chat.send("Call forecast please")
    result = emulator.records[-1].body["contents"][-1]["parts"][0]["functionResponse"]
    # The emulator's arguments follow the schema: a Place, an int, the first enum value.
    assert result["response"] == {
        "place": "city 1",
        "days": 1,
        "unit": "celsius",
        "window": {"start": "start 1", "hours": 1},
    }


async def test_the_round_limit_raises_and_commits_nothing(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(*[_calls_reply(("get_time", {"zone": "UTC"})) for _ in range(3)])
    chat = client.chat(MODEL, tools=[get_time], max_function_rounds=2)
    stream = chat.stream("Loop")
    with pytest.raises(gs.FunctionCallLimitError, match="max_function_rounds=2") as caught:
        await stream.final_response()
    assert caught.value.partial is not None
    assert [c.name for c in caught.value.partial.function_calls] == ["get_time"]
    assert stream.function_rounds == 2 and chat.history == []
    assert len(emulator.records) == 3
    assert len(stream.turns) == 6  # user, then 2 x (calls, results), then the unanswered calls


async def test_callables_mix_with_raw_declarations_and_built_in_tools(
    client: gs.Client, emulator: Emulator
) -> None:
    raw = gs.types.FunctionDeclaration(
        name="lookup", description="Look a word up.", parameters_json_schema={"type": "object"}
    )
    chat = client.chat(MODEL, tools=[get_time, raw, {"code_execution": {}}])
    reply = await chat.send("Please get_time")
    assert reply.text.startswith('The function get_time returned {"output": "12:00"}.')
    tools = emulator.records[-1].body["tools"]
    assert [d["name"] for d in tools[0]["functionDeclarations"]] == ["get_time", "lookup"]
    assert tools[1] == {"codeExecution": {}}
    # A call of a declaration without a Python function goes back to the caller.
    reply = await chat.send("Please lookup and get_time")
    assert [c.name for c in reply.function_calls] == ["lookup", "get_time"]
    assert chat.history[-1].function_calls == reply.function_calls


# -- manual mode ----------------------------------------------------------------------------


async def test_manual_mode_hands_the_calls_over(client: gs.Client, emulator: Emulator) -> None:
    chat = client.chat(GEMINI_3, tools=[get_weather], automatic_function_calling=False)
    reply = await chat.send("What does get_weather say?")
    (call,) = reply.function_calls
    assert call.name == "get_weather" and call.id and call.args == {"city": "city 1"}
    assert len(chat.history) == 2  # committed: the calls are answered by the next message
    results = await chat.run_functions(reply.function_calls)
    assert results[0].function_response is not None
    assert results[0].function_response.id == call.id
    answer = await chat.send(results)
    assert answer.text.startswith('The function get_weather returned {"city": "city 1"')
    body = emulator.records[-1].body
    assert body["contents"][1]["parts"][0]["thoughtSignature"]
    assert body["contents"][2]["parts"][0]["functionResponse"]["id"] == call.id
    # Hand-made results work the same way.
    reply = await chat.send("And get_weather again?")
    call = reply.function_calls[0]
    part = gs.Part.from_function_response(call.name or "", {"temp_c": 3}, id=call.id)
    answer = await chat.send(part)
    assert answer.text.startswith('The function get_weather returned {"temp_c": 3}.')
    assert len(chat.history) == 8


async def test_raw_declarations_alone_are_manual(client: gs.Client) -> None:
    chat = client.chat(MODEL, tools=[{"name": "lookup", "parameters": {"type": "OBJECT"}}])
    reply = await chat.send("lookup")
    assert [c.name for c in reply.function_calls] == ["lookup"]
    rewound = chat.rewind()
    assert len(rewound) == 2 and chat.history == []


async def test_closing_the_stream_while_functions_run_stops_the_reply(
    client: gs.Client, emulator: Emulator
) -> None:
    running, proceed = anyio.Event(), anyio.Event()

    async def slow(zone: str) -> str:
        """Takes a while."""
        running.set()
        await proceed.wait()
        return "done"

    chat = client.chat(MODEL, tools=[slow])
    stream = chat.stream("Call slow")
    seen: list[str | None] = []

    async def read() -> None:
        async for chunk in stream:
            seen.extend(call.name for call in chunk.function_calls)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(read)
            await running.wait()
            await stream.aclose()  # e.g. a "stop" button handled by another task
            proceed.set()
    assert seen == ["slow"]
    assert len(emulator.records) == 1 and chat.history == []
    assert not stream.committed and stream.function_rounds == 0
    assert "I saw 1 user turn" in (await chat.send("Next")).text
