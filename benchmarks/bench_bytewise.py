"""One-byte reads: the stream's reader plus decode, fed a reply one byte per read, in process.

A pathological server (or proxy) that writes a byte at a time makes every socket read carry
one byte; what a client then pays per read is its own framing and bookkeeping. Both
contenders get the chat corpus (``benchmarks/corpus.py``, its first ~150 KB of whole events)
as a list of one-byte ``bytes``:

* ``floor``: a ``bytearray``, ``find(CRLF CRLF)`` from where the last scan stopped, and one
  typed msgspec decode (``GenerateContentResponse``) per event;
* ``ours``: ``ChunkStream._on_data`` (what ``client.stream`` runs for each socket read:
  ``DataDecoder.feed``, the decode and checks of the events it completes, queueing them),
  on a stream of a real client that is never sent; the chunks queued are taken each read.

No socket: aiohttp's own cost per read (a dozen µs) is the same for every client and left
out. Interleaved rounds, CPU time (``process_time``), median; µs per event. Run
``python benchmarks/bench_bytewise.py`` (``--quick``: one round on a short corpus).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

import gemini_stream as gs
from benchmarks.corpus import CORPORA
from gemini_stream.types import GenerateContentResponse

__all__ = ("main", "run")

_GOAL = 1.5  # ours / floor at most
_SEP = b"\r\n\r\n"


def _reads(limit: int) -> tuple[list[bytes], int]:
    data = CORPORA["chat"][:limit]
    data = data[: data.rfind(_SEP) + 4]
    return [data[i : i + 1] for i in range(len(data))], data.count(_SEP)


def _floor(reads: list[bytes]) -> int:
    decode = msgspec.json.Decoder(GenerateContentResponse).decode
    buf = bytearray()
    scanned = count = 0
    for data in reads:
        buf += data
        start = 0
        end = buf.find(_SEP, scanned)
        while end >= 0:
            decode(buf[start + 6 : end])
            count += 1
            start = end + 4
            end = buf.find(_SEP, start)
        if start:
            del buf[:start]
        scanned = max(len(buf) - 3, 0)
    return count


def _ours(client: gs.Client) -> Callable[[list[bytes]], int]:
    def ours(reads: list[bytes]) -> int:
        stream = client.stream("gemini-2.5-flash", "never sent")
        on_data = stream._on_data
        count = 0
        for data in reads:
            on_data(data)
            pending = stream._pending
            if pending:
                count += len(pending)
                pending.clear()
        return count

    return ours


def run(rounds: int = 7, limit: int = 150_000) -> dict[str, Any]:
    """``figures[name]``: median CPU µs per event; ``ratio``: ours / floor."""
    reads, events = _reads(limit)
    client = gs.Client(api_key="bench", base_url="http://127.0.0.1:9")  # never connects
    contenders = {"floor": _floor, "ours": _ours(client)}
    for name, read_all in contenders.items():
        got = read_all(reads)
        assert got == events, f"{name} read {got} of {events} events"
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(rounds):
        order = list(contenders) if round_ % 2 == 0 else list(reversed(contenders))
        for name in order:
            gc.collect()
            started = time.process_time()
            contenders[name](reads)
            times[name].append((time.process_time() - started) / events * 1e6)
    figures = {name: statistics.median(ts) for name, ts in times.items()}
    return {
        "figures": figures,
        "ratio": figures["ours"] / figures["floor"],
        "events": events,
        "reads_per_event": len(reads) / events,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One-byte reads: reader + decode per event.")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one round, a short corpus")
    args = parser.parse_args(argv)
    result = run(1, 20_000) if args.quick else run(args.rounds)
    floor, ours = result["figures"]["floor"], result["figures"]["ours"]
    ratio = result["ratio"]
    print(
        f"one-byte reads, chat corpus ({result['events']} events, "
        f"{result['reads_per_event']:.0f} reads each), CPU µs per event: floor {floor:.1f}, "
        f"ours {ours:.1f}, {ratio:.2f}x" + ("" if ratio <= _GOAL else " (goal 1.5x)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
