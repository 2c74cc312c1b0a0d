"""Client CPU per chunk when reads coalesce: the parse-bound case of many concurrent streams.

The emulator runs in its own process with ``--burst``: each reply goes out in one write, so
every socket read of a client carries dozens of events, as when a busy client serves many
streams whose server outpaces it. What is left per chunk is framing, decoding and the
library's own work, so this is where a client's overhead over the floor shows most; the
unpaced and paced cases are in ``bench_e2e.py``.

Run ``python benchmarks/bench_coalesced.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_contenders import CONTENDERS, available, request_body
from benchmarks._e2e_support import emulator, expected_chunks, run_in_loop, words_for


async def _measure(url: str, names: list[str], streams: int, chunks: int, rounds: int) -> Any:
    prompt = f"Coalesced reads emulator:words={words_for(chunks)}"
    expected = expected_chunks(request_body(prompt))
    contenders = {name: CONTENDERS[name](url) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    try:
        for contender in contenders.values():  # warm the connection pools
            await contender.__aenter__()
            await asyncio.gather(*(contender.stream(prompt) for _ in range(streams)))
        for round_ in range(rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                gc.collect()
                started = time.process_time()
                counts = await asyncio.gather(
                    *(contenders[name].stream(prompt) for _ in range(streams))
                )
                spent = time.process_time() - started
                if counts != [expected] * streams:
                    raise AssertionError(f"{name} lost chunks: {set(counts)} != {expected}")
                samples[name].append(spent / (streams * expected) * 1e6)
    finally:
        for contender in contenders.values():
            await contender.aclose()
    return {name: statistics.median(values) for name, values in samples.items()}, expected


def run(quick: bool = False, loop: str = "asyncio") -> dict[str, Any]:
    """Measure every available contender; returns µs per chunk and the chunk count."""
    streams, chunks, rounds = (20, 20, 1) if quick else (200, 100, 5)
    names = available()
    with emulator("--burst") as url:
        figures, expected = run_in_loop(loop, lambda: _measure(url, names, streams, chunks, rounds))
    return {"figures": figures, "streams": streams, "chunks": expected, "loop": loop}


def table(result: dict[str, Any]) -> str:
    figures = result["figures"]
    floor, ours = figures["floor"], figures["ours"]
    lines = [
        f"{result['streams']} streams of {result['chunks']} chunks, {result['loop']}, reads "
        "coalesced (emulator --burst); client CPU µs per chunk, median of rounds",
        "",
        "| contender | µs per chunk | x floor | contender / ours |",
        "|---|---:|---:|---:|",
    ]
    for name, value in figures.items():
        lines.append(f"| {name} | {value:.2f} | {value / floor:.2f}x | {value / ours:.1f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    args = parser.parse_args(argv)
    print(table(run(args.quick, args.loop)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
