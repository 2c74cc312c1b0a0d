"""The built-in model: history, limits, thoughts, function calls, JSON, images and safety."""

from __future__ import annotations

import base64
import json
import struct
import zlib

from hypothesis import given
from hypothesis import strategies as st

from gemini_stream.emulator import (
    BLOCK_TRIGGER,
    UNSAFE_TRIGGER,
    BuiltinModel,
    count_tokens,
    expected_response,
    expected_text,
)
from gemini_stream.emulator._tokens import split_pieces, truncate

from ._helpers import post, stream_chunks, url, user

MODEL = "gemini-2.5-flash"


def chat(*turns, **extra):
    roles = ("user", "model")
    contents = [{"role": roles[i % 2], "parts": [{"text": t}]} for i, t in enumerate(turns)]
    return {"contents": contents, **extra}


def parts_of(chunks, index=0):
    return [
        part
        for chunk in chunks
        for candidate in chunk.get("candidates", [])
        if candidate["index"] == index
        for part in candidate.get("content", {}).get("parts", [])
    ]


def test_tokeniser_examples():
    assert count_tokens("Hello, world!") == 6
    assert count_tokens("   ") == 0
    assert count_tokens("Łódź 2026") == 2
    assert count_tokens("Szczebrzeszyn") == 4
    assert truncate("one two three", 2) == "one two"


@given(st.text(), st.integers(min_value=1, max_value=9))
def test_pieces_join_back_and_count_exactly(text, size):
    pieces = split_pieces(text, size)
    assert "".join(pieces) == text
    assert sum(count_tokens(p) for p in pieces) == count_tokens(text)
    assert all(count_tokens(p) <= size for p in pieces)


def test_reply_reports_history():
    text = expected_text(chat("I have two dogs.", "Nice!", "How many paws?"), MODEL)
    assert "I saw 2 user turns and 1 model turn." in text
    assert 'The first user message was "I have two dogs."' in text
    assert 'the last user message was "How many paws?"' in text
    alone = expected_text(chat("How many paws?"), MODEL)
    assert "I saw 1 user turn and 0 model turns." in alone


def test_system_instruction_and_snake_case():
    camel = chat("hi", systemInstruction={"parts": [{"text": "Be brief"}]})
    snake = chat("hi", system_instruction={"parts": [{"text": "Be brief"}]})
    assert expected_text(camel, MODEL).endswith(' The system instruction was "Be brief".')
    assert expected_text(camel, MODEL) == expected_text(snake, MODEL)


def test_filler_words_make_long_replies():
    short = expected_text(chat("x"), MODEL)
    long = expected_text(chat("x emulator:words=500"), MODEL)
    assert len(long.split()) >= len(short.split()) + 500


def test_chunking_does_not_change_the_reply():
    request = chat("a reasonably long question emulator:words=50")
    small, big = BuiltinModel(1).chunks(request, MODEL), BuiltinModel(50).chunks(request, MODEL)
    assert len(small) > len(big) > 1
    text = lambda chunks: "".join(p["text"] for p in parts_of(chunks))  # noqa: E731
    assert text(small) == text(big) == expected_text(request, MODEL)


def test_max_output_tokens_and_stop_sequences():
    request = chat("count HALT here", generationConfig={"maxOutputTokens": 5})
    chunks = BuiltinModel().chunks(request, MODEL)
    assert chunks[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert count_tokens(expected_text(request, MODEL)) == 5
    stopped = chat("count HALT here", generationConfig={"stopSequences": ["HALT"]})
    text = expected_text(stopped, MODEL)
    assert text.endswith('"count ')
    assert "HALT" not in text
    assert BuiltinModel().chunks(stopped, MODEL)[-1]["candidates"][0]["finishReason"] == "STOP"


def test_candidate_count():
    request = chat("hi", generationConfig={"candidateCount": 3})
    chunks = BuiltinModel().chunks(request, MODEL)
    last = chunks[-1]["candidates"]
    assert [c["index"] for c in last] == [0, 1, 2]
    assert all(c["finishReason"] == "STOP" for c in last)
    second = "".join(p["text"] for p in parts_of(chunks, 1))
    assert second == "Candidate 1: " + expected_text(request, MODEL)


def test_thoughts_come_first_with_a_signature():
    request = chat("think", generationConfig={"thinkingConfig": {"includeThoughts": True}})
    chunks = BuiltinModel(4).chunks(request, "gemini-3-flash-preview")
    parts = parts_of(chunks)
    flags = [bool(p.get("thought")) for p in parts]
    assert flags[0]
    assert flags == sorted(flags, reverse=True)
    first_answer = parts[flags.index(False)]
    signature = base64.b64decode(first_answer["thoughtSignature"], validate=True)
    assert len(signature) == 32
    assert sum("thoughtSignature" in p for p in parts) == 1
    thoughts = "".join(p["text"] for p in parts if p.get("thought"))
    assert chunks[0]["usageMetadata"]["thoughtsTokenCount"] == count_tokens(thoughts)
    assert BuiltinModel(4).chunks(request, "gemini-3-flash-preview") == chunks


def test_no_thoughts_without_thinking():
    for model, config in [
        ("gemini-2.0-flash", {"includeThoughts": True}),
        (MODEL, {"includeThoughts": True, "thinkingBudget": 0}),
    ]:
        chunks = BuiltinModel().chunks(
            chat("x", generationConfig={"thinkingConfig": config}), model
        )
        assert not any(p.get("thought") for p in parts_of(chunks))
        assert "thoughtsTokenCount" not in chunks[-1]["usageMetadata"]


WEATHER = {
    "name": "get_weather",
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "city": {"type": "STRING"},
            "unit": {"type": "STRING", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "INTEGER", "minimum": 3, "maximum": 5},
        },
        "required": ["city"],
    },
}
TIME = {
    "name": "get_time",
    "parametersJsonSchema": {"type": "object", "properties": {"zone": {"type": "string"}}},
}
TOOLS = [{"functionDeclarations": [WEATHER, TIME]}]


def test_single_function_call():
    chunks = BuiltinModel().chunks(
        chat("Please call get_weather", tools=TOOLS), "gemini-3-flash-preview"
    )
    calls = [p for p in parts_of(chunks) if "functionCall" in p]
    assert len(calls) == 1
    call = calls[0]["functionCall"]
    assert call["name"] == "get_weather"
    assert call["args"]["unit"] == "celsius"
    assert 3 <= call["args"]["days"] <= 5
    assert isinstance(call["args"]["city"], str)
    assert len(call["id"]) == 8
    assert "thoughtSignature" in calls[0]
    assert chunks[-1]["candidates"][0] == {
        "content": {"parts": [{"text": ""}], "role": "model"},
        "finishReason": "STOP",
        "index": 0,
    }


def test_parallel_calls_in_order_of_mention():
    request = chat("first get_time, then get_weather", tools=TOOLS)
    chunks = BuiltinModel().chunks(request, MODEL)
    calls = [p for p in parts_of(chunks) if "functionCall" in p]
    assert [c["functionCall"]["name"] for c in calls] == ["get_time", "get_weather"]
    assert ["thoughtSignature" in c for c in calls] == [True, False]
    assert len({c["functionCall"]["id"] for c in calls}) == 2
    assert expected_text(request, MODEL) == ""
    merged = expected_response(request, MODEL)["candidates"][0]["content"]["parts"]
    assert [list(p) for p in merged] == [["functionCall", "thoughtSignature"], ["functionCall"]]


def test_calling_modes():
    never = chat(
        "call get_weather", tools=TOOLS, toolConfig={"functionCallingConfig": {"mode": "NONE"}}
    )
    assert expected_text(never, MODEL).startswith("I am the gemini-stream emulator")
    forced = chat(
        "no names here",
        tools=TOOLS,
        toolConfig={"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}},
    )
    calls = [
        p["functionCall"]["name"]
        for p in parts_of(BuiltinModel().chunks(forced, MODEL))
        if "functionCall" in p
    ]
    assert calls == ["get_time"]
    assert expected_text(chat("what is get_weatherly?", tools=TOOLS), MODEL) != ""


def test_answer_after_function_response():
    request = chat("call get_weather", tools=TOOLS)
    call_turn = expected_response(request, MODEL)["candidates"][0]["content"]
    request["contents"] += [
        call_turn,
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp_c": 21}}}],
        },
    ]
    text = expected_text(request, MODEL)
    assert text.startswith('The function get_weather returned {"temp_c": 21}.')
    assert "I saw 1 user turn and 1 model turn" in text


def conforms(value, schema, root=None):
    """A small validator for the schema features the tests use."""
    root = root or schema
    if "$ref" in schema:
        target = root
        for key in schema["$ref"].lstrip("#/").split("/"):
            target = target[key]
        return conforms(value, target, root)
    if "enum" in schema:
        return value in schema["enum"]
    kinds = schema.get("type", "")
    if isinstance(kinds, list):
        return any(conforms(value, {**schema, "type": k}, root) for k in kinds)
    kind = kinds.lower()
    if kind == "null":
        return value is None
    if kind == "object":
        props = schema.get("properties", {})
        return (
            isinstance(value, dict)
            and all(k in value for k in schema.get("required", []))
            and all(conforms(v, props[k], root) for k, v in value.items())
        )
    if kind == "array":
        low, high = int(schema.get("minItems", 0)), int(schema.get("maxItems", 10**9))
        return (
            isinstance(value, list)
            and low <= len(value) <= high
            and all(conforms(v, schema["items"], root) for v in value)
        )
    if kind in ("integer", "number"):
        ok = isinstance(value, int) if kind == "integer" else isinstance(value, (int, float))
        return ok and schema.get("minimum", -1e18) <= value <= schema.get("maximum", 1e18)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str) and len(value) >= int(schema.get("minLength", 0))
    return False


RECIPE_SCHEMA = {
    "type": "OBJECT",
    "properties": {
        "title": {"type": "STRING"},
        "servings": {"type": "INTEGER", "minimum": 2},
        "vegetarian": {"type": "BOOLEAN"},
        "ingredients": {
            "type": "ARRAY",
            "minItems": "3",
            "items": {
                "type": "OBJECT",
                "properties": {"name": {"type": "STRING"}, "grams": {"type": "NUMBER"}},
                "required": ["name"],
            },
        },
        "difficulty": {"type": "STRING", "enum": ["easy", "hard"]},
    },
    "required": ["title", "ingredients"],
    "propertyOrdering": ["title", "difficulty", "servings", "ingredients", "vegetarian"],
}
JSON_SCHEMA = {
    "type": "object",
    "$defs": {
        "point": {
            "type": "object",
            "properties": {
                "x": {"type": "number", "maximum": 0.5},
                "label": {"type": ["string", "null"], "minLength": 12},
            },
            "required": ["x"],
        }
    },
    "properties": {
        "points": {"type": "array", "items": {"$ref": "#/$defs/point"}, "maxItems": 1},
        "count": {"type": "integer"},
    },
    "required": ["points", "count"],
}


async def test_structured_output_conforms(gemini_emulator, session):
    for key, schema in (("responseSchema", RECIPE_SCHEMA), ("responseJsonSchema", JSON_SCHEMA)):
        request = chat(
            "a recipe", generationConfig={"responseMimeType": "application/json", key: schema}
        )
        chunks = await stream_chunks(session, gemini_emulator, request)
        assert len(chunks) > 2  # the JSON is streamed in pieces
        value = json.loads("".join(p["text"] for p in parts_of(chunks)))
        assert conforms(value, schema), value
    assert (
        list(
            json.loads(
                expected_text(
                    chat(
                        "r",
                        generationConfig={
                            "responseMimeType": "application/json",
                            "responseSchema": RECIPE_SCHEMA,
                        },
                    ),
                    MODEL,
                )
            )
        )
        == RECIPE_SCHEMA["propertyOrdering"]
    )
    enum = chat(
        "pick",
        generationConfig={
            "responseMimeType": "text/x.enum",
            "responseSchema": {"type": "STRING", "enum": ["red", "blue"]},
        },
    )
    assert expected_text(enum, MODEL) == "red"
    untyped = chat("free", generationConfig={"responseMimeType": "application/json"})
    assert "text" in json.loads(expected_text(untyped, MODEL))


def read_png(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    return width, height


async def test_image_output_is_a_valid_png(gemini_emulator, session):
    request = chat("a sunset", generationConfig={"responseModalities": ["TEXT", "IMAGE"]})
    chunks = await stream_chunks(session, gemini_emulator, request, model="gemini-2.5-flash-image")
    parts = parts_of(chunks)
    assert parts[0]["text"].startswith("Here is a 16x16 PNG image")
    image = parts[-1]["inlineData"]
    assert image["mimeType"] == "image/png"
    assert read_png(base64.b64decode(image["data"], validate=True)) == (16, 16)
    usage = chunks[-1]["usageMetadata"]
    assert {"modality": "IMAGE", "tokenCount": 1290} in usage["candidatesTokensDetails"]
    only = BuiltinModel().chunks(
        chat("x", generationConfig={"responseModalities": ["IMAGE"]}), MODEL
    )
    assert [list(p) for p in parts_of(only)] == [["inlineData"]]


async def test_blocked_prompt(gemini_emulator, session):
    chunks = await stream_chunks(session, gemini_emulator, user(f"please {BLOCK_TRIGGER}"))
    assert len(chunks) == 1
    chunk = chunks[0]
    assert "candidates" not in chunk
    assert chunk["promptFeedback"]["blockReason"] == "SAFETY"
    assert chunk["usageMetadata"]["totalTokenCount"] == chunk["usageMetadata"]["promptTokenCount"]
    status, _, body = await post(
        session, url(gemini_emulator, "generateContent"), user(BLOCK_TRIGGER)
    )
    assert status == 200
    assert "candidates" not in json.loads(body)


async def test_reply_stopped_for_safety(gemini_emulator, session):
    request = user(f"tell me {UNSAFE_TRIGGER} things emulator:words=100")
    chunks = await stream_chunks(session, gemini_emulator, request)
    assert len(chunks) > 2
    last = chunks[-1]["candidates"][0]
    assert "content" not in last
    assert last["finishReason"] == "SAFETY"
    assert [r.get("blocked", False) for r in last["safetyRatings"]].count(True) == 1
    text = "".join(p["text"] for p in parts_of(chunks))
    assert text == expected_text(request, MODEL)
    assert count_tokens(text) == 12
