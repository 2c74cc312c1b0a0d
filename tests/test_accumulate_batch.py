"""accumulate_batch gives what folding chunk by chunk gives, however the chunks are batched."""

from __future__ import annotations

import random

import msgspec
import pytest

from gemini_stream._accumulate import accumulate, consolidate
from gemini_stream._accumulate_batch import accumulate_batch
from gemini_stream.emulator import BuiltinModel
from gemini_stream.types import GenerateContentResponse

_decode = msgspec.json.Decoder(GenerateContentResponse).decode


def _chunks(request: dict[str, object], model: str = "gemini-2.5-flash") -> list[object]:
    return [_decode(msgspec.json.encode(c)) for c in BuiltinModel(3).chunks(request, model)]


def _user(text: str) -> dict[str, object]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


REQUESTS = {
    "text": _user("Hello there emulator:words=300"),
    "thoughts": {
        **_user("Think first emulator:words=40"),
        "generationConfig": {"thinkingConfig": {"includeThoughts": True}},
    },
    "function calls": {
        **_user("call get_weather and get_time"),
        "tools": [{"functionDeclarations": [{"name": "get_weather"}, {"name": "get_time"}]}],
    },
    "safety stop": _user("emulator:unsafe please"),
    "blocked": _user("emulator:block-prompt"),
    "two candidates": {
        **_user("Two answers emulator:words=20"),
        "generationConfig": {"candidateCount": 2},
    },
}


def _one_by_one(chunks: list[object]) -> GenerateContentResponse:
    snapshot = None
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)  # type: ignore[arg-type]
    assert snapshot is not None
    return consolidate(snapshot)


@pytest.mark.parametrize("name", sorted(REQUESTS))
@pytest.mark.parametrize("seed", range(5))
def test_any_batching_folds_to_the_same_reply(name: str, seed: int) -> None:
    chunks = _chunks(REQUESTS[name])
    rng = random.Random(seed)
    snapshot = None
    start = 0
    while start < len(chunks):
        size = rng.choice([1, 2, 3, 7, 50])
        snapshot = accumulate_batch(snapshot, chunks[start : start + size])  # type: ignore[arg-type]
        start += size
    assert snapshot is not None
    assert consolidate(snapshot) == _one_by_one(chunks)


def test_a_long_reply_in_one_batch_is_one_join() -> None:
    chunks = _chunks(_user("Long emulator:words=3000"))
    batched = accumulate_batch(None, chunks)  # type: ignore[arg-type]
    assert batched is not None
    assert batched == _one_by_one(chunks)
    assert len(batched.candidates[0].content.parts) == 1


def test_an_empty_batch_changes_nothing() -> None:
    assert accumulate_batch(None, []) is None
