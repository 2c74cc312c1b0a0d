"""Auth rules, request validation and the error bodies, against the reference examples."""

from __future__ import annotations

import json

import pytest

from gemini_stream.emulator import Emulator

from ._helpers import KEY, google_pretty, post, stream_url, url, user

INVALID_KEY_BODY = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": "API key not valid. Please pass a valid API key.",
            },
        ],
    }
}


def check_error(status, headers, body, code, rpc_status):
    assert status == code
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    error = json.loads(body)
    assert body == google_pretty(error)
    assert error["error"]["code"] == code
    assert error["error"]["status"] == rpc_status
    return error["error"]


async def test_missing_key_is_permission_denied(gemini_emulator, session):
    error = check_error(
        *await post(session, stream_url(gemini_emulator), user("hi"), {}), 403, "PERMISSION_DENIED"
    )
    assert error["message"].startswith("Method doesn't allow unregistered callers")


async def test_unknown_key_is_api_key_invalid(session):
    async with Emulator(api_keys={"good"}) as emulator:
        target = stream_url(emulator)
        status, headers, body = await post(session, target, user("hi"), {"x-goog-api-key": "bad"})
        check_error(status, headers, body, 400, "INVALID_ARGUMENT")
        assert json.loads(body) == INVALID_KEY_BODY
        status, _, _ = await post(session, target, user("hi"), {"x-goog-api-key": "good"})
        assert status == 200
        status, _, _ = await post(session, target + "&key=good", user("hi"), {})
        assert status == 200


async def test_key_is_checked_on_every_endpoint(gemini_emulator, session):
    async with session.get(f"{gemini_emulator.url}/v1beta/models") as response:
        assert response.status == 403
    status, *_ = await post(session, url(gemini_emulator, "countTokens"), user("hi"), {})
    assert status == 403


async def test_unknown_model_is_not_found(gemini_emulator, session):
    result = await post(session, stream_url(gemini_emulator, model="gemini-9-ultra"), user("hi"))
    error = check_error(*result, 404, "NOT_FOUND")
    assert error["message"].startswith(
        "models/gemini-9-ultra is not found for API version v1beta, or is not supported for "
        "generateContent."
    )


async def test_model_without_generate_content_is_not_found(gemini_emulator, session):
    result = await post(
        session, url(gemini_emulator, "generateContent", "gemini-embedding-001"), user("hi")
    )
    check_error(*result, 404, "NOT_FOUND")


async def test_unknown_paths_and_methods_are_not_found(gemini_emulator, session):
    async with session.get(f"{gemini_emulator.url}/v2/whatever", headers=KEY) as response:
        assert response.status == 404
        assert json.loads(await response.read())["error"]["status"] == "NOT_FOUND"
    result = await post(session, url(gemini_emulator, "embedSomething"), user("hi"))
    check_error(*result, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "violations"),
    [
        (
            {**user("hi"), "foo": 1},
            [(None, 'Invalid JSON payload received. Unknown name "foo": Cannot find field.')],
        ),
        (
            {**user("hi"), "generation_config": {"temprature": 1}},
            [
                (
                    "generation_config",
                    'Invalid JSON payload received. Unknown name "temprature" at '
                    "'generation_config': Cannot find field.",
                )
            ],
        ),
        (
            {"contents": [{"parts": [{"txt": "hi"}]}]},
            [
                (
                    "contents[0].parts[0]",
                    'Invalid JSON payload received. Unknown name "txt" at '
                    "'contents[0].parts[0]': Cannot find field.",
                )
            ],
        ),
        (
            {
                **user("hi"),
                "tools": [
                    {
                        "functionDeclarations": [
                            {
                                "name": "f",
                                "parameters": {"type": "OBJECT", "additionalProperties": False},
                            }
                        ]
                    }
                ],
            },
            [
                (
                    "tools[0].function_declarations[0].parameters",
                    'Invalid JSON payload received. Unknown name "additionalProperties" at '
                    "'tools[0].function_declarations[0].parameters': Cannot find field.",
                )
            ],
        ),
        (
            {**user("hi"), "generationConfig": {"temperature": "hot"}},
            [
                (
                    "generation_config.temperature",
                    "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
                )
            ],
        ),
        (
            {"contents": ["hi"]},
            [
                (
                    "contents[0]",
                    "Invalid value at 'contents[0]' "
                    '(type.googleapis.com/google.ai.generativelanguage.v1beta.Content), "hi"',
                )
            ],
        ),
        (
            {**user("hi"), "systemInstruction": [{"parts": []}]},
            [
                (
                    "system_instruction",
                    'Invalid JSON payload received. Unknown name "system_instruction": '
                    "Proto field is not repeating, cannot start list.",
                )
            ],
        ),
    ],
)
async def test_bad_fields_get_a_bad_request_detail(gemini_emulator, session, body, violations):
    error = check_error(
        *await post(session, stream_url(gemini_emulator), body), 400, "INVALID_ARGUMENT"
    )
    assert error["message"] == "\n".join(text for _, text in violations)
    [detail] = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    expected = [
        {"field": field, "description": text} if field else {"description": text}
        for field, text in violations
    ]
    assert detail["fieldViolations"] == expected


async def test_user_data_and_both_name_styles_are_accepted(gemini_emulator, session):
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "call f"}]},
            {
                "role": "model",
                "parts": [{"function_call": {"name": "f", "args": {"any_key": {"x": 1}}}}],
            },
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "f", "response": {"whatever": [1]}}}],
            },
        ],
        "system_instruction": {"parts": [{"text": "Be brief"}]},
        "generationConfig": {
            "response_mime_type": "application/json",
            "responseJsonSchema": {"type": "object", "additionalProperties": False, "$defs": {}},
            "thinking_config": {"include_thoughts": True, "thinkingBudget": "128"},
            "stopSequences": "never",
        },
        "tools": {
            "function_declarations": [
                {
                    "name": "f",
                    "parametersJsonSchema": {"type": "object", "properties": {}, "x-any": 1},
                }
            ]
        },
    }
    status, _, raw = await post(session, stream_url(gemini_emulator), body)
    assert status == 200, raw


async def test_malformed_json_body(gemini_emulator, session):
    async with session.post(
        stream_url(gemini_emulator), data=b"{not json", headers=KEY
    ) as response:
        error = check_error(
            response.status, response.headers, await response.read(), 400, "INVALID_ARGUMENT"
        )
    assert error["message"].startswith("Invalid JSON payload received. Unexpected token.")
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    async with session.post(stream_url(gemini_emulator), data=b"[1]", headers=KEY) as response:
        assert response.status == 400


async def test_missing_contents(gemini_emulator, session):
    result = await post(session, url(gemini_emulator, "generateContent"), {"contents": []})
    error = check_error(*result, 400, "INVALID_ARGUMENT")
    assert error["message"] == "* GenerateContentRequest.contents: contents is not specified\n"
    assert gemini_emulator.records[-1].status == 400


async def test_gemini_3_needs_the_signature_back(gemini_emulator, session):
    model = "gemini-3-flash-preview"
    tools = [{"functionDeclarations": [{"name": "get_time"}]}]
    request = {**user("call get_time"), "tools": tools}
    status, _, body = await post(session, url(gemini_emulator, "generateContent", model), request)
    call_turn = json.loads(body)["candidates"][0]["content"]
    reply = {
        "role": "user",
        "parts": [{"functionResponse": {"name": "get_time", "response": {"t": 1}}}],
    }
    good = {**request, "contents": [*request["contents"], call_turn, reply]}
    status, _, _ = await post(session, url(gemini_emulator, "generateContent", model), good)
    assert status == 200
    stripped = {"role": "model", "parts": [{"functionCall": call_turn["parts"][0]["functionCall"]}]}
    bad = {**request, "contents": [*request["contents"], stripped, reply]}
    result = await post(session, url(gemini_emulator, "generateContent", model), bad)
    error = check_error(*result, 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Function call is missing a thought_signature")
    assert "`get_time` , position 2." in error["message"]
    status, *_ = await post(session, url(gemini_emulator, "generateContent"), bad)
    assert status == 200  # 2.5 models do not insist


async def test_thinking_budget_and_level_together(gemini_emulator, session):
    config = {"thinkingConfig": {"thinkingBudget": 128, "thinkingLevel": "LOW"}}
    result = await post(
        session, stream_url(gemini_emulator), {**user("hi"), "generationConfig": config}
    )
    error = check_error(*result, 400, "INVALID_ARGUMENT")
    assert "not supported together" in error["message"]
