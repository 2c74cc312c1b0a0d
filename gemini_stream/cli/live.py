"""``gemini-stream live``: a text-mode Live API session in the terminal.

Each line you type is sent as realtime text; the model's answer streams back as it is
generated. The session resumes by itself when its connection is reset. Ctrl-D (or the end of
piped input) leaves; Ctrl-C stops the program.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from .._client import Client
from .chat import _Stdin

LIVE_MODEL = "gemini-3.1-flash-live-preview"

__all__ = ("LIVE_MODEL", "add_live_parser", "run_live")


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
