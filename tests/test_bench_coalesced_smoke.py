"""bench_coalesced.py runs: every contender gets every chunk of every stream (no timing)."""

from __future__ import annotations

import warnings

from benchmarks import bench_coalesced


def test_quick_run_measures_every_available_contender() -> None:
    with warnings.catch_warnings():
        # google-genai, when installed, subclasses aiohttp's ClientSession, which warns.
        warnings.simplefilter("ignore", DeprecationWarning)
        result = bench_coalesced.run(quick=True)
    assert {"floor", "ours", "naive"} <= set(result["figures"])
    assert result["chunks"] > 5
    assert all(value > 0 for value in result["figures"].values())
    assert "| ours |" in bench_coalesced.table(result)
