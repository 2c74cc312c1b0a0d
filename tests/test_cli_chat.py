"""``gemini-stream chat`` driven in a pseudo-terminal, as a person types into it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

import gemini_stream as gs

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    """A child process on a pty: type into it and wait for what it prints."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.seen = b""

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def expect(self, pattern: str, timeout: float = 20) -> str:
        """Wait until ``pattern`` appears in the output (ANSI codes removed); what came after
        the match stays for the next ``expect``."""
        deadline = time.monotonic() + timeout
        while True:
            text = _ANSI.sub(b"", self.seen).decode(errors="replace")
            match = re.search(pattern, text)
            if match:
                self.seen = text[match.end() :].encode()
                return text[: match.end()]
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern!r} did not appear; the screen shows:\n{text}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the child exited
                    raise AssertionError(f"{pattern!r} never appeared:\n{text}") from None

    def wait(self, timeout: float = 10) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):  # drain what it prints while exiting
                    os.read(self.fd, 65536)
        os.kill(self.pid, 9)
        raise AssertionError("the chat did not exit")


@pytest.fixture
def terminal() -> Terminal:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["TERM"] = "xterm-256color"
    return Terminal([sys.executable, "-m", "gemini_stream", "chat"], env)


def test_chat_streams_stops_on_ctrl_c_and_saves(terminal: Terminal, tmp_path: Path) -> None:
    terminal.expect("you> ")
    terminal.type("I have two dogs in my house.\r")
    terminal.expect(r"I saw 1 user turn and 0 model turns")
    terminal.expect("you> ")

    terminal.type("Tell me a very long story emulator:words=3000\r")
    terminal.expect(r"I saw 2 user turns and 1 model turn")
    terminal.type("\x03")  # Ctrl-C in the middle of the reply
    terminal.expect(r"reply stopped; it was not added to the history")
    terminal.expect("you> ")

    terminal.type("/usage\r")
    terminal.expect(r"history: 2 turns")
    saved = tmp_path / "chat.json"
    terminal.type(f"/save {saved}\r")
    terminal.expect(r"saved 2 turns")
    terminal.type("How many paws are in my house?\r")
    terminal.expect(r"I saw 2 user turns and 1 model turn.*first user message was \"I have two")
    terminal.type("/quit\r")
    assert terminal.wait() == 0

    chat = gs.Chat.loads(gs.Client(base_url="http://127.0.0.1:9"), saved.read_bytes())
    assert [turn.role for turn in chat.history] == ["user", "model"]


def test_ctrl_d_at_the_prompt_leaves(terminal: Terminal) -> None:
    terminal.expect("you> ")
    terminal.type("\x04")
    assert terminal.wait() == 0
