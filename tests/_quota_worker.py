"""One worker process of the shared-quota tests: sends as fast as it can through a
``RedisLimiter`` until a deadline, then prints what it did as JSON.

    python _quota_worker.py EMULATOR_URL REDIS_URL REQUESTS TOKENS PER STOP_FILE NAME POLICY

It starts at once and stops taking new requests when ``STOP_FILE`` exists. A request the
limiter refuses (Redis away, ``POLICY`` "raise") is tried again, the same request, until it
goes: none is lost.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import anyio

import gemini_stream as gs

TASKS = 8


async def main(argv: list[str]) -> None:
    url, redis_url, requests, tokens, per, stop_file, name, policy = argv
    stop = Path(stop_file)
    limit = gs.RateLimit(requests=int(requests) or None, tokens=int(tokens) or None, per=float(per))
    sent: list[str] = []
    refused = 0
    errors: list[str] = []
    numbers = iter(range(1_000_000))

    async with (
        gs.RedisLimiter(redis_url, limit, key="shared-project", on_unavailable=policy) as limiter,
        gs.Client(api_key="k", base_url=url, rate_limit=limiter) as client,
    ):

        async def sender() -> None:
            nonlocal refused
            while not stop.exists():  # noqa: ASYNC240 (a stat, once a request)
                prompt = f"{name} request {next(numbers)}"
                while True:  # the same request until it goes
                    try:
                        await client.generate("gemini-2.5-flash", prompt)
                    except gs.LimiterUnavailableError:
                        refused += 1
                        await anyio.sleep(0.02)
                        continue
                    except gs.GeminiError as exc:
                        errors.append(f"{prompt}: {type(exc).__name__}: {exc}")
                    else:
                        sent.append(prompt)
                    break

        async with anyio.create_task_group() as group:
            for _ in range(TASKS):
                group.start_soon(sender)
    print(json.dumps({"sent": sent, "refused": refused, "errors": errors}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
