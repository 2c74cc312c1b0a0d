"""A reply read in pieces of any size, down to one byte, gives the chunks and the ending of the
same reply read whole: CRLF, LF and CR line ends, a BOM, comments and split data lines, an
error written after the chunks, a truncated reply, an event over the size cap."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Iterable

import msgspec
import pytest
from aiohttp import web

import gemini_stream as gs
from tests._loopback import serve

MODEL = "gemini-2.5-flash"
_USAGE = {"promptTokenCount": 7, "candidatesTokenCount": 9, "totalTokenCount": 16}


def _event(text: str, finish: str | None = None) -> bytes:
    candidate: dict[str, object] = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish is not None:
        candidate["finishReason"] = finish
    body = {"candidates": [candidate], "usageMetadata": _USAGE, "modelVersion": MODEL}
    return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\r\n\r\n"


# Gemini's shape: CRLF framing, multi-byte UTF-8, the last chunk with finishReason.
GEMINI = (
    _event("Warsaw lies on ") + _event("the Vistula; Łazienki, 😀 ") + _event("and more.", "STOP")
)
# What the standard allows besides: a comment, an id, "data:" without its space, one JSON
# split over two data lines (joined with LF, still JSON).
SPEC_SHAPES = (
    b": keep-alive\r\n\r\n"
    + _event("one ").replace(b"data: ", b"data:")
    + b"id: 7\r\n"
    + _event("two ").replace(b'"parts": ', b'"parts":\r\ndata: ')
    + _event("three.", "STOP")
)
_ERROR = (
    json.dumps(
        {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}, indent=2
    ).encode()
    + b"\n"
)
BODIES = {
    "gemini": GEMINI,
    "spec-shapes": SPEC_SHAPES,
    "bom": b"\xef\xbb\xbf" + GEMINI,
    "error-after-chunks": _event("partial ") + _ERROR,  # Google's raw error after a 200
    "truncated": _event("cut ") + b'data: {"candidates": [{"cont',
}
CASES = [
    pytest.param(body.replace(b"\r\n", ending), id=f"{name}-{label}")
    for name, body in BODIES.items()
    for label, ending in (("crlf", b"\r\n"), ("lf", b"\n"), ("cr", b"\r"))
]


def _read(client: gs.Client, reads: Iterable[bytes]) -> tuple[list[bytes], str]:
    """Feed ``reads`` to a stream's per-read step as the socket would, then the end of the
    body: the chunks it queued (as JSON) and how the reply ended."""
    stream = client.stream(MODEL, "never sent")
    chunks: list[bytes] = []
    ending = "ok"
    try:
        for data in [*reads, b""]:
            stream._on_data(data)
            chunks += map(msgspec.json.encode, reversed(stream._pending))  # last first there
            stream._pending.clear()
    except gs.GeminiError as exc:
        ending = f"{type(exc).__name__}: {exc}"
    if stream._deferred is not None:
        ending = f"{type(stream._deferred).__name__}: {stream._deferred}"
    return chunks, ending


def _chunkings(body: bytes) -> Iterable[list[bytes]]:
    """One read; one byte per read; every two-way split; reads of 1 to 20 bytes at random."""
    yield [body]
    yield [body[i : i + 1] for i in range(len(body))]
    for i in range(1, len(body)):
        yield [body[:i], body[i:]]
    rng = random.Random(len(body))
    for _ in range(20):
        reads, i = [], 0
        while i < len(body):
            n = rng.randint(1, 20)
            reads.append(body[i : i + n])
            i += n
        yield reads


@pytest.fixture
def offline() -> gs.Client:
    return gs.Client("k", base_url="http://127.0.0.1:9")  # nothing is ever sent


@pytest.mark.parametrize("body", CASES)
def test_any_reads_give_the_chunks_of_one_read(offline: gs.Client, body: bytes) -> None:
    whole = _read(offline, [body])
    chunks, ending = whole
    assert len(chunks) >= 1
    if b"error" in body:
        assert ending.startswith("ServiceUnavailableError") and "overloaded" in ending
    elif body.endswith(b"cont"):
        assert ending.startswith("IncompleteStreamError") and "cont" in ending
    else:
        assert ending == "ok" and len(chunks) == 3
    for reads in _chunkings(body):
        assert _read(offline, reads) == whole, [len(r) for r in reads]


def test_texts_of_the_gemini_reply_one_byte_at_a_time(offline: gs.Client) -> None:
    chunks, ending = _read(offline, [GEMINI[i : i + 1] for i in range(len(GEMINI))])
    replies = [msgspec.json.decode(chunk, type=gs.GenerateContentResponse) for chunk in chunks]
    assert [reply.text for reply in replies] == [
        "Warsaw lies on ",
        "the Vistula; Łazienki, 😀 ",
        "and more.",
    ]
    assert ending == "ok"


def test_an_event_over_the_cap_fails_one_byte_at_a_time_before_it_ends() -> None:
    client = gs.Client("k", base_url="http://127.0.0.1:9", max_event_bytes=100)
    stream = client.stream(MODEL, "never sent")
    body = b"data: " + b"x" * 10_000
    with pytest.raises(gs.EventTooLargeError, match="max_event_bytes=100") as info:
        for i in range(len(body)):
            stream._on_data(body[i : i + 1])
    assert info.value.__cause__ is not None
    assert i < 2_000  # checked as the bytes come, not when the event ends


@pytest.mark.parametrize("size", [50, 101, 150])
def test_a_short_body_over_the_cap_fails_at_its_end(size: int) -> None:
    client = gs.Client("k", base_url="http://127.0.0.1:9", max_event_bytes=100)
    stream = client.stream(MODEL, "never sent")
    body = b"data: " + b"x" * size
    with pytest.raises(gs.GeminiError) as info:
        for data in [*(body[i : i + 1] for i in range(len(body))), b""]:
            stream._on_data(data)
    kind = gs.EventTooLargeError if len(body) > 100 else gs.IncompleteStreamError
    assert type(info.value) is kind, info.value


@contextlib.asynccontextmanager
async def _trickling(body: bytes) -> AsyncIterator[str]:
    """A server that writes each reply one byte at a time."""

    async def answer(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for i in range(len(body)):
            await response.write(body[i : i + 1])
            await asyncio.sleep(0)  # the client reads before the next byte goes
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1beta/models/{name}", answer)
    async with serve(app) as url:
        yield url


@pytest.mark.parametrize("ending", [b"\r\n", b"\n", b"\r"], ids=["crlf", "lf", "cr"])
async def test_a_server_writing_byte_by_byte(ending: bytes) -> None:
    texts = ["Warsaw lies on ", "the Vistula; Łazienki, 😀 ", "and more."]
    async with (
        _trickling(GEMINI.replace(b"\r\n", ending)) as url,
        gs.Client("k", base_url=url) as client,
    ):
        stream = client.stream(MODEL, "Hi")
        got = await asyncio.wait_for(_texts(stream), 30)
        assert got == texts
        assert stream.response.text == "".join(texts)
        assert stream.response.finish_reason == "STOP"
        async with client.stream_many([gs.Request(MODEL, "Hi")] * 3) as results:
            items = await asyncio.wait_for(_items(results), 30)
        for index in range(3):
            assert [t for i, t in items if i == index] == [*texts, "done"]


async def test_an_error_written_byte_by_byte_after_the_chunks() -> None:
    async with (
        _trickling(_event("partial ") + _ERROR) as url,
        gs.Client("k", base_url=url, retry=gs.RetryPolicy(max_attempts=1)) as client,
    ):
        seen = []
        with pytest.raises(gs.ServiceUnavailableError, match="overloaded") as info:
            async for chunk in client.stream(MODEL, "Hi"):
                seen.append(chunk.text)
        assert seen == ["partial "]
        assert info.value.partial is not None and info.value.partial.text == "partial "


async def _texts(stream: gs.ChunkStream) -> list[str]:
    return [chunk.text async for chunk in stream]


async def _items(results: gs.FanoutResults) -> list[tuple[int, str]]:
    return [
        (item.index, item.chunk.text if item.chunk is not None else item.kind)
        async for item in results
    ]
