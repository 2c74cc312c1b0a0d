"""Memory per open stream: N replies held open mid-stream, each contender in a fresh process.

The emulator (its own process) sends ``EVENTS`` events on every stream, then stalls them all
(``x-emulator-fault: stall-after=10``): a barrier where every stream is open, holding what it
received, and waiting for more (a bot keeping thousands of slow replies open). Each contender
runs in a fresh interpreter (``--child``): it raises its open-files limit, imports, makes its
client and streams one short warm-up batch (so the session, the pool and every lazy import
exist), then takes its baseline RSS, opens N streams (in batches the emulator's listen backlog
takes) and waits until each has its ``EVENTS`` chunks. The figure is (peak RSS - baseline) / N,
peak being ``VmHWM`` (reset at the baseline through ``/proc/self/clear_refs``) and no lower
than the RSS at the barrier.

Contenders (``--names``):

* ``floor``: aiohttp ``iter_any()`` + bytearray + ``find(CRLF CRLF)`` + one typed msgspec
  decode per event, one task per stream (the end-to-end benchmark's floor);
* ``ours``: ``client.stream(...)`` iterated with ``async for``, one task per stream;
* ``stream_many``: ``client.stream_many([...] * N, concurrency=N)``, counting chunk items;
  its requests open ``_BATCH`` at a time as the other contenders' tasks do (each request a
  callable that waits until the batch before it reached the barrier);
* ``stream_many-at-once`` (only when named): the same with every request opened at once.
  Thousands of connections set up at once leave the heap fragmented for good (``ours``
  opened that way holds 1.5 KB more per stream at 1,000), which is the opening's cost, not
  what a stream holds: so the default opens every contender alike.
* ``google-genai``: the official SDK's async stream, one task per stream (when installed).

Run ``python benchmarks/bench_memory.py`` (1,000 and 10,000 streams, 3 rounds interleaved;
``--streams 1000`` for one size, ``--quick`` for a smoke run). If the open-files limit cannot
be raised to ``N`` plus a margin, that size is reported as not run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_support import ROOT, emulator, rss_bytes, run_in_loop, words_for

__all__ = ("NAMES", "format_table", "main", "measure", "run")

EVENTS = 10  # events every stream receives before the barrier
NAMES = ("floor", "ours", "stream_many", "google-genai")
_GOAL = 1.2  # ours / floor at most
_BATCH = 100  # connections opened at once: the emulator's listen backlog is 128
_TIMEOUT = 300.0
_MODEL = "gemini-2.5-flash"
_PATH = f"/v1beta/models/{_MODEL}:streamGenerateContent?alt=sse"
_KEY = "bench"
_SEP = b"\r\n\r\n"
_FD_MARGIN = 200


def _prompt() -> str:
    """A prompt whose reply is longer than ``EVENTS`` chunks (it stalls after them)."""
    return f"bench memory emulator:words={words_for(EVENTS + 5)}"


def _stall_header() -> dict[str, str]:
    return {"x-emulator-fault": f"stall-after={EVENTS}; stall=600"}


def raise_open_files(wanted: int) -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` towards ``wanted``; return what it is now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- the contenders, in the child -------------------------------------------------------------

Ready = Callable[[], None]


class _Floor:
    def __init__(self, url: str, streams: int) -> None:
        import aiohttp
        import msgspec

        from gemini_stream.types import GenerateContentResponse

        self._aiohttp = aiohttp
        self._url = url + _PATH
        self._headers = {"x-goog-api-key": _KEY, "content-type": "application/json"}
        self._headers.update(_stall_header())
        self._limit = streams + 10
        self._decode = msgspec.json.Decoder(GenerateContentResponse).decode
        self._encode = msgspec.json.Encoder().encode
        self._session: Any = None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def stream(self, prompt: str, ready: Ready) -> int:
        if self._session is None:
            aiohttp = self._aiohttp
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        decode = self._decode
        body = self._encode({"contents": [{"role": "user", "parts": [{"text": prompt}]}]})
        count = 0
        async with self._session.post(self._url, data=body, headers=self._headers) as resp:
            assert resp.status == 200, resp.status
            buf = bytearray()
            scanned = 0
            async for data in resp.content.iter_any():
                buf += data
                start = 0
                end = buf.find(_SEP, scanned)
                while end >= 0:
                    decode(buf[start + 6 : end])
                    count += 1
                    if count == EVENTS:
                        ready()
                    start = end + 4
                    end = buf.find(_SEP, start)
                if start:
                    del buf[:start]
                scanned = max(len(buf) - 3, 0)
        return count


class _Ours:
    def __init__(self, url: str, streams: int) -> None:
        import gemini_stream as gs

        # Longer idle and connect timeouts than the defaults (120 s, 10 s): on a busy machine, opening
        # 10,000 streams at once (stream_many) can take longer than that, and the first
        # streams, stalled at the barrier, would time out. The timer is there all the same.
        timeouts = gs.Timeouts(idle=_TIMEOUT * 2, connect=_TIMEOUT)
        self._client = gs.Client(
            base_url=url,
            api_key=_KEY,
            headers=_stall_header(),
            max_connections=streams + 10,
            timeouts=timeouts,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def stream(self, prompt: str, ready: Ready) -> int:
        count = 0
        async for _chunk in self._client.stream(_MODEL, prompt):
            count += 1
            if count == EVENTS:
                ready()
        return count


class _GoogleGenai:
    def __init__(self, url: str, streams: int) -> None:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(base_url=url, api_version="v1beta", headers=_stall_header())
        self._client = genai.Client(api_key=_KEY, http_options=options)

    async def aclose(self) -> None:
        await self._client.aio.aclose()

    async def stream(self, prompt: str, ready: Ready) -> int:
        count = 0
        replies = await self._client.aio.models.generate_content_stream(
            model=_MODEL, contents=prompt
        )
        async for _chunk in replies:
            count += 1
            if count == EVENTS:
                ready()
        return count


class _Counter:
    """Counts streams that reached the barrier; wakes the waiter when ``target`` did."""

    def __init__(self) -> None:
        self.ready = 0
        self.target = 0
        self.enough = asyncio.Event()
        self._gates: dict[int, asyncio.Event] = {}

    def __call__(self) -> None:
        self.ready += 1
        if self.ready >= self.target:
            self.enough.set()
        gate = self._gates.pop(self.ready, None)
        if gate is not None:
            gate.set()

    async def reached(self, count: int) -> None:
        """Wait until ``count`` streams reached the barrier (the caller bounds the wait)."""
        if self.ready < count:
            await self._gates.setdefault(count, asyncio.Event()).wait()

    async def until(self, target: int) -> bool:
        self.target = target
        if self.ready < target:
            self.enough.clear()
            try:
                await asyncio.wait_for(self.enough.wait(), _TIMEOUT)
            except asyncio.TimeoutError:
                return False
        return True


async def _tasks_open(contender: Any, prompt: str, count: int) -> tuple[Callable[[], Any], int]:
    """One task per stream; return (how to cancel them all, streams at the barrier)."""
    counter = _Counter()
    tasks: list[asyncio.Task[int]] = []
    for start in range(0, count, _BATCH):
        end = min(start + _BATCH, count)
        tasks += [
            asyncio.ensure_future(contender.stream(prompt, counter)) for _ in range(start, end)
        ]
        if not await counter.until(end):
            break

    async def cancel() -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    return cancel, counter.ready


class _Opener:
    """A ``stream_many`` request (one callable for all) that opens its stream when the
    ``_BATCH`` streams opened before its own batch reached the barrier."""

    def __init__(self, client: Any, prompt: str, counter: _Counter) -> None:
        self._client = client
        self._prompt = prompt
        self._counter = counter
        self._taken = 0

    async def __call__(self) -> Any:
        taken = self._taken
        self._taken += 1
        await self._counter.reached(taken - taken % _BATCH)
        return self._client.stream(_MODEL, self._prompt)


async def _many_open(
    client: Any, prompt: str, count: int, at_once: bool = False
) -> tuple[Callable[[], Any], int]:
    """``stream_many`` over ``count`` requests; return (how to end it, streams at the barrier).

    The consumer counts chunk items; the batch is entered in its own task so that this one
    can measure at the barrier while the batch stays open. The requests open ``_BATCH`` at a
    time (``_Opener``), or all at once (``at_once``)."""
    import gemini_stream as gs

    counter = _Counter()
    counter.target = count

    async def consume() -> None:
        counts = [0] * count
        requests: list[Any]
        if at_once:
            requests = [gs.Request(_MODEL, prompt)] * count
        else:
            requests = [_Opener(client, prompt, counter)] * count
        async with client.stream_many(requests, concurrency=count) as results:
            async for item in results:
                if item.kind == "chunk":
                    counts[item.index] += 1
                    if counts[item.index] == EVENTS:
                        counter()
                elif item.kind == "error":
                    errors.append(repr(item.error))
                    counter.enough.set()  # reported, rather than waited for until the timeout

    errors: list[str] = []
    task = asyncio.ensure_future(consume())
    while counter.ready < count and not errors and not task.done():
        if not await counter.until(count):
            break
    if errors:  # reported, the batch cancelled first (it must end in the task it began in)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise RuntimeError(f"stream_many: {len(errors)} requests failed, first: {errors[0]}")

    async def cancel() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return cancel, counter.ready


def _reset_peak() -> bool:
    """Reset ``VmHWM`` to the RSS now (Linux 4.0+); False when this kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _peak_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


async def _child(name: str, url: str, streams: int, prompt: str) -> dict[str, Any]:
    made = {
        "floor": _Floor, "ours": _Ours, "stream_many": _Ours, "stream_many-at-once": _Ours,
        "google-genai": _GoogleGenai,
    }  # fmt: skip
    contender = made[name](url, streams)
    many = name.startswith("stream_many")
    try:

        async def open_all(count: int) -> tuple[Callable[[], Any], int]:
            if many:
                return await _many_open(contender._client, prompt, count, name != "stream_many")
            return await _tasks_open(contender, prompt, count)

        # Warm up: one batch to the barrier and back (session, pool, lazy imports).
        cancel, _ = await open_all(10)
        await cancel()
        await asyncio.sleep(0.2)
        gc.collect()
        before = rss_bytes()
        resettable = _reset_peak()
        cancel, ready = await open_all(streams)
        at_barrier = rss_bytes()
        peak = max(_peak_bytes(), at_barrier) if resettable else at_barrier
        await cancel()
    finally:
        await contender.aclose()
    return {
        "contender": name,
        "streams": streams,
        "at_barrier": ready,
        "kb_per_stream": (peak - before) / 1024 / streams,
        "kb_per_stream_at_barrier": (at_barrier - before) / 1024 / streams,
        "peak_is_vmhwm": resettable,
    }


def _child_main(name: str, url: str, streams: int, prompt: str, loop: str) -> None:
    raise_open_files(streams + _FD_MARGIN)
    result = run_in_loop(loop, lambda: _child(name, url, streams, prompt))
    print(json.dumps(result))


# -- the parent -------------------------------------------------------------------------------


def measure(
    name: str, url: str, streams: int, prompt: str, loop: str = "asyncio"
) -> dict[str, Any]:
    """Run contender ``name`` in a fresh interpreter; return what it reported."""
    command = [sys.executable, __file__, "--child", name, url, str(streams), prompt, loop]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"memory run of {name} at {streams} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def available(names: tuple[str, ...] = NAMES) -> list[str]:
    """The contenders that can run here (google-genai only when it is installed)."""
    try:
        import google.genai  # noqa: F401
    except ImportError:
        return [n for n in names if n != "google-genai"]
    return list(names)


def run(
    sizes: tuple[int, ...] = (1000, 10000),
    names: list[str] | None = None,
    rounds: int = 3,
    loop: str = "asyncio",
) -> dict[str, Any]:
    """Measure every contender at every size; return ``figures[size][name]`` (median KB per
    open stream), ``runs`` (every child's report), ``skipped`` (sizes and why) and ``table``."""
    names = names or available()
    limit = raise_open_files(max(sizes) * 2 + _FD_MARGIN)  # the emulator inherits it
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    skipped: dict[int, str] = {}
    failures: list[str] = []
    prompt = _prompt()
    with emulator() as url:
        for size in sizes:
            if size + _FD_MARGIN > limit:
                skipped[size] = f"open-files limit {limit} here (hard limit)"
                continue
            runs[size] = {n: [] for n in names}
            for round_ in range(rounds):
                for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                    print(f"  {size} streams: {name} (round {round_ + 1})", file=sys.stderr)
                    try:
                        runs[size][name].append(measure(name, url, size, prompt, loop))
                    except RuntimeError as exc:  # reported; the other runs go on
                        failures.append(f"{name} at {size}: {str(exc)[-400:]}")
    figures = {
        size: {n: statistics.median(r["kb_per_stream"] for r in rs) for n, rs in by.items() if rs}
        for size, by in runs.items()
    }
    problems = failures + [
        f"{r['contender']} at {size}: {r['at_barrier']} of {size} streams reached the barrier"
        for size, by in runs.items()
        for rs in by.values()
        for r in rs
        if r["at_barrier"] != size
    ]
    return {
        "figures": figures,
        "runs": runs,
        "skipped": skipped,
        "problems": problems,
        "table": format_table(figures, names, skipped),
    }


def format_table(
    figures: dict[int, dict[str, float]], names: list[str], skipped: dict[int, str]
) -> str:
    """One Markdown table: a row per size, KB per open stream per contender, and the ratios."""
    head = ["open streams", *names, "ours / floor", "stream_many / floor"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size, by in figures.items():
        floor = by.get("floor")
        cells = [f"{size:,}", *(f"{by[n]:.1f}" if n in by else "-" for n in names)]
        for ours in ("ours", "stream_many"):
            if floor and ours in by:
                ratio = by[ours] / floor
                cells.append(f"{ratio:.2f}x" + ("" if ratio <= _GOAL else " (goal 1.2x)"))
            else:
                cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    for size, why in skipped.items():
        lines.append(f"\n{size:,} streams not run: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Memory per open stream (loopback).")
    parser.add_argument("--streams", type=int, action="append", help="a size (repeatable)")
    parser.add_argument("--names", help="comma-separated contenders (default: all available)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--quick", action="store_true", help="50 streams, one round")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, url, streams, prompt, loop = args.child
        _child_main(name, url, int(streams), prompt, loop)
        return 0
    sizes = tuple(args.streams or ((50,) if args.quick else (1000, 10000)))
    names = args.names.split(",") if args.names else None
    result = run(sizes, names, 1 if args.quick else args.rounds, args.loop)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "table"}, default=str))
    else:
        print(f"KB of RSS per open stream ({EVENTS} events received, held open):")
        print(result["table"])
        for problem in result["problems"]:
            print(f"problem: {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
