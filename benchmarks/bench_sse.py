"""SSE reader benchmark: framing cost of our decoders against a bare floor, side by side.

Contenders, all behind the same ``feed(chunk) -> list`` harness:

* ``floor``: a bytearray buffer + ``find(b"\\r\\n\\r\\n")`` + slicing, no spec handling at all;
* ``floor zero-copy``: the same, but handing out ``memoryview`` slices of the received bytes
  when no tail is pending (measured to choose between the two buffer strategies);
* ``DataDecoder``: our data-only fast path (payload bytes for msgspec);
* ``SSEDecoder``: our general WHATWG path (``ServerSentEvent`` with ``str`` data);
* ``naive lines``: split on LF + strip + ``data:`` prefix check, for context.

Corpora come from ``benchmarks/corpus.py`` (chat, long, tiny) read as one event per read,
random 1-3 KB reads, and 1-byte reads (on a ~150 KB prefix). Each figure is the median of
interleaved rounds in one process; on noisy machines only the ratios to the floor mean much.
Run ``python benchmarks/bench_sse.py`` (``--quick`` for a small smoke run).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for ``benchmarks.corpus``.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import CORPORA, make_stream, split_reads
from gemini_stream.sse import DataDecoder, SSEDecoder

_SEP = b"\r\n\r\n"


class Feeder(Protocol):
    def feed(self, chunk: bytes) -> Sequence[object]: ...


class Floor:
    """The least any reader can do: append, find the separator in new bytes, slice payloads."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.scan = 0

    def feed(self, chunk: bytes) -> list[bytearray]:
        buf = self.buf
        buf += chunk
        i = buf.find(_SEP, self.scan)
        if i < 0:
            self.scan = max(0, len(buf) - 3)
            return []
        out = []
        start = 0
        while i >= 0:
            out.append(buf[start + 6 : i])
            start = i + 4
            i = buf.find(_SEP, start)
        del buf[:start]
        self.scan = max(0, len(buf) - 3)
        return out


class FloorZeroCopy:
    """The floor with memoryview slices of the received bytes instead of a bytearray buffer."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, chunk: bytes) -> list[memoryview]:
        data = self.tail + chunk if self.tail else chunk
        i = data.find(_SEP, max(0, len(self.tail) - 3))
        if i < 0:
            self.tail = data
            return []
        view = memoryview(data)
        out = []
        start = 0
        while i >= 0:
            out.append(view[start + 6 : i])
            start = i + 4
            i = data.find(_SEP, start)
        self.tail = data[start:]
        return out


class NaiveLines:
    """A readline-style client: split on LF, strip, keep ``data:`` lines."""

    def __init__(self) -> None:
        self.buf = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        lines = (self.buf + chunk).split(b"\n")
        self.buf = lines.pop()
        out = []
        for raw in lines:
            line = raw.strip()
            if line.startswith(b"data:"):
                out.append(line[5:].strip())
        return out


CONTENDERS: dict[str, Callable[[], Feeder]] = {
    "floor": Floor,
    "floor zero-copy": FloorZeroCopy,
    "DataDecoder": DataDecoder,
    "SSEDecoder": SSEDecoder,
    "naive lines": NaiveLines,
}
MODES = ("event", "random", "byte")


def count_events(factory: Callable[[], Feeder], reads: Sequence[bytes]) -> int:
    """Feed every read to a fresh decoder; return how many events came out."""
    feed = factory().feed
    n = 0
    for read in reads:
        n += len(feed(read))
    return n


def _prefix(data: bytes, size: int) -> bytes:
    """The whole events within roughly the first ``size`` bytes."""
    if len(data) <= size:
        return data
    return data[: data.index(_SEP, size) + len(_SEP)]


def _cases(quick: bool) -> dict[str, tuple[bytes, list[bytes]]]:
    if quick:
        corpora = {
            "chat": make_stream(20, 20, 400, seed=1),
            "long": make_stream(60, 20, 400, seed=2),
            "tiny": make_stream(60, 1, 5, seed=3),
        }
        byte_size = 3_000
    else:
        corpora = CORPORA
        byte_size = 150_000
    cases = {}
    for name, data in corpora.items():
        for mode in MODES:
            sample = _prefix(data, byte_size) if mode == "byte" else data
            cases[f"{name}/{mode}"] = (sample, split_reads(sample, mode))
    return cases


def run(*, quick: bool = False, rounds: int | None = None) -> dict[str, Any]:
    """Time every contender on every case; return counts, medians and the printed tables."""
    rounds = rounds or (2 if quick else 7)
    cases = _cases(quick)
    names = list(CONTENDERS)
    counts: dict[tuple[str, str], int] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    events: dict[str, int] = {}
    for case, (data, reads) in cases.items():
        events[case] = data.count(_SEP)
        # Repeat small cases so one sample lasts long enough to time.
        repeat = 1 if quick or case.endswith("/byte") else max(1, 20_000 // events[case])
        for name in names:
            counts[name, case] = count_events(CONTENDERS[name], reads)
            samples[name, case] = []
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                factory = CONTENDERS[name]
                gc.collect()
                t0 = time.perf_counter()
                for _ in range(repeat):
                    count_events(factory, reads)
                samples[name, case].append((time.perf_counter() - t0) / repeat)
    seconds = {key: statistics.median(values) for key, values in samples.items()}
    return {
        "counts": counts,
        "events": events,
        "seconds": seconds,
        "table": _table(cases, events, seconds, names),
        "summary": _summary(cases, events, seconds, names),
    }


def _table(
    cases: dict[str, tuple[bytes, list[bytes]]],
    events: dict[str, int],
    seconds: dict[tuple[str, str], float],
    names: list[str],
) -> str:
    rows = [
        "| case | contender | µs/event | events/s | MB/s | x floor |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for case, (data, _) in cases.items():
        floor = seconds["floor", case]
        for name in names:
            s = seconds[name, case]
            rows.append(
                f"| {case} | {name} | {s / events[case] * 1e6:.2f} | {events[case] / s:,.0f} "
                f"| {len(data) / s / 1e6:.0f} | {s / floor:.2f} |"
            )
    return "\n".join(rows)


def _summary(
    cases: dict[str, tuple[bytes, list[bytes]]],
    events: dict[str, int],
    seconds: dict[tuple[str, str], float],
    names: list[str],
) -> str:
    rows = [
        "| case (µs/event, x floor) | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for case in cases:
        floor = seconds["floor", case]
        cells = []
        for name in names:
            s = seconds[name, case]
            per_event = s / events[case] * 1e6
            cells.append(
                f"{per_event:.2f}" if name == "floor" else f"{per_event:.2f} ({s / floor:.2f}x)"
            )
        rows.append(f"| {case} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse arguments, run, print the tables; return the results for tests."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpora, two rounds")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per case")
    args = parser.parse_args(argv)
    results = run(quick=args.quick, rounds=args.rounds)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        "medians of interleaved rounds; ratios are what to compare.\n",
        flush=True,
    )
    print(results["summary"], end="\n\n")
    print(results["table"])
    return results


if __name__ == "__main__":
    main()
