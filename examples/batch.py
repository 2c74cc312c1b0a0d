"""A batch job: summarise many documents with generate_many, within a rate limit.

Replies come back in input order. Failures are returned in place (``return_exceptions=True``)
so one bad document does not sink the batch, and the rate limit makes requests wait for their
turn instead of failing with 429.

Run: python examples/batch.py [N]   (uses the embedded emulator without a key)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator

import gemini_stream as gs

MODEL = "gemini-2.5-flash"


@contextlib.asynccontextmanager
async def open_client() -> AsyncIterator[gs.Client]:
    if os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY"):
        async with gs.Client() as client:
            yield client
        return
    from gemini_stream.emulator import Emulator

    # The emulator enforces a per-key quota like the real API; stay under it client-side.
    async with Emulator(rpm_limit=600) as emulator:
        print(f"No GEMINI_API_KEY set: using the local emulator at {emulator.url}")
        async with gs.Client(base_url=emulator.url, api_key="emulator") as client:
            yield client


async def main(count: int) -> None:
    documents = [f"Document {i}: the quarterly report of team {i % 7}." for i in range(count)]
    requests = [
        gs.Request(MODEL, f"Summarise in one line: {doc}", config={"max_output_tokens": 64})
        for doc in documents
    ]
    progress = gs.Progress()
    started = time.perf_counter()
    async with open_client() as client:
        replies = await client.generate_many(
            requests,
            concurrency=16,
            rate_limit=gs.RateLimit(requests_per_minute=500, concurrent=16),
            return_exceptions=True,
            progress=progress,
        )
    failed = [r for r in replies if isinstance(r, Exception)]
    print(
        f"{len(replies) - len(failed)} summaries, {len(failed)} failures, "
        f"{progress.tokens} tokens in {time.perf_counter() - started:.2f} s"
    )
    first = replies[0]
    if not isinstance(first, Exception):
        print(f"first: {first.text[:90]}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
