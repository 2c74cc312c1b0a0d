"""Shared rate limiter benchmark: what an admission through Redis costs, and how many one
Redis-backed quota can hand out.

A private ``redis-server`` (Debian's) is started on a free loopback TCP port, persistence
off, and stopped at the end. Three figures:

* **admission cost**: one task admitting requests one after another (``acquire``, then the
  lease's ``sent()`` and ``release(tokens)``, as the client does), timed one by one: median
  and p99 in µs, for ``InProcessLimiter`` and for ``RedisLimiter`` (one Lua script, one
  round trip; what ``sent()`` and ``release()`` have to tell Redis rides on the next one);
* **ceiling**: 4 and 16 processes, 8 tasks each, admitting as fast as they can through one
  quota whose limits never bind: admissions per second across them (the script's cost);
* **10,000 RPM held**: the same processes under a binding quota of 10,000 requests per
  minute, scaled to 500 per 3 s: the share of the quota they get over two windows (the
  limiter is not the bottleneck when this is ~100%).

Run ``python benchmarks/bench_redis_limiter.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gemini_stream as gs

__all__ = ("FULL", "QUICK", "Sizes", "main", "run")

TASKS = 8  # tasks per process


@dataclass(frozen=True)
class Sizes:
    admissions: int  # timed admissions per limiter
    processes: tuple[int, ...]
    seconds: float  # how long the ceiling runs
    held: tuple[int, float]  # the binding quota: requests per `per` seconds


FULL = Sizes(admissions=5_000, processes=(4, 16), seconds=3.0, held=(500, 3.0))
QUICK = Sizes(admissions=200, processes=(2,), seconds=0.5, held=(40, 0.5))


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server on a free loopback port; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory = tempfile.mkdtemp(prefix="gs-bench-redis-")
    command = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
               "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]  # fmt: skip
    try:
        with subprocess.Popen(command, stdout=subprocess.DEVNULL) as process:
            try:
                deadline = time.monotonic() + 10
                while True:
                    with (
                        contextlib.suppress(OSError),
                        socket.create_connection(("127.0.0.1", port), timeout=1) as conn,
                    ):
                        conn.sendall(b"PING\r\n")
                        if conn.recv(16).startswith(b"+PONG"):
                            break
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not start")
                    time.sleep(0.01)
                yield f"redis://127.0.0.1:{port}/0"
            finally:
                process.kill()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def _admission_cost(limiter: gs.Limiter, count: int) -> list[float]:
    """Seconds per admission, one after another (sent and released as the client does)."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        lease = await limiter.acquire(60)
        samples.append(time.perf_counter() - started)
        lease.sent()
        lease.release(40)
    return samples


async def _costs(url: str, count: int) -> dict[str, tuple[float, float]]:
    limit = gs.RateLimit(requests=10**9, tokens=10**12)
    local = await _admission_cost(gs.InProcessLimiter(limit), count)
    async with gs.RedisLimiter(url, limit, key="bench-cost") as shared:
        await _admission_cost(shared, 50)  # connect and load the script
        remote = await _admission_cost(shared, count)
    return {"in-process": _quantiles(local), "redis": _quantiles(remote)}


async def _worker(
    url: str, requests: int, per: float, seconds: float, key: str, processes: int
) -> None:
    """One process: once all ``processes`` are up, admit as fast as ``TASKS`` tasks can for
    ``seconds``; print the ``time.time()`` of each admission as JSON."""
    from redis.asyncio import Redis

    limit = gs.RateLimit(requests=requests, per=per)
    admitted: list[float] = []
    # A generous timeout: sixteen interpreters connecting at once on a busy machine.
    async with (
        gs.RedisLimiter(url, limit, key=key, timeout=10) as limiter,
        Redis.from_url(url) as raw,
    ):
        await raw.incr(f"barrier:{key}")  # interpreters start one by one: wait for all
        while int(await raw.get(f"barrier:{key}") or 0) < processes:  # noqa: ASYNC110
            await anyio.sleep(0.005)
        stop = time.monotonic() + seconds

        async def task() -> None:
            while time.monotonic() < stop:
                lease = await limiter.acquire(60)
                admitted.append(time.time())
                lease.sent()
                lease.release(40)

        async with anyio.create_task_group() as group:
            for _ in range(TASKS):
                group.start_soon(task)
    print(json.dumps(admitted))


def _processes(url: str, count: int, requests: int, per: float, seconds: float, key: str
               ) -> list[float]:  # fmt: skip
    """Run ``count`` worker processes at once; every admission time, sorted."""
    command = [sys.executable, __file__, "--worker", url, str(requests), str(per),
               str(seconds), key, str(count)]  # fmt: skip
    times: list[float] = []
    with contextlib.ExitStack() as stack:
        workers = [
            stack.enter_context(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
            for _ in range(count)
        ]
        for worker in workers:
            out, _ = worker.communicate(timeout=120)
            if worker.returncode != 0:
                raise RuntimeError(f"a worker failed with {worker.returncode}")
            times.extend(json.loads(out))
    return sorted(times)


def run(sizes: Sizes) -> dict[str, Any]:
    """Measure everything; the figures and a Markdown table."""
    with redis_server() as url:
        costs = asyncio.run(_costs(url, sizes.admissions))
        ceilings: dict[int, float] = {}
        held: dict[int, float] = {}
        requests, per = sizes.held
        for count in sizes.processes:
            times = _processes(url, count, 10**9, 60.0, sizes.seconds, f"ceiling-{count}")
            # The busy middle: processes stop one by one.
            middle = times[len(times) // 10 : len(times) * 9 // 10]
            ceilings[count] = len(middle) / (middle[-1] - middle[0])
            times = _processes(url, count, requests, per, per * 2 + 1, f"held-{count}")
            first = times[0]
            held[count] = sum(at < first + 2 * per for at in times) / (2 * requests)
    rows = [
        "| limiter | admission median | p99 |",
        "|---|---|---|",
        *(
            f"| {name} | {median * 1e6:,.1f} µs | {p99 * 1e6:,.1f} µs |"
            for name, (median, p99) in costs.items()
        ),
        "",
        f"| processes ({TASKS} tasks each) | ceiling, admissions/s | ceiling, RPM | "
        f"share of {requests} per {per:g} s ({requests * 60 / per:,.0f} RPM) held |",
        "|---|---|---|---|",
        *(
            f"| {count} | {ceilings[count]:,.0f} | {ceilings[count] * 60:,.0f} | "
            f"{held[count]:.0%} |"
            for count in sizes.processes
        ),
    ]
    return {"costs": costs, "ceilings": ceilings, "held": held, "table": "\n".join(rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        url, requests, per, seconds, key, processes = args.worker
        asyncio.run(_worker(url, int(requests), float(per), float(seconds), key, int(processes)))
        return 0
    result = run(QUICK if args.quick else FULL)
    print("## Shared rate limiter (Redis on loopback TCP)\n")
    print(result["table"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
