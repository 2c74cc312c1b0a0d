"""Request records, disconnect detection, open connections and many concurrent streams."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from gemini_stream.emulator import Emulator, RequestRecord, expected_text

from ._helpers import KEY, MODEL, post, split_sse, stream_url, url, user

LONG = user("a long story please emulator:words=400")


async def test_record_fields(gemini_emulator, session):
    status, _, body = await post(session, stream_url(gemini_emulator), LONG)
    assert status == 200
    [record] = gemini_emulator.records
    assert (record.method, record.path) == ("POST", f"/v1beta/models/{MODEL}:streamGenerateContent")
    assert record.query == {"alt": "sse"}
    # Credentials are masked: a fingerprint tells keys apart without holding them.
    assert record.headers["x-goog-api-key"] == RequestRecord.fingerprint("test-key")
    assert record.api_key == RequestRecord.fingerprint("test-key") != RequestRecord.fingerprint("k")
    assert "test-key" not in repr(record)
    assert record.body == LONG
    assert json.loads(record.raw_body) == LONG
    assert (record.model, record.rpc, record.status) == (
        f"models/{MODEL}",
        "streamGenerateContent",
        200,
    )
    assert record.events_written == len(split_sse(body))
    await record.wait_done()
    assert record.started_at <= record.ended_at
    assert not record.disconnected
    with pytest.raises(TimeoutError, match="without a client disconnect"):
        await gemini_emulator.wait_for_disconnect()


async def test_client_that_leaves_early_is_seen_within_100_ms(session):
    async with Emulator(chunk_delay=0.05) as emulator:
        async with session.post(stream_url(emulator), json=LONG, headers=KEY) as response:
            await response.content.readuntil(b"\r\n\r\n")
            closed_at = time.monotonic()
            response.close()
        record = await emulator.wait_for_disconnect(timeout=2)
        assert record.disconnected_at - closed_at < 0.1
        assert 1 <= record.events_written < 10
        assert not record.closed_by_server
        assert emulator.active_requests == 0


async def test_disconnect_while_waiting_for_the_first_event(session):
    async with Emulator(first_chunk_delay=30) as emulator:
        response = await session.post(stream_url(emulator), json=LONG, headers=KEY)
        closed_at = time.monotonic()
        response.close()
        record = await emulator.wait_for_disconnect(timeout=2)
        assert record.events_written == 0
        assert record.disconnected_at - closed_at < 0.1


async def test_wait_for_disconnect_without_requests():
    async with Emulator() as emulator:
        with pytest.raises(LookupError):
            await emulator.wait_for_disconnect()


async def test_close_abandons_running_streams(session):
    emulator = Emulator(first_chunk_delay=30)
    await emulator.start()
    response = await session.post(stream_url(emulator), json=LONG, headers=KEY)
    started = time.monotonic()
    await emulator.close()
    assert time.monotonic() - started < 2
    record = emulator.records[-1]
    assert record.done
    assert not record.disconnected
    response.close()
    await emulator.close()  # a second close is a no-op
    with pytest.raises(RuntimeError):
        emulator.url  # noqa: B018


async def test_open_connections_are_counted(session):
    async with Emulator() as emulator:
        assert emulator.open_connections == 0
        async with aiohttp.ClientSession() as other:
            await post(other, stream_url(emulator), user("hi"))
            assert emulator.open_connections == 1  # kept alive by the client's pool
        for _ in range(200):
            if emulator.open_connections == 0:
                break
            await asyncio.sleep(0.005)
        assert emulator.open_connections == 0


async def test_many_concurrent_streams_each_get_every_chunk(session):
    count = 200
    async with Emulator(chunk_delay=0.001, chunk_tokens=4) as emulator:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as many:

            async def one(i):
                request = user(f"stream number {i} emulator:words={i % 7}")
                _, _, body = await post(many, stream_url(emulator), request)
                chunks = [json.loads(p) for p in split_sse(body)]
                text = "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks)
                return text == expected_text(request, MODEL)

            results = await asyncio.gather(*(one(i) for i in range(count)))
        assert all(results)
        await emulator.wait_idle(timeout=5)
        assert emulator.active_requests == 0
        assert len(emulator.records) == count
        assert not any(r.disconnected for r in emulator.records)


async def test_non_streaming_requests_are_recorded_too(gemini_emulator, session):
    await post(session, url(gemini_emulator, "countTokens"), user("hi"))
    async with session.get(f"{gemini_emulator.url}/v1beta/models", headers=KEY) as response:
        await response.read()
    assert [r.rpc for r in gemini_emulator.records] == ["countTokens", "list"]
    assert all(r.done and r.status == 200 for r in gemini_emulator.records)


async def test_max_records_keeps_the_newest(session):
    async with Emulator(max_records=3) as emulator:
        for n in range(5):
            status, _, _ = await post(session, stream_url(emulator), user(f"question {n}"))
            assert status == 200
        texts = [r.body["contents"][0]["parts"][0]["text"] for r in emulator.records]
    assert texts == ["question 2", "question 3", "question 4"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_max_records_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match=f"max_records must be .* got {bad!r}"):
        Emulator(max_records=bad)
