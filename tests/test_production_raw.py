"""Raw access (``reply.http``, ``stream.http``, ``error.http``, the service tier) and escape
hatches (``extra_body``, ``extra_headers``, ``extra_query``, unknown response fields), against
the emulator on loopback."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault, ScriptedReply

MODEL = "gemini-2.5-flash"


def _generation(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.records if r.rpc in ("generateContent", "streamGenerateContent")]


# -- raw access ------------------------------------------------------------------------------


async def test_a_reply_carries_its_status_headers_and_url(
    client: gs.Client, emulator: Emulator
) -> None:
    reply = await client.generate(MODEL, "Hello")
    http = reply.http
    assert isinstance(http, gs.HttpInfo)
    assert http.status == 200
    assert http.headers["Content-Type"].startswith("application/json")
    assert http.headers["server"] == "scaffolding on HTTPServer2"  # case-insensitive names
    assert http.url == f"{emulator.url}/v1beta/models/{MODEL}:generateContent"
    with pytest.raises(TypeError):
        http.headers["x-new"] = "1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        http.status = 500  # type: ignore[misc]


async def test_a_stream_has_http_once_its_headers_came(client: gs.Client) -> None:
    stream = client.stream(MODEL, "Tell me a story")
    assert stream.http is None  # nothing sent yet
    async with stream:
        chunk = await stream.__anext__()
        assert chunk.text
        http = stream.http
        assert http is not None and http.status == 200
        assert http.headers["content-type"] == "text/event-stream"
        assert http.url.endswith(":streamGenerateContent?alt=sse")
        await stream.final_response()
    assert stream.response.http is http  # the merged reply says where it came from
    assert chunk.http is None  # chunks stay bare unless keep_raw is on


async def test_an_error_status_carries_its_http(client: gs.Client, emulator: Emulator) -> None:
    emulator.fail_next(1, 429, retry_after=3)
    with pytest.raises(gs.RateLimitError) as caught:
        await client.generate(MODEL, "Hi", retry=gs.RetryPolicy(max_attempts=1))
    http = caught.value.http
    assert http is not None and http.status == 429
    assert http.headers["content-type"].startswith("application/json")
    assert http.url.endswith(":generateContent")


async def test_a_stream_error_after_the_200_carries_the_200(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(error_after=1, error_status=503))
    stream = client.stream(MODEL, "Tell me a long story " * 5)
    with pytest.raises(gs.APIError) as caught:
        async for _ in stream:
            pass
    assert caught.value.http is not None and caught.value.http.status == 200
    assert caught.value.http is stream.http


async def test_an_error_before_any_response_has_no_http(emulator: Emulator) -> None:
    async with gs.Client(base_url="http://127.0.0.1:9", api_key="k") as client:
        with pytest.raises(gs.APIConnectionError) as caught:
            await client.generate(MODEL, "Hi", retry=gs.RetryPolicy(max_attempts=1))
    assert caught.value.http is None


def test_http_info_masks_credentials() -> None:
    info = gs.HttpInfo(
        200,
        {"Set-Cookie": "session=secret", "Authorization": "Bearer tok", "X-Other": "kept"},
        "https://h.example/upload?upload_id=SECRET&key=K3Y&alt=sse",
    )
    assert info.headers["set-cookie"] == "***"
    assert info.headers["authorization"] == "***"
    assert info.headers["x-other"] == "kept"
    assert "SECRET" not in info.url and "K3Y" not in info.url
    assert info.url == "https://h.example/upload?upload_id=***&key=***&alt=sse"
    assert "secret" not in repr(info) and "tok" not in repr(info)


# -- service tier ----------------------------------------------------------------------------


async def test_the_applied_tier_is_readable_as_google_reports_it(
    client: gs.Client, emulator: Emulator
) -> None:
    reply = await client.generate(MODEL, "Hello")
    assert "serviceTier" not in _generation(emulator)[-1].body
    assert reply.service_tier == "standard"
    assert reply.usage_metadata is not None and reply.usage_metadata.service_tier == "standard"
    assert reply.http is not None and reply.http.service_tier == "standard"


@pytest.mark.parametrize("asked", ["flex", "FLEX", "priority"])
async def test_service_tier_is_sent_lower_case_and_applied(
    client: gs.Client, emulator: Emulator, asked: str
) -> None:
    reply = await client.generate(MODEL, "Hello", service_tier=asked)
    assert _generation(emulator)[-1].body["serviceTier"] == asked.lower()
    assert reply.service_tier == asked.lower()
    async with client.stream(MODEL, "Hello", service_tier=asked) as stream:
        final = await stream.final_response()
    assert _generation(emulator)[-1].body["serviceTier"] == asked.lower()
    assert final.service_tier == asked.lower()
    assert stream.http is not None and stream.http.service_tier == asked.lower()


async def test_a_chat_sends_its_service_tier_with_every_message(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL, service_tier="flex")
    first = await chat.send("I have two dogs.")
    await chat.send("How many paws?")
    bodies = [r.body for r in _generation(emulator)]
    assert [b["serviceTier"] for b in bodies] == ["flex", "flex"]
    assert first.service_tier == "flex"
    assert first.http is not None and first.http.status == 200
    assert len(chat.history) == 4


@pytest.mark.parametrize(
    ("tier", "error", "match"),
    [(3, TypeError, "service_tier must be a str"), ("", ValueError, "invalid service_tier")],
)
async def test_a_bad_service_tier_is_refused_before_sending(
    client: gs.Client, emulator: Emulator, tier: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        await client.generate(MODEL, "Hi", service_tier=tier)
    with pytest.raises(error, match=match):
        client.stream(MODEL, "Hi", service_tier=tier)
    with pytest.raises(error, match=match):
        client.chat(MODEL, service_tier=tier)
    assert emulator.records == []


async def test_an_unknown_tier_is_sent_after_a_warning(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.warns(gs.UnknownEnumValueWarning, match="'turbo'"):
        await client.generate(MODEL, "Hi", service_tier="turbo")
    assert _generation(emulator)[-1].body["serviceTier"] == "turbo"


# -- escape hatches --------------------------------------------------------------------------


async def test_extra_body_is_deep_merged_into_the_request(
    client: gs.Client, emulator: Emulator
) -> None:
    await client.generate(
        MODEL,
        "Hi",
        config={"temperature": 0.5, "top_k": 3},
        extra_body={"generationConfig": {"seed": 7, "topK": None}},
    )
    body = _generation(emulator)[-1].body
    assert body["generationConfig"] == {"temperature": 0.5, "seed": 7}  # merged; None removes
    assert body["contents"] == [{"parts": [{"text": "Hi"}], "role": "user"}]


async def test_extra_body_reaches_the_server_as_given(
    client: gs.Client, emulator: Emulator
) -> None:
    # A field the API does not know: the emulator answers as Google does, naming it.
    with pytest.raises(gs.BadRequestError, match="brandNewField"):
        async for _ in client.stream(MODEL, "Hi", extra_body={"brandNewField": {"a": [1, 2]}}):
            pass
    assert _generation(emulator)[-1].body["brandNewField"] == {"a": [1, 2]}


async def test_extra_headers_and_query_reach_the_server(
    client: gs.Client, emulator: Emulator
) -> None:
    async with client.stream(
        MODEL,
        "Hi",
        extra_headers={"X-Tenant": "acme"},
        extra_query={"quotaUser": "u-1", "prettyPrint": False},
    ) as stream:
        await stream.final_text()
    record = _generation(emulator)[-1]
    assert record.headers["x-tenant"] == "acme"
    assert record.query == {"alt": "sse", "quotaUser": "u-1", "prettyPrint": "false"}
    assert record.api_key == record.fingerprint("test-key")  # the key is still the client's
    await client.generate(MODEL, "Hi")
    plain = _generation(emulator)[-1]
    assert "x-tenant" not in plain.headers and plain.query == {}  # for that call only


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"extra_body": ["x"]}, TypeError, "extra_body must be a dict"),
        ({"extra_body": {1: "x"}}, TypeError, "keys must be str"),
        ({"extra_body": {"x": object()}}, TypeError, "JSON values only"),
        ({"extra_headers": {"x-goog-api-key": "other"}}, ValueError, "may not set"),
        ({"extra_headers": {"Authorization": "Bearer x"}}, ValueError, "may not set"),
        ({"extra_headers": {"x-a": "1\r\nx-b: 2"}}, ValueError, "CR, LF"),
        ({"extra_headers": {"x-a": 1}}, TypeError, "must be str"),
        ({"extra_query": {"key": "k"}}, ValueError, "may not set 'key'"),
        ({"extra_query": {"alt": "json"}}, ValueError, "may not set 'alt'"),
        ({"extra_query": {"a": [1]}}, TypeError, r"extra_query\['a'\]"),
        ({"extra_query": "a=1"}, TypeError, "extra_query must be a dict"),
    ],
)
async def test_bad_extras_are_refused_before_sending(
    client: gs.Client,
    emulator: Emulator,
    kwargs: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        client.stream(MODEL, "Hi", **kwargs)
    with pytest.raises(error, match=match):
        await client.generate(MODEL, "Hi", **kwargs)
    assert emulator.records == []


_NEW_FIELDS = {
    "candidates": [
        {
            "content": {"parts": [{"text": "Hi", "partNovelty": 1}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
            "candidateNovelty": "x",
        }
    ],
    "usageMetadata": {"promptTokenCount": 1, "totalTokenCount": 2, "futureTokenCount": 1},
    "modelVersion": MODEL,
    "brandNewTopLevel": {"nested": [1, 2]},
}
_UNKNOWN = {
    "candidates[0].content.parts[0].partNovelty": 1,
    "candidates[0].candidateNovelty": "x",
    "usageMetadata.futureTokenCount": 1,
    "brandNewTopLevel": {"nested": [1, 2]},
}


async def test_unknown_response_fields_are_readable_with_keep_raw(
    client: gs.Client, emulator: Emulator
) -> None:
    raw = client.with_options(keep_raw=True)
    emulator.script(ScriptedReply([_NEW_FIELDS], times=2))
    reply = await raw.generate(MODEL, "Hi")
    assert reply.text == "Hi"
    assert reply.unknown_fields == _UNKNOWN
    assert reply.raw_json is not None and reply.raw_json["brandNewTopLevel"] == {"nested": [1, 2]}
    chunks = [chunk async for chunk in raw.stream(MODEL, "Hi")]
    assert [c.unknown_fields for c in chunks] == [_UNKNOWN]
    assert chunks[0].http is not None and chunks[0].http.status == 200
    # Without keep_raw nothing is kept, and the typed fields are the same.
    emulator.script(ScriptedReply([_NEW_FIELDS]))
    plain = await client.generate(MODEL, "Hi")
    assert plain.unknown_fields is None and plain.raw_json is None
    assert plain == reply


async def test_keep_raw_keeps_every_chunk_of_a_long_stream(
    client: gs.Client, emulator: Emulator
) -> None:
    raw = client.with_options(keep_raw=True)
    async with raw.stream(MODEL, "Tell me a long story " * 20) as stream:
        chunks = [chunk async for chunk in stream]
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.raw_json is not None
        assert chunk.unknown_fields == {}
        assert chunk.raw_json["usageMetadata"]["serviceTier"] == "standard"
    assert stream.response.text == "".join(c.text for c in chunks)


def test_with_options_refuses_bad_values_at_once() -> None:
    client = gs.Client(api_key="k", base_url="http://127.0.0.1:9")
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"timeouts": 5}, TypeError, "timeouts must be a gs.Timeouts"),
        ({"retry": {"max_attempts": 1}}, TypeError, "retry must be a gs.RetryPolicy"),
        ({"keep_raw": "yes"}, TypeError, "keep_raw must be a bool"),
        ({"headers": {"x-goog-api-key": "k2"}}, ValueError, "headers may not set"),
        ({"headers": {"bad name": "v"}}, ValueError, "invalid header name"),
        ({"extra_query": {"key": "x"}}, ValueError, "may not set 'key'"),
        ({"extra_body": {"a": 1j}}, TypeError, "JSON values only"),
        ({"service_tier": 1}, TypeError, "service_tier must be a str"),
    ]
    for kwargs, error, match in cases:
        with pytest.raises(error, match=match):
            client.with_options(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.with_options()  # nothing given: a view with the client's own settings


async def test_fanout_replies_and_errors_carry_their_http(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(Fault(status=500, times=1))
    once = gs.RetryPolicy(max_attempts=1)
    requests = [gs.Request(MODEL, "a", retry=once), gs.Request(MODEL, "b")]
    done: list[Any] = []
    async with client.stream_many(requests, concurrency=1) as results:
        async for item in results:
            if item.kind != "chunk":
                done.append(item)
    by_kind = {item.kind: item for item in done}
    assert by_kind["error"].error.http.status == 500
    assert by_kind["done"].response.http.status == 200
    replies = await client.generate_many([gs.Request(MODEL, "c")])
    assert replies[0].http is not None and replies[0].http.status == 200


async def test_stream_many_keeps_the_json_of_a_views_streams(
    client: gs.Client, emulator: Emulator
) -> None:
    raw = client.with_options(keep_raw=True)
    emulator.script(ScriptedReply([_NEW_FIELDS]))
    chunks = []
    long = "Tell me a long story " * 20
    requests = [lambda: raw.stream(MODEL, "Hi"), lambda: raw.stream(MODEL, long)]
    async with client.stream_many(requests, concurrency=1) as results:
        async for item in results:
            if item.kind == "chunk":
                chunks.append(item.chunk)
    assert chunks[0].unknown_fields == _UNKNOWN
    assert len(chunks) > 4
    assert all(c.unknown_fields == {} for c in chunks[1:])


async def test_a_chat_stream_has_its_rounds_http(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    stream = chat.stream("Hello there")
    assert stream.http is None
    async with stream:
        text = await stream.final_text()
    assert text
    assert stream.http is not None and stream.http.status == 200
    assert stream.response.http is stream.http
