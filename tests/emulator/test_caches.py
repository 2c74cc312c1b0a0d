"""The emulator's context caches on the wire: cachedContents create/get/list/patch/delete,
expiry on the emulator's clock, the minimum size, and generateContent using a cache."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest

from gemini_stream.emulator import Emulator
from gemini_stream.emulator._model import expected_text
from gemini_stream.emulator._tokens import count_tokens

from ._helpers import KEY, MODEL, post, split_sse, stream_url, url, user

RULES = "Answer as a pirate would. " * 400
RULES_TOKENS = 3600  # 9 a sentence with the emulator's tokeniser: over the default 1 024
NANOS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")


def test_the_rules_are_over_the_default_minimum() -> None:
    assert count_tokens(RULES) == RULES_TOKENS > 1024


def _caches(emulator: Emulator, tail: str = "") -> str:
    return f"{emulator.url}/v1beta/cachedContents{tail}"


def _stamp(text: str) -> float:
    return (
        datetime.strptime(text[:26] + "Z", "%Y-%m-%dT%H:%M:%S.%fZ")
        .replace(tzinfo=timezone.utc)
        .timestamp()
    )


async def _call(
    session: aiohttp.ClientSession, method: str, target: str, body: Any = None
) -> tuple[int, Any]:
    async with session.request(method, target, json=body, headers=KEY) as response:
        return response.status, json.loads(await response.read() or b"null")


async def _create(session: aiohttp.ClientSession, emulator: Emulator, **body: Any) -> Any:
    fields = {"model": f"models/{MODEL}", "systemInstruction": {"parts": [{"text": RULES}]}}
    status, reply = await _call(session, "POST", _caches(emulator), {**fields, **body})
    assert status == 200, reply
    return reply


async def test_create_answers_the_resource_without_its_input_fields(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    before = emulator.caches.now()
    reply = await _create(session, emulator, ttl="300s", displayName="pirate-rules")
    assert list(reply) == [
        "name",
        "displayName",
        "model",
        "createTime",
        "updateTime",
        "expireTime",
        "usageMetadata",
    ]
    assert re.fullmatch(r"cachedContents/[a-z0-9]{40}", reply["name"])
    assert reply["displayName"] == "pirate-rules"
    assert reply["model"] == "models/gemini-2.5-flash"
    assert reply["usageMetadata"] == {"totalTokenCount": RULES_TOKENS}
    assert NANOS.fullmatch(reply["expireTime"]) and reply["createTime"] == reply["updateTime"]
    lifetime = _stamp(reply["expireTime"]) - _stamp(reply["createTime"])
    assert lifetime == pytest.approx(300, abs=0.001)
    assert before - 1 <= _stamp(reply["createTime"]) <= emulator.caches.now() + 1
    record = emulator.records[-1]
    assert (record.rpc, record.status) == ("cachedContents.create", 200)


async def test_defaults_one_hour_and_an_empty_display_name_snake_case_accepted(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    status, reply = await _call(
        session,
        "POST",
        _caches(emulator),
        {"model": MODEL, "system_instruction": {"parts": [{"text": RULES}]}},
    )
    assert status == 200, reply
    assert reply["displayName"] == "" and reply["model"] == "models/gemini-2.5-flash"
    lifetime = _stamp(reply["expireTime"]) - _stamp(reply["createTime"])
    assert lifetime == pytest.approx(3600, abs=0.001)


@pytest.mark.parametrize(("model", "minimum"), [(MODEL, 1024), ("gemini-2.5-pro", 4096)])
async def test_a_cache_under_the_models_minimum_is_too_small(
    session: aiohttp.ClientSession, emulator: Emulator, model: str, minimum: int
) -> None:
    body = {"model": f"models/{model}", "contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    status, reply = await _call(session, "POST", _caches(emulator), body)
    assert status == 400
    assert reply["error"] == {
        "code": 400,
        "message": f"Cached content is too small. total_token_count=1, "
        f"min_total_token_count={minimum}",
        "status": "INVALID_ARGUMENT",
    }
    assert emulator.caches.caches == {}


async def test_create_refuses_bad_fields_and_unknown_models(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    rules = {"systemInstruction": {"parts": [{"text": RULES}]}}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"model": MODEL, "ttl": "soon", **rules}, 400, "Invalid value at 'ttl'"),
        ({"model": MODEL, "ttl": "5s", "expireTime": "2099-01-01T00:00:00Z", **rules}, 400, "ttl"),
        ({"model": MODEL, "colour": "red", **rules}, 400, 'Unknown name "colour"'),
        ({"model": MODEL, "contents": [{"parts": [{"txt": "x"}]}]}, 400, 'Unknown name "txt"'),
        ({**rules}, 400, "model is not specified"),
        ({"model": "models/no-such-model", **rules}, 404, "models/no-such-model is not found"),
    ]
    for body, status, text in cases:
        got, reply = await _call(session, "POST", _caches(emulator), body)
        assert got == status, (body, reply)
        assert text in reply["error"]["message"], (body, reply)
    assert emulator.caches.caches == {}


async def test_get_patch_and_delete(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    created = await _create(session, emulator, ttl="60s")
    target = _caches(emulator, "/" + created["name"].removeprefix("cachedContents/"))
    assert await _call(session, "GET", target) == (200, created)
    status, patched = await _call(session, "PATCH", target, {"ttl": "7200s"})
    assert status == 200, patched
    assert patched["createTime"] == created["createTime"]
    assert _stamp(patched["expireTime"]) == pytest.approx(
        _stamp(patched["updateTime"]) + 7200, abs=0.001
    )
    status, patched = await _call(
        session, "PATCH", target + "?updateMask=expireTime", {"expireTime": "2099-01-02T03:04:05Z"}
    )
    assert status == 200, patched
    assert patched["expireTime"] == "2099-01-02T03:04:05.000000000Z"
    status, refused = await _call(session, "PATCH", target, {"displayName": "renamed"})
    assert status == 400 and "Only ttl or expire_time" in refused["error"]["message"]
    status, refused = await _call(session, "PATCH", target + "?updateMask=model", {"ttl": "5s"})
    assert status == 400 and "Updating model is not supported" in refused["error"]["message"]
    assert await _call(session, "DELETE", target) == (200, {})
    gone = {
        "error": {
            "code": 403,
            "message": "CachedContent not found (or permission denied)",
            "status": "PERMISSION_DENIED",
        }
    }
    assert await _call(session, "GET", target) == (403, gone)
    assert await _call(session, "DELETE", target) == (403, gone)
    assert await _call(session, "PATCH", target, {"ttl": "5s"}) == (403, gone)


async def test_caches_expire_on_the_emulators_clock(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    short = await _create(session, emulator, ttl="300s")
    long = await _create(session, emulator, ttl="900s")
    emulator.caches.advance(301)
    status, page = await _call(session, "GET", _caches(emulator))
    assert status == 200
    assert [c["name"] for c in page["cachedContents"]] == [long["name"]]
    status, _ = await _call(session, "GET", _caches(emulator, "/" + short["name"].split("/")[1]))
    assert status == 403
    body = {**user("Hi"), "cachedContent": short["name"]}
    status, reply = await _call(session, "POST", url(emulator, "generateContent"), body)
    assert status == 403 and reply["error"]["status"] == "PERMISSION_DENIED"


async def test_list_pages_through_every_live_cache(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    names = [(await _create(session, emulator))["name"] for _ in range(5)]
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        query = "?pageSize=2" + (f"&pageToken={token}" if token else "")
        status, page = await _call(session, "GET", _caches(emulator, query))
        assert status == 200, page
        pages += 1
        seen += [c["name"] for c in page["cachedContents"]]
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    status, page = await _call(session, "GET", _caches(emulator, "?pageToken=bogus"))
    assert status == 400 and page["error"]["message"] == "Invalid page token."
    status, page = await _call(session, "GET", _caches(emulator, "?pageSize=0"))
    assert status == 200 and "nextPageToken" not in page  # the default size is 100
    assert [c["name"] for c in page["cachedContents"]] == names


async def test_generate_with_a_cache_answers_as_if_the_prefix_were_sent(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    turn = {"role": "user", "parts": [{"text": "Ahoy, remember the map."}]}
    answer = {"role": "model", "parts": [{"text": "Aye."}]}
    cache = await _create(session, emulator, contents=[turn, answer])
    body = {**user("Where is the treasure?"), "cachedContent": cache["name"]}
    status, _, raw = await post(session, url(emulator, "generateContent"), body)
    assert status == 200, raw
    reply = json.loads(raw)
    full = {
        "systemInstruction": {"parts": [{"text": RULES}]},
        "contents": [turn, answer, *user("Where is the treasure?")["contents"]],
    }
    assert reply["candidates"][0]["content"]["parts"][0]["text"] == expected_text(full)
    usage = reply["usageMetadata"]
    cached = RULES_TOKENS + count_tokens("Ahoy, remember the map.") + count_tokens("Aye.")
    prompt = cached + count_tokens("Where is the treasure?")
    assert list(usage) == [
        "promptTokenCount",
        "candidatesTokenCount",
        "totalTokenCount",
        "cachedContentTokenCount",
        "promptTokensDetails",
        "cacheTokensDetails",
        "thoughtsTokenCount",
        "serviceTier",
    ]
    assert usage["promptTokenCount"] == prompt
    assert usage["cachedContentTokenCount"] == cached == cache["usageMetadata"]["totalTokenCount"]
    assert usage["cacheTokensDetails"] == [{"modality": "TEXT", "tokenCount": cached}]
    assert usage["totalTokenCount"] == (
        prompt + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )


async def test_a_streamed_reply_reports_the_cached_tokens_in_every_chunk(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    cache = await _create(session, emulator)
    body = {**user("Tell me a long story emulator:words=40"), "cachedContent": cache["name"]}
    status, _, raw = await post(session, stream_url(emulator), body)
    assert status == 200, raw
    chunks = [json.loads(p) for p in split_sse(raw)]
    assert len(chunks) > 2
    assert {c["usageMetadata"]["cachedContentTokenCount"] for c in chunks} == {RULES_TOKENS}


@pytest.mark.parametrize(
    "extra",
    [
        {"systemInstruction": {"parts": [{"text": "Be brief"}]}},
        {"tools": [{"functionDeclarations": [{"name": "f"}]}]},
        {"toolConfig": {"functionCallingConfig": {"mode": "ANY"}}},
        {"system_instruction": {"parts": [{"text": "Be brief"}]}},
    ],
)
async def test_a_request_repeating_what_a_cache_holds_is_refused(
    session: aiohttp.ClientSession, emulator: Emulator, extra: dict[str, Any]
) -> None:
    cache = await _create(session, emulator)
    body = {**user("Hi"), "cachedContent": cache["name"], **extra}
    status, _, raw = await post(session, url(emulator, "generateContent"), body)
    assert status == 400
    assert json.loads(raw) == {
        "error": {
            "code": 400,
            "message": "CachedContent can not be used with GenerateContent request setting "
            "system_instruction, tools or tool_config.\n\nProposed fix: move those values to "
            "CachedContent from GenerateContent request.",
            "status": "INVALID_ARGUMENT",
        }
    }


async def test_a_cache_serves_only_its_own_model(
    session: aiohttp.ClientSession, emulator: Emulator
) -> None:
    cache = await _create(session, emulator)
    body = {**user("Hi"), "cachedContent": cache["name"]}
    status, _, raw = await post(session, url(emulator, "generateContent", "gemini-2.5-pro"), body)
    assert status == 400
    assert json.loads(raw)["error"]["message"] == (
        "Model used by GenerateContent request (models/gemini-2.5-pro) and CachedContent "
        "(models/gemini-2.5-flash) has to be the same."
    )


async def test_the_minimum_is_configurable() -> None:
    async with Emulator(cache_min_tokens=0) as emulator, aiohttp.ClientSession() as session:
        body = {"model": MODEL, "contents": [{"parts": [{"text": "hi"}]}]}
        status, reply = await _call(session, "POST", _caches(emulator), body)
        assert status == 200 and reply["usageMetadata"] == {"totalTokenCount": 1}
    with pytest.raises(ValueError, match="cache_min_tokens"):
        Emulator(cache_min_tokens=-1)


async def test_cache_routes_need_a_key(session: aiohttp.ClientSession, emulator: Emulator) -> None:
    async with session.get(_caches(emulator)) as response:
        assert response.status == 403
