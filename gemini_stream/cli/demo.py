"""``gemini-stream demo``: many concurrent chats from one client, live progress, a summary."""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any, TextIO

from .._client import Client
from .._fanout.progress import Progress

TOPICS = ("rivers", "lighthouses", "comets", "bees", "glaciers", "trains", "owls", "tides")


class _ProgressLine:
    """A one-line live display on a terminal (rich when installed); silent in a pipe."""

    def __init__(self, out: TextIO, total: int) -> None:
        self._out, self._total = out, total
        self._bar: Any = None
        self._task: Any = None
        if out.isatty():
            try:
                from rich.progress import Progress as RichProgress
            except ImportError:  # the cli extra is not installed: plain progress it is
                return
            self._bar = RichProgress(transient=True)
            self._task = self._bar.add_task("chats", total=total)

    def __enter__(self) -> _ProgressLine:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._out.isatty():
            self._out.write("\n")

    def update(self, progress: Progress) -> None:
        label = f"{progress.finished}/{self._total} chats, {progress.chunks} chunks"
        if self._bar is not None:
            self._bar.update(self._task, completed=progress.finished, description=label)
        elif self._out.isatty():
            self._out.write(f"\r{label}")
            self._out.flush()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run_demo(client: Client, model: str, chats: int, out: TextIO | None = None) -> int:
    """Fan ``chats`` chats out at once and print what it took; returns the exit status."""
    out = sys.stdout if out is None else out  # at call time: a test may have swapped it
    conversations = [client.chat(model) for _ in range(chats)]
    messages = [
        f"Tell me about {TOPICS[i % len(TOPICS)]}, chat {i}. emulator:words=60"
        for i in range(chats)
    ]
    opened: dict[int, float] = {}
    first_chunk: dict[int, float] = {}

    def opener(index: int) -> Any:
        def open_stream() -> Any:
            opened[index] = time.perf_counter()
            return conversations[index].stream(messages[index])

        return open_stream

    progress = Progress(total=chats)
    errors: list[str] = []
    started = time.perf_counter()
    with _ProgressLine(out, chats) as line:
        async with client.stream_many(
            [opener(i) for i in range(chats)], concurrency=chats, progress=progress
        ) as results:
            async for item in results:
                if item.kind == "chunk" and item.index not in first_chunk:
                    first_chunk[item.index] = time.perf_counter()
                elif item.kind == "error":
                    errors.append(f"chat {item.index}: {item.error}")
                line.update(progress)
    elapsed = time.perf_counter() - started
    waits = [(first_chunk[i] - opened[i]) * 1000 for i in first_chunk if i in opened]
    print(f"{progress.done} of {chats} chats answered in {elapsed:.2f} s", file=out)
    print(f"chunks: {progress.chunks} ({progress.chunks / elapsed:,.0f} per second)", file=out)
    if waits:
        print(
            "time to first chunk: "
            f"p50 {statistics.median(waits):.1f} ms, p90 {_percentile(waits, 0.9):.1f} ms, "
            f"p99 {_percentile(waits, 0.99):.1f} ms",
            file=out,
        )
    print(f"tokens: {progress.tokens:,}", file=out)
    for error in errors[:5]:
        print(f"error: {error}", file=out)
    return 1 if errors else 0
