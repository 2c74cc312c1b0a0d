"""The emulator's Interactions API against the reference transcripts E1-E5 (shapes, names, order).

The expected fragments below are re-typed from ``interactions-wire-format.md`` (section 13),
so these tests run from a clean clone.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest

from gemini_stream.emulator import FAULT_HEADER, Emulator, Fault, RequestRecord, expected_text

KEY = {"x-goog-api-key": "test-key"}
MODEL = "gemini-3-flash-preview"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
LEGACY = (
    "The legacy Interactions API schema is no longer supported. Please upgrade your client "
    "SDK to Python >= 2.0.0 or JavaScript/TypeScript >= 2.0.0 to adopt the new 'steps' "
    "schema. For details and migration examples, see: "
    "https://ai.google.dev/gemini-api/docs/interactions-breaking-changes-may-2026"
)
# E1's resource and usage fields; E3's interaction.completed fields and usage key order.
E1_FIELDS = {"created", "id", "model", "object", "steps", "status", "updated", "usage"}
E1_USAGE = {
    "input_tokens_by_modality",
    "total_cached_tokens",
    "total_input_tokens",
    "total_output_tokens",
    "total_thought_tokens",
    "total_tokens",
    "total_tool_use_tokens",
}
E3_COMPLETED = ["id", "status", "usage", "created", "updated", "service_tier", "object", "model"]
E3_USAGE = [
    "total_tokens",
    "total_input_tokens",
    "input_tokens_by_modality",
    "total_cached_tokens",
    "total_output_tokens",
    "total_tool_use_tokens",
    "total_thought_tokens",
]
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a given location",
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
Event = tuple[str, Any]


def ix_url(emulator: Emulator, tail: str = "") -> str:
    return f"{emulator.url}/v1beta/interactions{tail}"


def parse_sse(raw: bytes) -> list[Event]:
    """Split an Interactions SSE body into ``(event name, JSON data or "[DONE]")``, checking
    the framing: ``event: NAME`` LF ``data: ONE LINE`` LF LF, name == ``event_type``."""
    text = raw.decode()
    assert text == "" or text.endswith("\n\n"), text[-80:]
    events: list[Event] = []
    for block in text.split("\n\n")[:-1]:
        head, data = block.split("\n")
        assert head.startswith("event: ") and data.startswith("data: "), block
        name, payload = head[len("event: ") :], data[len("data: ") :]
        if name == "done":
            assert payload == "[DONE]"
            events.append((name, payload))
            continue
        value = json.loads(payload)
        assert value["event_type"] == name
        assert list(value)[-1] == "event_type", payload  # the live samples put it last
        events.append((name, value))
    return events


def names(events: list[Event]) -> list[str]:
    return [name for name, _ in events]


async def read_body(response: aiohttp.ClientResponse) -> bytes:
    """The body as far as it came, even when the server cut the connection."""
    parts = []
    try:
        async for chunk in response.content.iter_any():
            parts.append(chunk)
    except aiohttp.ClientPayloadError:
        pass
    return b"".join(parts)


async def create(
    session: aiohttp.ClientSession, emulator: Emulator, body: Any, headers: Any = KEY
) -> tuple[int, Any]:
    async with session.post(ix_url(emulator), json=body, headers=headers) as response:
        raw = await read_body(response)
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            return response.status, parse_sse(raw)
        return response.status, json.loads(raw) if raw else None


async def get(
    session: aiohttp.ClientSession,
    emulator: Emulator,
    ix_id: str,
    query: str = "",
    headers: Any = KEY,
) -> tuple[int, Any]:
    async with session.get(ix_url(emulator, f"/{ix_id}{query}"), headers=headers) as response:
        raw = await read_body(response)
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            return response.status, parse_sse(raw)
        return response.status, json.loads(raw) if raw else None


def fold(events: list[Event]) -> list[dict[str, Any]]:
    """Assemble steps from events by the doc's rules (section 7.4), independently of the server."""
    steps: dict[int, dict[str, Any]] = {}
    for name, data in events:
        if name == "step.start":
            steps[data["index"]] = json.loads(json.dumps(data["step"]))
        elif name == "step.delta":
            step, delta = steps[data["index"]], data["delta"]
            kind = delta["type"]
            if kind == "text":
                blocks = step.setdefault("content", [])
                if blocks and blocks[-1]["type"] == "text":
                    blocks[-1]["text"] += delta["text"]
                else:
                    blocks.append({"type": "text", "text": delta["text"]})
            elif kind == "thought_signature":
                step["signature"] = delta["signature"]
            elif kind == "thought_summary":
                step.setdefault("summary", []).append(delta["content"])
            elif kind == "arguments_delta":
                step["_args"] = step.get("_args", "") + delta["arguments"]
            else:
                step.setdefault("content", []).append(dict(delta))
        elif name == "step.stop":
            step = steps[data["index"]]
            if "_args" in step:
                step["arguments"] = json.loads(step.pop("_args") or "{}")
    return [steps[i] for i in sorted(steps)]


def canonical(steps: list[dict[str, Any]]) -> str:
    return json.dumps(steps, sort_keys=True)


# E1: unary text --------------------------------------------------------------------------


async def test_e1_unary_text_then_get_has_the_full_timeline(gemini_emulator, session):
    status, body = await create(
        session, gemini_emulator, {"model": MODEL, "input": "Hello, how are you?"}
    )
    assert status == 200
    assert set(body) == E1_FIELDS
    assert body["object"] == "interaction" and body["model"] == MODEL
    assert body["status"] == "completed"
    assert body["id"].startswith("v1_")
    assert TIME.fullmatch(body["created"]) and TIME.fullmatch(body["updated"])
    text = expected_text(
        {"contents": [{"role": "user", "parts": [{"text": "Hello, how are you?"}]}]}, MODEL
    )
    assert body["steps"] == [{"type": "model_output", "content": [{"type": "text", "text": text}]}]
    usage = body["usage"]
    assert set(usage) == E1_USAGE
    assert usage["input_tokens_by_modality"] == [{"modality": "text", "tokens": 7}]
    assert usage["total_input_tokens"] == 7  # "Hello, how are you?" with the emulator's tokeniser
    assert usage["total_tokens"] == (
        usage["total_input_tokens"] + usage["total_output_tokens"] + usage["total_thought_tokens"]
    )
    assert usage["total_thought_tokens"] > 0  # gemini-3 thinks even when it says nothing of it

    status, got = await get(session, gemini_emulator, body["id"], "?stream=false")
    assert status == 200
    user_step = {"type": "user_input", "content": [{"type": "text", "text": "Hello, how are you?"}]}
    assert got["steps"] == [user_step, *body["steps"]]
    assert {k: v for k, v in got.items() if k != "steps"} == {
        k: v for k, v in body.items() if k != "steps"
    }


# E2: streamed answer with thought summaries -----------------------------------------------


async def test_e2_stream_with_thought_summaries_has_the_think_transcript_shape(
    gemini_emulator, session
):
    request = {
        "model": MODEL,
        "input": "Which house does each person live in?",
        "generation_config": {"thinking_summaries": "auto"},
        "stream": True,
    }
    async with session.post(ix_url(gemini_emulator), json=request, headers=KEY) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        events = parse_sse(await response.read())
    seq = names(events)
    assert seq[:5] == [
        "interaction.created",
        "interaction.status_update",
        "step.start",
        "step.delta",
        "step.stop",
    ]
    assert seq[5] == "step.start" and seq[-3:] == ["step.stop", "interaction.completed", "done"]
    assert set(seq[6:-3]) == {"step.delta"}

    created = events[0][1]
    assert list(created["interaction"]) == ["id", "status", "object", "model"]
    assert created["interaction"]["status"] == "in_progress"
    ix_id = created["interaction"]["id"]
    assert events[1][1] == {
        "interaction_id": ix_id,
        "status": "in_progress",
        "event_id": events[1][1]["event_id"],
        "event_type": "interaction.status_update",
    }
    thought = events[2][1]
    assert thought["index"] == 0
    assert list(thought["step"]) == ["signature", "summary", "type"]
    assert thought["step"]["signature"] == "" and thought["step"]["type"] == "thought"
    assert [list(s) for s in thought["step"]["summary"]] == [["text", "type"]]
    assert thought["step"]["summary"][0]["text"].startswith("**")  # a bold heading, as E2's
    signature = events[3][1]["delta"]
    assert list(signature) == ["signature", "type"] and signature["type"] == "thought_signature"
    assert events[4][1] == {
        "index": 0,
        "event_id": events[4][1]["event_id"],
        "event_type": "step.stop",
    }
    output = events[5][1]
    assert output["index"] == 1
    assert list(output["step"]) == ["content", "type"] and output["step"]["type"] == "model_output"
    assert [list(b) for b in output["step"]["content"]] == [["text", "type"]]
    for _, data in events[6:-3]:
        assert data["index"] == 1 and list(data["delta"]) == ["text", "type"]
    completed = events[-2][1]["interaction"]
    assert list(completed) == E3_COMPLETED
    assert list(completed["usage"]) == E3_USAGE
    assert completed["id"] == ix_id and completed["status"] == "completed"

    ids = [data["event_id"] for name, data in events if name != "done"]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) and i for i in ids)

    # The stream's steps are exactly what GET returns after the input step.
    status, got = await get(session, gemini_emulator, ix_id)
    assert status == 200
    assert canonical(fold(events)) == canonical(got["steps"][1:])
    assert got["steps"][1]["signature"] == signature["signature"]
    assert got["usage"] == completed["usage"]


async def test_thought_summaries_are_off_by_default(gemini_emulator, session):
    _, events = await create(
        session, gemini_emulator, {"model": MODEL, "input": "Plain, please.", "stream": True}
    )
    starts = [data["step"]["type"] for name, data in events if name == "step.start"]
    assert starts == ["model_output"]


# E3: function call round trip -------------------------------------------------------------


async def test_e3_streamed_function_call_and_result(gemini_emulator, session):
    turn1 = {
        "model": MODEL,
        "input": "What is the weather in Paris right now? Use get_weather please.",
        "stream": True,
        "tools": [WEATHER],
    }
    status, events = await create(session, gemini_emulator, turn1)
    assert status == 200
    seq = names(events)
    assert seq[:5] == [
        "interaction.created",
        "interaction.status_update",
        "step.start",
        "step.delta",
        "step.stop",
    ]
    assert events[2][1]["step"] == {"type": "thought"}
    assert events[3][1]["delta"]["type"] == "thought_signature"
    call_start = events[5][1]
    assert seq[5] == "step.start" and call_start["index"] == 1
    assert list(call_start["step"]) == ["id", "type", "name", "arguments"]
    assert call_start["step"]["name"] == "get_weather" and call_start["step"]["arguments"] == {}
    call_id = call_start["step"]["id"]
    assert re.fullmatch(r"[a-z0-9]{8}", call_id)
    deltas = [d for n, d in events if n == "step.delta" and d["index"] == 1]
    assert len(deltas) > 1  # the arguments arrive in pieces
    assert all(list(d["delta"]) == ["arguments", "type"] for d in deltas)
    assert all(d["delta"]["type"] == "arguments_delta" for d in deltas)
    arguments = json.loads("".join(d["delta"]["arguments"] for d in deltas))
    assert set(arguments) == {"location"} and isinstance(arguments["location"], str)
    assert seq[-3:] == ["step.stop", "interaction.completed", "done"]
    completed = events[-2][1]["interaction"]
    assert completed["status"] == "requires_action"
    assert list(completed) == E3_COMPLETED and list(completed["usage"]) == E3_USAGE
    turn1_id = completed["id"]

    # Turn 2 answers the call; the model sees the result and the earlier turn.
    result = {"content": [{"type": "text", "text": '{"weather": "Sunny and 22°C"}'}]}
    answer = {
        "type": "function_result",
        "name": "get_weather",
        "call_id": call_id,
        "result": result,
    }
    turn2 = {"model": MODEL, "previous_interaction_id": turn1_id, "stream": True, "input": [answer]}
    status, events2 = await create(session, gemini_emulator, turn2)
    assert status == 200
    assert names(events2)[2:] == ["step.start", *["step.delta"] * (len(events2) - 6), "step.stop",
                                  "interaction.completed", "done"]  # fmt: skip
    steps = fold(events2)
    assert [s["type"] for s in steps] == ["model_output"]
    text = steps[0]["content"][0]["text"]
    assert text.startswith(
        f"The function get_weather returned {json.dumps(result, ensure_ascii=False)}."
    )
    assert "I saw 1 user turn and 1 model turn" in text
    assert events2[-2][1]["interaction"]["status"] == "completed"

    status, got = await get(session, gemini_emulator, events2[0][1]["interaction"]["id"])
    assert got["previous_interaction_id"] == turn1_id
    assert got["steps"] == [answer, *steps]


async def test_unary_function_call_names_the_call_and_a_result_without_name_is_matched(
    gemini_emulator, session
):
    status, body = await create(
        session,
        gemini_emulator,
        {"model": MODEL, "input": "call get_weather for Boston", "tools": [WEATHER]},
    )
    assert status == 200 and body["status"] == "requires_action"
    assert [s["type"] for s in body["steps"]] == ["thought", "function_call"]
    call = body["steps"][1]
    assert set(call) == {"type", "id", "name", "arguments"} and call["name"] == "get_weather"
    result = {"type": "function_result", "call_id": call["id"], "result": {"temp": "72F"}}
    _, reply = await create(
        session,
        gemini_emulator,
        {"model": MODEL, "previous_interaction_id": body["id"], "input": [result]},
    )
    assert reply["steps"][0]["content"][0]["text"].startswith(
        'The function get_weather returned {"temp": "72F"}.'
    )
    # Stateless: the whole history as steps (the thought with its signature included).
    user = {
        "type": "user_input",
        "content": [{"type": "text", "text": "call get_weather for Boston"}],
    }
    _, stateless = await create(
        session,
        gemini_emulator,
        {"model": MODEL, "input": [user, *body["steps"], result], "store": False},
    )
    assert stateless["steps"] == reply["steps"]


async def test_tool_choice_none_calls_nothing(gemini_emulator, session):
    _, body = await create(
        session,
        gemini_emulator,
        {
            "model": MODEL,
            "input": "call get_weather",
            "tools": [WEATHER],
            "generation_config": {"tool_choice": "none"},
        },
    )
    assert body["status"] == "completed"
    assert [s["type"] for s in body["steps"]] == ["model_output"]


# Conversations, structured output, stateless history ---------------------------------------


async def test_previous_interaction_id_gives_the_model_the_whole_conversation(
    gemini_emulator, session
):
    _, first = await create(session, gemini_emulator, {"model": MODEL, "input": "I have two dogs."})
    _, second = await create(
        session,
        gemini_emulator,
        {
            "model": MODEL,
            "input": "How many paws?",
            "previous_interaction_id": first["id"],
            "system_instruction": "Be brief",
        },
    )
    first_text = first["steps"][0]["content"][0]["text"]
    equivalent = {
        "contents": [
            {"role": "user", "parts": [{"text": "I have two dogs."}]},
            {"role": "model", "parts": [{"text": first_text}]},
            {"role": "user", "parts": [{"text": "How many paws?"}]},
        ],
        "systemInstruction": {"parts": [{"text": "Be brief"}]},
    }
    assert second["steps"][0]["content"][0]["text"] == expected_text(equivalent, MODEL)
    assert "I saw 2 user turns and 1 model turn" in expected_text(equivalent, MODEL)
    # Stateless: the same history sent as steps gives the same answer.
    history = [
        {"type": "user_input", "content": [{"type": "text", "text": "I have two dogs."}]},
        *first["steps"],
        {"type": "user_input", "content": [{"type": "text", "text": "How many paws?"}]},
    ]
    _, stateless = await create(
        session,
        gemini_emulator,
        {"model": MODEL, "input": history, "system_instruction": "Be brief", "store": False},
    )
    assert stateless["steps"] == second["steps"]
    assert "id" not in stateless  # store: false keeps nothing to point at


async def test_structured_output_follows_the_schema(gemini_emulator, session):
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}, "score": {"type": "integer", "minimum": 3}},
    }
    _, body = await create(
        session,
        gemini_emulator,
        {
            "model": MODEL,
            "input": "Summarise.",
            "response_format": {"type": "text", "mime_type": "application/json", "schema": schema},
        },
    )
    value = json.loads(body["steps"][0]["content"][0]["text"])
    assert set(value) == {"summary", "score"} and value["score"] >= 3


async def test_words_directive_and_max_output_tokens_make_an_incomplete_reply(
    gemini_emulator, session
):
    _, body = await create(
        session,
        gemini_emulator,
        {
            "model": MODEL,
            "input": "long emulator:words=50",
            "generation_config": {"max_output_tokens": 5},
        },
    )
    assert body["status"] == "incomplete"
    assert body["usage"]["total_output_tokens"] == 5


# E5 and other errors ------------------------------------------------------------------------


async def test_e5_legacy_schema_is_refused_with_the_real_body(gemini_emulator, session):
    async with session.post(
        ix_url(gemini_emulator),
        json={"model": MODEL, "input": "hi", "response_mime_type": "application/json"},
        headers=KEY,
    ) as response:
        assert response.status == 400
        raw = await response.read()
    assert json.loads(raw) == {"error": {"message": LEGACY, "code": "invalid_request"}}
    assert list(json.loads(raw)["error"]) == ["message", "code"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"model": MODEL}, "'input' is required"),
        ({"model": MODEL, "agent": "deep-research-preview-04-2026", "input": "x"}, "Exactly one"),
        (
            {"model": MODEL, "input": "x", "previousInteractionId": "v1_x"},
            '"previousInteractionId"',
        ),
        ({"model": MODEL, "input": "x", "system_instruction": {"parts": []}}, "system_instruction"),
        (
            {"model": MODEL, "input": "x", "background": True, "store": False},
            "'background' requires",
        ),
        ({"model": MODEL, "input": 42}, "got 42"),
        ({"model": MODEL, "input": [{"type": "function_result", "result": 1}]}, "call_id"),
        ({"agent": "deep-research-preview-04-2026", "input": "x"}, "requires 'background'"),
    ],
)
async def test_bad_create_bodies_get_invalid_request_naming_the_value(
    gemini_emulator, session, body, needle
):
    status, error = await create(session, gemini_emulator, body)
    assert status == 400
    assert error["error"]["code"] == "invalid_request"
    assert needle in error["error"]["message"]


async def test_the_reference_s_newer_models_are_served(gemini_emulator, session):
    body = {"model": "gemini-3.8-flash", "input": "hi", "stream": True}
    body["generation_config"] = {"thinking_summaries": "auto"}
    status, events = await create(session, gemini_emulator, body)
    assert status == 200
    assert events[0][1]["interaction"]["model"] == "gemini-3.8-flash"
    assert events[2][1]["step"]["type"] == "thought"  # it thinks, as E2's model does


async def test_unknown_model_and_unknown_ids_are_not_found(gemini_emulator, session):
    status, error = await create(
        session, gemini_emulator, {"model": "gemini-9-ultra", "input": "x"}
    )
    assert (status, error["error"]["code"]) == (404, "not_found")
    assert "gemini-9-ultra" in error["error"]["message"]
    status, error = await get(session, gemini_emulator, "v1_nope")
    assert status == 404 and error == {
        "error": {"message": "Interaction 'v1_nope' not found.", "code": "not_found"}
    }
    status, error = await create(
        session,
        gemini_emulator,
        {"model": MODEL, "input": "x", "previous_interaction_id": "v1_gone"},
    )
    assert status == 404 and "v1_gone" in error["error"]["message"]


@pytest.mark.parametrize(("code", "name"), [(503, "unavailable"), (429, "resource_exhausted")])
async def test_status_faults_use_the_interactions_envelope(gemini_emulator, session, code, name):
    headers = {**KEY, FAULT_HEADER: f"status={code}; retry-after=3"}
    body = {"model": MODEL, "input": "x", "stream": True}
    async with session.post(ix_url(gemini_emulator), json=body, headers=headers) as response:
        assert response.status == code
        assert response.headers["Retry-After"] == "3"
        error = json.loads(await response.read())
    assert set(error) == {"error"} and set(error["error"]) == {"message", "code"}
    assert error["error"]["code"] == name
    assert gemini_emulator.interactions.interactions == {}  # refused before anything ran


async def test_e5_error_event_mid_stream_fails_the_interaction(gemini_emulator, session):
    gemini_emulator.script(Fault(error_event_after=3, error_status=504))
    _, events = await create(
        session, gemini_emulator, {"model": MODEL, "input": "x", "stream": True}
    )
    assert names(events) == [
        "interaction.created",
        "interaction.status_update",
        "step.start",
        "error",
        "done",
    ]
    error = events[3][1]
    assert list(error) == ["error", "event_id", "event_type"]
    assert error["error"] == {
        "message": "Deadline expired before operation could complete.",
        "code": "gateway_timeout",
    }
    _, got = await get(session, gemini_emulator, events[0][1]["interaction"]["id"])
    assert got["status"] == "failed"
    assert got["errors"] == [{"code": "gateway_timeout", "message": error["error"]["message"]}]


async def test_key_checks_and_records(gemini_emulator, session):
    async with session.post(
        ix_url(gemini_emulator), json={"model": MODEL, "input": "x"}
    ) as response:
        assert response.status == 403  # no key: Google's front-end envelope
        assert json.loads(await response.read())["error"]["status"] == "PERMISSION_DENIED"
    _, body = await create(session, gemini_emulator, {"model": MODEL, "input": "x"})
    await get(session, gemini_emulator, body["id"])
    created, fetched = gemini_emulator.records[-2:]
    assert (created.method, created.path, created.rpc) == (
        "POST",
        "/v1beta/interactions",
        "interactions.create",
    )
    assert created.model == f"models/{MODEL}" and created.body == {"model": MODEL, "input": "x"}
    assert created.api_key == RequestRecord.fingerprint("test-key")
    assert created.headers["x-goog-api-key"] == RequestRecord.fingerprint("test-key")
    assert (fetched.rpc, fetched.status) == ("interactions.get", 200)
    assert fetched.path == f"/v1beta/interactions/{body['id']}"


async def test_store_false_streams_without_an_id_and_keeps_nothing(gemini_emulator, session):
    _, events = await create(
        session, gemini_emulator, {"model": MODEL, "input": "x", "stream": True, "store": False}
    )
    assert "id" not in events[0][1]["interaction"]
    assert events[1][1] == {
        "status": "in_progress",
        "event_id": events[1][1]["event_id"],
        "event_type": "interaction.status_update",
    }
    assert names(events)[-2:] == ["interaction.completed", "done"]
    assert gemini_emulator.interactions.interactions == {}


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"thinking_level": "extreme"}, "'extreme'"),
        ({"thinking_summaries": True}, "thinking_summaries"),
        ({"max_output_tokens": "10"}, "'10'"),
    ],
)
async def test_bad_generation_config_values_are_named(gemini_emulator, session, config, needle):
    body = {"model": MODEL, "input": "x", "generation_config": config}
    status, error = await create(session, gemini_emulator, body)
    assert status == 400 and needle in error["error"]["message"]


async def test_image_output_is_an_image_delta_and_block(gemini_emulator, session):
    body = {
        "model": "gemini-2.5-flash-image",
        "input": "Draw a cat",
        "response_format": [{"type": "text"}, {"type": "image"}],
        "stream": True,
    }
    _, events = await create(session, gemini_emulator, body)
    image = [d["delta"] for n, d in events if n == "step.delta" and d["delta"]["type"] == "image"]
    assert len(image) == 1 and image[0]["mime_type"] == "image/png"
    assert set(image[0]) == {"data", "mime_type", "type"}
    _, got = await get(session, gemini_emulator, events[0][1]["interaction"]["id"])
    blocks = got["steps"][-1]["content"]
    assert [b["type"] for b in blocks] == ["text", "image"]
    assert blocks[1]["data"] == image[0]["data"]
    assert blocks[0]["text"] == 'Here is a 16x16 PNG image for "Draw a cat".'
