"""Byte-level checks of the three reply forms: SSE, the JSON-array stream and one JSON body."""

from __future__ import annotations

import json

from gemini_stream.emulator import RequestRecord, count_tokens, expected_response, expected_text

from ._helpers import KEY, MODEL, google_line, google_pretty, post, split_sse, stream_url, url, user

PROMPT = user("Tell me about <tags> & Łazienki Park, please. emulator:words=40")


async def test_sse_framing_is_google_style(gemini_emulator, session):
    async with session.post(stream_url(gemini_emulator), json=PROMPT, headers=KEY) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.headers["Content-Disposition"] == "attachment"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Server-Timing"].startswith("gfet4t7; dur=")
        body = await response.read()
    payloads = split_sse(body)
    assert len(payloads) > 3
    assert b"[DONE]" not in body
    for payload in payloads:
        assert payload == google_line(json.loads(payload))
    joined = b"".join(payloads)
    assert b"\\u003ctags\\u003e" in joined
    assert b"<" not in joined
    assert "Łazienki".encode() in joined


async def test_sse_chunks_follow_the_stream_rules(gemini_emulator, session):
    async with session.post(stream_url(gemini_emulator), json=PROMPT, headers=KEY) as response:
        chunks = [json.loads(p) for p in split_sse(await response.read())]
    assert len({c["responseId"] for c in chunks}) == 1
    assert {c["modelVersion"] for c in chunks} == {MODEL}
    finishes = [c["candidates"][0].get("finishReason") for c in chunks]
    assert finishes[-1] == "STOP"
    assert not any(finishes[:-1])
    assert all(c["candidates"][0]["index"] == 0 for c in chunks)
    usages = [c["usageMetadata"] for c in chunks]
    assert len({u["promptTokenCount"] for u in usages}) == 1
    assert len({u.get("thoughtsTokenCount") for u in usages}) == 1
    counts = [u.get("candidatesTokenCount", 0) for u in usages]
    assert counts == sorted(counts)
    text = "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks)
    assert text == expected_text(PROMPT, MODEL)
    assert counts[-1] == count_tokens(text)
    for u in usages:
        total = u["promptTokenCount"] + u.get("candidatesTokenCount", 0)
        assert u["totalTokenCount"] == total + u.get("thoughtsTokenCount", 0)


async def test_key_order_matches_the_captures(gemini_emulator, session):
    _, _, raw = await post(session, stream_url(gemini_emulator), PROMPT)
    last = split_sse(raw)[-1]
    assert last.startswith(b'{"candidates": [{"content": {"parts": [')
    assert b'],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {' in last
    assert b'"modelVersion": "gemini-2.5-flash","responseId": "' in last


async def test_json_array_form_is_written_incrementally(gemini_emulator, session):
    target = url(gemini_emulator, "streamGenerateContent")
    pieces = []
    async with session.post(target, json=PROMPT, headers=KEY) as response:
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
        async for piece, _ in response.content.iter_chunks():
            pieces.append(piece)
    body = b"".join(pieces)
    assert body.startswith(b"[{\n")
    assert body.endswith(b"}\n]")
    assert len(pieces) > 3  # one write per element, not one body at the end
    elements = json.loads(body)
    _, _, sse = await post(session, stream_url(gemini_emulator), PROMPT)
    assert elements == [json.loads(p) for p in split_sse(sse)]
    for element in elements:
        assert google_pretty(element).rstrip(b"\n") in body
    assert body.count(b"}\n,\r\n{") == len(elements) - 1


async def test_alt_json_is_the_array_form(gemini_emulator, session):
    _, _, plain = await post(session, url(gemini_emulator, "streamGenerateContent"), PROMPT)
    target = url(gemini_emulator, "streamGenerateContent", query="?alt=json")
    _, _, alt_json = await post(session, target, PROMPT)
    assert plain == alt_json


async def test_generate_content_is_pretty_printed_and_merged(gemini_emulator, session):
    status, headers, body = await post(session, url(gemini_emulator, "generateContent"), PROMPT)
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    reply = json.loads(body)
    assert body == google_pretty(reply)
    assert reply == expected_response(PROMPT, MODEL)
    parts = reply["candidates"][0]["content"]["parts"]
    assert [p["text"] for p in parts] == [expected_text(PROMPT, MODEL)]
    assert reply["candidates"][0]["finishReason"] == "STOP"


async def test_same_request_gives_identical_bytes(gemini_emulator, session):
    for target in (stream_url(gemini_emulator), url(gemini_emulator, "generateContent")):
        _, _, first = await post(session, target, PROMPT)
        _, _, second = await post(session, target, PROMPT)
        assert first == second


async def test_response_id_depends_on_the_request(gemini_emulator, session):
    ids = set()
    for text in ("one", "two"):
        chunks = split_sse((await post(session, stream_url(gemini_emulator), user(text)))[2])
        ids.add(json.loads(chunks[0])["responseId"])
    assert len(ids) == 2
    assert all(len(i) == 23 and i.isalnum() for i in ids)


async def test_key_in_query_string_is_accepted(gemini_emulator, session):
    target = stream_url(gemini_emulator) + "&key=query-key"
    status, _, _ = await post(session, target, PROMPT, headers={})
    assert status == 200
    record = gemini_emulator.records[-1]
    assert record.api_key == record.query["key"] == RequestRecord.fingerprint("query-key")


async def test_tuned_model_path_is_served(gemini_emulator, session):
    target = f"{gemini_emulator.url}/v1beta/tunedModels/my-tune:streamGenerateContent?alt=sse"
    status, _, raw = await post(session, target, user("hi"))
    assert status == 200
    chunks = [json.loads(p) for p in split_sse(raw)]
    assert chunks[-1]["modelVersion"] == "my-tune"
    assert gemini_emulator.records[-1].model == "tunedModels/my-tune"
