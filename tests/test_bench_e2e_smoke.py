"""The end-to-end benchmark runs on tiny sizes and every contender gets every chunk (no timing)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from benchmarks import bench_e2e
from benchmarks._e2e_contenders import available
from benchmarks._e2e_support import emulator

TINY = bench_e2e.Sizes(
    streams=4,
    chunks=12,
    paced_streams=2,
    paced_chunks=6,
    delay=0.002,
    requests=2,
    open_streams=20,
    memory_runs=1,
    rounds=1,
    peer_rounds=1,
    import_runs=1,
)


# google-genai subclasses aiohttp's ClientSession, which aiohttp warns about.
@pytest.mark.filterwarnings("ignore:Inheritance class .* from ClientSession:DeprecationWarning")
def test_every_contender_receives_every_chunk_and_closes_everything() -> None:
    names = available()
    results = bench_e2e.run(TINY, ["asyncio"], names)
    assert results["problems"]["asyncio"] == []
    checks = results["checks"]["asyncio"]
    per_round = TINY.streams + TINY.paced_streams + TINY.requests
    for name in names:
        assert checks.run[name] == checks.complete[name] == per_round, name
        (memory,) = results["memory"]["asyncio"][name]
        assert memory["first_chunks"] == TINY.open_streams, name
        assert memory["not_cancelled"] == [], name
        assert memory["sockets_left_open"] <= 0, name
    table = results["tables"]["asyncio"]
    assert table.startswith("| figure | floor | ours | naive")
    assert table.count("\n| ") == len(bench_e2e.ROWS)  # one line per figure under the header
    for name in names:
        assert set(results["figures"]["asyncio"][name]) >= {key for key, _, _ in bench_e2e.ROWS}


def test_the_emulator_process_stops_when_the_benchmark_fails() -> None:
    with pytest.raises(KeyError), emulator() as url:
        port = urlsplit(url).port or 0
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        raise KeyError("boom")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
