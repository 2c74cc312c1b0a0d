"""A batch job: summarise many documents with generate_many, within a rate limit.

Replies come back in input order. Failures are returned in place (``return_exceptions=True``)
so one bad document does not sink the batch, and the rate limit makes requests wait for their
turn instead of failing with 429.

Run: python examples/batch.py [N]   (uses the embedded emulator without a key)
"""

from __future__ import annotations

import asyncio
import sys
import time

import gemini_stream as gs
from gemini_stream.emulator import open_client

MODEL = "gemini-2.5-flash"


async def main(count: int) -> None:
    documents = [f"Document {i}: the quarterly report of team {i % 7}." for i in range(count)]
    requests = [
        gs.Request(MODEL, f"Summarise in one line: {doc}", config={"max_output_tokens": 64})
        for doc in documents
    ]
    progress = gs.Progress()
    started = time.perf_counter()
    async with open_client(rpm_limit=600) as client:
        replies = await client.generate_many(
            requests,
            concurrency=16,
            rate_limit=gs.RateLimit(requests=500, concurrent=16),
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
