"""A stream held open mid-reply keeps its text, not every chunk it decoded (issue 26).

A bot holding thousands of slow replies open pays per stream for what each holds between
reads. The emulator stalls every reply after ``HELD`` events; the decoded chunks still alive
then (traced by ``tracemalloc`` to the decoder, the caller having dropped each chunk) must be
a few chunks' worth, where a stream that kept its chunks until a fold would hold ``HELD``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import anyio

import gemini_stream as gs
from gemini_stream._http import codec
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"
HELD = 20
PROMPT = "Keep going emulator:words=400"
STALL = {"x-emulator-fault": f"stall-after={HELD}; stall=30"}
# At most this many chunks' worth of decoded objects per open stream: its last chunk and the
# texts of the others (a third of a chunk each, here) fit; HELD chunks do not.
ALLOWED_CHUNKS = 5


def _codec_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes alive that the response decoder allocated (chunks and their strings)."""
    only = tracemalloc.Filter(True, codec.__file__)
    return sum(stat.size for stat in snapshot.filter_traces([only]).statistics("filename"))


@contextmanager
def _traced() -> Iterator[list[int]]:
    """Yields a list; ``measure()`` appends the decoder's bytes alive now minus at entry."""
    tracemalloc.start()
    try:
        yield [_codec_bytes(tracemalloc.take_snapshot())]
    finally:
        tracemalloc.stop()


def _held_since(start: list[int]) -> int:
    gc.collect()
    return _codec_bytes(tracemalloc.take_snapshot()) - start[0]


def _one_chunk_bytes() -> int:
    """What one decoded chunk of this reply takes (same shape: text, usage, ids)."""
    payload = (
        b'{"candidates":[{"content":{"parts":[{"text":"I am the gemini-stream emulator"}],'
        b'"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":11,'
        b'"candidatesTokenCount":8,"totalTokenCount":52,"promptTokensDetails":[{"modality":'
        b'"TEXT","tokenCount":11}],"thoughtsTokenCount":33},"modelVersion":"gemini-2.5-flash",'
        b'"responseId":"DgGtm8pfgfbIOUr8lU3V9bK"}'
    )
    tracemalloc.start()
    try:
        before = _codec_bytes(tracemalloc.take_snapshot())
        chunks, _ = codec.decode_chunks([bytearray(payload)] * 10)
        size = (_codec_bytes(tracemalloc.take_snapshot()) - before) // 10
    finally:
        tracemalloc.stop()
    assert len(chunks) == 10 and size > 300
    return size


async def test_a_stream_held_open_keeps_text_not_chunks(emulator: Emulator) -> None:
    one = _one_chunk_bytes()
    async with gs.Client(base_url=emulator.url, api_key="k", headers=STALL) as client:
        stream = client.stream(MODEL, PROMPT)
        text = ""
        with _traced() as start:
            with anyio.fail_after(10):
                for _ in range(HELD):
                    text += (await stream.__anext__()).text
            # The caller waits for the next chunk, as ``async for`` does: the stream is open.
            waiting = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.2)
            held = _held_since(start)
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        assert held < ALLOWED_CHUNKS * one, (held, one)
        assert stream.response.text == text  # nothing of the reply is lost
        await stream.aclose()


async def test_stream_many_held_open_keeps_text_not_chunks(emulator: Emulator) -> None:
    one = _one_chunk_bytes()
    requests = [gs.Request(MODEL, PROMPT)] * 4
    texts = [""] * len(requests)
    counts = [0] * len(requests)
    async with gs.Client(base_url=emulator.url, api_key="k", headers=STALL) as client:
        with _traced() as start:
            async with client.stream_many(requests) as results:
                with anyio.fail_after(10):
                    async for item in results:
                        assert item.kind == "chunk", item
                        assert item.chunk is not None
                        texts[item.index] += item.chunk.text
                        counts[item.index] += 1
                        if sum(counts) == HELD * len(requests):
                            break
                del item
                held = _held_since(start)
    assert counts == [HELD] * len(requests)
    assert held < ALLOWED_CHUNKS * one * len(requests), (held, one)
