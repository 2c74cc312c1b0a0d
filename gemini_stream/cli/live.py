"""``gemini-stream live``: a text-mode Live API session in the terminal.

Each line you type is sent as realtime text; the model's answer streams back as it is
generated. The session resumes by itself when its connection is reset. Ctrl-D (or the end of
piped input) leaves; Ctrl-C stops the program.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from typing import Any

from .._client import Client

LIVE_MODEL = "gemini-3.1-flash-live-preview"

__all__ = ("LIVE_MODEL", "add_live_parser", "run_live")


class _Stdin:
    """Reads prompt lines on a daemon thread: the event loop keeps the session's socket
    served (pings, ``goAway``) while the user types."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    async def readline(self, prompt: str) -> str | None:
        future: asyncio.Future[str | None] = self._loop.create_future()

        def deliver(line: str | None) -> None:
            if not future.done():
                future.set_result(line)

        def read() -> None:
            try:
                line: str | None = input(prompt)
            except EOFError:
                line = None
            self._loop.call_soon_threadsafe(deliver, line)

        threading.Thread(target=read, daemon=True).start()
        return await future


def add_live_parser(commands: Any) -> None:
    # Not the shared parent: its --model action (and its default) is shared by every command.
    live = commands.add_parser(
        "live",
        help="a text-mode Live API session",
        description="A text-mode Live API session: type a line, read the answer as it streams.",
    )
    live.add_argument("--model", "-m", default=LIVE_MODEL, help="model id (%(default)s)")
    live.add_argument(
        "--emulator", action="store_true", help="use the embedded emulator even with a key"
    )
    live.add_argument("--system", "-s", help="a system instruction")


async def run_live(client: Client, args: argparse.Namespace) -> int:
    """The interactive loop; returns the exit status."""
    stdin = _Stdin(asyncio.get_running_loop())
    prompt = "you> " if sys.stdin.isatty() else ""
    config = {"response_modalities": ["TEXT"]}
    async with client.live.connect(
        args.model, config=config, system_instruction=args.system
    ) as session:
        print(f"Live session with {args.model} (text). Ctrl-D leaves.", file=sys.stderr)
        while True:
            line = await stdin.readline(prompt)
            if line is None:
                return 0
            if not line.strip():
                continue
            await session.send_text(line.strip())
            async for text in session.text_stream():
                print(text, end="", flush=True)
            print()
