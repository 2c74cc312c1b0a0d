"""The fan-out benchmark runs end to end on a small size and does the work it claims (no timing)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks import bench_fanout
from benchmarks._svg import bar_chart


# google-genai subclasses aiohttp's ClientSession, which aiohttp warns about.
@pytest.mark.filterwarnings("ignore:Inheritance class .* from ClientSession:DeprecationWarning")
def test_quick_run_streams_every_chunk_and_draws_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg = tmp_path / "fanout.svg"
    assert bench_fanout.main(["--quick", "--svg", str(svg)]) == 0  # 1 means a PROBLEM line
    out = capsys.readouterr().out
    assert "PROBLEM" not in out
    assert "| figure | floor | stream_many | stream_many+merge | tasks |" in out
    for streams in bench_fanout.QUICK.streams:
        assert f"client CPU µs per chunk, {streams} streams" in out
    assert "KB of RSS per open stream" in out
    assert "google-genai" in out  # measured, or reported as skipped
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) > 6


def test_bar_chart_handles_zero_and_missing_values() -> None:
    svg = bar_chart("t <&>", ["a", "b"], {"x": [0.0, 0.0], "y": [3.0]}, "unit")
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}text").text == "t <&>"  # type: ignore[union-attr]
    assert "1.23M" in bar_chart("t", ["a"], {"x": [1_234_567.0]}, "u")
