"""Structured output (response_schema types, final_parsed, parsed, ParseError) and the thinking
shorthands, against the emulator."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream._input.request import to_config
from gemini_stream.emulator import Emulator
from gemini_stream.types import GenerationConfig, Schema, ThinkingConfig

MODEL = "gemini-2.5-flash"


class Ingredient(msgspec.Struct):
    name: str
    grams: int


class Recipe(msgspec.Struct):
    """A recipe."""

    title: str
    ingredients: list[Ingredient]
    vegetarian: bool


@dataclasses.dataclass
class Answer:
    answer: str
    confidence: float


class Other(msgspec.Struct):
    count: int


RECIPE_SCHEMA: dict[str, Any] = {
    "title": "Recipe",
    "description": "A recipe.",
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "ingredients": {"type": "array", "items": {"$ref": "#/$defs/Ingredient"}},
        "vegetarian": {"type": "boolean"},
    },
    "required": ["title", "ingredients", "vegetarian"],
    "$defs": {
        "Ingredient": {
            "title": "Ingredient",
            "type": "object",
            "properties": {"name": {"type": "string"}, "grams": {"type": "integer"}},
            "required": ["name", "grams"],
        }
    },
}


# -- config shorthands ----------------------------------------------------------------------


def test_a_type_becomes_a_json_schema_and_the_json_mime_type() -> None:
    config = to_config({"response_schema": Recipe})
    assert config == GenerationConfig(
        response_mime_type="application/json", response_json_schema=RECIPE_SCHEMA
    )
    assert to_config({"responseJsonSchema": list[Ingredient]}) == GenerationConfig(
        response_mime_type="application/json",
        response_json_schema={
            "type": "array",
            "items": {"$ref": "#/$defs/Ingredient"},
            "$defs": {"Ingredient": RECIPE_SCHEMA["$defs"]["Ingredient"]},
        },
    )
    schema = to_config({"response_schema": Answer})
    assert schema is not None and schema.response_json_schema is not None
    assert schema.response_json_schema["required"] == ["answer", "confidence"]


def test_a_schema_dict_is_json_schema_unless_spelled_like_types_schema() -> None:
    json_schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert to_config({"response_schema": json_schema}) == GenerationConfig(
        response_mime_type="application/json", response_json_schema=json_schema
    )
    gemini = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
    assert to_config({"response_schema": gemini, "response_mime_type": "application/json"}) == (
        GenerationConfig(
            response_mime_type="application/json",
            response_schema=Schema(type="OBJECT", properties={"a": Schema(type="STRING")}),
        )
    )
    # A MIME type given explicitly wins over the default.
    config = to_config({"response_schema": Other, "response_mime_type": "text/plain"})
    assert config is not None and config.response_mime_type == "text/plain"
    assert config.response_json_schema == {
        "title": "Other",
        "type": "object",
        "properties": {"count": {"type": "integer"}},
        "required": ["count"],
    }
    with pytest.raises(ValueError, match="give one response schema"):
        to_config({"response_schema": Recipe, "response_json_schema": {"type": "string"}})
    with pytest.raises(TypeError, match="cannot build a JSON Schema"):
        to_config({"response_schema": object})


def test_thinking_shorthands_fold_into_thinking_config() -> None:
    assert to_config({"thinking_budget": 0}) == GenerationConfig(
        thinking_config=ThinkingConfig(thinking_budget=0)
    )
    assert to_config({"thinkingLevel": "low", "includeThoughts": True}) == GenerationConfig(
        thinking_config=ThinkingConfig(thinking_level="LOW", include_thoughts=True)
    )
    assert to_config(
        {"include_thoughts": True, "thinking_config": {"thinkingBudget": 128}}
    ) == GenerationConfig(
        thinking_config=ThinkingConfig(include_thoughts=True, thinking_budget=128)
    )
    with pytest.raises(ValueError, match="not both"):
        to_config({"thinking_budget": 10, "thinking_level": "high"})
    with pytest.raises(ValueError, match="conflicts with thinking_config"):
        to_config({"thinking_budget": 10, "thinking_config": {"thinking_budget": 20}})


# -- parsing replies ------------------------------------------------------------------------


async def test_final_parsed_decodes_into_the_requested_type(
    client: gs.Client, emulator: Emulator
) -> None:
    stream = client.stream(MODEL, "A recipe, please", config={"response_schema": Recipe})
    recipe = await stream.final_parsed()
    assert isinstance(recipe, Recipe)
    assert recipe.ingredients[0] == Ingredient(name="name 1", grams=1)
    config = emulator.records[-1].body["generationConfig"]
    assert config == {"responseMimeType": "application/json", "responseJsonSchema": RECIPE_SCHEMA}
    assert stream.response.parsed(Recipe) == recipe
    # A dict schema gives plain JSON values; a type passed explicitly wins.
    stream = client.stream(MODEL, "Hi", config={"response_schema": {"type": "object"}})
    assert await stream.final_parsed() == {}
    stream = client.stream(MODEL, "Hi", config={"response_schema": Answer})
    assert await stream.final_parsed(dict) == {"answer": "answer 1", "confidence": 1.5}


async def test_generate_and_chat_replies_parse_too(client: gs.Client) -> None:
    reply = await client.generate(MODEL, "Hi", config={"response_schema": list[Answer]})
    assert reply.parsed(list[Answer]) == [Answer("answer 1", 1.5)] * 2
    chat = client.chat(MODEL, config={"response_schema": Answer})
    assert await chat.stream("Hi").final_parsed() == Answer("answer 1", 1.5)
    other = await chat.stream("Now a recipe", config={"response_schema": Recipe}).final_parsed()
    assert isinstance(other, Recipe)
    assert len(chat.history) == 4


async def test_a_reply_that_does_not_fit_raises_parse_error(client: gs.Client) -> None:
    reply = await client.generate(MODEL, "Hi", config={"response_schema": Answer})
    with pytest.raises(gs.ParseError) as caught:
        reply.parsed(Other)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, gs.GeminiError)
    assert error.target is Other
    assert "does not conform to Other" in str(error)
    assert 'the reply starts \'{"answer"' in str(error)
    plain = await client.generate(MODEL, "No schema here")
    with pytest.raises(gs.ParseError, match=r"is not valid JSON.*I am the gemini-stream emulator"):
        plain.parsed(Answer)


def test_a_markdown_fence_around_json_is_tolerated() -> None:
    part = gs.Part(text='```json\n{"count": 3}\n```')
    reply = gs.GenerateContentResponse(
        candidates=[gs.types.Candidate(content=gs.Content.model(part))]
    )
    assert reply.parsed(Other) == Other(count=3)
    assert reply.parsed() == {"count": 3}


# -- thinking -------------------------------------------------------------------------------


async def test_thoughts_stream_apart_from_the_text(client: gs.Client, emulator: Emulator) -> None:
    stream = client.stream(MODEL, "Think first", config={"include_thoughts": True})
    thoughts = [t async for t in stream.thought_stream]
    reply = stream.response
    assert "".join(thoughts) == reply.thoughts and reply.thoughts.startswith("**Planning")
    assert reply.text and reply.thoughts not in reply.text
    assert emulator.records[-1].body["generationConfig"] == {
        "thinkingConfig": {"includeThoughts": True}
    }
    chat = client.chat("gemini-3-flash-preview", config={"thinking_level": "low"})
    stream = chat.stream("Think", config={"include_thoughts": True})
    texts, thoughts = [], []
    async for chunk in stream:
        texts.append(chunk.text)
        thoughts.append(chunk.thoughts)
    assert "".join(thoughts) == stream.response.thoughts != ""
    assert "".join(texts) == stream.response.text
    assert emulator.records[-1].body["generationConfig"] == {
        "thinkingConfig": {"includeThoughts": True, "thinkingLevel": "LOW"}
    }
    stream = chat.stream("Again", config={"include_thoughts": True})
    assert "".join([t async for t in stream.thought_stream]) == stream.response.thoughts
    no_thoughts = await client.generate(MODEL, "Quick", config={"thinking_budget": 0})
    assert no_thoughts.usage is not None and not no_thoughts.usage.thoughts_token_count
