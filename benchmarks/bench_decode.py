"""Typed decode benchmark: our parse path (SSE fast path + ``decode_chunk``) against the floor.

Contenders, run interleaved in one process on the same reads, medians of several rounds:

* ``floor``: bytearray + ``find(b"\\r\\n\\r\\n")`` framing + ``msgspec.json.Decoder(
  GenerateContentResponse)`` on each payload, the least a typed client can do;
* ``ours``: ``sse.DataDecoder.feed`` + ``_http.codec.decode_chunk``, what the stream loop runs;
* ``floor framing + decode_chunk``: separates the codec's share from the reader's;
* ``ours+fold``: the same plus ``_stream.accumulate.accumulate`` per chunk (its cost is reported
  separately as ``fold``);
* ``json.loads``: the floor's framing with ``json.loads`` into dicts instead of Structs.

A second, short table compares ``gc=False`` Structs (ours) with the same types built with the
default ``gc=True``; a third shows the fold's cost per chunk as the reply grows. Run ``python benchmarks/bench_decode.py`` (``--quick`` for a small check).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository root importable for ``benchmarks.corpus``.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
import msgspec.inspect as mi

from benchmarks.corpus import CORPORA, make_stream, payloads, split_reads
from gemini_stream import sse
from gemini_stream._http.codec import decode_chunk
from gemini_stream._stream.accumulate import accumulate
from gemini_stream.types import GenerateContentResponse, Part

Contender = Callable[[list[bytes]], int]

_SEP = b"\r\n\r\n"
_floor_decode = msgspec.json.Decoder(GenerateContentResponse).decode


def _frame(reads: list[bytes], decode: Callable[[Any], object]) -> int:
    """The floor's framing: append to a bytearray, find CRLF CRLF, decode, drop the consumed."""
    buf = bytearray()
    count = 0
    scanned = 0
    for chunk in reads:
        buf += chunk
        start = 0
        end = buf.find(_SEP, scanned)
        while end >= 0:
            decode(buf[start + 6 : end])  # skip "data: "
            count += 1
            start = end + 4
            end = buf.find(_SEP, start)
        if start:
            del buf[:start]
        scanned = max(len(buf) - 3, 0)
    return count


def floor(reads: list[bytes]) -> int:
    """bytearray + find + one typed msgspec decode per event."""
    return _frame(reads, _floor_decode)


def naive_json(reads: list[bytes]) -> int:
    """The same framing with ``json.loads`` into dicts."""
    return _frame(reads, json.loads)


def floor_codec(reads: list[bytes]) -> int:
    """The floor's framing with ``decode_chunk``: isolates the codec's cost from the reader's."""
    return _frame(reads, decode_chunk)


def ours(reads: list[bytes]) -> int:
    """The stream loop's parse path: the SSE reader's fast path and ``decode_chunk``."""
    decoder = sse.DataDecoder()
    count = 0
    for chunk in reads:
        for payload in decoder.feed(chunk):
            decode_chunk(payload)
            count += 1
    return count


def ours_fold(reads: list[bytes]) -> int:
    """``ours`` plus the fold of every chunk into the reply."""
    decoder = sse.DataDecoder()
    snapshot: GenerateContentResponse | None = None
    count = 0
    for chunk in reads:
        for payload in decoder.feed(chunk):
            snapshot = accumulate(snapshot, decode_chunk(payload))
            count += 1
    return count


def fold_only(chunks: list[GenerateContentResponse]) -> int:
    """``accumulate`` over already decoded chunks."""
    snapshot: GenerateContentResponse | None = None
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)
    return len(snapshot.text) if snapshot is not None else 0


def naive_concat(chunks: list[GenerateContentResponse]) -> int:
    """What a pure fold that re-joins the whole text per chunk costs (quadratic)."""
    part = Part(text="")
    for chunk in chunks:
        part = Part(text=(part.text or "") + chunk.text)
    return len(part.text or "")


def _fold_scaling(quick: bool, rounds: int) -> tuple[str, dict[str, int]]:
    """Fold cost per chunk as replies grow: ours stays flat, naive concatenation does not."""
    sizes = (20, 200) if quick else (200, 2_000, 20_000)
    streams = {
        n: [decode_chunk(p) for p in payloads(make_stream(n, 20, 400, seed=n))] for n in sizes
    }
    naive_limit = sizes[-2]  # the naive fold on the longest stream would take minutes
    samples: dict[tuple[str, int], list[float]] = {}
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for n, chunks in streams.items():
            for name, fold in (("accumulate", fold_only), ("naive concatenation", naive_concat)):
                if fold is naive_concat and n > naive_limit:
                    continue
                start = time.perf_counter()
                counts[f"{name}/{n}"] = fold(chunks)
                samples.setdefault((name, n), []).append(time.perf_counter() - start)
    lines = [
        "| fold µs per chunk | " + " | ".join(f"{n:,} chunks" for n in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in ("accumulate", "naive concatenation"):
        cells = [
            f"{statistics.median(samples[name, n]) / n * 1e6:.2f}" if (name, n) in samples else "—"
            for n in sizes
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines), counts


def _gc_mirror(cls: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """Rebuild ``cls`` and every Struct it holds with the default ``gc=True``."""
    made: dict[type, type[msgspec.Struct]] = {}

    def annotation(t: mi.Type) -> Any:
        if isinstance(t, mi.UnionType):
            members = tuple(annotation(m) for m in t.types)
            out = members[0]
            for member in members[1:]:
                out = out | member
            return out
        if isinstance(t, mi.StructType):
            return struct(t)
        if isinstance(t, mi.ListType):
            return list[annotation(t.item_type)]  # type: ignore[misc]
        if isinstance(t, mi.DictType):
            return dict[annotation(t.key_type), annotation(t.value_type)]  # type: ignore[misc]
        simple = {
            mi.NoneType: None,
            mi.StrType: str,
            mi.IntType: int,
            mi.FloatType: float,
            mi.BoolType: bool,
            mi.BytesType: bytes,
            mi.AnyType: Any,
        }
        return simple[type(t)]

    def struct(info: mi.StructType) -> type[msgspec.Struct]:
        if info.cls not in made:
            fields = [(f.name, annotation(f.type), None) for f in info.fields]
            made[info.cls] = msgspec.defstruct(
                info.cls.__name__,
                fields,
                rename="camel",
                omit_defaults=True,
                frozen=True,
                kw_only=True,
            )
        return made[info.cls]

    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return struct(info)


def _gc_contenders() -> dict[str, Contender]:
    tracked = msgspec.json.Decoder(_gc_mirror(GenerateContentResponse)).decode
    return {
        "gc=False (ours)": floor,
        "gc=True": lambda reads: _frame(reads, tracked),
    }


def _measure(
    contenders: dict[str, Contender],
    cases: dict[str, list[bytes]],
    rounds: int,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], int]]:
    """Median seconds per run of each contender on each case, interleaved round by round."""
    samples: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], int] = {}
    for _ in range(rounds):
        for case, reads in cases.items():
            for name, run in contenders.items():
                gc.collect()
                start = time.perf_counter()
                counts[name, case] = run(reads)
                samples.setdefault((name, case), []).append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in samples.items()}, counts


def _table(
    names: Sequence[str],
    cases: dict[str, list[bytes]],
    times: dict[tuple[str, str], float],
    events: dict[str, int],
    extra_rows: dict[str, dict[str, str]],
) -> str:
    header = "| µs per event | " + " | ".join(cases) + " |"
    lines = [header, "|---|" + "---:|" * len(cases)]
    for name in names:
        cells = [f"{times[name, case] / events[case] * 1e6:.2f}" for case in cases]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, row in extra_rows.items():
        lines.append(f"| {name} | " + " | ".join(row[case] for case in cases) + " |")
    return "\n".join(lines)


def _google_genai() -> Callable[[Any], object] | None:
    """The official SDK's per-event work on its stream path, when it is installed:
    ``json.loads``, its mldev converter, and pydantic ``_from_response`` (its line splitting
    is left out, which flatters it a little)."""
    try:
        from google.genai import models, types
    except ImportError:
        return None
    converter = models._GenerateContentResponse_from_mldev

    def parse(payload: Any) -> object:
        response = converter(json.loads(payload), None, None)
        return types.GenerateContentResponse._from_response(response=response, kwargs={})

    return parse


def _sdk_table(cases: dict[str, list[bytes]], events: dict[str, int], rounds: int) -> str:
    """``ours`` against google-genai's parse path on the chat corpus (it is ~40x slower)."""
    parse = _google_genai()
    if parse is None:
        return "google-genai not installed: skipped (pip install google-genai to compare)\n"
    sdk_cases = {c: cases[c] for c in ("chat/event", "chat/random")}
    contenders: dict[str, Contender] = {
        "ours (DataDecoder + decode_chunk)": ours,
        "google-genai (json.loads + converter + pydantic)": lambda reads: _frame(reads, parse),
    }
    times, _ = _measure(contenders, sdk_cases, rounds)
    ours_name, sdk_name = list(contenders)
    extra = {
        "**google-genai / ours**": {
            c: f"**{times[sdk_name, c] / times[ours_name, c]:.0f}x**" for c in sdk_cases
        }
    }
    return _table(list(contenders), sdk_cases, times, events, extra)


def run(quick: bool = False, rounds: int | None = None) -> dict[str, Any]:
    """Run the benchmark and return its figures (``counts`` lets a test check the work done).

    Args:
        quick: small generated corpora and few rounds, for a smoke test.
        rounds: override the number of interleaved rounds.

    Returns:
        ``{"table", "gc_table", "fold_table", "fold_counts", "times", "counts", "events"}``.
    """
    if quick:
        corpora = {
            "chat": make_stream(20, 20, 400),
            "long": make_stream(60, 20, 400, seed=1),
            "tiny": make_stream(60, 1, 5, seed=2),
        }
    else:
        corpora = dict(CORPORA)
    rounds = rounds or (2 if quick else 7)
    cases: dict[str, list[bytes]] = {}
    events: dict[str, int] = {}
    for name, data in corpora.items():
        for mode in ("event", "random"):
            case = f"{name}/{mode}"
            cases[case] = split_reads(data, mode)
            events[case] = len(payloads(data))
    contenders: dict[str, Contender] = {
        "floor (find + msgspec)": floor,
        "ours (DataDecoder + decode_chunk)": ours,
        "floor framing + decode_chunk": floor_codec,
        "ours + accumulate": ours_fold,
        "json.loads into dicts": naive_json,
    }
    times, counts = _measure(contenders, cases, rounds)
    floor_name, ours_name, codec_name, fold_name = list(contenders)[:4]
    extra = {
        "fold only (ours + accumulate - ours)": {
            c: f"{(times[fold_name, c] - times[ours_name, c]) / events[c] * 1e6:.2f}" for c in cases
        },
        "**ours / floor**": {
            c: f"**{times[ours_name, c] / times[floor_name, c]:.2f}x**" for c in cases
        },
        "decode_chunk / bare Decoder (same framing)": {
            c: f"{times[codec_name, c] / times[floor_name, c]:.2f}x" for c in cases
        },
    }
    table = _table(list(contenders), cases, times, events, extra)

    sdk_table = _sdk_table(cases, events, rounds)

    gc_cases = {c: cases[c] for c in ("chat/event", "long/event")}
    gc_contenders = _gc_contenders()
    gc_times, gc_counts = _measure(gc_contenders, gc_cases, rounds)
    first, second = gc_contenders
    gc_extra = {
        "gc=True / gc=False": {
            c: f"{gc_times[second, c] / gc_times[first, c]:.2f}x" for c in gc_cases
        }
    }
    gc_table = _table(list(gc_contenders), gc_cases, gc_times, events, gc_extra)
    counts.update(gc_counts)
    fold_table, fold_counts = _fold_scaling(quick, rounds)
    return {
        "table": table,
        "sdk_table": sdk_table,
        "gc_table": gc_table,
        "fold_table": fold_table,
        "fold_counts": fold_counts,
        "times": times,
        "counts": counts,
        "events": events,
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Command-line entry point: print both tables as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small corpora, two rounds")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds")
    args = parser.parse_args(argv)
    print(
        f"Python {sys.version.split()[0]}, msgspec {msgspec.__version__}; "
        "medians of interleaved rounds; corpora from benchmarks/corpus.py",
        flush=True,
    )
    results = run(quick=args.quick, rounds=args.rounds)
    print()
    print(results["table"])
    print()
    print(results["sdk_table"])
    print()
    print(results["gc_table"])
    print()
    print(results["fold_table"])
    return results


if __name__ == "__main__":
    main()
