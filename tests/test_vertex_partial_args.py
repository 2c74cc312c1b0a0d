"""Vertex AI's streamed function-call arguments fold into one call (issue 19).

With ``toolConfig.functionCallingConfig.streamFunctionCallArguments`` Vertex AI sends a call
as a named start (``willContinue``), nameless pieces (``partialArgs``: a JSON path and a
value, strings possibly split over pieces) and an empty call that ends it. The merged reply
holds one named call with whole ``args``; the option is sent in Vertex mode and refused, before
anything is sent, on the Gemini API.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream import types
from gemini_stream._http.codec import decode_chunk
from gemini_stream._stream.accumulate import accumulate
from gemini_stream._stream.accumulate_batch import accumulate_batch
from gemini_stream.emulator import Emulator

MODEL = "gemini-3-pro-preview"
SIGNATURE = "c2lnbmVkLWJ5LXRoZS1tb2RlbA=="
OPTION = {"function_calling_config": {"mode": "AUTO", "stream_function_call_arguments": True}}


def _chunk(
    call: dict[str, Any], *, signature: bool = False, finish: bool = False
) -> dict[str, Any]:
    part: dict[str, Any] = {"functionCall": call}
    if signature:
        part["thoughtSignature"] = SIGNATURE
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [part]}}
    if finish:
        candidate["finishReason"] = "STOP"
    return {
        "candidates": [candidate],
        "createTime": "2026-03-02T10:11:12.131415Z",
        "modelVersion": MODEL,
        "responseId": "q1Kfab6xC9ODm-cP4rbqsQk",
        "usageMetadata": {"trafficType": "ON_DEMAND"},
    }


def _piece(path: str, more: bool = False, **value: Any) -> dict[str, Any]:
    arg: dict[str, Any] = {"jsonPath": path, **value}
    if more:
        arg["willContinue"] = True
    return {"partialArgs": [arg], "willContinue": True}


# One call, book_trip(...), streamed the way Vertex AI streams it: the destination in three
# string pieces, numbers, a bool, a null, an array of objects and a bracketed member name.
BOOK_TRIP = [
    _chunk({"name": "book_trip", "willContinue": True}, signature=True),
    _chunk(_piece("$.destination", more=True, stringValue="Reykja")),
    _chunk(_piece("$.destination", more=True, stringValue="vík")),
    _chunk(_piece("$.destination", stringValue="")),
    _chunk(_piece("$.nights", numberValue=4)),
    _chunk(_piece("$.budget.max_eur", numberValue=1250.5)),
    _chunk(_piece("$.refundable", boolValue=False)),
    _chunk(_piece("$.notes", nullValue=None)),
    _chunk(_piece("$.travellers[0].name", more=True, stringValue="Ada")),
    _chunk(_piece("$.travellers[0].name", stringValue="")),
    _chunk({"willContinue": True}),
    _chunk(_piece("$.travellers[1].name", stringValue="Grace")),
    _chunk(_piece("$['seat class']", stringValue="economy")),
    _chunk({}),
    {**_chunk({}), "candidates": [{"content": {"role": "model", "parts": [{"text": ""}]},
                                   "finishReason": "STOP"}]},
]  # fmt: skip
BOOK_TRIP_ARGS = {
    "destination": "Reykjavík",
    "nights": 4,
    "budget": {"max_eur": 1250.5},
    "refundable": False,
    "notes": None,
    "travellers": [{"name": "Ada"}, {"name": "Grace"}],
    "seat class": "economy",
}


def _decoded(bodies: list[dict[str, Any]]) -> list[types.GenerateContentResponse]:
    return [decode_chunk(json.dumps(body).encode()) for body in bodies]


def _fold(chunks: list[types.GenerateContentResponse], how: str) -> types.GenerateContentResponse:
    if how == "batch":
        merged = accumulate_batch(None, chunks)
    else:
        merged = None
        for chunk in chunks:
            merged = accumulate(merged, chunk)
    assert merged is not None
    return merged


@pytest.mark.parametrize("how", ["one-by-one", "batch"])
def test_the_pieces_fold_into_one_named_call(how: str) -> None:
    reply = _fold(_decoded(BOOK_TRIP), how)
    assert len(reply.function_calls) == 1
    call = reply.function_calls[0]
    assert call.name == "book_trip"
    assert call.args == BOOK_TRIP_ARGS
    assert call.partial_args is None and call.will_continue is None
    # The signature stays on the call's part, as the API needs it back.
    assert reply.parts[0].thought_signature is not None
    assert reply.create_time == "2026-03-02T10:11:12.131415Z"


def test_consecutive_calls_stay_apart() -> None:
    bodies = []
    for city in ("Oslo", "Bergen"):
        bodies += [
            _chunk({"name": "get_weather", "willContinue": True}),
            _chunk(_piece("$.city", more=True, stringValue=city[:2])),
            _chunk(_piece("$.city", stringValue=city[2:])),
            _chunk({}),
        ]
    bodies.append(_chunk({"name": "get_time", "args": {"zone": "CET"}}, finish=True))
    reply = _fold(_decoded(bodies), "one-by-one")
    assert [(c.name, c.args) for c in reply.function_calls] == [
        ("get_weather", {"city": "Oslo"}),
        ("get_weather", {"city": "Bergen"}),
        ("get_time", {"zone": "CET"}),
    ]


def test_a_whole_call_given_as_partial_args_gets_its_args() -> None:
    body = _chunk(
        {
            "name": "divide",
            "partialArgs": [
                {"jsonPath": "$.numerator", "numberValue": 100},
                {"jsonPath": "$.denominator", "numberValue": 8},
            ],
        },
        signature=True,
        finish=True,
    )
    reply = _fold(_decoded([body]), "one-by-one")
    assert [(c.name, c.args) for c in reply.function_calls] == [
        ("divide", {"numerator": 100, "denominator": 8})
    ]


def test_a_call_ending_on_its_last_piece_is_closed() -> None:
    # No empty terminating call: the last piece has no willContinue.
    bodies = [
        _chunk({"name": "add_items", "willContinue": True}),
        _chunk(_piece("$.items[0].sku", stringValue="A-1")),
        _chunk({"partialArgs": [{"jsonPath": "$.items[1].sku", "stringValue": "B-2"}]}),
        {**_chunk({}), "candidates": [{"content": {"role": "model", "parts": [{"text": ""}]},
                                       "finishReason": "STOP"}]},
    ]  # fmt: skip
    reply = _fold(_decoded(bodies), "batch")
    (call,) = reply.function_calls
    assert call.name == "add_items" and call.will_continue is None
    assert call.args == {"items": [{"sku": "A-1"}, {"sku": "B-2"}]}


def test_earlier_snapshots_are_not_changed() -> None:
    chunks = _decoded(BOOK_TRIP)
    snapshots = []
    merged = None
    for chunk in chunks:
        merged = accumulate(merged, chunk)
        snapshots.append(merged)
    third = snapshots[2].function_calls[0]
    assert third.args == {"destination": "Reykjavík"}
    assert third.will_continue is True  # still open there
    assert snapshots[-1].function_calls[0].args == BOOK_TRIP_ARGS
    # The chunks themselves are untouched: each keeps its own piece.
    assert chunks[1].function_calls[0].partial_args is not None
    assert chunks[1].function_calls[0].name is None


# -- the option ------------------------------------------------------------------------------


def _token() -> gs.AccessToken:
    return gs.AccessToken("fake-token", time.time() + 3600)


async def test_the_option_is_refused_on_the_gemini_api() -> None:
    async with gs.Client(base_url="http://127.0.0.1:9", api_key="k") as client:
        with pytest.raises(ValueError, match="stream_function_call_arguments"):
            client.stream(MODEL, "Book it", tool_config=OPTION)
        with pytest.raises(ValueError, match="Vertex AI"):
            await client.generate(MODEL, "Book it", tool_config=OPTION)
        with pytest.raises(ValueError, match="stream_function_call_arguments"):
            client.stream_many([gs.Request(MODEL, "Book it", tool_config=OPTION)])


async def _serve(bodies: list[dict[str, Any]], seen: list[Any]) -> web.AppRunner:
    """A Vertex-shaped server streaming ``bodies`` one event per write."""

    async def answer(request: web.Request) -> web.StreamResponse:
        seen.append(await request.json())
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for body in bodies:
            await response.write(b"data: " + json.dumps(body).encode() + b"\r\n\r\n")
            await asyncio.sleep(0)
        await response.write_eof()
        return response

    app = web.Application()
    route = "/v1/projects/{project}/locations/{location}/publishers/google/{rest:.*}"
    app.router.add_post(route, answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


@pytest.fixture
async def vertex_client() -> AsyncIterator[tuple[gs.Client, list[Any]]]:
    seen: list[Any] = []
    runner = await _serve(BOOK_TRIP, seen)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with gs.Client(
            base_url=url, vertexai=True, project="trips", location="europe-west4",
            token_provider=_token,
        ) as client:  # fmt: skip
            yield client, seen
    finally:
        await runner.cleanup()


async def test_vertex_stream_folds_the_pieces_end_to_end(
    vertex_client: tuple[gs.Client, list[Any]],
) -> None:
    client, seen = vertex_client
    tools = [{"name": "book_trip", "description": "Book a trip."}]
    stream = client.stream(MODEL, "Book me four nights", tools=tools, tool_config=OPTION)
    chunks = await asyncio.wait_for(_collect(stream), 10)
    assert len(chunks) == len(BOOK_TRIP)  # each piece is still a chunk of its own
    reply = stream.response
    assert [(c.name, c.args) for c in reply.function_calls] == [("book_trip", BOOK_TRIP_ARGS)]
    assert reply.finish_reason == "STOP"
    calling = seen[0]["toolConfig"]["functionCallingConfig"]
    assert calling == {"mode": "AUTO", "streamFunctionCallArguments": True}


async def test_vertex_chat_history_holds_the_one_call(
    vertex_client: tuple[gs.Client, list[Any]],
) -> None:
    client, _ = vertex_client
    chat = client.chat(
        MODEL,
        tools=[{"name": "book_trip", "description": "Book a trip."}],
        tool_config=OPTION,
        automatic_function_calling=False,
    )
    reply = await asyncio.wait_for(chat.send("Book me four nights"), 10)
    assert [c.name for c in reply.function_calls] == ["book_trip"]
    model_turn = chat.history[-1]
    assert [(c.name, c.args) for c in model_turn.function_calls] == [("book_trip", BOOK_TRIP_ARGS)]
    assert all(p.function_call is None or p.function_call.partial_args is None
               for p in model_turn.parts)  # fmt: skip


async def _collect(stream: gs.ChunkStream) -> list[types.GenerateContentResponse]:
    return [chunk async for chunk in stream]


async def test_the_emulator_accepts_the_option_on_its_vertex_routes(emulator: Emulator) -> None:
    # It checks the option and sets it aside (its calls still come whole).
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=_token
    ) as client:
        reply = await client.generate("gemini-2.5-flash", "Hi", tool_config=OPTION)
    assert reply.text
    record = emulator.records[0]
    assert record.status == 200
    assert record.body["toolConfig"]["functionCallingConfig"]["streamFunctionCallArguments"]
