"""Stream a reply from Gemini, or from the embedded local emulator when no API key is set.

Run: python examples/quickstart.py ["your prompt"]
"""

from __future__ import annotations

import asyncio
import sys

from gemini_stream.emulator import open_client

MODEL = "gemini-2.5-flash"


async def main(prompt: str) -> None:
    async with open_client(chunk_delay=0.02) as client:
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
