"""The Interactions benchmark runs on tiny sizes, every contender reads every event, and its
tables are printed (no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import bench_interactions as bench
from benchmarks._e2e_support import emulator
from benchmarks._ix_contenders import (
    e2e_available,
    floor_parse,
    frames_parse,
    json_parse,
    ours_iterated,
    ours_parse,
    reader_fold_parse,
    regex_parse,
)
from benchmarks.corpus import split_reads

TINY = bench.Sizes(
    text_events=12,
    parse_rounds=1,
    parse_repeat=1,
    streams=3,
    paced_streams=2,
    paced_events=6,
    delay=0.002,
    rounds=1,
    peer_rounds=1,
    resume_events=6,
)


def test_the_parsers_agree_on_the_emulators_streams_however_they_are_read() -> None:
    with emulator() as url:
        streams = bench.corpus(url, TINY)
    assert set(streams) == {"text", "thoughts", "function call"}
    assert b'"type":"thought_summary"' in streams["thoughts"]
    assert b'"type":"arguments_delta"' in streams["function call"]
    for name, data in streams.items():
        expected = bench.event_count(data)
        assert expected > 5, name
        for reads in (
            bench._event_reads(data),
            split_reads(data, "random"),
            split_reads(data, "byte"),
        ):
            assert b"".join(reads) == data
            for parser in (
                floor_parse,
                frames_parse,
                ours_parse,
                ours_iterated,
                json_parse,
                reader_fold_parse,
                regex_parse,
            ):
                assert parser(reads) == expected, (name, parser.__name__, len(reads))


# google-genai subclasses aiohttp's ClientSession, which aiohttp warns about.
@pytest.mark.filterwarnings("ignore:Inheritance class .* from ClientSession:DeprecationWarning")
@pytest.mark.timeout(240)  # starts the emulator CLI and google-genai when installed
def test_a_tiny_run_checks_every_stream_and_prints_its_tables(capsys) -> None:
    results = bench.run(TINY, ["asyncio"], e2e_available())
    assert results["problems"] == []
    parsed = results["parse"]
    assert all(parsed["counts"][key] == parsed["events"][key[1]] for key in parsed["counts"])
    assert len(parsed["counts"]) == len(bench.PARSERS) * 6  # 3 streams x 2 read modes
    figures = results["e2e"]["asyncio"]
    assert set(figures) == set(e2e_available())
    assert all(set(f) == {"unpaced", "paced"} for f in figures.values())
    resumed = results["resumption"]
    assert resumed["runs"] == 2 * (resumed["events"] - 1)
    assert resumed["max_requests"] == 2 and resumed["mismatched"] == []
    assert resumed["events_written_max"] == resumed["events"]

    assert bench.main(["--quick", "--loop", "asyncio"]) == 0
    out = capsys.readouterr().out
    assert "| floor (find + msgspec union) |" in out
    assert "| **ours / floor** |" in out
    assert "| client CPU µs per event | floor | ours" in out
    assert "at most 2 requests per stream" in out
