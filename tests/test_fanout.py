"""Fan-out against the emulator: completeness, order, error policies, cancellation, backpressure."""

from __future__ import annotations

import json
import socket
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import aiohttp
import anyio
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault, expected_text

MODEL = "gemini-2.5-flash"
SLOW = {"x-emulator-fault": "delay=0.05"}  # long replies stay open for seconds


def body(prompt: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}


def expected(prompt: str) -> str:
    return expected_text(body(prompt), MODEL)


async def collect(results: gs.FanoutResults) -> dict[int, list[gs.FanoutItem]]:
    items: dict[int, list[gs.FanoutItem]] = defaultdict(list)
    async for item in results:
        items[item.index].append(item)
    return items


async def all_closed(emulator: Emulator) -> None:
    """Every reply the emulator started has ended, none by completing normally."""
    await emulator.wait_idle(timeout=5)
    assert emulator.active_requests == 0
    streams = [r for r in emulator.records if r.status == 200]
    assert streams
    assert all(r.disconnected for r in streams), [r.events_written for r in streams]


# -- completeness and order ------------------------------------------------------------------


async def test_a_thousand_streams_deliver_every_chunk(emulator: Emulator) -> None:
    prompts = [f"Question {n}: what is {n} plus {n}?" for n in range(1000)]
    progress = gs.Progress()
    async with gs.Client(base_url=emulator.url, api_key="k", max_connections=1000) as client:
        requests = [gs.Request(MODEL, p) for p in prompts]
        async with client.stream_many(requests, concurrency=200, progress=progress) as results:
            items = await collect(results)
    assert sorted(items) == list(range(1000))
    chunks = 0
    for n, prompt in enumerate(prompts):
        *body_items, last = items[n]
        assert [i.kind for i in body_items] == ["chunk"] * len(body_items)
        assert last.kind == "done" and last.request is requests[n]
        assert "".join(i.chunk.text for i in body_items if i.chunk) == expected(prompt)
        assert last.response is not None and last.response.text == expected(prompt)
        chunks += len(body_items)
    assert progress.total == progress.started == progress.done == 1000
    assert progress.failed == 0 and progress.in_flight == 0 and progress.chunks == chunks
    assert progress.tokens > 0
    assert len(emulator.records) == 1000
    await emulator.wait_idle()


@pytest.mark.parametrize("paced", [False, True])
async def test_a_consumer_that_comes_late_still_gets_every_reply_and_its_end(
    paced: bool,
) -> None:
    # The replies (and their ends) all arrive before the consumer decodes anything: the ends
    # are found when the consumer decodes the last data, nothing is lost or left open.
    prompts = [f"Late {n} emulator:words=40" for n in range(20)]
    async with (
        Emulator(burst=not paced, chunk_delay=0.002 if paced else 0) as emulator,
        gs.Client(base_url=emulator.url, api_key="k") as client,
    ):
        requests = [gs.Request(MODEL, p) for p in prompts]
        async with client.stream_many(requests, concurrency=20) as results:
            await anyio.sleep(0.5)  # every worker has read its whole reply meanwhile
            items = await collect(results)
        await emulator.wait_idle()
    for n, prompt in enumerate(prompts):
        *body_items, last = items[n]
        assert last.kind == "done", last.error
        assert "".join(i.chunk.text for i in body_items if i.chunk) == expected(prompt)
        assert last.response is not None and last.response.text == expected(prompt)


class FakeChat:
    """Duck-typed like ``Chat``: anything with ``.stream(message)`` pairs with a message."""

    def __init__(self, client: gs.Client) -> None:
        self.client = client

    def stream(self, message: str) -> gs.ChunkStream:
        return self.client.stream(MODEL, message)


async def test_the_done_items_reply_is_the_streams_merged_when_read(
    client: gs.Client,
) -> None:
    prompt = "Tell me about fan-out emulator:words=120"
    direct = client.stream(MODEL, prompt)
    async for _ in direct:
        pass
    async with client.stream_many([gs.Request(MODEL, prompt)] * 3) as results:
        done = [item async for item in results if item.kind == "done"]
    assert len(done) == 3
    for item in done:
        assert item.response == direct.response  # merged on first read, same every time
        assert item.response is item.response
        assert item.chunk is None and item.error is None
        assert repr(item).startswith("FanoutItem(kind='done', index=")
        assert "response=GenerateContentResponse(" in repr(item) and "chunk=" not in repr(item)


async def test_generate_many_returns_replies_in_input_order(
    emulator: Emulator, client: gs.Client
) -> None:
    prompts = [f"order test {n}" for n in range(8)]
    # The first requests to arrive answer last, so completion order is reversed.
    emulator.script(*(Fault(first_delay=0.02 * (8 - n)) for n in range(8)))

    async def made_later() -> gs.ChunkStream:
        return client.stream(MODEL, prompts[5])

    chat = client.chat(MODEL)
    requests: list[Any] = [
        gs.Request(MODEL, prompts[0]),
        gs.Request(MODEL, prompts[1], config={"temperature": 0.1}),
        lambda: client.stream(MODEL, prompts[2]),
        (chat, prompts[3]),
        (FakeChat(client), prompts[4]),
        made_later,
        gs.Request(MODEL, prompts[6]),
        gs.Request(MODEL, prompts[7]),
    ]
    calls: list[gs.Progress] = []
    replies = await client.generate_many(requests, concurrency=8, progress=calls.append)
    assert [r.text for r in replies] == [expected(p) for p in prompts]
    assert len(chat.history) == 2  # the chat committed its turn
    assert len(calls) == 16 and calls[-1].done == 8  # a call per start and per end


# -- errors ------------------------------------------------------------------------------------


async def test_return_exceptions_puts_each_error_in_its_place(emulator: Emulator) -> None:
    faulty_headers = {"x-emulator-fault": "error-after=1"}
    async with (
        gs.Client(base_url=emulator.url, api_key="k") as client,
        gs.Client(base_url=emulator.url, api_key="k", headers=faulty_headers) as faulty,
    ):
        requests: list[Any] = [
            gs.Request(MODEL, "fine 0"),
            gs.Request("gemini-embedding-001", "not a generation model"),
            gs.Request(MODEL, "fine 2"),
            lambda: faulty.stream(MODEL, "breaks after one event emulator:words=40"),
            lambda: 42,
        ]
        progress = gs.Progress()
        results = await client.generate_many(requests, return_exceptions=True, progress=progress)
    assert isinstance(results[0], gs.GenerateContentResponse)
    assert results[0].text == expected("fine 0")
    assert isinstance(results[1], gs.NotFoundError)
    assert isinstance(results[2], gs.GenerateContentResponse)
    assert results[2].text == expected("fine 2")
    broken = results[3]
    assert isinstance(broken, gs.ServiceUnavailableError)
    assert broken.partial is not None and broken.partial.text  # what arrived is kept
    assert isinstance(results[4], TypeError) and "must return a stream" in str(results[4])
    assert (progress.done, progress.failed) == (2, 3)


async def test_the_first_error_is_raised_and_the_rest_cancelled(emulator: Emulator) -> None:
    async with (
        gs.Client(base_url=emulator.url, api_key="k") as client,
        gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as slow,
    ):
        requests: list[Any] = [
            *(lambda n=n: slow.stream(MODEL, f"slow {n} emulator:words=300") for n in range(6)),
            gs.Request("gemini-embedding-001", "fails at once"),
        ]
        with pytest.raises(gs.NotFoundError):  # the error itself, not an ExceptionGroup
            await client.generate_many(requests, concurrency=7)
        await all_closed(emulator)


async def test_stream_many_reports_a_failure_as_the_requests_last_item(
    client: gs.Client,
) -> None:
    requests = [gs.Request(MODEL, "good"), gs.Request("gemini-embedding-001", "bad")]
    async with client.stream_many(requests) as results:
        items = await collect(results)
    assert [i.kind for i in items[1]] == ["error"]
    error = items[1][0].error
    assert isinstance(error, gs.NotFoundError) and error.partial is not None
    assert items[0][-1].kind == "done"
    assert {i.kind for i in items[0][:-1]} == {"chunk"}


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        # Unpaced, the failure comes in the first read, after the chunks before it; paced
        # (delay), in a read of its own, which the consumer decodes (_fanout/reads.py).
        ("error-event-after=5", gs.ServiceUnavailableError),
        ("malformed-after=5", gs.ResponseDecodeError),
        ("disconnect-after=5", gs.StreamInterruptedError),
        ("delay=0.01; error-event-after=5", gs.ServiceUnavailableError),
        ("delay=0.01; malformed-after=5", gs.ResponseDecodeError),
        ("delay=0.01; disconnect-after=5", gs.StreamInterruptedError),
    ],
)
async def test_chunks_before_a_mid_stream_failure_come_first_then_the_error(
    emulator: Emulator, fault: str, error_type: type[Exception]
) -> None:
    prompt = "Fails half way emulator:words=40"
    headers = {"x-emulator-fault": fault}
    async with (
        gs.Client(base_url=emulator.url, api_key="k", headers=headers) as client,
        client.stream_many([gs.Request(MODEL, prompt)] * 3) as results,
    ):
        items = await collect(results)
    for index in range(3):
        *chunks, last = items[index]
        assert [i.kind for i in chunks] == ["chunk"] * 5
        assert last.kind == "error" and isinstance(last.error, error_type)
        text = "".join(i.chunk.text for i in chunks if i.chunk)
        assert expected(prompt).startswith(text) and text
        assert last.error.partial is not None and last.error.partial.text == text


async def test_an_idle_timeout_mid_reply_is_the_requests_error(emulator: Emulator) -> None:
    prompt = "Goes quiet emulator:words=40"
    headers = {"x-emulator-fault": "delay=0.01; stall-after=5; stall=3"}
    timeouts = gs.Timeouts(idle=0.2)
    async with (
        gs.Client(base_url=emulator.url, api_key="k", headers=headers, timeouts=timeouts) as c,
        c.stream_many([gs.Request(MODEL, prompt)] * 2) as results,
    ):
        with anyio.fail_after(2):  # the stall is 3 s: the idle timeout ends it
            items = await collect(results)
    for index in range(2):
        *chunks, last = items[index]
        assert [i.kind for i in chunks] == ["chunk"] * 5
        assert last.kind == "error" and isinstance(last.error, gs.IdleTimeoutError)
        assert isinstance(last.error.__cause__, aiohttp.SocketTimeoutError)  # what aiohttp said
        assert last.error.partial is not None
        assert last.error.partial.text == "".join(i.chunk.text for i in chunks if i.chunk)


# -- leaving early and cancellation ----------------------------------------------------------


def slow_requests(client: gs.Client, n: int = 8) -> list[Any]:
    return [lambda k=k: client.stream(MODEL, f"slow {k} emulator:words=300") for k in range(n)]


async def test_break_closes_every_response(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        async with client.stream_many(slow_requests(client), concurrency=8) as results:
            seen: set[int] = set()
            async for item in results:
                seen.add(item.index)
                if len(seen) == 8:
                    break  # every request is open and streaming
        await all_closed(emulator)
        assert len(emulator.records) == 8


async def test_cancelling_the_consumer_closes_every_response(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        chunks = 0
        with anyio.CancelScope() as scope:
            async with client.stream_many(slow_requests(client), concurrency=8) as results:
                async for _item in results:
                    chunks += 1
                    if chunks == 20:
                        scope.cancel()
        assert scope.cancelled_caught
        await all_closed(emulator)


async def test_an_error_in_the_consumer_is_raised_as_itself(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        with pytest.raises(LookupError, match="consumer"):
            async with client.stream_many(slow_requests(client, 4)) as results:
                async for _item in results:
                    raise LookupError("the consumer failed")
        await all_closed(emulator)


async def test_closing_the_results_stops_the_batch(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", headers=SLOW) as client:
        async with client.stream_many(slow_requests(client, 4), concurrency=4) as results:
            async for _item in results:
                await results.aclose()
            await emulator.wait_idle(timeout=5)
        assert emulator.active_requests == 0


# -- backpressure --------------------------------------------------------------------------------


def _small_socket(addr_info: Any) -> socket.socket:
    # A small receive window, so the bytes in flight are bounded by the emulator's send
    # buffer (4 MiB on Linux at most) rather than a self-tuning receive buffer.
    family, type_, proto, _, _ = addr_info
    sock = socket.socket(family=family, type=type_, proto=proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    return sock


@pytest.mark.parametrize("gemini_emulator_options", [{"chunk_tokens": 8000}])
async def test_a_consumer_that_stops_reading_stops_the_sockets(emulator: Emulator) -> None:
    # One reply of about 8 MB in ~250 events: more than every buffer on the way together.
    connector = aiohttp.TCPConnector(socket_factory=_small_socket)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        gs.Client(base_url=emulator.url, api_key="k", session=session) as client,
    ):
        requests = [gs.Request(MODEL, "big emulator:words=1200000")]
        async with client.stream_many(requests, concurrency=1, buffer=4) as results:
            async for _item in results:
                break  # read one item, then stop reading for a while
            record = emulator.records[0]
            written = []
            for _ in range(4):
                await anyio.sleep(0.2)
                written.append(record.events_written)
                assert results.buffered <= 4
                # One batch handed out, four in the buffer, one the producer waits to hand
                # over; a batch is one socket read, which holds at most four 32 KB events.
                assert results.progress.chunks <= (1 + 4 + 1) * 4
            assert written[-1] == written[-2] > 0
            assert not record.done  # the server is blocked on its socket, mid-reply
        await emulator.wait_for_disconnect(record)


# -- input, progress and limits ---------------------------------------------------------------


async def test_bad_input_is_refused_before_anything_is_sent(
    emulator: Emulator, client: gs.Client
) -> None:
    with pytest.raises(TypeError, match=r"requests\[1\]"):
        client.stream_many([gs.Request(MODEL, "ok"), "just a string"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="iterable"):
        await client.generate_many("a string")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency"):
        client.stream_many([], concurrency=0)
    with pytest.raises(ValueError, match="buffer"):
        client.stream_many([], buffer=0)
    with pytest.raises(TypeError, match="progress"):
        await client.generate_many([], progress=3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="contents"):
        gs.Request(MODEL, 3.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="model"):
        gs.Request("Not A Model", "hi")
    assert emulator.records == []
    assert await client.generate_many([]) == []
    await client.aclose()
    with pytest.raises(gs.ClientClosedError):
        await client.generate_many([gs.Request(MODEL, "late")])


async def test_an_empty_batch_yields_nothing(client: gs.Client) -> None:
    async with client.stream_many([]) as results:
        assert [item async for item in results] == []
    assert results.progress.total == 0 and results.progress.started == 0


async def test_a_lazy_iterable_is_read_as_it_goes(client: gs.Client) -> None:
    def requests() -> Iterator[gs.Request]:
        for n in range(5):
            yield gs.Request(MODEL, f"lazy {n}")

    async with client.stream_many(requests(), concurrency=2) as results:
        items = await collect(results)
        assert results.progress.total is None
    assert [items[n][-1].response.text for n in range(5)] == [  # type: ignore[union-attr]
        expected(f"lazy {n}") for n in range(5)
    ]


async def test_a_batch_limit_covers_chats_and_callables_on_top_of_the_clients(
    emulator: Emulator,
) -> None:
    own = gs.InProcessLimiter(gs.RateLimit(requests=1000))
    batch = gs.InProcessLimiter(gs.RateLimit(requests=1000, concurrent=2))
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=own) as client:
        chat = client.chat(MODEL)
        requests: list[Any] = [
            gs.Request(MODEL, "one"),
            lambda: client.stream(MODEL, "two"),
            (chat, "three"),
        ]
        replies = await client.generate_many(requests, rate_limit=batch)
        assert [r.text for r in replies] == [expected(p) for p in ("one", "two", "three")]
        assert batch.usage()[0] == own.usage()[0] == 3
        await client.generate(MODEL, "outside the batch")
        assert (batch.usage()[0], own.usage()[0]) == (3, 4)
        assert batch.in_flight == own.in_flight == 0


@pytest.mark.parametrize(
    ("framing", "lead"),
    [
        (b"\r\n\r\n", b""),  # Google's framing: the worker cuts after the first event
        (b"\n\n", b""),
        (b"\n\n", b": keep-alive\n\n"),  # the first block is no event: the worker takes it all
        (b"\r\r", b""),  # no CRLF CRLF nor LF LF to cut at
    ],
)
async def test_every_event_framing_reaches_the_consumer_in_order(
    framing: bytes, lead: bytes
) -> None:
    # The worker decodes a reply's first event and hands the rest of the read on as bytes,
    # which the consumer decodes: wherever that cut falls, nothing is lost or reordered.
    from tests.test_stream_errors import _chunk, _one_piece_server

    texts = ["Hel", "lo, ", "wor", "ld"]
    events = [_chunk(t, finish="STOP" if t == texts[-1] else None) for t in texts]
    body = lead + b"".join(b"data: " + json.dumps(e).encode() + framing for e in events)
    runner = await _one_piece_server(body)
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with gs.Client(base_url=url, api_key="k") as client:
            seen: dict[int, list[str]] = defaultdict(list)
            replies: dict[int, str] = {}
            requests = [gs.Request(MODEL, f"Hi {i}") for i in range(5)]
            async with client.stream_many(requests, concurrency=5) as results:
                async for item in results:
                    if item.kind == "chunk":
                        assert item.chunk is not None
                        seen[item.index].append(item.chunk.text)
                    else:
                        assert item.kind == "done", item.error
                        assert item.response is not None
                        replies[item.index] = item.response.text
    finally:
        await runner.cleanup()
    assert seen == dict.fromkeys(range(5), texts)
    assert replies == dict.fromkeys(range(5), "Hello, world")
