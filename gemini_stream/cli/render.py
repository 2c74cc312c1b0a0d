"""Terminal output for the CLI: live Markdown on a terminal (with rich), plain text in a pipe."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

_DIM, _RESET = "\x1b[2m", "\x1b[0m"
# Re-rendering the whole Markdown on every delta is quadratic; a few frames a second suffice.
_FRAME_SECONDS = 0.05


class Renderer:
    """Writes a streamed reply as it arrives.

    On a terminal, when the optional ``rich`` package is installed, the reply is rendered as
    live Markdown; otherwise (a pipe, a file, or no rich) the text is written as it comes, so
    ``gemini-stream ask ... | other-tool`` gets exactly the model's text. Thought summaries
    flow as one dimmed paragraph above the answer (rendered as Markdown with rich), or go to
    stderr when stdout is not a terminal. Markdown is always rendered from the whole text so
    far, never chunk by chunk, so a ``**bold**`` split across two chunks stays bold.
    """

    def __init__(self, out: TextIO, *, markdown: bool = True) -> None:
        self._out = out
        self._tty = out.isatty()
        self._text: list[str] = []
        self._thoughts: list[str] = []
        self._thinking = False  # plain output: a thought paragraph is open and needs its end
        self._live: Any = None
        self._drawn_at = 0.0
        if self._tty and markdown:
            try:
                from rich.console import Console
                from rich.live import Live
            except ImportError:  # the "cli" extra is not installed: plain text it is
                return
            self._live = Live(console=Console(file=out), auto_refresh=False)

    def __enter__(self) -> Renderer:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._draw()
            self._live.__exit__(exc_type, exc, tb)
        else:
            self._end_thoughts()
            if self._text and not self._text[-1].endswith("\n"):
                self._out.write("\n")
                self._out.flush()

    async def __aenter__(self) -> Renderer:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    def text(self, delta: str) -> None:
        """Show the next piece of the reply."""
        if not delta:
            return
        self._text.append(delta)
        if self._live is not None:
            if time.monotonic() - self._drawn_at >= _FRAME_SECONDS:
                self._draw()
        else:
            self._end_thoughts()
            self._out.write(delta)
            self._out.flush()

    def thought(self, summary: str) -> None:
        """Show the next piece of the thought summaries, dimmed, apart from the answer."""
        if not summary:
            return
        self._thoughts.append(summary)
        if self._live is not None:
            if time.monotonic() - self._drawn_at >= _FRAME_SECONDS:
                self._draw()
            return
        self._thinking = True
        out = self._out if self._tty else sys.stderr
        out.write(f"{_DIM}{summary}{_RESET}" if self._tty else summary)
        out.flush()

    def _end_thoughts(self) -> None:
        """Close the thought paragraph (plain output) before the answer or the end."""
        if not self._thinking:
            return
        self._thinking = False
        out = self._out if self._tty else sys.stderr
        out.write("\n\n" if self._tty else "\n")
        out.flush()

    def _draw(self) -> None:
        from rich.console import Group
        from rich.markdown import Markdown

        answer = Markdown("".join(self._text))
        if self._thoughts:
            thoughts = Markdown("".join(self._thoughts), style="dim")
            self._live.update(Group(thoughts, answer), refresh=True)
        else:
            self._live.update(answer, refresh=True)
        self._drawn_at = time.monotonic()
