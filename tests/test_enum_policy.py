"""Enum values the API does not know: the client warns once and sends them anyway, and the
emulator answers them as Google does (400 INVALID_ARGUMENT with a BadRequest detail)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

import gemini_stream as gs
from gemini_stream._input import enum_policy
from gemini_stream.emulator import Emulator
from gemini_stream.types import GenerationConfig, SafetySetting, ThinkingConfig

MODEL = "gemini-2.5-flash"
_V1BETA = "type.googleapis.com/google.ai.generativelanguage.v1beta."


@pytest.fixture(autouse=True)
def _fresh_warning_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: no value warned about yet."""
    monkeypatch.setattr(enum_policy, "_warned", set())


# (call keyword arguments, field path in the API's error, the enum's proto type, the value)
_UNKNOWN: list[tuple[dict[str, Any], str, str, str]] = [
    (
        {"safety_settings": {"HARM_CATEGORY_SPAM": "BLOCK_NONE"}},
        "safety_settings[0].category",
        "HarmCategory",
        "HARM_CATEGORY_SPAM",
    ),
    (
        {"safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ALL"}]},
        "safety_settings[0].threshold",
        "SafetySetting.HarmBlockThreshold",
        "BLOCK_ALL",
    ),
    (
        {"config": {"response_modalities": ["TEXT", "IMAGES"]}},
        "generation_config.response_modalities[1]",
        "GenerationConfig.Modality",
        "IMAGES",
    ),
    (
        {"config": GenerationConfig(thinking_config=ThinkingConfig(thinking_level="ULTRA"))},
        "generation_config.thinking_config.thinking_level",
        "ThinkingConfig.ThinkingLevel",
        "ULTRA",
    ),
    (
        {"config": {"media_resolution": "MEDIA_RESOLUTION_ULTRA"}},
        "generation_config.media_resolution",
        "GenerationConfig.MediaResolution",
        "MEDIA_RESOLUTION_ULTRA",
    ),
    (
        {"tool_config": {"function_calling_config": {"mode": "SOMETIMES"}}},
        "tool_config.function_calling_config.mode",
        "FunctionCallingConfig.Mode",
        "SOMETIMES",
    ),
]


@pytest.mark.parametrize(("kwargs", "field", "proto", "value"), _UNKNOWN)
async def test_an_unknown_enum_value_warns_is_sent_and_gets_googles_400(
    client: gs.Client,
    emulator: Emulator,
    kwargs: dict[str, Any],
    field: str,
    proto: str,
    value: str,
) -> None:
    with (
        pytest.warns(gs.UnknownEnumValueWarning, match=repr(value)) as caught,
        pytest.raises(gs.BadRequestError) as info,
    ):
        await client.generate(MODEL, "Hi", **kwargs)
    assert [w.filename for w in caught] == [__file__]  # points at the caller's line
    assert value in emulator.records[-1].raw_body.decode()  # sent as given
    text = f"Invalid value at '{field}' ({_V1BETA}{proto}), \"{value}\""
    assert json.loads(info.value.body) == {
        "error": {
            "code": 400,
            "message": text,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field, "description": text}],
                }
            ],
        }
    }
    assert info.value.status == "INVALID_ARGUMENT" and value in info.value.message


def test_the_warning_is_issued_once_per_field_and_value() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            gs.Request(MODEL, "Hi", config={"thinking_level": "ULTRA"})
        gs.Request(MODEL, "Hi", config={"thinking_level": "EXTREME"})
        gs.Request(MODEL, "Hi", config={"media_resolution": "ULTRA"})
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3, messages
    assert all(issubclass(w.category, gs.UnknownEnumValueWarning) for w in caught)
    assert "'ULTRA'" in messages[0] and "'EXTREME'" in messages[1]
    assert "media_resolution" in messages[2]
    assert "HIGH, LOW, MEDIUM, MINIMAL" in messages[0]


def test_the_warning_is_a_gemini_error_and_can_be_turned_off() -> None:
    assert issubclass(gs.UnknownEnumValueWarning, gs.GeminiError)
    assert issubclass(gs.UnknownEnumValueWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gs.UnknownEnumValueWarning)
        request = gs.Request(
            MODEL, "Hi", safety_settings=[SafetySetting(category="NEW", threshold="OFF")]
        )
    assert request.wire.safety_settings == [SafetySetting(category="NEW", threshold="OFF")]


async def test_known_values_in_any_case_pass_quietly(client: gs.Client, emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await client.generate(
            "gemini-3-pro-preview",
            "Hi",
            config={"thinking_level": "low", "media_resolution": "media_resolution_low"},
            safety_settings={"HARM_CATEGORY_HARASSMENT": "block_none"},
            tool_config={"function_calling_config": {"mode": "auto"}},
        )
    assert emulator.records[-1].status == 200


async def test_the_emulator_refuses_an_unknown_value_sent_without_the_client(
    emulator: Emulator,
) -> None:
    import aiohttp

    body = {
        "contents": [{"parts": [{"text": "Hi"}]}],
        "generationConfig": {"responseModalities": ["TEXT", "HOLOGRAM"], "thinkingConfig": {}},
        "safetySettings": [{"category": 7, "threshold": "BLOCK_NONE"}],  # numbers pass
    }
    url = f"{emulator.url}/v1beta/models/{MODEL}:generateContent"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers={"x-goog-api-key": "k"}) as response,
    ):
        assert response.status == 400
        error = (await response.json())["error"]
    assert error["details"][0]["fieldViolations"] == [
        {
            "field": "generation_config.response_modalities[1]",
            "description": "Invalid value at 'generation_config.response_modalities[1]' "
            f'({_V1BETA}GenerationConfig.Modality), "HOLOGRAM"',
        }
    ]


async def test_vertex_only_harm_categories_pass_on_vertex_only(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.raises(gs.BadRequestError, match="HARM_CATEGORY_IMAGE_HATE"):
        await client.generate(MODEL, "Hi", safety_settings={"HARM_CATEGORY_IMAGE_HATE": "OFF"})
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=lambda: "t"
    ) as client:
        await client.generate(MODEL, "Hi", safety_settings={"HARM_CATEGORY_IMAGE_HATE": "OFF"})
    assert emulator.records[-1].status == 200


async def test_a_category_that_parses_but_cannot_be_set_gets_the_predicate_message(
    client: gs.Client,
) -> None:
    with (
        pytest.warns(gs.UnknownEnumValueWarning, match="HARM_CATEGORY_DEROGATORY"),
        pytest.raises(gs.BadRequestError) as info,
    ):
        await client.generate(
            MODEL,
            "Hi",
            safety_settings={
                "HARM_CATEGORY_HARASSMENT": "OFF",
                "HARM_CATEGORY_DEROGATORY": "BLOCK_NONE",  # PaLM's: known to the parser only
            },
        )
    assert info.value.message.startswith(
        "* GenerateContentRequest.safety_settings[1]: element predicate failed: $.category in "
        "(HarmCategory.HARM_CATEGORY_HATE_SPEECH, "
    )
