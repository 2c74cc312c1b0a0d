"""The ``gemini_stream`` logger tree: one record per request, bodies only when asked, secrets
and inline media never shown; ``GEMINI_STREAM_LOG``; nothing watched, nothing made."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"
KEY = "AIzaSy-this-is-a-secret-key-0123456789"


@pytest.fixture(autouse=True)
def _quiet_bodies() -> Iterator[None]:
    """Each test sets the bodies logger itself; none leaves it set."""
    bodies = logging.getLogger("gemini_stream.bodies")
    yield
    bodies.setLevel(logging.NOTSET)


def _ends(caplog: pytest.LogCaptureFixture) -> list[gs.EndEvent]:
    return [
        r.gemini_stream  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "gemini_stream.http"
        and isinstance(getattr(r, "gemini_stream", None), gs.EndEvent)
    ]


async def test_one_info_record_per_streamed_request(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        text = await client.stream(MODEL, "Tell me emulator:words=40").final_text()
    assert text
    records = [r for r in caplog.records if r.name == "gemini_stream.http"]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    event = records[0].gemini_stream  # type: ignore[attr-defined]
    assert isinstance(event, gs.EndEvent)
    assert (event.outcome, event.status, event.attempt, event.method) == ("ok", 200, 1, "POST")
    assert event.url == f"{emulator.url}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    assert (event.operation, event.model, event.response_model) == (
        "streamGenerateContent",
        MODEL,
        MODEL,
    )
    assert event.chunks > 3 and event.bytes > 1000
    assert event.usage is not None and event.usage.prompt_token_count
    assert event.finish_reason == "STOP"
    assert event.time_to_headers is not None and event.time_to_first_chunk is not None
    assert event.time_to_headers <= event.time_to_first_chunk <= event.elapsed
    message = records[0].getMessage()
    assert "-> 200 ok, attempt 1, headers " in message
    assert f"{event.chunks} chunks, {event.bytes} bytes" in message
    assert "finish STOP" in message and "first chunk" in message
    assert KEY not in caplog.text


async def test_generate_chat_embed_and_stream_many_each_log_one_record(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        await client.generate(MODEL, "Hello")
        chat = client.chat(MODEL)
        await chat.send("One")
        await chat.send("Two")
        await client.embed("gemini-embedding-001", ["a", "b"])
        requests = [gs.Request(MODEL, f"Question {i}") for i in range(3)]
        assert len(await client.generate_many(requests)) == 3
        async for _ in client.models.list():
            break
    ends = _ends(caplog)
    assert [e.operation for e in ends] == [
        "generateContent",
        "streamGenerateContent",
        "streamGenerateContent",
        "batchEmbedContents",
        "streamGenerateContent",
        "streamGenerateContent",
        "streamGenerateContent",
        "models",
    ]
    assert all(e.outcome == "ok" and e.status == 200 for e in ends)
    assert ends[0].usage is not None and ends[0].finish_reason == "STOP"  # read whole
    assert ends[0].chunks == 0 and ends[0].time_to_first_chunk is None
    assert len({e.request_id for e in ends}) == len(ends)


async def test_a_retry_logs_the_failed_attempt_then_the_request(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    emulator.fail_next(1, 503)
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        await client.stream(MODEL, "Hi").final_text()
    records = [r for r in caplog.records if r.name == "gemini_stream.http"]
    assert len(records) == 2
    retry, end = (r.gemini_stream for r in records)  # type: ignore[attr-defined]
    assert isinstance(retry, gs.RetryEvent) and (retry.attempt, retry.status) == (1, 503)
    assert "attempt 1 failed (ServiceUnavailableError" in records[0].getMessage()
    assert "retrying in" in records[0].getMessage()
    assert isinstance(end, gs.EndEvent) and (end.attempt, end.outcome) == (2, "ok")
    assert end.request_id == retry.request_id


async def test_an_error_inside_the_stream_is_logged_with_what_came(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    emulator.script(Fault(error_after=3, error_status=500))
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        with pytest.raises(gs.ServerError):
            await client.stream(MODEL, "Tell me emulator:words=60").final_text()
    (end,) = _ends(caplog)
    assert (end.outcome, end.status, end.chunks) == ("error", 200, 3)
    assert isinstance(end.error, gs.ServerError)
    assert "200 error" in caplog.text and "ServerError" in caplog.text


async def test_a_stream_left_with_break_is_logged_as_closed(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    emulator.script(Fault(delay=0.05))  # paced: the reply is still coming at the break
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        async for _ in client.stream(MODEL, "Tell me emulator:words=200"):
            break
        (end,) = _ends(caplog)
    assert (end.outcome, end.status, end.error) == ("closed", 200, None)
    assert end.chunks >= 1


async def test_a_failed_unary_call_is_logged_as_an_error(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        with pytest.raises(gs.PermissionDeniedError):  # as Google answers an unknown file
            await client.files.get("files/nope")
    (end,) = _ends(caplog)
    assert (end.outcome, end.status, end.operation) == ("error", 403, "files.get")
    assert isinstance(end.error, gs.PermissionDeniedError)


async def test_debug_adds_each_attempt_and_its_headers(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gemini_stream")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        await client.generate(MODEL, "Hello")
    shapes = [
        type(r.gemini_stream).__name__ for r in caplog.records if r.name == "gemini_stream.http"
    ]  # type: ignore[attr-defined]
    assert shapes == ["RequestEvent", "ResponseEvent", "EndEvent"]
    # DEBUG on gemini_stream does not turn the bodies on: they need their own logger set.
    assert not [r for r in caplog.records if r.name == "gemini_stream.bodies"]


async def test_bodies_when_asked_with_inline_media_elided_and_no_secret(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_stream")
    caplog.set_level(logging.DEBUG, logger="gemini_stream.bodies")
    image = bytes(range(256)) * 12  # 3,072 bytes
    part = gs.Part.from_bytes(image, mime_type="image/png")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        await client.stream(MODEL, [part, "What is this?"]).final_text()
    bodies = [r.getMessage() for r in caplog.records if r.name == "gemini_stream.bodies"]
    assert len(bodies) == 2
    assert "request body:" in bodies[0] and "<3072 bytes elided>" in bodies[0]
    assert "What is this?" in bodies[0]
    assert base64.b64encode(image).decode()[:40] not in caplog.text
    assert "response body:" in bodies[1] and '"finishReason":"STOP"' in bodies[1]
    assert KEY not in caplog.text


async def test_a_signed_upload_url_is_masked(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gemini_stream")
    caplog.set_level(logging.DEBUG, logger="gemini_stream.bodies")
    async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
        file = await client.files.upload(b"hello world " * 100, mime_type="text/plain")
        await client.files.delete(file)
    ops = [e.operation for e in _ends(caplog)]
    assert ops == ["files.upload", "files.upload", "files.delete"]
    upload_urls = [e.url for e in _ends(caplog) if "upload_id" in e.url]
    assert upload_urls and all("upload_id=***&upload_protocol=resumable" in u for u in upload_urls)
    session_ids = list(emulator._state.files.sessions)
    assert len(session_ids) == 1
    assert all(session_id not in caplog.text for session_id in session_ids)
    assert "(1200 bytes, not JSON)" in caplog.text  # the upload's bytes, by their size
    assert KEY not in caplog.text


def test_urls_lose_their_secrets() -> None:
    from gemini_stream._observe.redact import operation_of, safe_url

    assert safe_url("https://h/v1beta/x?key=SECRET&alt=sse") == "https://h/v1beta/x?key=***&alt=sse"
    assert safe_url("https://user:pw@h:8443/p?pageSize=5") == "https://***@h:8443/p?pageSize=5"
    assert operation_of("models/gemini-2.5-flash:streamGenerateContent") == (
        "streamGenerateContent",
        "gemini-2.5-flash",
    )
    assert operation_of(
        "projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent"
    ) == ("generateContent", "gemini-2.5-pro")
    assert operation_of("files.get") == ("files.get", None)


async def test_nothing_is_made_per_request_when_nothing_watches(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "opentelemetry.trace" in sys.modules:  # imported by other tests: no provider set here
        monkeypatch.setattr(sys.modules["opentelemetry.trace"], "_TRACER_PROVIDER", None)
    logging.getLogger("gemini_stream").setLevel(logging.WARNING)
    try:
        async with gs.Client(base_url=emulator.url, api_key=KEY) as client:
            stream = client.stream(MODEL, "Hi")
            assert stream._call.probe is None
            await stream.final_text()
        async with gs.Client(base_url=emulator.url, api_key=KEY, event_hooks={}) as client:
            assert client.stream(MODEL, "Hi")._call.probe is None
    finally:
        logging.getLogger("gemini_stream").setLevel(logging.NOTSET)


_PROGRAM = textwrap.dedent(
    """
    import asyncio, sys
    import gemini_stream as gs
    from gemini_stream.emulator import Emulator

    async def main():
        async with Emulator() as emulator:
            async with gs.Client(base_url=emulator.url, api_key="KEY-123456789") as client:
                await client.generate("gemini-2.5-flash", "Hello")
        assert "opentelemetry.trace" not in sys.modules

    asyncio.run(main())
    """
)


@pytest.mark.parametrize(
    ("value", "http", "bodies"), [("info", True, False), ("bodies", True, True), ("", False, False)]
)
def test_the_environment_variable_turns_logging_on(value: str, http: bool, bodies: bool) -> None:
    env = {**os.environ, "GEMINI_STREAM_LOG": value}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert ("INFO gemini_stream.http: POST http://127.0.0.1:" in done.stderr) is http
    assert ("DEBUG gemini_stream.bodies:" in done.stderr) is bodies
    assert "KEY-123456789" not in done.stderr


def test_a_bad_environment_value_is_named() -> None:
    env = {**os.environ, "GEMINI_STREAM_LOG": "loud"}
    code = "import gemini_stream as gs; gs.Client(api_key='k')"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "invalid GEMINI_STREAM_LOG='loud'" in done.stderr
