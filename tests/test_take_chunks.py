"""take_chunks holds a text run as its last chunk and its texts; the fold is unchanged.

However a reply's chunks come in reads, holding them with ``take_chunks`` (and folding with
``join_tail`` as ``ReplyReader._fold`` does) gives the reply folding chunk by chunk gives.
"""

from __future__ import annotations

import random

import pytest

from gemini_stream._stream.accumulate import consolidate
from gemini_stream._stream.accumulate_batch import (
    accumulate_batch,
    join_tail,
    latest_usage,
    take_chunks,
)
from gemini_stream.types import GenerateContentResponse
from tests.test_accumulate_batch import REQUESTS, _chunks, _one_by_one


def _held(chunks: list[GenerateContentResponse], sizes: list[int]) -> GenerateContentResponse:
    unfolded: list[GenerateContentResponse] = []
    texts: list[str] = []
    start = 0
    for size in sizes:
        take_chunks(unfolded, texts, chunks[start : start + size])
        start += size
    assert start >= len(chunks)
    # What the stream says without folding: the latest usage is the last chunk's.
    assert latest_usage(None, unfolded) == latest_usage(None, chunks)
    if len(texts) > 1:
        unfolded[-1] = join_tail(unfolded, texts)
    snapshot = accumulate_batch(None, unfolded)
    assert snapshot is not None
    return consolidate(snapshot)


@pytest.mark.parametrize("name", sorted(REQUESTS))
@pytest.mark.parametrize("seed", range(5))
def test_held_chunks_fold_to_the_same_reply(name: str, seed: int) -> None:
    chunks: list[GenerateContentResponse] = _chunks(REQUESTS[name])  # type: ignore[assignment]
    rng = random.Random(seed)
    sizes = [rng.choice([1, 2, 3, 7, 50]) for _ in chunks]
    assert _held(chunks, sizes) == _one_by_one(chunks)  # type: ignore[arg-type]


def test_a_text_reply_is_held_as_one_chunk_and_its_texts() -> None:
    chunks: list[GenerateContentResponse] = _chunks(REQUESTS["text"])  # type: ignore[assignment]
    unfolded: list[GenerateContentResponse] = []
    texts: list[str] = []
    for chunk in chunks:
        take_chunks(unfolded, texts, [chunk])
    assert len(chunks) > 20
    assert unfolded == [chunks[-1]]
    assert "".join(texts) == "".join(chunk.text for chunk in chunks)
