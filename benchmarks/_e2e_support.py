"""Processes around the end-to-end benchmark: the emulator, event loops, prompts, import timing.

The emulator always runs in its own process (``python -m gemini_stream.emulator --port 0``),
so the client's CPU and memory figures hold the client alone. :func:`emulator` starts one,
reads the URL from its first line and stops it on the way out, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

__all__ = (
    "CHUNK_TOKENS",
    "LISTENING",
    "ROOT",
    "emulator",
    "expected_chunks",
    "import_seconds",
    "loops",
    "rss_bytes",
    "run_in_loop",
    "words_for",
)

_T = TypeVar("_T")

ROOT = Path(__file__).resolve().parent.parent
LISTENING = "Gemini API emulator listening on "
CHUNK_TOKENS = 8  # the emulator's default: about 30 characters of text per chunk
_PAGE = os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def emulator(*options: str) -> Iterator[str]:
    """Run the emulator CLI with ``options`` in a child process; yield its root URL.

    With two CPUs or more, the emulator and this process are pinned to different ones while
    it runs (``sched_setaffinity``): otherwise the scheduler moves both between the cores, and
    a client's CPU per chunk varied by 20-50% from round to round (4% pinned).
    """
    command = [sys.executable, "-m", "gemini_stream.emulator", "--port", "0"]
    command += ["--chunk-tokens", str(CHUNK_TOKENS), *options]
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
    )
    restore = _pin_apart(process.pid)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith(LISTENING):
            raise RuntimeError(f"the emulator did not start: {line!r} (exit {process.poll()})")
        yield line[len(LISTENING) :].strip()
    finally:
        restore()
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _pin_apart(server: int) -> Callable[[], None]:
    """Pin ``server`` to the last CPU and this process to the first; return the undo."""
    getaffinity = getattr(os, "sched_getaffinity", None)
    setaffinity = getattr(os, "sched_setaffinity", None)
    if getaffinity is None or setaffinity is None or len(getaffinity(0)) < 2:
        return lambda: None
    mine = getaffinity(0)
    cpus = sorted(mine)
    setaffinity(server, {cpus[-1]})
    setaffinity(0, {cpus[0]})
    return lambda: setaffinity(0, mine)


def loops() -> list[str]:
    """The event loops available here: asyncio, and uvloop when it imports."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return ["asyncio"]
    return ["asyncio", "uvloop"]


def _new_loop(name: str) -> asyncio.AbstractEventLoop:
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    if name == "asyncio":
        return asyncio.new_event_loop()
    raise ValueError(f"unknown event loop {name!r}")


def run_in_loop(name: str, main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """``asyncio.run(main())`` on a fresh loop of kind ``name`` (Python 3.10 has no Runner)."""
    loop = _new_loop(name)
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(main())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def expected_chunks(body: dict[str, Any]) -> int:
    """How many chunks the emulator's built-in model streams for ``body`` (it is deterministic)."""
    from gemini_stream.emulator import BuiltinModel

    from ._e2e_contenders import MODEL

    return len(BuiltinModel(CHUNK_TOKENS).chunks(body, f"models/{MODEL}"))


def words_for(chunks: int) -> int:
    """The smallest ``emulator:words=N`` whose reply has at least ``chunks`` chunks."""
    from ._e2e_contenders import request_body

    low, high = 0, chunks * CHUNK_TOKENS
    while low < high:
        mid = (low + high) // 2
        if expected_chunks(request_body(f"bench emulator:words={mid}")) < chunks:
            low = mid + 1
        else:
            high = mid
    return low


def rss_bytes() -> int:
    """The resident set size of this process now (``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def import_seconds(module: str, runs: int) -> float | None:
    """Median wall time of ``import module`` in a fresh interpreter, or None if it fails."""
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print(time.perf_counter() - t)"
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode:
            return None
        times.append(float(done.stdout))
    return statistics.median(times)
