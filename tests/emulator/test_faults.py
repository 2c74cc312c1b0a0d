"""Fault injection: the header syntax, queued faults and scripts, every failure mode."""

from __future__ import annotations

import itertools
import json
import time

import aiohttp
import pytest

from gemini_stream.emulator import FAULT_HEADER, Emulator, Fault, ScriptedReply

from ._helpers import KEY, google_pretty, post, split_sse, stream_url, url, user

PROMPT = user("fault me emulator:words=30")
RAW_503 = (
    b'{\n  "error": {\n    "code": 503,\n'
    b'    "message": "The model is overloaded. Please try again later.",\n'
    b'    "status": "UNAVAILABLE"\n  }\n}\n'
)


def faulted(spec):
    return {**KEY, FAULT_HEADER: spec}


async def read_events(session, emulator, spec, body=PROMPT):
    async with session.post(stream_url(emulator), json=body, headers=faulted(spec)) as response:
        assert response.status == 200
        return await response.read()


def test_parse_header_syntax():
    assert Fault.parse("status=429; retry-after=2.5s") == Fault(status=429, retry_after=2.5)
    assert Fault.parse("disconnect_after=3;times=2") == Fault(disconnect_after=3, times=2)
    assert Fault.parse("malformed-after") == Fault(malformed_after=0)
    with pytest.raises(ValueError, match="unknown fault 'explode'"):
        Fault.parse("explode=1")
    with pytest.raises(ValueError, match="needs a number"):
        Fault.parse("status=abc")


async def test_bad_fault_header_is_a_400(gemini_emulator, session):
    status, _, body = await post(session, stream_url(gemini_emulator), PROMPT, faulted("boom=1"))
    assert status == 400
    assert "unknown fault 'boom'" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize(
    ("code", "status_name"),
    [
        (500, "INTERNAL"),
        (503, "UNAVAILABLE"),
        (504, "DEADLINE_EXCEEDED"),
        (400, "INVALID_ARGUMENT"),
    ],
)
async def test_http_errors_before_the_stream(gemini_emulator, session, code, status_name):
    status, headers, body = await post(
        session, stream_url(gemini_emulator), PROMPT, faulted(f"status={code}")
    )
    assert status == code
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    error = json.loads(body)
    assert body == google_pretty(error)
    assert error["error"]["status"] == status_name
    assert "details" not in error["error"]
    if code == 503:
        assert body == RAW_503


async def test_429_like_the_real_one(gemini_emulator, session):
    status, headers, body = await post(
        session, stream_url(gemini_emulator), PROMPT, faulted("status=429;retry-after=47")
    )
    assert status == 429
    assert headers["Retry-After"] == "47"
    error = json.loads(body)["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    types = [d["@type"].rsplit(".", 1)[1] for d in error["details"]]
    assert types == ["Help", "QuotaFailure", "RetryInfo"]
    assert error["details"][2]["retryDelay"] == "47s"
    assert error["details"][1]["violations"][0]["quotaValue"] == "10"
    assert error["details"][1]["violations"][0]["quotaDimensions"]["model"] == "gemini-2.5-flash"


async def test_503_with_retry_after_has_retry_info(gemini_emulator, session):
    status, headers, body = await post(
        session, stream_url(gemini_emulator), PROMPT, faulted("status=503;retry-after=1.5")
    )
    assert status == 503
    assert headers["Retry-After"] == "2"
    assert json.loads(body)["error"]["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.500s"}
    ]


async def test_fail_next_then_succeed(gemini_emulator, session):
    gemini_emulator.fail_next(2, 503)
    assert gemini_emulator.pending_script == 2
    statuses = [(await post(session, stream_url(gemini_emulator), PROMPT))[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    gemini_emulator.fail_next(1, 429, retry_after=2)
    first = await post(session, url(gemini_emulator, "generateContent"), PROMPT)
    second = await post(session, url(gemini_emulator, "generateContent"), PROMPT)
    assert (first[0], first[1]["Retry-After"], second[0]) == (429, "2", 200)
    assert gemini_emulator.pending_script == 0


async def test_header_times_counts_requests(gemini_emulator, session):
    headers = faulted("status=503; times=2")
    statuses = [
        (await post(session, stream_url(gemini_emulator), PROMPT, headers))[0] for _ in range(3)
    ]
    assert statuses == [503, 503, 200]


async def test_server_wide_fault(session):
    async with Emulator(fault=Fault(status=500, times=1)) as emulator:
        statuses = [(await post(session, stream_url(emulator), PROMPT))[0] for _ in range(2)]
    assert statuses == [500, 200]


async def test_queue_wins_over_header_and_clears(gemini_emulator, session):
    gemini_emulator.script(Fault(status=500), Fault(status=504))
    gemini_emulator.clear_script()
    gemini_emulator.script(Fault(status=500))
    status, *_ = await post(session, stream_url(gemini_emulator), PROMPT, faulted("status=503"))
    assert status == 500
    status, *_ = await post(session, stream_url(gemini_emulator), PROMPT, faulted("status=503"))
    assert status == 503


async def test_disconnect_after_n_events(gemini_emulator, session):
    async with session.post(
        stream_url(gemini_emulator), json=PROMPT, headers=faulted("disconnect-after=2")
    ) as response:
        assert response.status == 200
        received = []

        async def drain():
            async for piece in response.content.iter_any():
                received.append(piece)

        with pytest.raises(aiohttp.ClientPayloadError):
            await drain()
    assert len(split_sse(b"".join(received))) == 2
    record = await gemini_emulator.records[-1].wait_done()
    assert record.closed_by_server
    assert not record.disconnected
    assert record.events_written == 2


async def test_raw_error_after_200(gemini_emulator, session):
    body = await read_events(session, gemini_emulator, "error-after=1")
    events, tail = body.split(b"\r\n\r\n")[:-1], body.split(b"\r\n\r\n")[-1]
    assert len(events) == 1
    assert events[0].startswith(b"data: {")
    assert tail == RAW_503
    body = await read_events(session, gemini_emulator, "error-after=0;error-status=500")
    assert json.loads(body)["error"]["status"] == "INTERNAL"


async def test_error_inside_a_data_event(gemini_emulator, session):
    payloads = split_sse(
        await read_events(session, gemini_emulator, "error-event-after=2;error-status=500")
    )
    assert len(payloads) == 3
    assert json.loads(payloads[-1])["error"]["code"] == 500
    assert b"\n" not in payloads[-1]


async def test_error_in_array_form(gemini_emulator, session):
    target = url(gemini_emulator, "streamGenerateContent")
    async with session.post(target, json=PROMPT, headers=faulted("error-after=1")) as response:
        elements = json.loads(await response.read())
    assert len(elements) == 2
    assert elements[1]["error"]["code"] == 503


async def test_malformed_event(gemini_emulator, session):
    payloads = split_sse(await read_events(session, gemini_emulator, "malformed-after=1"))
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[1])
    for payload in payloads[:1] + payloads[2:]:
        json.loads(payload)
    assert json.loads(payloads[-1])["candidates"][0]["finishReason"] == "STOP"


async def test_oversized_event(gemini_emulator, session):
    body = await read_events(session, gemini_emulator, "oversized-after=1; oversized-bytes=300000")
    events = [e + b"\r\n\r\n" for e in body.split(b"\r\n\r\n")[:-1]]
    assert len(events[1]) == 300000
    assert (
        json.loads(events[1][len(b"data: ") :])["candidates"][0]["content"]["parts"][0][
            "text"
        ].strip("x")
        == ""
    )


async def test_latency_and_stall(gemini_emulator, session):
    spec = "first-delay=0.15; delay=0.01; stall-after=2; stall=0.2"
    started = time.monotonic()
    arrivals = []
    async with session.post(
        stream_url(gemini_emulator), json=PROMPT, headers=faulted(spec)
    ) as response:
        headers_at = time.monotonic()
        buffer = b""
        async for piece in response.content.iter_any():
            buffer += piece
            while b"\r\n\r\n" in buffer:
                _, buffer = buffer.split(b"\r\n\r\n", 1)
                arrivals.append(time.monotonic())
    assert headers_at - started < arrivals[0] - started  # headers first, then silence
    assert arrivals[0] - started >= 0.14
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert gaps[1] >= 0.19  # the stall sits between event 2 and event 3
    assert len(arrivals) > 3


async def test_chunk_pacing_from_the_constructor(session):
    async with Emulator(chunk_delay=0.02, first_chunk_delay=0.05, chunk_tokens=50) as emulator:
        started = time.monotonic()
        _, _, body = await post(session, stream_url(emulator), user("hi"))
        elapsed = time.monotonic() - started
    events = split_sse(body)
    assert elapsed >= 0.05 + 0.02 * (len(events) - 1) - 0.01


async def test_scripted_replies(gemini_emulator, session):
    chunks = [
        {
            "candidates": [
                {"content": {"parts": [{"text": "<scripted>"}], "role": "model"}, "index": 0}
            ]
        },
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": " reply"}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ]
        },
    ]
    gemini_emulator.script(ScriptedReply(chunks, times=3))
    _, _, sse = await post(session, stream_url(gemini_emulator), PROMPT)
    assert sse == b"".join(
        b"data: "
        + json.dumps(c, separators=(",", ": "))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .encode()
        + b"\r\n\r\n"
        for c in chunks
    )
    _, _, array = await post(session, url(gemini_emulator, "streamGenerateContent"), PROMPT)
    assert json.loads(array) == chunks
    _, _, single = await post(session, url(gemini_emulator, "generateContent"), PROMPT)
    assert json.loads(single)["candidates"][0]["content"]["parts"] == [{"text": "<scripted> reply"}]
    raw = [b'data: {"candidates": []}\n\n', b": a comment line\r\n", b"data:{}\r\n\r\n"]
    gemini_emulator.script(ScriptedReply(raw, fault=Fault(delay=0.01)))
    _, _, verbatim = await post(session, stream_url(gemini_emulator), PROMPT)
    assert verbatim == b"".join(raw)
    assert gemini_emulator.records[-1].events_written == 3


async def test_scripted_reply_with_a_fault(gemini_emulator, session):
    gemini_emulator.script(ScriptedReply([{"candidates": []}] * 3, fault=Fault(error_after=2)))
    body = await read_events(session, gemini_emulator, "")
    assert body.endswith(RAW_503)
    assert body.count(b"data: ") == 2


async def test_rate_limit_per_key(session):
    async with Emulator(rpm_limit=2) as emulator:
        target = stream_url(emulator)
        statuses = [(await post(session, target, PROMPT))[0] for _ in range(3)]
        assert statuses == [200, 200, 429]
        status, headers, body = await post(session, target, PROMPT)
        error = json.loads(body)["error"]
        assert status == 429
        assert 0 < int(headers["Retry-After"]) <= 60
        assert error["details"][-1]["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
        assert "limit: 2" in error["message"]
        other, *_ = await post(session, target, PROMPT, {"x-goog-api-key": "another"})
        assert other == 200
        counted, *_ = await post(session, url(emulator, "countTokens"), PROMPT)
        assert counted == 200  # the limit covers generation only


async def test_faults_on_generate_content(gemini_emulator, session):
    target = url(gemini_emulator, "generateContent")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await post(session, target, PROMPT, faulted("disconnect-after=0"))
    assert gemini_emulator.records[-1].closed_by_server
    started = time.monotonic()
    status, _, body = await post(session, target, PROMPT, faulted("first-delay=0.1; error-after=0"))
    assert status == 200
    assert time.monotonic() - started >= 0.09
    assert json.loads(body)["candidates"][0]["finishReason"] == "STOP"
    gemini_emulator.script(ScriptedReply([b'{"raw": ', b"true}"]))
    assert json.loads((await post(session, target, PROMPT))[2]) == {"raw": True}


async def test_disconnect_in_array_form(gemini_emulator, session):
    target = url(gemini_emulator, "streamGenerateContent")
    async with session.post(target, json=PROMPT, headers=faulted("disconnect-after=1")) as response:
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert gemini_emulator.records[-1].events_written == 1
