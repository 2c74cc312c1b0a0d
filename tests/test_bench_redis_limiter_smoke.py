"""The shared limiter benchmark runs end to end on a small size and reports every figure it
claims (no timing)."""

from __future__ import annotations

import re

import pytest

from benchmarks import bench_redis_limiter


def test_quick_run_reports_costs_ceilings_and_the_held_share(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_redis_limiter.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for name in ("in-process", "redis"):
        row = re.search(rf"^\| {name} \| ([\d,.]+) µs \| ([\d,.]+) µs \|$", out, re.MULTILINE)
        assert row is not None, out
        median, p99 = (float(value.replace(",", "")) for value in row.groups())
        assert 0 < median <= p99
    for count in bench_redis_limiter.QUICK.processes:
        row = re.search(rf"^\| {count} \| ([\d,]+) \| ([\d,]+) \| (\d+)% \|$", out, re.MULTILINE)
        assert row is not None, out
        assert int(row.group(1).replace(",", "")) > 0
        # Admission times are taken after each answer, so a window's edge can blur by a few.
        assert 0 < int(row.group(3)) <= 105
