"""models.list paging, models.get and countTokens."""

from __future__ import annotations

import json

from ._helpers import KEY, post, stream_url, url, user


async def get(session, target):
    async with session.get(target, headers=KEY) as response:
        return response.status, json.loads(await response.read())


async def test_list_models_pages_with_opaque_tokens(gemini_emulator, session):
    base = f"{gemini_emulator.url}/v1beta/models"
    status, everything = await get(session, base)
    assert status == 200
    assert "nextPageToken" not in everything
    names = [m["name"] for m in everything["models"]]
    assert "models/gemini-2.5-flash" in names
    assert "models/gemini-3-flash-preview" in names
    seen, token, pages = [], "", 0
    while True:
        status, page = await get(
            session, f"{base}?pageSize=4" + (f"&pageToken={token}" if token else "")
        )
        assert status == 200
        assert len(page["models"]) <= 4
        seen += [m["name"] for m in page["models"]]
        pages += 1
        token = page.get("nextPageToken", "")
        if not token:
            break
        assert "gemini" not in token  # opaque, not a readable name
    assert seen == names
    assert pages == -(-len(names) // 4)


async def test_bad_page_parameters(gemini_emulator, session):
    base = f"{gemini_emulator.url}/v1beta/models"
    status, body = await get(session, f"{base}?pageToken=bogus")
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    status, body = await get(session, f"{base}?pageSize=many")
    assert status == 400
    assert body["error"]["details"][0]["fieldViolations"][0]["field"] == "page_size"


async def test_get_model_fields(gemini_emulator, session):
    status, model = await get(session, f"{gemini_emulator.url}/v1beta/models/gemini-2.5-flash")
    assert status == 200
    assert model["name"] == "models/gemini-2.5-flash"
    assert model["inputTokenLimit"] == 1048576
    assert model["outputTokenLimit"] == 65536
    assert "generateContent" in model["supportedGenerationMethods"]
    assert "streamGenerateContent" not in model["supportedGenerationMethods"]
    assert model["thinking"] is True
    assert (model["temperature"], model["topP"], model["topK"], model["maxTemperature"]) == (
        1,
        0.95,
        64,
        2,
    )
    _, legacy = await get(session, f"{gemini_emulator.url}/v1beta/models/gemini-2.0-flash")
    assert "thinking" not in legacy
    assert legacy["topK"] == 40
    status, body = await get(session, f"{gemini_emulator.url}/v1beta/models/nope")
    assert status == 404
    assert body["error"]["status"] == "NOT_FOUND"
    async with session.get(
        f"{gemini_emulator.url}/v1beta/models?pageSize=1&pageSize=2", headers=KEY
    ) as r:
        assert r.status == 200
    raw = await (
        await session.get(f"{gemini_emulator.url}/v1beta/models/gemini-2.5-pro", headers=KEY)
    ).read()
    assert b'"temperature": 1,\n' in raw  # integral floats are written without ".0"


REQUEST = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "What is in this picture?"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
            ],
        },
        {"role": "model", "parts": [{"text": "A cat."}]},
        {"role": "user", "parts": [{"text": "And its colour?"}]},
    ],
    "systemInstruction": {"parts": [{"text": "Answer in one word."}]},
    "tools": [{"functionDeclarations": [{"name": "lookup", "description": "Look things up"}]}],
}


async def test_count_tokens_matches_usage(gemini_emulator, session):
    status, _, raw = await post(
        session,
        url(gemini_emulator, "countTokens"),
        {"generateContentRequest": {"model": "models/gemini-2.5-flash", **REQUEST}},
    )
    assert status == 200
    counted = json.loads(raw)
    _, _, stream = await post(session, stream_url(gemini_emulator), REQUEST)
    first = json.loads(stream.split(b"\r\n\r\n")[0][len(b"data: ") :])
    assert counted["totalTokens"] == first["usageMetadata"]["promptTokenCount"]
    assert counted["promptTokensDetails"] == first["usageMetadata"]["promptTokensDetails"]
    assert {d["modality"] for d in counted["promptTokensDetails"]} == {"TEXT", "IMAGE"}


async def test_count_tokens_contents_form(gemini_emulator, session):
    contents_only = {"contents": REQUEST["contents"]}
    _, _, raw = await post(session, url(gemini_emulator, "countTokens"), contents_only)
    _, _, stream = await post(session, stream_url(gemini_emulator), contents_only)
    first = json.loads(stream.split(b"\r\n\r\n")[0][len(b"data: ") :])
    assert json.loads(raw)["totalTokens"] == first["usageMetadata"]["promptTokenCount"]
    both = {**contents_only, "generateContentRequest": {"contents": REQUEST["contents"]}}
    status, _, _ = await post(session, url(gemini_emulator, "countTokens"), both)
    assert status == 400
    status, _, _ = await post(
        session, url(gemini_emulator, "countTokens"), {**user("x"), "tools": []}
    )
    assert status == 400  # tools belong inside generateContentRequest
