"""Cold start: import + client + first chunk, in a fresh interpreter, against loopback.

Each run starts a new ``python`` process (``--child``) that takes the time, imports its
client library, makes its client, sends one ``streamGenerateContent?alt=sse`` request to the
emulator (in a process of its own, started once) and stops the clock at the first chunk
decoded. The interpreter's own start-up is the same for all and not counted. Contenders run
interleaved, ``--runs`` times each (default 15); the figures are the medians of the wall
time and of the CPU time (``process_time``: on a busy machine the steadier one), in ms.

Contenders:

* ``floor``: aiohttp + msgspec, ``iter_any()`` and ``find(CRLF CRLF)`` framing, the first
  event decoded with ``msgspec.json.decode`` (no typed model: what a bare client needs);
* ``naive``: aiohttp line iteration + ``json.loads``;
* ``ours``: ``gs.Client(...)`` and ``anext()`` of ``client.stream(...)``;
* ``google-genai``: the official SDK's async stream (when installed).

Run ``python benchmarks/bench_coldstart.py`` (``--quick``: 3 runs each).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_support import ROOT, emulator

__all__ = ("CHILDREN", "format_table", "main", "run")

_GOAL = 1.2  # ours / floor at most
_MODEL = "gemini-2.5-flash"
_PATH = f"/v1beta/models/{_MODEL}:streamGenerateContent?alt=sse"

# Each child is a script run with ``python -c``: ``URL`` is replaced by the emulator's root.
# The clock starts before the first import and stops at the first chunk; it prints seconds.
_FLOOR = """
import time; t = time.perf_counter(); c = time.process_time()
import asyncio, aiohttp, msgspec
async def main():
    body = msgspec.json.encode({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]})
    headers = {"x-goog-api-key": "bench", "content-type": "application/json"}
    async with aiohttp.ClientSession() as session:
        async with session.post("URL" + PATH, data=body, headers=headers) as resp:
            buf = bytearray()
            async for data in resp.content.iter_any():
                buf += data
                end = buf.find(b"\\r\\n\\r\\n")
                if end >= 0:
                    msgspec.json.decode(buf[6:end])
                    return time.perf_counter() - t, time.process_time() - c
print(*asyncio.run(main()))
"""
_NAIVE = """
import time; t = time.perf_counter(); c = time.process_time()
import asyncio, json, aiohttp
async def main():
    body = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
    headers = {"x-goog-api-key": "bench"}
    async with aiohttp.ClientSession() as session:
        async with session.post("URL" + PATH, json=body, headers=headers) as resp:
            async for line in resp.content:
                if line.startswith(b"data: "):
                    json.loads(line[6:])
                    return time.perf_counter() - t, time.process_time() - c
print(*asyncio.run(main()))
"""
_OURS = """
import time; t = time.perf_counter(); c = time.process_time()
import asyncio
import gemini_stream as gs
async def main():
    async with gs.Client(base_url="URL", api_key="bench") as client:
        async with client.stream("MODEL", "Hi") as stream:
            await stream.__anext__()
            return time.perf_counter() - t, time.process_time() - c
print(*asyncio.run(main()))
"""
_GENAI = """
import time; t = time.perf_counter(); c = time.process_time()
import asyncio
from google import genai
from google.genai import types
async def main():
    options = types.HttpOptions(base_url="URL", api_version="v1beta")
    client = genai.Client(api_key="bench", http_options=options)
    replies = await client.aio.models.generate_content_stream(model="MODEL", contents="Hi")
    async for _chunk in replies:
        took = time.perf_counter() - t, time.process_time() - c
        break
    await replies.aclose()
    await client.aio.aclose()
    return took
print(*asyncio.run(main()))
"""
CHILDREN = {"floor": _FLOOR, "naive": _NAIVE, "ours": _OURS, "google-genai": _GENAI}


def available() -> list[str]:
    """The contenders that can run here (google-genai only when it is installed)."""
    try:
        import google.genai  # noqa: F401
    except ImportError:
        return ["floor", "naive", "ours"]
    return list(CHILDREN)


def once(name: str, url: str) -> tuple[float, float]:
    """One cold start of contender ``name``: wall and CPU seconds."""
    code = CHILDREN[name].replace("URL", url).replace("MODEL", _MODEL).replace("PATH", repr(_PATH))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        raise RuntimeError(f"cold start of {name} failed:\n{done.stderr[-3000:]}")
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def run(runs: int = 15, names: list[str] | None = None) -> dict[str, Any]:
    """Every contender ``runs`` times, interleaved; ``figures[name]`` is the median in ms."""
    names = names or available()
    times: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    with emulator() as url:
        for name in names:  # once untimed: the OS caches the files every run reads
            once(name, url)
        for i in range(runs):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                wall, used = once(name, url)
                times[name].append(wall * 1000)
                cpu[name].append(used * 1000)
    figures = {n: statistics.median(ts) for n, ts in times.items()}
    cpu_figures = {n: statistics.median(ts) for n, ts in cpu.items()}
    table = format_table(figures, names) + "\n" + format_table(cpu_figures, names, "CPU ms")
    return {"figures": figures, "cpu": cpu_figures, "times": times, "table": table}


def format_table(figures: dict[str, float], names: list[str], what: str = "wall ms") -> str:
    head = [what, *names, "ours / floor"]
    floor, ours = figures.get("floor"), figures.get("ours")
    cells = [what, *(f"{figures[n]:.0f}" for n in names)]
    if floor and ours:
        ratio = ours / floor
        cells.append(f"{ratio:.2f}x" + ("" if ratio <= _GOAL else " (goal 1.2x)"))
    else:
        cells.append("-")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join([*lines, "| " + " | ".join(cells) + " |"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold start: import + client + first chunk.")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--names", help="comma-separated contenders (default: all available)")
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    names = args.names.split(",") if args.names else None
    result = run(3 if args.quick else args.runs, names)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "table"}))
    else:
        print("Cold start, ms (import + client + first chunk, fresh process, median):")
        print(result["table"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
