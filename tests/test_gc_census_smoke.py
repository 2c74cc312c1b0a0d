"""The GC census runs end to end on a small size and reports every contender (no timing)."""

from __future__ import annotations

import re

import pytest

from benchmarks import gc_census


def test_quick_census_reports_each_contender_against_the_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert gc_census.main(["--quick"]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines()}
    for name in gc_census.NAMES:
        cells = rows[name].strip("| ").split(" | ")
        assert int(cells[1]) > 0, rows[name]  # a running request keeps objects alive
        gen0, gen1, gen2 = map(int, cells[3].split(" / "))
        assert gen0 >= gen1 >= 0 and gen2 >= 0
    # our stream path's own objects show up against the floor, in flight
    ours = re.search(r"\| gemini_stream\.ChunkStream \| \+(\d+\.\d) \|", out)
    assert ours is not None and float(ours.group(1)) > 0, out
    assert "stream_many against the floor" in out and "tasks against the floor" in out
