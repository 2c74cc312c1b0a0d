"""Fan-out benchmark: many concurrent streams from one process, ``stream_many`` against the floor.

The emulator runs in another process (``python -m gemini_stream.emulator --port 0``), so every
figure is the client's own: ``time.process_time()`` for CPU, RSS growth for memory (measured in
a fresh interpreter per contender, with replies stalled after their first event).

Contenders, interleaved round by round (the order rotates), medians over the rounds:

* ``floor``: bare aiohttp, ``find(b"\\r\\n\\r\\n")`` and one msgspec decode per event, one task
  per stream (``benchmarks/_e2e_contenders.Floor``);
* ``stream_many``: ``async with client.stream_many(requests, concurrency=N)``, counting the
  chunk items, as the floor counts its chunks (a relay). Each request also yields its ``done``
  item; its merged reply (``item.response``) is built when first read, and is read for one
  request per round, to check it;
* ``stream_many+merge``: the same, reading every request's merged reply (the fold's cost);
* ``tasks``: one task per ``client.stream(...)`` with ``async for``: our stream without the
  fan-out layer, to show what the layer costs;
* ``google-genai``: the official SDK's async stream, one task per stream, when installed.

Each measured run starts from a fresh ``gc.collect()`` and repeats its batch until it has
``Sizes.run_chunks`` chunks (400,000; google-genai runs one batch, which leaves out some of its
collector's cost). One batch of 1,000 streams is ~110 young-generation collections, next to
the 11th middle-generation collection that starts a full one (~70-120 ms with 1,000 requests
in flight): whether a run paid one or none depended on a few percent of allocations, and it
moved a contender by 0.7 µs per chunk. Over 4 batches each pays its share.

Run ``python benchmarks/bench_fanout.py`` (``--quick`` for a smoke run; ``--svg PATH`` writes
the bar chart, ``docs/img/fanout.svg`` by default on a full run). With ``--burst`` the emulator
writes each reply in one piece (``--burst``), so a socket read carries dozens of events, as for
a busy client whose server outpaces it: what is left per chunk is each client's own work
(chart: ``docs/img/fanout-burst.svg``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gemini_stream as gs
from benchmarks import _e2e_memory
from benchmarks._e2e_contenders import MODEL, Floor, GoogleGenai, Ours, available, request_body
from benchmarks._e2e_support import (
    ROOT,
    emulator,
    expected_chunks,
    rss_bytes,
    run_in_loop,
    words_for,
)
from benchmarks._svg import bar_chart
from gemini_stream.emulator import expected_text

__all__ = ("FULL", "QUICK", "Sizes", "StreamMany", "main", "make_contenders", "run")

KEY = "bench"
STALL = {"x-emulator-fault": "stall-after=1; stall=30"}


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    streams: tuple[int, ...] = (200, 1000)
    chunks: int = 100  # per stream
    rounds: int = 5
    peer_rounds: int = 1  # google-genai costs ~20x more per chunk: fewer rounds keep it short
    memory_streams: int = 1000
    # A measured run repeats its batch until it has this many chunks (google-genai: one batch),
    # so each contender pays its share of the garbage collector's full collections; see the
    # module docstring.
    run_chunks: int = 400_000


FULL = Sizes()
QUICK = Sizes(streams=(20, 50), chunks=8, rounds=1, peer_rounds=1, memory_streams=50, run_chunks=0)


class StreamMany:
    """``Client.stream_many`` over N copies of one request; counts chunk items and reads the
    merged reply of request 0 (``merge``: of every request)."""

    def __init__(self, url: str, *, merge: bool = False) -> None:
        self.client = gs.Client(base_url=url, api_key=KEY)
        self.merge = merge
        self.replies: list[str] = []
        self.errors: list[BaseException] = []

    async def run(self, prompt: str, streams: int) -> list[int]:
        counts = [0] * streams
        requests = [gs.Request(MODEL, prompt)] * streams
        async with self.client.stream_many(requests, concurrency=streams) as results:
            async for item in results:
                if item.kind == "chunk":
                    counts[item.index] += 1
                elif item.kind == "done":
                    if self.merge or item.index == 0:
                        self.replies.append(item.response.text)  # type: ignore[union-attr]
                else:
                    self.errors.append(item.error)  # type: ignore[arg-type]
        return counts

    async def aclose(self) -> None:
        await self.client.aclose()


class PerTask:
    """One task per stream over a contender of ``_e2e_contenders`` (floor, ours, google-genai)."""

    def __init__(self, name: str, contender: Any) -> None:
        self.name = name
        self.contender = contender

    async def run(self, prompt: str, streams: int) -> list[int]:
        counts = [0] * streams

        async def one(index: int) -> None:
            counts[index] = await self.contender.stream(prompt)

        async with anyio.create_task_group() as group:
            for index in range(streams):
                group.start_soon(one, index)
        return counts

    async def aclose(self) -> None:
        await self.contender.aclose()


def make_contenders(url: str, names: list[str]) -> dict[str, Any]:
    """The named contenders (see the module docstring), each with ``run(prompt, streams)``."""
    made: dict[str, Any] = {}
    for name in names:
        if name.startswith("stream_many"):
            made[name] = StreamMany(url, merge=name == "stream_many+merge")
        elif name == "tasks":
            made[name] = PerTask(name, Ours(url))
        elif name == "floor":
            made[name] = PerTask(name, Floor(url))
        elif name == "google-genai":
            made[name] = PerTask(name, GoogleGenai(url))
    return made


def _fanouts(contenders: dict[str, Any]) -> dict[str, StreamMany]:
    return {n: c for n, c in contenders.items() if isinstance(c, StreamMany)}


async def _measure(url: str, names: list[str], sizes: Sizes) -> dict[str, Any]:
    prompt = f"bench fanout emulator:words={words_for(sizes.chunks)}"
    per_stream = expected_chunks(request_body(prompt))
    samples: dict[tuple[str, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    problems: list[str] = []
    contenders = make_contenders(url, names)
    try:
        for contender in contenders.values():  # warm up: pools hold their connections
            for streams in sizes.streams:
                await contender.run("warm", streams)
        for many in _fanouts(contenders).values():
            many.replies.clear()
        for round_ in range(sizes.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            if round_ >= sizes.peer_rounds:
                order = [n for n in order if n != "google-genai"]
            for streams in sizes.streams:
                batches = max(1, -(-sizes.run_chunks // (streams * per_stream)))
                for name in order:
                    gc.collect()  # one contender's garbage is not collected on another's clock
                    chunks = short = 0
                    wall, cpu = time.perf_counter(), time.process_time()
                    for _ in range(1 if name == "google-genai" else batches):
                        counts = await contenders[name].run(prompt, streams)
                        chunks += sum(counts)
                        short += sum(c != per_stream for c in counts)
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    figures = samples[name, streams]
                    figures["chunks_per_s"].append(chunks / wall)
                    figures["cpu_us_per_chunk"].append(cpu * 1e6 / chunks)
                    figures["chunks_per_cpu_s"].append(chunks / cpu)
                    if short:
                        problems.append(f"{name}, {streams} streams: {short} incomplete")
            _progress(f"round {round_ + 1}/{sizes.rounds} done")
        for name, fanout in _fanouts(contenders).items():
            replies, errors = fanout.replies, fanout.errors
            wrong = sum(text != expected_text(request_body(prompt), MODEL) for text in replies)
            if wrong or errors or not replies:
                problems.append(f"{name}: {wrong} of {len(replies)} replies wrong, "
                                f"errors {errors[:3]}")  # fmt: skip
    finally:
        for contender in contenders.values():
            await contender.aclose()
    medians = {
        f"{name}/{streams}": {k: statistics.median(v) for k, v in figures.items()}
        for (name, streams), figures in samples.items()
    }
    # stream_many / peer within each round the peer ran (google-genai: the first), then the
    # median of those, and their range
    ratios: dict[str, Any] = {}
    for (name, streams), figures in samples.items():
        ours = samples.get(("stream_many", streams))
        if name in ("floor", "google-genai") and ours:
            for key, theirs in figures.items():
                paired = [a / b for a, b in zip(ours[key], theirs, strict=False)]
                ratios[f"{name}/{streams}/{key}"] = statistics.median(paired)
                ratios[f"{name}/{streams}/{key}/range"] = (min(paired), max(paired))
    return {"figures": medians, "ratios": ratios, "problems": problems,
            "chunks_per_stream": per_stream}  # fmt: skip


# -- memory per open stream, in a fresh interpreter -------------------------------------------


def _memory(name: str, url: str, loop: str, streams: int) -> dict[str, Any]:
    if name != "stream_many":  # one task per stream: the end-to-end benchmark's method
        contender = {"tasks": "ours"}.get(name, name)
        return _e2e_memory.measure(contender, url, loop, streams)
    command = [sys.executable, __file__, "--memory-child", url, loop, str(streams)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    if done.returncode:
        raise RuntimeError(f"memory run of stream_many failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


async def _memory_child(url: str, streams: int) -> dict[str, Any]:
    """Open ``streams`` stalled replies with ``stream_many``; RSS growth per open stream."""
    async with gs.Client(base_url=url, api_key=KEY, headers=STALL) as client:

        async def open_all(count: int) -> tuple[int, int]:
            requests = [gs.Request(MODEL, "bench memory")] * count
            firsts: set[int] = set()
            rss = 0
            with anyio.move_on_after(60):
                async with client.stream_many(requests, concurrency=count) as results:
                    async for item in results:
                        firsts.add(item.index)
                        if len(firsts) == count:
                            gc.collect()
                            rss = rss_bytes()  # every stream open, holding its first chunk
                            break
            return len(firsts), rss

        await open_all(10)  # warm up: the session, the pool and lazy imports exist
        await asyncio.sleep(0.2)
        gc.collect()
        before = rss_bytes()
        opened, rss_open = await open_all(streams)
    return {
        "contender": "stream_many",
        "streams": streams,
        "first_chunks": opened,
        "kb_per_stream": (rss_open - before) / 1024 / streams,
    }


# -- the run and its report -------------------------------------------------------------------


def run(
    sizes: Sizes = FULL, names: list[str] | None = None, loop: str = "asyncio", burst: bool = False
) -> dict[str, Any]:
    """Measure every figure; return ``figures``, ``memory``, ``problems``, ``table``, ``svg``."""
    names = names or [n for n in ("floor", "stream_many", "stream_many+merge", "tasks",
                                  "google-genai")
                      if n != "google-genai" or "google-genai" in available()]  # fmt: skip
    with emulator(*(["--burst"] if burst else [])) as url:
        _progress(f"CPU and throughput, {sizes.rounds} rounds, streams {sizes.streams}")
        result = run_in_loop(loop, lambda: _measure(url, names, sizes))
        memory = {}
        for name in names:
            if name == "stream_many+merge":
                continue  # stream_many's: a reply is merged after its stream's end
            _progress(f"memory with {sizes.memory_streams} open streams: {name}")
            memory[name] = _memory(name, url, loop, sizes.memory_streams)
            if memory[name]["first_chunks"] != sizes.memory_streams:
                result["problems"].append(f"{name}: memory run opened {memory[name]}")
    result["memory"] = memory
    result["names"] = names
    result["table"] = format_table(result["figures"], result["ratios"], memory, names, sizes)
    result["svg"] = chart(result["figures"], names, sizes, burst)
    return result


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def format_table(
    figures: dict[str, dict[str, float]],
    ratios: dict[str, Any],
    memory: dict[str, dict[str, Any]],
    names: list[str],
    sizes: Sizes,
) -> str:
    """A Markdown table: one row per figure, one column per contender (medians over rounds),
    then the ratios (medians of the ratios within each round, so drift between rounds of the
    shared machine cancels out), and the range of the rounds' ratios to the floor in CPU."""
    genai = "google-genai" in names
    head = ["figure", *names, "stream_many / floor"]
    if genai:
        head.append("stream_many / google-genai")
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    rows = [
        ("chunks_per_s", "chunks/s, {n:,} streams"),
        ("cpu_us_per_chunk", "client CPU µs per chunk, {n:,} streams"),
        ("chunks_per_cpu_s", "chunks per CPU-second, {n:,} streams"),
    ]
    for streams in sizes.streams:
        for key, label in rows:
            values = [figures.get(f"{n}/{streams}", {}).get(key) for n in names]
            cells = [label.format(n=streams), *(_cell(v) for v in values)]
            for peer in ("floor", "google-genai") if genai else ("floor",):
                ratio = ratios.get(f"{peer}/{streams}/{key}")
                cells.append(f"{ratio:.2f}x" if ratio else "-")
            lines.append("| " + " | ".join(cells) + " |")
    kb = [memory.get(n, {}).get("kb_per_stream") for n in names]
    ours_kb, floor_kb = memory.get("stream_many", {}).get("kb_per_stream"), kb[0]
    cells = [f"KB of RSS per open stream ({sizes.memory_streams:,} streams)", *map(_cell, kb)]
    cells.append(f"{ours_kb / floor_kb:.2f}x" if ours_kb and floor_kb else "-")
    if genai:
        genai_kb = memory.get("google-genai", {}).get("kb_per_stream")
        cells.append(f"{ours_kb / genai_kb:.2f}x" if ours_kb and genai_kb else "-")
    lines.append("| " + " | ".join(cells) + " |")
    spans = []
    for streams in sizes.streams:
        low_high = ratios.get(f"floor/{streams}/cpu_us_per_chunk/range")
        if low_high:
            spans.append(f"{streams:,} streams {low_high[0]:.2f}-{low_high[1]:.2f}x")
    if spans:
        lines.append(f"\nstream_many / floor in CPU per chunk, round by round: {'; '.join(spans)}")
    return "\n".join(lines)


def chart(
    figures: dict[str, dict[str, float]], names: list[str], sizes: Sizes, burst: bool = False
) -> str:
    """The SVG bar chart: chunks per client CPU-second, grouped by stream count."""
    groups = [f"{n:,} streams" for n in sizes.streams]
    series = {
        name: [figures.get(f"{name}/{n}", {}).get("chunks_per_cpu_s", 0.0) for n in sizes.streams]
        for name in names
    }
    title = "Fan-out: chunks per client CPU-second (higher is better)"
    if burst:
        title += ", reads coalesced"
    return bar_chart(title, groups, series, "chunks/CPU-s")


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--loop", default="asyncio", choices=("asyncio", "uvloop"))
    parser.add_argument(
        "--burst",
        action="store_true",
        help="the emulator writes each reply in one piece (reads coalesce)",
    )
    parser.add_argument("--svg", help="where to write the bar chart (default on a full run: "
                        "docs/img/fanout.svg, or fanout-burst.svg)")  # fmt: skip
    parser.add_argument("--memory-child", nargs=3, metavar=("URL", "LOOP", "STREAMS"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.memory_child:
        url, loop, streams = args.memory_child
        print(json.dumps(run_in_loop(loop, lambda: _memory_child(url, int(streams)))))
        return 0
    sizes = QUICK if args.quick else FULL
    result = run(sizes, loop=args.loop, burst=args.burst)
    server = ", reads coalesced: emulator --burst" if args.burst else ""
    print(f"## Fan-out ({args.loop}, {result['chunks_per_stream']} chunks per stream{server})\n")
    print(result["table"])
    if "google-genai" not in result["names"]:
        print("\ngoogle-genai: skipped (not installed)")
    default = "fanout-burst.svg" if args.burst else "fanout.svg"
    svg = args.svg or (None if args.quick else str(ROOT / "docs" / "img" / default))
    if svg:
        Path(svg).parent.mkdir(parents=True, exist_ok=True)
        Path(svg).write_text(result["svg"], encoding="utf-8")
        print(f"\nchart written to {svg}")
    for problem in result["problems"]:
        print(f"PROBLEM: {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
