"""Structured output on the Interactions API: ``response_format`` given a type sends its JSON
Schema, and the answer's JSON is decoded once into that type."""

# ruff: noqa: E501 - wire payloads keep their lines whole

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream._input.structured import json_schema
from gemini_stream._interactions.request import build_body
from tests._interactions_server import InteractionsServer


class Recipe(msgspec.Struct):
    name: str
    minutes: int


@dataclasses.dataclass
class Summary:
    summary: str


JSON_STREAM = (
    'event: interaction.created\ndata: {"interaction":{"id":"v1_json","status":"in_progress"},"event_id":"a","event_type":"interaction.created"}\n\n'
    'event: step.start\ndata: {"index":0,"step":{"type":"model_output","content":[{"type":"text","text":"{\\"name\\": \\"Pancakes\\","}]},"event_id":"b","event_type":"step.start"}\n\n'
    'event: step.delta\ndata: {"index":0,"delta":{"type":"text","text":" \\"minutes\\": 20}"},"event_id":"c","event_type":"step.delta"}\n\n'
    'event: step.stop\ndata: {"index":0,"event_id":"d","event_type":"step.stop"}\n\n'
    'event: interaction.completed\ndata: {"interaction":{"id":"v1_json","status":"completed"},"event_id":"e","event_type":"interaction.completed"}\n\n'
    "event: done\ndata: [DONE]\n\n"
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


def test_a_type_as_response_format_sends_its_json_schema() -> None:
    expected = {"type": "text", "schema": json_schema(Recipe), "mime_type": "application/json"}
    assert expected["schema"]["type"] == "object"
    for given in (Recipe, {"type": "text", "schema": Recipe}):
        assert (
            build_body("m", None, "Hi", {"response_format": given})["response_format"] == expected
        )
    many = build_body(
        "m", None, "Hi", {"response_format": [Recipe, {"type": "image", "aspect_ratio": "1:1"}]}
    )
    assert many["response_format"] == [expected, {"type": "image", "aspect_ratio": "1:1"}]
    plain = {"type": "text", "mime_type": "application/json", "schema": {"type": "object"}}
    assert build_body("m", None, "Hi", {"response_format": plain})["response_format"] == plain
    with pytest.raises(TypeError, match="'json'"):
        build_body("m", None, "Hi", {"response_format": "json"})


async def test_the_streamed_answer_is_parsed_into_the_requested_type(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(JSON_STREAM)
    stream = client.interactions.stream("m", "A recipe, please", response_format=Recipe)
    assert await stream.final_parsed() == Recipe(name="Pancakes", minutes=20)
    assert server.requests[0].body["response_format"]["schema"] == json_schema(Recipe)
    assert stream.interaction.parsed() == {"name": "Pancakes", "minutes": 20}
    # Dropped halfway, the stream resumes and the JSON is whole.
    server.cuts = [2]
    again = client.interactions.stream("m", "A recipe, please", response_format=[Recipe])
    assert await again.final_parsed() == Recipe(name="Pancakes", minutes=20)


async def test_unary_answers_parse_too_and_bad_json_is_a_parse_error(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.unary = {
        "id": "v1_u",
        "status": "completed",
        "steps": [
            {
                "type": "model_output",
                "content": [{"type": "text", "text": json.dumps({"summary": "TPUs"})}],
            }
        ],
    }
    interaction = await client.interactions.create("m", "Summarise", response_format=Summary)
    assert interaction.parsed(Summary) == Summary(summary="TPUs")
    with pytest.raises(gs.ParseError, match="Recipe"):
        interaction.parsed(Recipe)
    server.unary["steps"][0]["content"][0]["text"] = "not json"  # type: ignore[index]
    with pytest.raises(gs.ParseError, match="not valid JSON"):
        (await client.interactions.create("m", "Summarise")).parsed()
