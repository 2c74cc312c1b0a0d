"""Stream a reply from Gemini, or from the embedded local emulator when no API key is set.

Run: python examples/quickstart.py ["your prompt"]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"


@contextlib.asynccontextmanager
async def open_client() -> AsyncIterator[gs.Client]:
    """A client for the real API when a key is set, else for an emulator on loopback."""
    if os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY"):
        async with gs.Client() as client:
            yield client
        return
    async with Emulator(chunk_delay=0.02) as emulator:
        print(f"No GEMINI_API_KEY set: using the local emulator at {emulator.url}\n")
        async with gs.Client(base_url=emulator.url, api_key="emulator") as client:
            yield client


async def main(prompt: str) -> None:
    async with open_client() as client:
        async with client.stream(MODEL, prompt) as stream:
            async for text in stream.text_stream:
                print(text, end="", flush=True)
        usage = stream.response.usage
        print(
            f"\n\n[finish: {stream.response.finish_reason}, tokens: "
            f"{usage.total_token_count if usage else '?'}]"
        )


if __name__ == "__main__":
    asyncio.run(
        main(" ".join(sys.argv[1:]) or "Explain streaming in one paragraph. emulator:words=40")
    )
