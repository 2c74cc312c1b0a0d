"""``gemini-stream chat``: an interactive multi-turn chat in the terminal.

The prompt has line editing and history (readline, where Python has it). Ctrl-C while a reply
streams stops that reply (it is not added to the history) and returns to the prompt; Ctrl-C at
the prompt says how to leave; ``/quit`` or Ctrl-D leaves. Lines starting with ``/`` are
commands; a command that fails (a bad path, a file that is not a saved chat) says why and the
conversation goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio

from .._chat.chat import Chat
from .._client import Client
from .._errors import GeminiError, NotFoundError
from .ending import incomplete_reason
from .render import Renderer

HELP = (
    "commands: /save FILE, /load FILE, /reset, /usage, /help, /quit "
    "(Ctrl-C stops a reply; Ctrl-D leaves)"
)
HOW_TO_LEAVE = "(Ctrl-C stops a reply; to leave, type /quit or press Ctrl-D)"


def _enable_line_editing() -> None:
    """Give ``input()`` line editing and history, so arrow keys move the cursor and recall
    earlier lines instead of reaching the model as escape codes."""
    if not sys.stdin.isatty():
        return
    with contextlib.suppress(ImportError):  # Windows, or a Python built without readline
        import readline  # noqa: F401  (importing it is what hooks it into input())


# CPython's readline checks for signals only when its wait for a key is interrupted: a Ctrl-C
# that lands just before that wait begins would go unseen until the next key. A timer's
# signal interrupts the wait a few times a second, so a pending Ctrl-C is seen within a tick.
_TICK = 0.1


@contextlib.contextmanager
def _ticking() -> Iterator[None]:
    if not hasattr(signal, "setitimer") or not sys.stdin.isatty():
        yield
        return
    handler = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    timer = signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, *timer)  # stop (or restore) before the handler
        signal.signal(signal.SIGALRM, handler)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Let Ctrl-C raise ``KeyboardInterrupt`` in ``input()`` (asyncio.run may have put its own
    handler in place, which would only cancel the main task)."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: leave the signals alone
        yield
        return
    try:
        with _ticking():
            yield
    finally:
        signal.signal(signal.SIGINT, previous)


def read_line(prompt: str) -> str | None:
    """The next line typed, ``None`` on Ctrl-D (end of input).

    It blocks the event loop, on purpose: nothing else runs while the chat waits for the user,
    and readline needs the main thread to handle Ctrl-C and restore the terminal.
    """
    while True:
        try:
            with _interruptible():
                return input(prompt)
        except EOFError:
            return None
        except KeyboardInterrupt:
            print(f"\n{HOW_TO_LEAVE}")
        except SystemError as exc:
            # CPython 3.10's readline can wrap a Ctrl-C in its wait for a key this way
            # ("_PyEval_EvalFrameDefault returned a result with an exception set").
            if not isinstance(exc.__cause__, KeyboardInterrupt):
                raise
            print(f"\n{HOW_TO_LEAVE}")


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
        cut = incomplete_reason(stream.response)
        if cut is not None:
            kept = "kept in" if stream.committed else "not added to"
            print(f"({cut}; the exchange was {kept} the history)")
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
            try:
                Path(argument).write_bytes(self.chat.dumps())
            except OSError as exc:
                print(f"(cannot save to {argument!r}: {exc}; the chat goes on)")
            else:
                print(f"(saved {len(self.chat.history)} turns to {argument})")
        elif name == "/load":
            try:
                self.chat = Chat.loads(self.client, Path(argument).read_bytes())
            except (OSError, ValueError, TypeError, GeminiError) as exc:
                print(f"(cannot load {argument!r}: {exc}; the chat goes on unchanged)")
            else:
                print(f"(loaded {len(self.chat.history)} turns from {argument})")
        else:
            print(HELP)
        return True


async def _check_model(client: Client, model: str) -> None:
    """Fail before the first prompt, not after it, when the model does not exist."""
    try:
        await client.models.get(model)
    except NotFoundError as exc:
        raise ValueError(
            f"unknown model {model!r} ('gemini-stream models' lists them): {exc}"
        ) from exc


async def run_chat(client: Client, model: str, system: str | None, thoughts: bool) -> int:
    """The interactive loop; returns the exit status."""
    loop = asyncio.get_running_loop()
    session = ChatSession(client, model, system, thoughts)  # checks the model id's spelling
    await _check_model(client, model)
    _enable_line_editing()
    print(f"Chatting with {model}. {HELP}")
    while True:
        line = read_line("you> ")
        if line is None:  # Ctrl-D at the prompt
            print()
            return 0
        line = line.strip()
        if line.startswith("/"):
            if not session.command(line):
                return 0
        elif line:
            with anyio.CancelScope() as scope:
                with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
                    loop.add_signal_handler(signal.SIGINT, scope.cancel)
                try:
                    await session.reply(line)
                except (GeminiError, OSError, ValueError) as exc:
                    print(f"(error: {exc})")
                finally:
                    with contextlib.suppress(NotImplementedError):
                        loop.remove_signal_handler(signal.SIGINT)
            if scope.cancelled_caught:
                print("\n(reply stopped; it was not added to the history)")
