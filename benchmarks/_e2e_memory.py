"""Memory per open stream, measured for one contender in a fresh interpreter.

:func:`measure` (in the benchmark's process) runs this file as a script; the script opens
``streams`` streams against an emulator that stalls every reply after its first event
(``x-emulator-fault: stall-after=1; stall=30``), waits until each stream has its first chunk
and is waiting for the next, and reports the RSS growth per stream. It then cancels every
stream, closes the client and checks that the sockets it opened are closed again. The result
is one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_contenders import CONTENDERS
from benchmarks._e2e_support import ROOT, rss_bytes, run_in_loop

__all__ = ("measure",)

_STALL = "stall-after=1; stall=30"
_BATCH = 100  # connections opened at once: the emulator's listen backlog is 128
_WARM = 10
_TIMEOUT = 60.0
_PROMPT = "bench memory"


def measure(name: str, url: str, loop: str, streams: int) -> dict[str, Any]:
    """Run the script for contender ``name`` and return what it reported."""
    command = [sys.executable, __file__, name, url, loop, str(streams)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=180
    )
    if done.returncode:
        raise RuntimeError(f"memory run of {name} on {loop} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _sockets() -> int:
    """Open sockets of this process (uvloop opens a few non-socket descriptors lazily)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


async def _open(contender: Any, count: int) -> tuple[list[asyncio.Task[int]], int]:
    """Start ``count`` streams (in batches) and wait until each has its first chunk."""
    ready = 0
    enough = asyncio.Event()
    target = 0

    def first() -> None:
        nonlocal ready
        ready += 1
        if ready >= target:
            enough.set()

    tasks: list[asyncio.Task[int]] = []
    for start in range(0, count, _BATCH):
        target = min(start + _BATCH, count)
        enough.clear()
        tasks += [
            asyncio.ensure_future(contender.stream(_PROMPT, first)) for _ in range(start, target)
        ]
        try:
            await asyncio.wait_for(enough.wait(), _TIMEOUT)
        except asyncio.TimeoutError:
            break  # reported below: fewer first chunks than streams
    return tasks, ready


async def _cancel(tasks: list[asyncio.Task[int]]) -> list[str]:
    """Cancel the streams; return a description of every one that did not end cancelled."""
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return [repr(r) for r in results if not isinstance(r, asyncio.CancelledError)]


async def _main(name: str, url: str, streams: int) -> dict[str, Any]:
    contender = CONTENDERS[name](url, {"x-emulator-fault": _STALL})
    sockets_before = _sockets()
    async with contender:
        # Warm up: the session, its pool and every lazy import exist before the baseline.
        warm, _ = await _open(contender, _WARM)
        await _cancel(warm)
        await asyncio.sleep(0.2)
        gc.collect()
        rss_before = rss_bytes()
        tasks, ready = await _open(contender, streams)
        gc.collect()
        rss_open = rss_bytes()
        odd = await _cancel(tasks)
    for _ in range(10):  # transports close on the next loop iterations
        await asyncio.sleep(0.05)
        if _sockets() <= sockets_before:
            break
    return {
        "contender": name,
        "streams": streams,
        "first_chunks": ready,
        "kb_per_stream": (rss_open - rss_before) / 1024 / streams,
        "not_cancelled": odd,
        "sockets_left_open": _sockets() - sockets_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("contender", choices=sorted(CONTENDERS))
    parser.add_argument("url")
    parser.add_argument("loop")
    parser.add_argument("streams", type=int)
    args = parser.parse_args()
    result = run_in_loop(args.loop, lambda: _main(args.contender, args.url, args.streams))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
