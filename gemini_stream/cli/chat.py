"""``gemini-stream chat``: an interactive multi-turn chat in the terminal.

Ctrl-C while a reply streams stops that reply (it is not added to the history) and returns to
the prompt; Ctrl-C or Ctrl-D at the prompt leaves. Lines starting with ``/`` are commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from pathlib import Path

import anyio

from .._chat.chat import Chat
from .._client import Client
from .._errors import GeminiError
from .render import Renderer

HELP = (
    "commands: /save FILE, /load FILE, /reset, /usage, /help, /quit "
    "(Ctrl-C stops a reply; Ctrl-D leaves)"
)


class _Stdin:
    """Reads prompt lines on a daemon thread, so Ctrl-C never waits on a blocked ``input()``."""

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


class ChatSession:
    """The state of one terminal chat: the chat itself and the tokens used so far."""

    def __init__(self, client: Client, model: str, system: str | None, thoughts: bool) -> None:
        self.client, self.model, self.system = client, model, system
        self.config = {"include_thoughts": True} if thoughts else None
        self.chat = self._new_chat()
        self.tokens = {"prompt": 0, "reply": 0, "thoughts": 0, "total": 0}

    def _new_chat(self) -> Chat:
        return self.client.chat(self.model, system_instruction=self.system, config=self.config)

    async def reply(self, message: str) -> None:
        """Stream the reply to ``message``; the chat commits it when it finishes."""
        async with Renderer(sys.stdout) as renderer, self.chat.stream(message) as stream:
            async for chunk in stream:
                if self.config and chunk.thoughts:
                    renderer.thought(chunk.thoughts)
                renderer.text(chunk.text)
        usage = stream.response.usage
        if usage is not None:
            self.tokens["prompt"] += usage.prompt_token_count or 0
            self.tokens["reply"] += usage.candidates_token_count or 0
            self.tokens["thoughts"] += usage.thoughts_token_count or 0
            self.tokens["total"] += usage.total_token_count or 0

    def command(self, line: str) -> bool:
        """Run a ``/command``; returns False when the chat should end."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in ("/quit", "/exit"):
            return False
        if name == "/reset":
            self.chat = self._new_chat()
            print("(history cleared)")
        elif name == "/usage":
            used = ", ".join(f"{key} {value}" for key, value in self.tokens.items())
            print(f"(tokens this session: {used}; history: {len(self.chat.history)} turns)")
        elif name in ("/save", "/load") and not argument:
            print(f"(usage: {name} FILE)")
        elif name == "/save":
            Path(argument).write_bytes(self.chat.dumps())
            print(f"(saved {len(self.chat.history)} turns to {argument})")
        elif name == "/load":
            self.chat = Chat.loads(self.client, Path(argument).read_bytes())
            print(f"(loaded {len(self.chat.history)} turns from {argument})")
        else:
            print(HELP)
        return True


async def run_chat(client: Client, model: str, system: str | None, thoughts: bool) -> int:
    """The interactive loop; returns the exit status."""
    loop = asyncio.get_running_loop()
    session = ChatSession(client, model, system, thoughts)
    stdin = _Stdin(loop)
    scope = anyio.CancelScope()  # whatever is being waited for: the prompt or a reply

    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
        loop.add_signal_handler(signal.SIGINT, lambda: scope.cancel())
    print(f"Chatting with {model}. {HELP}")
    try:
        while True:
            line: str | None = None
            with anyio.CancelScope() as scope:
                line = await stdin.readline("you> ")
            if line is None:  # Ctrl-D or Ctrl-C at the prompt
                print()
                return 0
            line = line.strip()
            if line.startswith("/"):
                if not session.command(line):
                    return 0
            elif line:
                with anyio.CancelScope() as scope:
                    try:
                        await session.reply(line)
                    except (GeminiError, OSError, ValueError) as exc:
                        print(f"(error: {exc})")
                if scope.cancelled_caught:
                    print("\n(reply stopped; it was not added to the history)")
    finally:
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGINT)
