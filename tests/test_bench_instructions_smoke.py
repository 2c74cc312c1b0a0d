"""bench_instructions.py: what runs under valgrind gets every chunk, and totals are read right.

valgrind itself is not needed here: the child's work is run directly, and the parent's reading
of a callgrind file is checked on a file of the same form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_instructions
from benchmarks._e2e_support import emulator


def test_every_contender_gets_every_chunk() -> None:
    with emulator("--burst") as url:
        for name in bench_instructions.CONTENDERS:
            bench_instructions.run_child(name, url, streams=3, rounds=1)  # raises if short


def test_a_callgrind_total_is_read_from_its_summary_line(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_text("version: 1\ncmd: python x.py\nevents: Ir\nsummary: 123456\n")
    assert bench_instructions._total(out) == 123456
    out.write_text("events: Ir\n")
    with pytest.raises(RuntimeError, match="no instruction total"):
        bench_instructions._total(out)
