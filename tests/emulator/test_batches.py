"""The emulator's Batch API on the wire: the Operation envelope and its states on the batch
clock, inline and file results equal to generateContent's answers, per-request errors,
result-file downloads, list pages, cancel, delete and expiry."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp

from gemini_stream.emulator import Emulator
from gemini_stream.emulator._batch_run import BATCH_FAIL_TRIGGER
from gemini_stream.emulator._files import StoredFile
from gemini_stream.emulator._model import expected_response

from ._helpers import KEY, MODEL, post, url, user

NANOS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")
HOUR = 3600.0
TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main."


def _inline(*texts: str, display: str = "job") -> dict[str, Any]:
    requests = [{"request": user(t), "metadata": {"key": f"k{i}"}} for i, t in enumerate(texts)]
    return {"batch": {"displayName": display, "inputConfig": {"requests": {"requests": requests}}}}


async def _get(session: aiohttp.ClientSession, emulator: Emulator, tail: str) -> tuple[int, Any]:
    async with session.get(f"{emulator.url}/v1beta/{tail}", headers=KEY) as response:
        return response.status, await response.json()


async def _create(session: aiohttp.ClientSession, emulator: Emulator, body: Any) -> Any:
    status, _, raw = await post(session, url(emulator, "batchGenerateContent"), body)
    assert status == 200, raw
    return json.loads(raw)


async def test_inline_batch_operation_from_pending_to_succeeded(
    gemini_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    gemini_emulator.batches.duration = HOUR
    op = await _create(session, gemini_emulator, _inline("Hi", "Bye"))
    name = op["name"]
    assert re.fullmatch(r"batches/[a-z0-9]{36}", name)
    assert "done" not in op and "response" not in op
    meta = op["metadata"]
    assert list(meta) == [
        "@type",
        "model",
        "displayName",
        "createTime",
        "updateTime",
        "batchStats",
        "state",
        "name",
    ]
    assert meta["@type"] == TYPE + "GenerateContentBatch"
    assert (meta["model"], meta["displayName"], meta["name"]) == (f"models/{MODEL}", "job", name)
    assert NANOS.fullmatch(meta["createTime"])
    assert meta["batchStats"] == {"requestCount": "2", "pendingRequestCount": "2"}
    assert meta["state"] == "BATCH_STATE_PENDING"

    gemini_emulator.batches.advance(HOUR / 2)
    _, running = await _get(session, gemini_emulator, name)
    assert running["metadata"]["state"] == "BATCH_STATE_RUNNING" and "done" not in running

    gemini_emulator.batches.advance(HOUR / 2)
    status, done = await _get(session, gemini_emulator, name)
    assert status == 200 and done["done"] is True
    assert done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert done["metadata"]["batchStats"] == {"requestCount": "2", "successfulRequestCount": "2"}
    assert NANOS.fullmatch(done["metadata"]["endTime"])
    response = done["response"]
    assert response["@type"] == TYPE + "GenerateContentBatchOutput"
    assert {k: v for k, v in response.items() if k != "@type"} == done["metadata"]["output"]
    inlined = response["inlinedResponses"]["inlinedResponses"]
    assert inlined == [
        {"response": expected_response(user("Hi"), MODEL), "metadata": {"key": "k0"}},
        {"response": expected_response(user("Bye"), MODEL), "metadata": {"key": "k1"}},
    ]


async def test_snake_case_input_and_per_request_errors(
    gemini_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    requests = [
        {"request": user("Hi")},
        {"request": {"contents": []}, "metadata": {"key": "empty"}},
        {"request": user(f"x {BATCH_FAIL_TRIGGER}"), "metadata": {"key": "quota"}},
        {"request": {"contents": [{"parts": [{"text": "x"}]}], "bogus": 1}},
    ]
    body = {
        "batch": {"display_name": "snake", "input_config": {"requests": {"requests": requests}}}
    }
    op = await _create(session, gemini_emulator, body)
    _, done = await _get(session, gemini_emulator, op["name"])
    assert done["metadata"]["batchStats"] == {
        "requestCount": "4",
        "successfulRequestCount": "1",
        "failedRequestCount": "3",
    }
    first, empty, quota, bogus = done["response"]["inlinedResponses"]["inlinedResponses"]
    assert first == {"response": expected_response(user("Hi"), MODEL)}  # no metadata sent
    assert empty["metadata"] == {"key": "empty"}
    assert (empty["error"]["code"], empty["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert "contents is not specified" in empty["error"]["message"]
    assert quota["error"] == {
        "code": 429,
        "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED",
    }
    assert bogus["error"]["code"] == 400 and "bogus" in bogus["error"]["message"]


async def test_file_batch_writes_a_downloadable_result_file(
    gemini_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    lines = [
        json.dumps({"key": "a", "request": user("Hello")}),
        "",
        json.dumps({"request": user("No key")}),
        "not json",
    ]
    gemini_emulator.files.files["input1"] = StoredFile(
        "input1", "in.jsonl", "text/plain", "\n".join(lines).encode()
    )
    body = {"batch": {"displayName": "f", "inputConfig": {"fileName": "files/input1"}}}
    op = await _create(session, gemini_emulator, body)
    assert op["metadata"]["inputConfig"] == {"fileName": "files/input1"}
    assert op["metadata"]["batchStats"]["requestCount"] == "3"  # the blank line is skipped
    _, done = await _get(session, gemini_emulator, op["name"])
    result = done["response"]["responsesFile"]
    assert done["metadata"]["output"] == {"responsesFile": result}
    assert result.startswith("files/batch-")
    file_id = result.removeprefix("files/")
    for path in (f"/download/v1beta/files/{file_id}:download", f"/v1beta/files/{file_id}:download"):
        async with session.get(gemini_emulator.url + path + "?alt=media", headers=KEY) as r:
            assert r.status == 200
            text = (await r.read()).decode()
    got = [json.loads(line) for line in text.splitlines()]
    assert got[0] == {"key": "a", "response": expected_response(user("Hello"), MODEL)}
    assert got[1] == {"response": expected_response(user("No key"), MODEL)}
    assert got[2]["error"]["code"] == 400 and "line 4" in got[2]["error"]["message"]
    _, meta = await _get(session, gemini_emulator, result)
    assert meta["source"] == "GENERATED"
    async with session.get(
        f"{gemini_emulator.url}/download/v1beta/files/input1:download?alt=media", headers=KEY
    ) as r:
        assert r.status == 400  # uploaded files cannot be downloaded


async def test_list_cancel_delete_and_state_spelling(
    gemini_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    gemini_emulator.batches.duration = HOUR
    names = [(await _create(session, gemini_emulator, _inline(f"q{i}")))["name"] for i in range(3)]
    _, page = await _get(session, gemini_emulator, "batches?pageSize=2")
    assert [op["name"] for op in page["operations"]] == names[:0:-1]
    _, rest = await _get(session, gemini_emulator, f"batches?pageToken={page['nextPageToken']}")
    assert [op["name"] for op in rest["operations"]] == names[:1] and "nextPageToken" not in rest

    status, _, raw = await post(session, f"{gemini_emulator.url}/v1beta/{names[0]}:cancel", None)
    assert (status, json.loads(raw)) == (200, {})
    gemini_emulator.batches.state_prefix = "JOB_STATE_"
    _, cancelled = await _get(session, gemini_emulator, names[0])
    assert cancelled["done"] is True and "response" not in cancelled
    assert cancelled["metadata"]["state"] == "JOB_STATE_CANCELLED"

    async with session.delete(f"{gemini_emulator.url}/v1beta/{names[1]}", headers=KEY) as r:
        assert (r.status, await r.json()) == (200, {})
    status, error = await _get(session, gemini_emulator, names[1])
    assert status == 404 and error["error"]["status"] == "NOT_FOUND"

    gemini_emulator.batches.duration = 50 * HOUR
    late = (await _create(session, gemini_emulator, _inline("slow")))["name"]
    gemini_emulator.batches.advance(48 * HOUR)
    _, expired = await _get(session, gemini_emulator, late)
    assert expired["metadata"]["state"] == "JOB_STATE_EXPIRED" and expired["done"] is True
    assert "response" not in expired


async def test_bad_creates_are_refused(
    gemini_emulator: Emulator, session: aiohttp.ClientSession
) -> None:
    target = url(gemini_emulator, "batchGenerateContent")
    both = {"displayName": "x", "inputConfig": {"fileName": "files/a", "requests": {}}}
    status, _, _ = await post(session, target, {"batch": both})
    assert status == 400
    status, _, _ = await post(session, target, {"batch": {"inputConfig": {"fileName": "files/a"}}})
    assert status == 400  # no display name
    body = {"batch": {"displayName": "x", "inputConfig": {"fileName": "files/missing"}}}
    status, _, _ = await post(session, target, body)
    assert status == 404
    status, _, _ = await post(session, url(gemini_emulator, "batchGenerateContent", "nope"), {})
    assert status == 404
    status, _, _ = await post(session, target, _inline("Hi"), headers={})
    assert status == 403
