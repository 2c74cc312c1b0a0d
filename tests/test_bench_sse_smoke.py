"""The SSE benchmark and its corpus still run and do the work they claim (never timing)."""

from __future__ import annotations

import msgspec
import pytest

from benchmarks import bench_sse
from benchmarks.corpus import make_stream, payloads, split_reads


def test_quick_run_counts_every_event(capsys: pytest.CaptureFixture[str]) -> None:
    results = bench_sse.main(["--quick", "--rounds", "1"])
    cases = {f"{c}/{m}" for c in ("chat", "long", "tiny") for m in bench_sse.MODES}
    assert set(results["events"]) == cases
    for (contender, case), count in results["counts"].items():
        assert count == results["events"][case] > 0, (contender, case)
    assert {contender for contender, _ in results["counts"]} == set(bench_sse.CONTENDERS)
    out = capsys.readouterr().out
    assert "| case (µs/event, x floor) |" in out
    assert "| tiny/byte | DataDecoder |" in out


@pytest.mark.parametrize("mode", bench_sse.MODES)
def test_contenders_hand_out_the_same_payloads(mode: str) -> None:
    data = make_stream(25, 1, 300, seed=7)
    expected = payloads(data)
    for name, factory in bench_sse.CONTENDERS.items():
        decoder = factory()
        got = [item for read in split_reads(data, mode) for item in decoder.feed(read)]
        if name == "SSEDecoder":
            got = [event.data.encode() for event in got]  # type: ignore[attr-defined]
        assert [bytes(item) for item in got] == expected, name  # type: ignore[call-overload]


def test_corpus_is_gemini_shaped() -> None:
    data = make_stream(50, 20, 400, seed=3)
    assert data == make_stream(50, 20, 400, seed=3)
    events = data.split(b"\r\n\r\n")
    assert events.pop() == b""
    assert all(event.startswith(b'data: {"candidates": [{"content": ') for event in events)
    assert b'"role": "model"},"index": 0}],"usageMetadata": {' in data
    assert b"\\u003c" in data and b"\\n" in data and b'\\"' in data
    assert any(byte >= 0x80 for byte in data)
    chunks = [msgspec.json.decode(p) for p in payloads(data)]
    texts = [c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks]
    assert all(20 <= len(text) <= 400 for text in texts)
    usage = [c["usageMetadata"]["candidatesTokenCount"] for c in chunks]
    assert usage == sorted(usage)
    finish = [c["candidates"][0].get("finishReason") for c in chunks]
    assert finish == [None] * 49 + ["STOP"]
    assert {c["modelVersion"] for c in chunks} == {"gemini-2.5-flash"}


@pytest.mark.parametrize("mode", ["event", "random", "byte"])
def test_split_reads_cover_the_stream(mode: str) -> None:
    data = make_stream(30, 1, 5, seed=1)
    reads = split_reads(data, mode)
    assert b"".join(reads) == data
    if mode == "event":
        assert len(reads) == 30
    elif mode == "random":
        assert all(1024 <= len(r) <= 3072 for r in reads[:-1])
    else:
        assert {len(r) for r in reads} == {1}


def test_split_reads_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown read mode 'lines'"):
        split_reads(b"data: {}\r\n\r\n", "lines")


def test_named_corpora() -> None:
    from benchmarks.corpus import CORPORA

    assert {name: data.count(b"\r\n\r\n") for name, data in CORPORA.items()} == {
        "chat": 200,
        "long": 20_000,
        "tiny": 20_000,
    }
