"""Record and replay: an emulator records what an upstream emulator sends, and plays it back.

The upstream is a second emulator on loopback, so every byte it sends is known; the recorder
sits between the client and it, and a third emulator replays the cassettes it wrote.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault, RequestRecord, expected_text

KEY = "AIzaSy-a-real-looking-key-0123456789abc"  # must reach the upstream, never the disk
TOKEN = "ya29.a-bearer-token-never-saved"
MODEL = "gemini-2.5-flash"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"


def _files(directory: Path) -> list[Path]:
    """The cassette files of ``directory``, in order (a test's own small folder)."""
    return sorted(directory.iterdir())


def _body(text: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


async def _raw(
    session: aiohttp.ClientSession,
    base: str,
    path: str,
    body: Any,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, bool]:
    """POST and read the body as sent: status, bytes, and whether the server cut it short."""
    headers = {"x-goog-api-key": KEY, **(headers or {})}
    async with session.post(base + path, json=body, headers=headers) as response:
        received = bytearray()
        try:
            while data := await response.content.readany():
                received += data
        except aiohttp.ClientPayloadError:
            return response.status, bytes(received), True
        return response.status, bytes(received), False


# The raw exchanges: (path with query, body, extra headers). The fault header is read by the
# upstream emulator, so the recording holds an in-stream error and a cut connection too.
RAW = [
    (f"{STREAM}?alt=sse", _body("raw sse emulator:words=40"), {}),
    (STREAM, _body("raw array emulator:words=20"), {}),
    (f"{STREAM}?alt=sse", _body("error after two"), {"x-emulator-fault": "error-after=2"}),
    (f"{STREAM}?alt=sse", _body("cut after two"), {"x-emulator-fault": "disconnect-after=2"}),
]


async def _raw_all(base: str) -> list[tuple[int, bytes, bool]]:
    async with aiohttp.ClientSession() as session:
        return [await _raw(session, base, path, body, extra) for path, body, extra in RAW]


async def _client_calls(base: str, upstream: Emulator | None = None) -> list[Any]:
    """What a user sees of generate, stream, a chat, an error and a retried call."""
    seen: list[Any] = []
    async with gs.Client(base_url=base, api_key=KEY) as client:
        reply = await client.generate(MODEL, "Hello")
        seen.append(reply.text)
        async with client.stream(MODEL, "Tell me a story emulator:words=30") as stream:
            seen.append([chunk.text async for chunk in stream])
        chat = client.chat(MODEL, system_instruction="Be brief")
        seen.append(await chat.stream("I have two dogs.").final_text())
        seen.append((await chat.send("How many paws?")).text)
        seen.append([c.role for c in chat.history])
        with pytest.raises(gs.NotFoundError) as missing:
            await client.generate("gemini-no-such-model", "Hi")
        seen.append(str(missing.value))
        if upstream is not None:
            upstream.fail_next(1, 503)  # recorded as a 503 and then the retry's 200
        seen.append((await client.generate(MODEL, "after a 503")).text)
    return seen


@pytest.fixture
async def upstream() -> AsyncIterator[Emulator]:
    # Only KEY is accepted upstream: a recording works only if the key is passed through.
    async with Emulator(api_keys=[KEY], chunk_delay=0.002, chunk_tokens=4) as emulator:
        yield emulator


async def test_replay_is_byte_identical_to_what_the_upstream_sent(
    upstream: Emulator, tmp_path: Path
) -> None:
    cassettes = tmp_path / "cassettes"
    async with Emulator(record=cassettes, upstream=upstream.url) as recorder:
        recorded_raw = await asyncio.wait_for(_raw_all(recorder.url), 30)
        recorded_calls = await asyncio.wait_for(_client_calls(recorder.url, upstream), 30)
        recorder_statuses = [r.status for r in recorder.records]
    # The recorder is transparent: the upstream answers the same requests with the same bytes.
    direct_raw = await asyncio.wait_for(_raw_all(upstream.url), 30)
    assert recorded_raw == direct_raw
    assert [cut for *_, cut in recorded_raw] == [False, False, False, True]
    assert recorded_raw[2][1].endswith(b"}\n") and b'"code": 503' in recorded_raw[2][1]
    files = [p.name for p in _files(cassettes)]
    assert len(files) == len(recorder_statuses) == len(RAW) + 7
    assert files[0] == f"0001-POST-{MODEL}-streamGenerateContent.json"

    async with Emulator(replay=cassettes, replay_speed=0) as player:
        replayed_raw = await asyncio.wait_for(_raw_all(player.url), 30)
        replayed_calls = await asyncio.wait_for(_client_calls(player.url), 30)
        statuses = [r.status for r in player.records]
    assert replayed_raw == recorded_raw  # byte for byte, the in-stream error and the cut too
    assert replayed_calls == recorded_calls
    assert recorded_calls[-1].startswith("I am the gemini-stream emulator")
    assert "NOT_FOUND" in recorded_calls[-2]
    assert statuses == recorder_statuses  # the 503 and then the retry's 200, in order
    assert statuses[-2:] == [503, 200]


async def test_cassettes_hold_no_key_but_the_upstream_got_it(
    upstream: Emulator, tmp_path: Path
) -> None:
    async with Emulator(record=tmp_path, upstream=upstream.url) as recorder:
        async with aiohttp.ClientSession() as session:
            # The key in the query instead of the header, and a bearer token beside it.
            url = f"{recorder.url}{STREAM}?alt=sse&key={KEY}"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with session.post(url, json=_body("Hi"), headers=headers) as response:
                assert response.status == 200
                assert await response.read()
        await _client_calls(recorder.url)
    fingerprint = RequestRecord.fingerprint(KEY)
    assert {r.api_key for r in upstream.records} == {fingerprint}  # every request had it
    first = upstream.records[0]
    assert first.query == {"alt": "sse", "key": fingerprint}
    assert first.headers["authorization"] == f"Bearer {RequestRecord.fingerprint(TOKEN)}"
    files = _files(tmp_path)
    assert len(files) == 7
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert KEY not in text and TOKEN not in text, path.name
        assert "key=" not in text
        assert json.loads(text)["request"]["api_key"] == fingerprint
    saved = json.loads(sorted(files)[0].read_text(encoding="utf-8"))
    assert saved["request"]["query"] == {"alt": "sse"}
    assert "authorization" not in {h.lower() for h in saved["response"]["headers"]}


async def test_a_replay_miss_is_a_404_naming_the_request(tmp_path: Path) -> None:
    async with (
        Emulator() as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as rec,
        gs.Client(base_url=rec.url, api_key=KEY) as client,
    ):
        await client.generate(MODEL, "recorded")
    async with Emulator(replay=tmp_path, replay_speed=0) as player:
        async with gs.Client(base_url=player.url, api_key=KEY) as client:
            with pytest.raises(gs.NotFoundError) as missed:
                await asyncio.wait_for(client.generate(MODEL, "never recorded"), 10)
            # The recorded one still answers, however often it is asked.
            for _ in range(2):
                reply = await client.generate(MODEL, "recorded")
                assert reply.text == expected_text(_body("recorded"), MODEL)
            with pytest.raises(gs.NotFoundError, match=r"GET /v1beta/models\?pageSize=3"):
                await asyncio.wait_for(client.models.list(page_size=3).__anext__(), 10)
        assert [r.status for r in player.records] == [404, 200, 200, 404]
    message = str(missed.value)
    assert f"POST /v1beta/models/{MODEL}:generateContent" in message
    assert "no cassette" in message and str(tmp_path) in message
    assert f"0001-POST-{MODEL}-generateContent.json" in message  # same path, other body
    assert player.records[0].status == 404


async def test_replay_keeps_the_recorded_timing(tmp_path: Path) -> None:
    async with (
        Emulator(chunk_delay=0.05, chunk_tokens=10) as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as recorder,
        aiohttp.ClientSession() as session,
    ):
        status, recorded, _ = await _raw(
            session, recorder.url, f"{STREAM}?alt=sse", _body("x emulator:words=30")
        )
    assert status == 200
    (saved,) = _files(tmp_path)
    last = json.loads(saved.read_text())["response"]["chunks"][-1]["at"]
    assert last >= 0.2  # some ten events 50 ms apart
    async with Emulator(replay=tmp_path) as player, aiohttp.ClientSession() as session:
        started = time.monotonic()
        status, replayed, _ = await _raw(
            session, player.url, f"{STREAM}?alt=sse", _body("x emulator:words=30")
        )
        took = time.monotonic() - started
    assert (status, replayed) == (200, recorded)
    assert took >= 0.9 * last  # a lower bound only: a slow machine cannot break it


def test_bad_options_are_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs upstream"):
        Emulator(record=tmp_path)
    with pytest.raises(ValueError, match="only used with record"):
        Emulator(upstream="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="cannot be used together"):
        Emulator(record=tmp_path, upstream="http://127.0.0.1:9", replay=tmp_path)
    with pytest.raises(ValueError, match=r"'ftp://example\.com'"):
        Emulator(record=tmp_path, upstream="ftp://example.com")
    with pytest.raises(FileNotFoundError, match="'/no/such/dir'"):
        Emulator(replay="/no/such/dir")
    with pytest.raises(ValueError, match="holds no cassettes"):
        Emulator(replay=tmp_path)
    with pytest.raises(ValueError, match="got -1"):
        Emulator(replay=tmp_path, replay_speed=-1)
    (tmp_path / "0001-POST-x.json").write_text('{"format": "gemini-stream-cassette/1"}')
    with pytest.raises(ValueError, match=r"0001-POST-x\.json is not valid: missing field"):
        Emulator(replay=tmp_path)
    (tmp_path / "0001-POST-x.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"0001-POST-x\.json is not valid JSON"):
        Emulator(replay=tmp_path)


def test_the_cli_refuses_bad_record_and_replay_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gemini_stream.cli import main

    for argv, expected in [
        (["--record", str(tmp_path)], "needs upstream"),
        (["--replay", str(tmp_path / "missing")], "does not exist"),
        (["--replay", str(tmp_path), "--replay-speed", "-2"], "got -2.0"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(["emulator", *argv])
        assert exited.value.code == 2
        assert expected in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["emulator", "--help"])
    out = capsys.readouterr().out
    assert "--record DIR" in out and "--upstream URL" in out and "--replay-speed FACTOR" in out


async def test_the_cli_records_and_replays(tmp_path: Path) -> None:
    import subprocess

    def start(*argv: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "gemini_stream", "emulator", "--port", "0", *argv]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def url_of(run: subprocess.Popen[str]) -> tuple[str, str]:
        """The URL from the first line, and the banner up to its last line."""
        assert run.stdout is not None
        lines = [run.stdout.readline()]
        assert lines[0].startswith("Gemini API emulator listening on "), lines[0]
        while not lines[-1].startswith("Press Ctrl+C"):
            lines.append(run.stdout.readline())
            assert lines[-1], "".join(lines)
        return lines[0].split()[-1], "".join(lines)

    async def post(base: str) -> tuple[int, bytes, bool]:
        async with aiohttp.ClientSession() as session:
            return await _raw(session, base, f"{STREAM}?alt=sse", _body("via the cli"))

    def stop(run: subprocess.Popen[str]) -> None:
        run.terminate()
        run.communicate(timeout=30)

    cassettes = tmp_path / "recorded"
    with start("--api-key", KEY, "--chunk-delay", "0.001") as upstream:
        try:
            upstream_url, _ = await asyncio.to_thread(url_of, upstream)
            record = ("--record", str(cassettes), "--upstream", upstream_url)
            with start(*record) as recorder:
                try:
                    recorder_url, said = await asyncio.to_thread(url_of, recorder)
                    recorded = await asyncio.wait_for(post(recorder_url), 30)
                finally:
                    stop(recorder)
            direct = await asyncio.wait_for(post(upstream_url), 30)
        finally:
            stop(upstream)
    assert f"Recording cassettes in {cassettes}, passing requests to {upstream_url}" in said
    assert recorded == direct and recorded[0] == 200
    with start("--replay", str(cassettes), "--replay-speed", "0") as player:
        try:
            player_url, said = await asyncio.to_thread(url_of, player)
            replayed = await asyncio.wait_for(post(player_url), 30)
        finally:
            stop(player)
    assert f"Replaying the cassettes in {cassettes}" in said
    assert replayed == recorded


@pytest.mark.gemini_cassette("cassettes/greeting")
async def test_the_fixture_replays_a_marked_tests_cassettes(gemini_emulator: Emulator) -> None:
    async with gs.Client(base_url=gemini_emulator.url, api_key="any key") as client:
        text = await client.stream(MODEL, "Say hello").final_text()
        assert text == expected_text(_body("Say hello"), MODEL)
        with pytest.raises(gs.NotFoundError, match="no cassette"):  # not the built-in model
            await client.generate(MODEL, "Say hello")
    # The committed cassette was recorded with a key; only its fingerprint is in the file.
    (saved,) = _files(Path(__file__).parent / "cassettes" / "greeting")
    assert "a-key-never-saved" not in saved.read_text()


async def test_an_upload_records_and_replays_with_its_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8  # not UTF-8: kept as base64
    async with (
        Emulator() as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as recorder,
        gs.Client(base_url=recorder.url, api_key=KEY) as client,
    ):
        uploaded = await client.files.upload(data, mime_type="application/octet-stream")
    saved = [json.loads(p.read_text()) for p in _files(tmp_path)]
    assert any("body_base64" in s["request"] for s in saved)
    async with (
        Emulator(replay=tmp_path, replay_speed=0) as player,
        gs.Client(base_url=player.url, api_key=KEY) as client,
    ):
        assert await client.files.upload(data, mime_type="application/octet-stream") == uploaded
        with pytest.raises(gs.NotFoundError, match="no cassette"):  # other bytes: a miss
            await client.files.upload(data[::-1], mime_type="application/octet-stream")


_MARKED_TEST = f"""
import pytest
import gemini_stream as gs


@pytest.mark.gemini_cassette("recorded")
async def test_marked(gemini_emulator):
    async with gs.Client(base_url=gemini_emulator.url, api_key={KEY!r}) as client:
        reply = await client.generate("gemini-2.5-flash", "Hi")
    assert reply.text.startswith("I am the gemini-stream emulator")
"""


@pytest.mark.timeout(240)  # two pytest processes, each importing the package
async def test_gemini_record_records_the_marked_tests_then_they_replay(tmp_path: Path) -> None:
    (tmp_path / "test_marked.py").write_text(_MARKED_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")

    async def pytest_run(*extra: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "gemini_stream.emulator.pytest_plugin",
            *extra,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, out.decode()
        return out.decode()

    async with Emulator(api_keys=[KEY]) as upstream:
        await pytest_run("--gemini-record", upstream.url)
        assert len(upstream.records) == 1  # the test's request reached the upstream
    (saved,) = _files(tmp_path / "recorded")
    assert KEY not in saved.read_text()
    assert "1 passed" in await pytest_run()  # the upstream is gone: this is the replay


async def test_a_client_leaving_mid_recording_stops_the_upstream_and_saves_nothing(
    tmp_path: Path,
) -> None:
    async with (
        Emulator(chunk_delay=0.05) as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as recorder,
        aiohttp.ClientSession() as session,
    ):
        body = _body("a long one emulator:words=200")
        url = f"{recorder.url}{STREAM}?alt=sse"
        async with session.post(url, json=body, headers={"x-goog-api-key": KEY}) as response:
            assert await asyncio.wait_for(response.content.readuntil(b"\r\n\r\n"), 10)
            response.close()
        record = await upstream.wait_for_disconnect(timeout=10)  # the upstream stops too
        assert record.events_written < 20
        await recorder.wait_idle(timeout=10)
        assert recorder.records[0].disconnected
    assert _files(tmp_path) == []  # half a reply is no faithful cassette


async def test_an_upstream_that_drops_the_connection_gets_a_502_and_no_cassette(
    tmp_path: Path,
) -> None:
    async with (
        Emulator() as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as recorder,
        gs.Client(base_url=recorder.url, api_key=KEY) as client,
    ):
        upstream.script(Fault(disconnect_after=0))  # closes before any response
        reply = await asyncio.wait_for(client.generate(MODEL, "Hi"), 10)  # 502, retried
        assert reply.text
        assert [r.status for r in recorder.records] == [502, 200]
    (saved,) = _files(tmp_path)
    assert json.loads(saved.read_text())["response"]["status"] == 200


async def test_an_interactions_stream_replays_byte_identical(tmp_path: Path) -> None:
    body = {"model": "gemini-3-flash-preview", "input": "Hi emulator:words=20", "stream": True}
    async with (
        Emulator(chunk_delay=0.002) as upstream,
        Emulator(record=tmp_path, upstream=upstream.url) as recorder,
        aiohttp.ClientSession() as session,
    ):
        status, recorded, cut = await _raw(session, recorder.url, "/v1beta/interactions", body)
    assert (status, cut) == (200, False)
    assert recorded.count(b"event: step.delta\n") > 1 and recorded.endswith(b"data: [DONE]\n\n")
    async with (
        Emulator(replay=tmp_path, replay_speed=0) as player,
        aiohttp.ClientSession() as session,
    ):
        replayed = await _raw(session, player.url, "/v1beta/interactions", body)
    assert replayed == (200, recorded, False)
