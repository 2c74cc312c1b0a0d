"""A chat's tools have a time limit: a tool that never returns gives the model an error result
(``tool_timeout``), and ``Timeouts.total`` covers each HTTP call, not the tools between them."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, ScriptedReply

MODEL = "gemini-2.5-flash"
TIMED_OUT = {"error": "TimeoutError: {name} did not return within 0.2s"}


def _calls_reply(*calls: tuple[str, dict[str, Any]]) -> ScriptedReply:
    parts = [
        {"functionCall": {"name": name, "args": args, "id": f"id-{i}"}}
        for i, (name, args) in enumerate(calls)
    ]
    return ScriptedReply(
        [{"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP"}]}]
    )


def _sent_results(emulator: Emulator) -> list[dict[str, Any]]:
    """The function results the last request sent to the model."""
    parts: list[dict[str, Any]] = emulator.records[-1].body["contents"][-1]["parts"]
    return [part["functionResponse"] for part in parts]


def _timed_out(name: str) -> dict[str, str]:
    return {"error": TIMED_OUT["error"].format(name=name)}


async def hang_async(query: str) -> str:
    """Never returns."""
    await anyio.sleep_forever()
    return query


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets the blocked worker threads of sync tools finish when the test is over."""
    event = threading.Event()
    yield event
    event.set()


async def test_an_async_tool_that_never_returns_gives_the_model_an_error_result(
    client: gs.Client, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.script(_calls_reply(("hang_async", {"query": "x"})))
    chat = client.chat(MODEL, tools=[hang_async], tool_timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="gemini_stream"):
        reply = await asyncio.wait_for(chat.send("Look it up"), 10)
    result = {"id": "id-0", "name": "hang_async", "response": _timed_out("hang_async")}
    assert _sent_results(emulator) == [result]
    assert reply.text.startswith("The function hang_async returned")
    # The user can tell: the error result stays in the history, and a warning was logged.
    responses = [p.function_response for turn in chat.history for p in turn.parts]
    assert any(r is not None and r.response == _timed_out("hang_async") for r in responses)
    assert "'hang_async' did not return within 0.2s" in caplog.text


async def test_a_sync_tool_blocked_in_its_thread_gives_an_error_result(
    client: gs.Client, emulator: Emulator, release: threading.Event
) -> None:
    def hang_sync(query: str) -> str:
        """Blocks its thread until the test ends."""
        release.wait()
        return query

    emulator.script(_calls_reply(("hang_sync", {"query": "x"})))
    chat = client.chat(MODEL, tools=[hang_sync], tool_timeout=0.2)
    reply = await asyncio.wait_for(chat.send("Look it up"), 10)
    assert _sent_results(emulator)[0]["response"] == _timed_out("hang_sync")
    assert reply.finish_reason == "STOP" and len(chat.history) == 4


async def test_a_hung_call_does_not_spoil_the_others_of_its_round(
    client: gs.Client, emulator: Emulator
) -> None:
    async def answer(query: str) -> dict[str, str]:
        """Answers at once."""
        return {"answer": query.upper()}

    emulator.script(_calls_reply(("hang_async", {"query": "a"}), ("answer", {"query": "b"})))
    chat = client.chat(MODEL, tools=[hang_async, answer], tool_timeout=0.2)
    with anyio.fail_after(10):  # asyncio.timeout is Python 3.11+
        chunks = [chunk async for chunk in chat.stream("Both")]
    assert chunks
    results = _sent_results(emulator)
    assert [r["response"] for r in results] == [_timed_out("hang_async"), {"answer": "B"}]


async def test_manual_mode_run_functions_has_the_same_limit(
    client: gs.Client, release: threading.Event
) -> None:
    def hang_sync(query: str) -> str:
        """Blocks its thread until the test ends."""
        release.wait()
        return query

    chat = client.chat(MODEL, tools=[hang_sync], automatic_function_calling=False, tool_timeout=0.2)
    call = gs.Part.from_function_call("hang_sync", {"query": "q"}, id="c1").function_call
    assert call is not None
    [part] = await asyncio.wait_for(chat.run_functions([call]), 10)
    assert part.function_response is not None
    assert part.function_response.response == _timed_out("hang_sync")


async def test_the_default_limit_is_finite_and_none_turns_it_off(
    client: gs.Client, emulator: Emulator
) -> None:
    assert client.chat(MODEL).tool_timeout == 60.0
    restored = gs.Chat.loads(client, client.chat(MODEL).dumps(), tool_timeout=0.5)
    assert restored.tool_timeout == 0.5

    async def slow(query: str) -> str:
        """Takes its time."""
        await anyio.sleep(0.3)
        return query

    emulator.script(_calls_reply(("slow", {"query": "q"})))
    chat = client.chat(MODEL, tools=[slow], tool_timeout=None)
    assert chat.tool_timeout is None
    await asyncio.wait_for(chat.send("Go"), 10)
    assert _sent_results(emulator)[0]["response"] == {"output": "q"}


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        ("60", TypeError),
        (True, TypeError),
    ],
)
async def test_a_bad_tool_timeout_is_refused_before_anything_is_sent(
    client: gs.Client, emulator: Emulator, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"tool_timeout.*{value!r}"):
        client.chat(MODEL, tool_timeout=value)  # type: ignore[arg-type]
    assert emulator.records == []


async def test_the_total_timeout_covers_each_http_call_not_the_tools_between_them(
    emulator: Emulator,
) -> None:
    async def slow(query: str) -> str:
        """Takes longer than the whole total budget of one call."""
        await anyio.sleep(0.6)
        return query

    emulator.script(_calls_reply(("slow", {"query": "q"})))
    async with gs.Client(
        base_url=emulator.url, api_key="k", timeouts=gs.Timeouts(total=0.3)
    ) as client:
        chat = client.chat(MODEL, tools=[slow], tool_timeout=5)
        reply = await asyncio.wait_for(chat.send("Go"), 10)
    assert reply.finish_reason == "STOP"
    assert _sent_results(emulator)[0]["response"] == {"output": "q"}
