"""bench_memory, bench_coldstart and bench_bytewise run: every contender measured."""

from __future__ import annotations

from benchmarks import bench_bytewise, bench_coldstart, bench_memory


def test_memory_quick_run_brings_every_stream_to_the_barrier() -> None:
    # Our contenders and the floor, each in a fresh interpreter (google-genai's import alone
    # takes seconds: it is left to the benchmark's own runs).
    result = bench_memory.run(sizes=(20,), names=["floor", "ours", "stream_many"], rounds=1)
    assert result["problems"] == []
    assert {"floor", "ours", "stream_many"} <= set(result["figures"][20])
    for runs in result["runs"][20].values():
        assert [r["at_barrier"] for r in runs] == [20]
    assert "| 20 |" in result["table"]


def test_coldstart_quick_run_times_every_contender() -> None:
    result = bench_coldstart.run(runs=1, names=["floor", "ours"])
    assert set(result["figures"]) == {"floor", "ours"}
    assert all(0 < ms < 60_000 for ms in result["figures"].values())
    assert "ours / floor" in result["table"]


def test_bytewise_quick_run_reads_every_event_both_ways() -> None:
    result = bench_bytewise.run(rounds=1, limit=20_000)  # run() checks every event is read
    assert result["events"] > 10 and result["reads_per_event"] > 100
    assert set(result["figures"]) == {"floor", "ours"}
    assert all(us > 0 for us in result["figures"].values())
