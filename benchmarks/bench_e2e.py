"""End-to-end client benchmark: our ``Client.stream`` against bare aiohttp, on loopback.

The emulator runs in other processes (``python -m gemini_stream.emulator``), one unpaced and
one paced with ``--chunk-delay``; every figure is measured on the client side, in this process
(``time.process_time()`` for CPU) or, for memory, in a fresh interpreter per contender.

Contenders, interleaved round by round (the order rotates), medians over the rounds:

* ``floor``: aiohttp ``iter_any()`` + bytearray + ``find(CRLF CRLF)`` + one typed msgspec
  decode per event; no spec handling, no fold, no errors;
* ``ours``: ``gemini_stream.Client(...).stream(...)`` with ``async for``;
* ``naive``: aiohttp line iteration (split on LF) + ``json.loads`` into dicts;
* ``google-genai``: the official SDK's async stream, when it is installed.

Figures: CPU µs per chunk with 200 concurrent unpaced streams (reads coalesce as far as the
emulator lets them: the floor's events per read are printed) and with 50 paced ones (one read
per event), warm time to first chunk and CPU per request (a 5-event stream, sequential), KB of
RSS per open stream (1,000 streams holding their first chunk), and the cold ``import`` time. Run ``python benchmarks/bench_e2e.py`` (``--quick`` for a smoke
run, ``--loop asyncio|uvloop`` for one loop only).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import _e2e_memory
from benchmarks._e2e_contenders import CONTENDERS, Contender, Floor, available, request_body
from benchmarks._e2e_support import (
    emulator,
    expected_chunks,
    import_seconds,
    loops,
    run_in_loop,
    words_for,
)

__all__ = ("FULL", "QUICK", "Sizes", "format_table", "main", "run")

SHORT_TOKENS = 40  # maxOutputTokens that makes the built-in model stream exactly 5 chunks


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    streams: int = 200  # unpaced, concurrent
    chunks: int = 200  # per unpaced stream
    paced_streams: int = 50
    paced_chunks: int = 100
    delay: float = 0.005  # seconds between events of a paced stream
    requests: int = 100  # sequential short requests per contender and round
    open_streams: int = 1000  # for the memory figure
    memory_runs: int = 3  # each in a fresh interpreter, interleaved
    rounds: int = 5
    peer_rounds: int = 3  # google-genai costs 10x more per chunk: fewer rounds keep the run short
    import_runs: int = 7


FULL = Sizes()
QUICK = Sizes(
    streams=20,
    chunks=30,
    paced_streams=5,
    paced_chunks=10,
    requests=10,
    open_streams=50,
    memory_runs=1,
    rounds=1,
    peer_rounds=1,
    import_runs=1,
)

# Row keys, their labels and their goals (ours / floor at most this much).
ROWS = (
    ("unpaced", "CPU µs per chunk, {streams} streams unpaced", 1.3),
    ("paced", "CPU µs per chunk, {paced_streams} streams paced {delay_ms:g} ms", 1.3),
    ("ttfc", "warm time to first chunk, ms", 1.3),
    ("request", "CPU µs per request (5-event stream)", 1.3),
    ("memory", "KB of RSS per open stream ({open_streams} streams)", 1.2),
    ("import", "import time, s (cold, subprocess)", None),
)
IMPORTS = {
    "floor": "aiohttp, msgspec",
    "ours": "gemini_stream",
    "naive": "aiohttp, json",
    "google-genai": "google.genai",
}
IMPORT_GOAL = 0.25


class Checks:
    """Per contender: streams run and streams that received every chunk."""

    def __init__(self) -> None:
        self.run: dict[str, int] = defaultdict(int)
        self.complete: dict[str, int] = defaultdict(int)

    def add(self, name: str, counts: list[int], expected: int) -> None:
        self.run[name] += len(counts)
        self.complete[name] += sum(count == expected for count in counts)


async def _concurrent(contender: Contender, prompt: str, streams: int) -> tuple[float, list[int]]:
    """CPU seconds to run ``streams`` streams at once, and each stream's chunk count."""
    start = time.process_time()
    counts = await asyncio.gather(*(contender.stream(prompt) for _ in range(streams)))
    return time.process_time() - start, counts


async def _sequential(
    contender: Contender, prompt: str, requests: int
) -> tuple[float, list[float], list[int]]:
    """CPU seconds for ``requests`` requests one after another, each one's time to first chunk
    and chunk count."""
    ttfc: list[float] = []
    counts: list[int] = []
    begun = 0.0

    def first() -> None:
        ttfc.append(time.perf_counter() - begun)

    start = time.process_time()
    for _ in range(requests):
        begun = time.perf_counter()
        counts.append(await contender.stream(prompt, first))
    return time.process_time() - start, ttfc, counts


async def _measure(
    names: list[str], unpaced_url: str, paced_url: str, sizes: Sizes, checks: Checks
) -> dict[str, dict[str, float]]:
    long_prompt = f"bench emulator:words={words_for(sizes.chunks)}"
    paced_prompt = f"bench emulator:words={words_for(sizes.paced_chunks)}"
    n_long = expected_chunks(request_body(long_prompt))
    n_paced = expected_chunks(request_body(paced_prompt))
    n_short = expected_chunks(request_body("bench", SHORT_TOKENS))
    samples: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in names}
    unpaced = {n: CONTENDERS[n](unpaced_url) for n in names}
    paced = {n: CONTENDERS[n](paced_url) for n in names}
    short = {n: CONTENDERS[n](unpaced_url, max_output_tokens=SHORT_TOKENS) for n in names}

    async def concurrent(
        key: str, contender: Contender, prompt: str, streams: int, expected: int
    ) -> None:
        gc.collect()  # so that one contender's garbage is not collected on another's clock
        reads = Floor.reads
        cpu, counts = await _concurrent(contender, prompt, streams)
        samples[contender.name][key].append(cpu * 1e6 / sum(counts))
        if isinstance(contender, Floor):
            samples["floor"][f"{key} events per read"].append(sum(counts) / (Floor.reads - reads))
        checks.add(contender.name, counts, expected)

    try:
        for n in names:  # warm up: every pool holds the connections a round needs
            await _concurrent(unpaced[n], "warm", sizes.streams)
            await _concurrent(paced[n], "warm", sizes.paced_streams)
            await _sequential(short[n], "warm", 3)
        for round_ in range(sizes.rounds):
            order = _taking_part(names, round_, sizes.peer_rounds)
            order = order[round_ % len(order) :] + order[: round_ % len(order)]  # rotate
            for n in order:
                await concurrent("unpaced", unpaced[n], long_prompt, sizes.streams, n_long)
            for n in order:
                await concurrent("paced", paced[n], paced_prompt, sizes.paced_streams, n_paced)
            for n in order:
                gc.collect()
                cpu, ttfc, counts = await _sequential(short[n], "bench", sizes.requests)
                samples[n]["request"].append(cpu * 1e6 / sizes.requests)
                samples[n]["ttfc"] += [t * 1e3 for t in ttfc]
                checks.add(n, counts, n_short)
            _progress(f"round {round_ + 1}/{sizes.rounds} done")
    finally:
        for group in (unpaced, paced, short):
            for contender in group.values():
                await contender.aclose()
    return {n: {k: statistics.median(v) for k, v in s.items()} for n, s in samples.items()}


def _taking_part(names: list[str], round_: int, peer_rounds: int) -> list[str]:
    """The contenders of a round: google-genai, 10x slower, joins the first rounds only."""
    return [n for n in names if n != "google-genai" or round_ < peer_rounds]


def run(
    sizes: Sizes = FULL,
    loop_names: list[str] | None = None,
    names: list[str] | None = None,
) -> dict[str, Any]:
    """Measure every figure for each loop.

    Returns:
        ``figures[loop][contender][key]`` (medians), ``checks[loop]``, ``memory[loop]
        [contender]`` (what each memory run reported), ``tables[loop]`` (Markdown) and
        ``problems[loop]`` (every correctness failure, as text; empty when all is well).
    """
    loop_names = loop_names or loops()
    names = names or available()
    figures: dict[str, dict[str, dict[str, float]]] = {}
    checks: dict[str, Checks] = {}
    memory: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with (
        emulator() as unpaced_url,
        emulator("--chunk-delay", str(sizes.delay)) as paced_url,
    ):
        for loop in loop_names:
            _progress(f"{loop}: CPU and latency, {sizes.rounds} rounds")
            checks[loop] = Checks()
            measure = partial(_measure, names, unpaced_url, paced_url, sizes, checks[loop])
            figures[loop] = run_in_loop(loop, measure)
            memory[loop] = {n: [] for n in names}
            for round_ in range(sizes.memory_runs):
                for n in _taking_part(names, round_, peer_rounds=1):
                    _progress(f"{loop}: memory, {sizes.open_streams} open streams of {n}")
                    result = _e2e_memory.measure(n, unpaced_url, loop, sizes.open_streams)
                    memory[loop][n].append(result)
            for n, runs in memory[loop].items():
                figures[loop][n]["memory"] = statistics.median(r["kb_per_stream"] for r in runs)
    _progress("import times")
    imports = {n: import_seconds(IMPORTS[n], sizes.import_runs) for n in names}
    for loop in loop_names:
        for n, seconds in imports.items():
            if seconds is not None:
                figures[loop][n]["import"] = seconds
    return {
        "figures": figures,
        "checks": checks,
        "memory": memory,
        "tables": {loop: format_table(figures[loop], names, sizes) for loop in loop_names},
        "problems": {loop: _problems(checks[loop], memory[loop]) for loop in loop_names},
    }


def _problems(checks: Checks, memory: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems = []
    for n, run_ in checks.run.items():
        if checks.complete[n] != run_:
            problems.append(f"{n}: {run_ - checks.complete[n]} of {run_} streams incomplete")
    for n, mem in ((n, mem) for n, runs in memory.items() for mem in runs):
        if mem["first_chunks"] != mem["streams"]:
            problems.append(f"{n}: {mem['first_chunks']} of {mem['streams']} streams opened")
        if mem["not_cancelled"]:
            problems.append(f"{n}: streams ended otherwise than cancelled: {mem['not_cancelled']}")
        if mem["sockets_left_open"] > 0:
            problems.append(f"{n}: {mem['sockets_left_open']} sockets left open after closing")
    return problems


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def format_table(figures: dict[str, dict[str, float]], names: list[str], sizes: Sizes) -> str:
    """A Markdown table: one row per figure, one column per contender, then the ratios."""
    genai = "google-genai" in names
    head = ["figure", *names, "ours / floor", "goal", "met"]
    if genai:
        head.append("google-genai / ours")
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    labels = {"delay_ms": sizes.delay * 1e3, **sizes.__dict__}
    for key, label, goal in ROWS:
        values = [figures[n].get(key) for n in names]
        ours = figures["ours"].get(key)
        floor = figures["floor"].get(key)
        if goal is None:  # the import time has an absolute goal
            ratio, goal_text = "-", f"< {IMPORT_GOAL} s"
            met = ours is not None and ours < IMPORT_GOAL
        else:
            ratio = f"{ours / floor:.2f}x" if ours and floor else "-"
            goal_text = f"≤ {goal}x"
            met = bool(ours and floor and ours / floor <= goal)
        row = [
            label.format(**labels),
            *map(_cell, values),
            ratio,
            goal_text,
            "yes" if met else "NO",
        ]
        if genai:
            other = figures["google-genai"].get(key)
            row.append(f"{other / ours:.1f}x" if other and ours else "-")
        lines.append("| " + " | ".join(row) + " |")
    reads = figures["floor"]
    lines.append(
        f"\nFloor's socket reads: {reads['unpaced events per read']:.1f} events per read "
        f"unpaced, {reads['paced events per read']:.2f} paced."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="End-to-end client benchmark (loopback).")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), help="one event loop only")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = replace(sizes, rounds=args.rounds)
    if args.loop and args.loop not in loops():
        print(f"{args.loop} is not installed", file=sys.stderr)
        return 2
    names = available()
    if "google-genai" not in names:
        print("google-genai not installed: skipped")
    started = time.perf_counter()
    results = run(sizes, [args.loop] if args.loop else loops(), names)
    failed = False
    for loop, table in results["tables"].items():
        print(f"\n### {loop}\n\n{table}\n")
        for problem in results["problems"][loop]:
            print(f"FAILED: {problem}")
            failed = True
    print(
        f"Every stream of every contender checked: {'NO' if failed else 'all complete, all closed'}."
        f" {sizes.rounds} rounds, {time.perf_counter() - started:.0f} s."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
