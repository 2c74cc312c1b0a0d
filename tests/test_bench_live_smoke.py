"""The Live API benchmark runs on tiny sizes: every contender sends and receives every frame,
and its table is printed (no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import bench_live as bench

TINY = bench.Sizes(frames_out=30, frames_in=30, latency_frames=20, gap_ms=0.2, rounds=1)


def test_a_tiny_run_moves_every_frame_and_prints_its_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = bench.run(TINY)
    assert results["problems"] == []
    assert set(results["rounds"]) == {"bare", "ours"}
    for rounds in results["rounds"].values():
        (figures,) = rounds
        assert figures["out_us"] > 0 and figures["in_us"] > 0
        assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "| client CPU, audio out (24 kHz, 100 ms) |" in out
    assert "| latency, p99 |" in out
    assert "goal: at most 1.3x CPU" in out
