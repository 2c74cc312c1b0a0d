"""Several worker processes, one quota: a RedisLimiter shared through Redis.

Starts the local emulator with a per-key quota, then N worker processes that each send as
fast as they can through `gs.RedisLimiter` with that same quota. Together they stay under
it (no 429), and together they use all of it. Prints each worker's rate and the total.

    python examples/shared_quota.py --redis redis://localhost:6379/0 --workers 4

Needs a Redis server (`apt install redis-server`, or `docker run -p 6379:6379 redis`) and
`pip install 'gemini-stream[redis]'`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import anyio

import gemini_stream as gs
from gemini_stream.emulator import Emulator


async def worker(url: str, redis_url: str, limit: gs.RateLimit, seconds: float) -> None:
    """One process: send until `seconds` have passed, then print what it sent as JSON."""
    sent = 0
    started = time.monotonic()
    async with (
        gs.RedisLimiter(redis_url, limit, key="my-project", model="gemini-2.5-flash") as limiter,
        gs.Client(api_key="emulator", base_url=url, rate_limit=limiter) as client,
    ):

        async def sender() -> None:
            nonlocal sent
            while time.monotonic() - started < seconds:
                await client.generate("gemini-2.5-flash", f"Say hi, request {sent}")
                sent += 1

        async with anyio.create_task_group() as group:
            for _ in range(8):  # a few requests in flight, as a busy worker has
                group.start_soon(sender)
    print(json.dumps({"sent": sent, "seconds": time.monotonic() - started}))


async def main(args: argparse.Namespace) -> None:
    async with Emulator(rpm_limit=args.requests, quota_window=args.per) as emulator:
        print(f"emulator at {emulator.url}: {args.requests} requests per {args.per:g} s a key")
        print(f"{args.workers} workers share that quota through {args.redis}")
        command = [sys.executable, __file__, "--worker", emulator.url, "--redis", args.redis]
        command += ["--requests", str(args.requests), "--per", str(args.per)]
        command += ["--seconds", str(args.seconds)]
        processes = [
            await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
            for _ in range(args.workers)
        ]
        outputs = [await process.communicate() for process in processes]
    total = 0
    for number, (out, _) in enumerate(outputs):
        result = json.loads(out)
        total += result["sent"]
        rate = result["sent"] / result["seconds"]
        print(f"worker {number}: {result['sent']} requests, {rate:.1f} per second")
    refused = sum(record.status == 429 for record in emulator.records)
    served = sorted(record.started_at for record in emulator.records if record.status == 200)
    # Whole windows from the first request on: a sliding window lets `requests` through in
    # each (the processes started one by one, so the last window may be short of senders).
    windows = max(int((served[-1] - served[0]) // args.per), 1)
    counted = sum(at < served[0] + windows * args.per for at in served)
    print(
        f"total: {total} requests; {counted / windows:.1f} per {args.per:g} s window over "
        f"{windows} windows ({counted / windows / args.requests:.0%} of the quota); "
        f"429s: {refused}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://localhost:6379/0", help="a Redis URL")
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--requests", type=int, default=60, help="requests per window")
    parser.add_argument("--per", type=float, default=2.0, help="the window, in seconds")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long to send")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        quota = gs.RateLimit(requests=arguments.requests, per=arguments.per)
        asyncio.run(worker(arguments.worker, arguments.redis, quota, arguments.seconds))
    else:
        asyncio.run(main(arguments))
