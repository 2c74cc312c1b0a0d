"""Garbage-collector census of the fan-out contenders: what each request leaves to the collector.

At 1,000 concurrent streams the collector is about a third of every client's CPU, and most of
it is full collections: nearly every request's objects live through a middle-generation
collection and are promoted to the oldest generation, whose growth is what starts a full
collection. So what a request keeps alive while it runs decides how often those come. For
``bench_fanout.py``'s floor, tasks and ``stream_many`` contenders, against the emulator with
``--burst`` in another process, this prints:

* **in flight**: GC-tracked objects alive per running request, by kind, at the peak of one
  batch (the collector off, the heap sampled every millisecond while the batch runs);
* **promoted**: objects that middle-generation collections moved to the oldest generation, per
  request, by kind, over ``--batches`` batches with the collector on; with the number of
  collections and the time spent in each generation.

Run ``python benchmarks/gc_census.py`` (``--streams 1000 --batches 4`` by default, about 20
seconds; ``--quick`` for a smoke run). No timing here is a benchmark figure: the census itself
slows the run down. See docs/benchmarks-history.md, "Against the goal", for what it found.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections import Counter
from pathlib import Path
from types import CoroutineType
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_support import emulator, run_in_loop, words_for
from benchmarks.bench_fanout import make_contenders

__all__ = ("NAMES", "census", "main")

NAMES = ("floor", "tasks", "stream_many")


def _kind(obj: object) -> str:
    """A readable name for ``obj``'s kind: coroutines by their function, types by module."""
    if isinstance(obj, CoroutineType):
        return f"coroutine {obj.__qualname__}"
    kind = type(obj)
    module = kind.__dict__.get("__module__")
    if not isinstance(module, str) or module == "builtins":
        return kind.__qualname__
    return f"{module.split('.')[0]}.{kind.__qualname__}"


def _tally() -> Counter[str]:
    return Counter(map(_kind, gc.get_objects()))


async def _in_flight(contender: Any, prompt: str, streams: int) -> tuple[int, Counter[str]]:
    """Tracked objects above the idle baseline at the fullest moment of one batch."""
    gc.collect()
    gc.disable()
    try:
        baseline = _tally()
        peak: tuple[int, Counter[str]] = (0, Counter())

        async def sample() -> None:
            nonlocal peak
            while True:
                await asyncio.sleep(0.001)
                now = _tally()
                extra = sum(now.values()) - sum(baseline.values())
                if extra > peak[0]:
                    peak = (extra, now - baseline)

        sampler = asyncio.ensure_future(sample())
        try:
            await contender.run(prompt, streams)
        finally:
            sampler.cancel()
    finally:
        gc.enable()
    return peak


async def _promoted(contender: Any, prompt: str, streams: int, batches: int) -> dict[str, Any]:
    """What middle-generation collections promote while ``batches`` batches run."""
    promoted: Counter[str] = Counter()
    collections = [0, 0, 0]
    seconds = [0.0, 0.0, 0.0]
    before: set[int] = set()
    started = 0.0

    def callback(phase: str, info: dict[str, int]) -> None:
        nonlocal before, started
        generation = info["generation"]
        if phase == "start":
            if generation == 1:
                before = set(map(id, gc.get_objects(2)))
            started = time.process_time()
            return
        seconds[generation] += time.process_time() - started
        collections[generation] += 1
        if generation == 1:
            promoted.update(_kind(o) for o in gc.get_objects(2) if id(o) not in before)
            before = set()

    gc.collect()
    gc.callbacks.append(callback)
    try:
        for _ in range(batches):
            await contender.run(prompt, streams)
    finally:
        gc.callbacks.remove(callback)
    return {"promoted": promoted, "collections": collections, "seconds": seconds}


async def census(url: str, streams: int, batches: int, chunks: int) -> dict[str, Any]:
    """Run the census of every contender in ``NAMES`` against the emulator at ``url``."""
    prompt = f"bench fanout emulator:words={words_for(chunks)}"
    results: dict[str, Any] = {}
    for name in NAMES:
        contender = make_contenders(url, [name])[name]
        try:
            await contender.run("warm", streams)  # the pool holds its connections
            extra, kinds = await _in_flight(contender, prompt, streams)
            results[name] = {"in_flight": extra, "kinds": kinds,
                             **await _promoted(contender, prompt, streams, batches)}  # fmt: skip
        finally:
            await contender.aclose()
    return results


def format_report(results: dict[str, Any], streams: int, batches: int) -> str:
    """Markdown tables, per request: each contender's totals, then its kinds against the floor."""
    requests = streams * batches
    lines = [f"## GC census ({streams} streams, {batches} batches, reads coalesced)", "",
             "| contender | tracked in flight per request | promoted per request "
             "| collections gen 0 / 1 / 2 | collector ms gen 0 / 1 / 2 |",
             "|---|---:|---:|---|---|"]  # fmt: skip
    for name, result in results.items():
        counts = " / ".join(map(str, result["collections"]))
        ms = " / ".join(f"{s * 1e3:.0f}" for s in result["seconds"])
        promoted = sum(result["promoted"].values()) / requests
        lines.append(f"| {name} | {result['in_flight'] / streams:.0f} | {promoted:.0f} "
                     f"| {counts} | {ms} |")  # fmt: skip
    floor = results.get("floor")
    for name, result in results.items():
        if floor is None or result is floor:
            continue
        lines += ["", f"{name} against the floor, per request: kinds alive in flight and "
                  "promoted that differ by half an object or more", "",
                  "| kind | in flight | promoted |", "|---|---:|---:|"]  # fmt: skip
        rows = []
        for kind in {*result["kinds"], *floor["kinds"], *result["promoted"], *floor["promoted"]}:
            alive = (result["kinds"][kind] - floor["kinds"][kind]) / streams
            moved = (result["promoted"][kind] - floor["promoted"][kind]) / requests
            if max(abs(alive), abs(moved)) >= 0.5:
                rows.append((alive, moved, kind))
        rows.sort(key=lambda row: (-row[0], -row[1], row[2]))
        lines += [f"| {kind} | {alive:+.1f} | {moved:+.1f} |" for alive, moved, kind in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=100, help="chunks per reply")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.streams, args.batches, args.chunks = 50, 1, 20
    with emulator("--burst") as url:
        results = run_in_loop(
            "asyncio", lambda: census(url, args.streams, args.batches, args.chunks)
        )
    print(format_report(results, args.streams, args.batches))
    return 0


if __name__ == "__main__":
    sys.exit(main())
