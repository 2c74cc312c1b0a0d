"""accumulate_batch gives what folding chunk by chunk gives, however the chunks are batched."""

from __future__ import annotations

import random

import msgspec
import pytest

from gemini_stream._stream.accumulate import accumulate, consolidate
from gemini_stream._stream.accumulate_batch import accumulate_batch, latest_usage, surely_finished
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


def _usage_only(tokens: int) -> object:
    return _decode(msgspec.json.encode({"usageMetadata": {"totalTokenCount": tokens}}))


@pytest.mark.parametrize("name", sorted(REQUESTS))
@pytest.mark.parametrize("split", [0, 1, 4, 1000])
def test_what_the_fold_would_say_is_read_without_folding(name: str, split: int) -> None:
    # A stream reads these at its end from the part folded and the chunks not folded yet.
    chunks = _chunks(REQUESTS[name])
    for tail in ([], [_usage_only(7)]):  # a usage-only last chunk has no candidates
        whole = [*chunks, *tail]
        snapshot = accumulate_batch(None, whole[:split])  # type: ignore[arg-type]
        rest = whole[split:]
        merged = _one_by_one(whole)
        assert latest_usage(snapshot, rest) == merged.usage_metadata  # type: ignore[arg-type]
        if surely_finished(snapshot, rest):  # type: ignore[arg-type]
            assert merged.finish_reason is not None


def test_a_reply_that_ends_as_usual_is_known_finished_without_a_fold() -> None:
    chunks = _chunks(REQUESTS["text"])
    assert surely_finished(None, chunks)  # type: ignore[arg-type]
    assert surely_finished(None, [*chunks, _usage_only(7)])  # type: ignore[arg-type]
    assert not surely_finished(None, chunks[:-1])  # type: ignore[arg-type]


def test_when_another_candidate_finishes_last_the_first_one_is_looked_up() -> None:
    # Candidate 1 finishing says nothing about candidate 0, the one ``finish_reason`` reads.
    def chunk(index: int, finish: str | None) -> object:
        candidate: dict[str, object] = {
            "content": {"parts": [{"text": f"c{index}"}], "role": "model"},
            "index": index,
        }
        if finish:
            candidate["finishReason"] = finish
        return _decode(msgspec.json.encode({"candidates": [candidate]}))

    chunks = [chunk(0, None), chunk(1, "STOP")]
    assert not surely_finished(None, chunks)  # type: ignore[arg-type]
    assert _one_by_one(chunks).finish_reason is None
    assert surely_finished(None, [chunk(0, None), chunk(0, "STOP")])  # type: ignore[arg-type]
    folded = accumulate_batch(None, [chunk(1, None)])  # candidate 1 came first
    assert not surely_finished(folded, [chunk(0, "STOP")])  # type: ignore[arg-type]
