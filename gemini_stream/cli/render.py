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
    ``gemini-stream ask ... | other-tool`` gets exactly the model's text. Thought summaries go
    dimmed to the terminal, or to stderr when stdout is not one.
    """

    def __init__(self, out: TextIO, *, markdown: bool = True) -> None:
        self._out = out
        self._tty = out.isatty()
        self._text: list[str] = []
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
        elif self._text and not self._text[-1].endswith("\n"):
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
            self._out.write(delta)
            self._out.flush()

    def thought(self, summary: str) -> None:
        """Show a thought summary, apart from the answer."""
        if self._live is not None:
            self._live.console.print(summary, style="dim")
        elif self._tty:
            self._out.write(f"{_DIM}{summary}{_RESET}\n")
            self._out.flush()
        else:
            sys.stderr.write(summary + "\n")

    def _draw(self) -> None:
        from rich.markdown import Markdown

        self._live.update(Markdown("".join(self._text)), refresh=True)
        self._drawn_at = time.monotonic()
