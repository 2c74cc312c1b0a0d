"""Interactions benchmark: parse against a floor, end to end beside google-genai, and resumption.

The streams are the emulator's own: at start the benchmark runs the emulator CLI in another
process (``python -m gemini_stream.emulator``) and fetches three streams from it, the raw bytes
of ``POST /v1beta/interactions`` with ``"stream": true``:

* ``text``: a model's long answer, ``step.start`` then many ``text`` deltas;
* ``thoughts``: an agent with ``thinking_summaries: "auto"`` (``thought_summary`` deltas and a
  ``thought_signature``, then the answer);
* ``function call``: a ``thought`` step and a ``function_call`` whose arguments come in
  ``arguments_delta`` pieces.

1. Parse, in memory, on the same reads (one event per read, and 1-3 KB reads), interleaved,
   medians of several rounds: ``floor`` (``bytearray`` + ``find(LF LF)`` + one msgspec decode
   of the event union per event, nothing else) against ``ours`` (what an ``InteractionStream``
   runs per read: the frame, the decode, the resumption bookkeeping, the fold's queue, and the
   ``Interaction`` built at the end), also shown with ``__anext__`` once per event (what
   ``async for`` adds). Goal: ours / floor at most 1.3x. The other rows split ours up: the
   bare regular-expression framing that ``EventReader`` uses, ``EventReader`` alone, then with
   the fold; ``json.loads`` into dicts is there for scale.
2. End to end on loopback: N concurrent streams of the ``text`` request, unpaced and paced,
   client CPU per event (``time.process_time()`` of this process; the emulator runs in its
   own), ``floor`` (aiohttp + the floor's parse), ``ours`` (``client.interactions.stream``)
   and ``google-genai`` (``client.aio.interactions.create(..., stream=True)``) when it is
   installed. Goal: google-genai / ours at least 10x.
3. Resumption: one stream cut once (the connection dropped, or the body ended without
   ``[DONE]``) at every event index, against an in-process emulator whose records count the
   requests each stream cost and the events the server wrote. Goal: one extra request.

Run ``python benchmarks/bench_interactions.py`` (``--quick`` for a smoke run, ``--loop
asyncio|uvloop`` for one loop only, ``--rounds N``). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from benchmarks._e2e_support import emulator, loops, run_in_loop
from benchmarks._ix_contenders import (
    E2E_CONTENDERS,
    MODEL,
    IxContender,
    e2e_available,
    floor_parse,
    frames_parse,
    json_parse,
    ours_iterated,
    ours_parse,
    reader_fold_parse,
    regex_parse,
)
from benchmarks.corpus import split_reads

__all__ = ("FULL", "QUICK", "Sizes", "corpus", "main", "resumption", "run")

AGENT = "deep-research-preview-04-2026"
ARGUMENT_DELTAS_PER_FIELD = 1.4  # the built-in model's arguments_delta events per form field
PARSE_GOAL = 1.3
E2E_GOAL = 10.0
WORDS_PER_EVENT = 3.7  # the built-in model's text: about 8 tokens, 3.7 words per delta


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    text_events: int = 200  # about, in each parse corpus (and each end-to-end stream)
    parse_rounds: int = 15
    parse_repeat: int = 50  # runs of a contender on a case per round, timed together
    streams: int = 100  # unpaced, concurrent
    paced_streams: int = 20
    paced_events: int = 100
    delay: float = 0.005  # seconds between events of a paced stream
    rounds: int = 5
    peer_rounds: int = 3  # google-genai joins the first rounds only (it is slow)
    resume_events: int = 25  # about, in the stream cut at every index


FULL = Sizes()
QUICK = Sizes(
    text_events=30,
    parse_rounds=1,
    parse_repeat=1,
    streams=4,
    paced_streams=2,
    paced_events=10,
    delay=0.002,
    rounds=1,
    peer_rounds=1,
    resume_events=8,
)


def _words(events: int) -> int:
    return max(1, round(events * WORDS_PER_EVENT))


def text_request(events: int) -> dict[str, Any]:
    """The ``text`` request: a model's answer of about ``events`` events."""
    return {"model": MODEL, "input": f"Tell me about TPUs emulator:words={_words(events)}"}


def _form(fields: int) -> dict[str, Any]:
    properties = {
        f"field_{i}": {"type": "string", "description": f"field number {i}"} for i in range(fields)
    }
    return {"type": "object", "properties": properties}


def requests(sizes: Sizes) -> dict[str, dict[str, Any]]:
    """The create request of each corpus (without ``stream``): each stream has about
    ``sizes.text_events`` events, so that what every stream costs once (see
    :func:`lifecycle`) is spread as it is over a real answer's events."""
    fields = max(1, round(sizes.text_events / ARGUMENT_DELTAS_PER_FIELD))
    return {
        "text": text_request(sizes.text_events),
        "thoughts": {
            "agent": AGENT,
            "input": f"Research TPUs emulator:words={_words(sizes.text_events)}",
            "background": True,
            "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
        },
        "function call": {
            "model": MODEL,
            "input": "Please call fill_form for me.",
            "tools": [
                {
                    "type": "function",
                    "name": "fill_form",
                    "description": "Fill in the form.",
                    "parameters": _form(fields),
                }
            ],
        },
    }


async def _fetch(url: str, bodies: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    out = {}
    async with aiohttp.ClientSession() as session:
        for name, body in bodies.items():
            async with session.post(
                url + "/v1beta/interactions",
                json={**body, "stream": True},
                headers={"x-goog-api-key": "bench"},
            ) as resp:
                data = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"{name}: the emulator answered {resp.status}: {data!r}")
            out[name] = data
    return out


def corpus(url: str, sizes: Sizes) -> dict[str, bytes]:
    """The raw SSE bytes of each corpus's stream, fetched from the emulator at ``url``."""
    return asyncio.run(_fetch(url, requests(sizes)))


def event_count(data: bytes) -> int:
    """The events of a stream (its ``[DONE]`` terminator not counted)."""
    return data.count(b"\n\n") - data.count(b"data: [DONE]\n\n")


def _event_reads(data: bytes) -> list[bytes]:
    parts = data.split(b"\n\n")
    reads = [part + b"\n\n" for part in parts[:-1]]
    return reads + ([parts[-1]] if parts[-1] else [])


# -- 1. parse -------------------------------------------------------------------------------------

PARSERS: dict[str, Callable[[list[bytes]], int]] = {
    "floor (find + msgspec union)": floor_parse,
    "ours (frame + decode + fold)": ours_parse,
    "ours + __anext__ per event": ours_iterated,
    "EventReader alone (frame + decode)": frames_parse,
    "EventReader + Fold (no stream bookkeeping)": reader_fold_parse,
    "regex split + decode (EventReader's framing, bare)": regex_parse,
    "json.loads into dicts": json_parse,
}


def lifecycle(data: bytes) -> bytes:
    """The stream without its ``step.delta`` events: what every stream has once (created,
    status, the steps' starts and stops, completed, ``[DONE]``)."""
    return b"".join(r for r in _event_reads(data) if not r.startswith(b"event: step.delta\n"))


def parse(streams: dict[str, bytes], sizes: Sizes) -> dict[str, Any]:
    """Median µs per event of each parser on each case; the table; the counts. Also
    ``once``: µs per stream of the floor and ours on the text stream's :func:`lifecycle`."""
    cases: dict[str, list[bytes]] = {}
    events: dict[str, int] = {}
    for name, data in streams.items():
        for mode in ("event", "random"):
            case = f"{name}/{mode}"
            cases[case] = _event_reads(data) if mode == "event" else split_reads(data, mode)
            events[case] = event_count(data)
    names = list(PARSERS)
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = {}
    bare = _event_reads(lifecycle(streams["text"]))
    once: dict[str, list[float]] = defaultdict(list)
    for name in names[:2]:
        PARSERS[name](bare)  # warm: first calls import and fill caches
    for round_ in range(sizes.parse_rounds):
        for name in names[:2]:  # the floor and ours
            gc.collect()
            start = time.perf_counter()
            for _ in range(sizes.parse_repeat):
                PARSERS[name](bare)
            once[name].append((time.perf_counter() - start) * 1e6 / sizes.parse_repeat)
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for case, reads in cases.items():
            for name in order:
                run_ = PARSERS[name]
                gc.collect()
                start = time.perf_counter()
                for _ in range(sizes.parse_repeat):
                    counts[name, case] = run_(reads)
                took = time.perf_counter() - start
                samples[name, case].append(took * 1e6 / sizes.parse_repeat / events[case])
    us = {key: statistics.median(values) for key, values in samples.items()}
    floor, ours = names[0], names[1]
    lines = [
        "| µs per event | " + " | ".join(cases) + " |",
        "|---|" + "---:|" * len(cases),
        "| events | " + " | ".join(str(events[c]) for c in cases) + " |",
    ]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{us[name, c]:.2f}" for c in cases) + " |")
    ratios = {c: us[ours, c] / us[floor, c] for c in cases}
    lines.append(
        "| **ours / floor** | " + " | ".join(f"**{ratios[c]:.2f}x**" for c in cases) + " |"
    )
    iterated = names[2]
    lines.append(
        "| ours + __anext__ / floor | "
        + " | ".join(f"{us[iterated, c] / us[floor, c]:.2f}x" for c in cases)
        + " |"
    )
    lines.append(
        f"| goal ≤ {PARSE_GOAL}x met | "
        + " | ".join("yes" if ratios[c] <= PARSE_GOAL else "NO" for c in cases)
        + " |"
    )
    floor_once, ours_once = (statistics.median(once[name]) for name in names[:2])
    lines.append(
        f"\nOnce per stream: the text stream without its deltas ({len(bare) - 1} events) "
        f"takes the floor {floor_once:.1f} µs and ours {ours_once:.1f} µs (the stream and "
        f"its `Interaction` built): {ours_once - floor_once:.1f} µs more per stream."
    )
    problems = [
        f"parse: {name} read {counts[name, c]} events of {events[c]} in {c}"
        for (name, c) in counts
        if counts[name, c] != events[c]
    ]
    return {"us": us, "ratios": ratios, "counts": counts, "events": events,
            "once": {"floor": floor_once, "ours": ours_once},
            "table": "\n".join(lines), "problems": problems}  # fmt: skip


# -- 2. end to end --------------------------------------------------------------------------------


async def _concurrent(contender: IxContender, streams: int) -> tuple[float, list[int]]:
    start = time.process_time()
    counts = await asyncio.gather(*(contender.stream() for _ in range(streams)))
    return time.process_time() - start, counts


async def _e2e(
    names: list[str], url: str, paced_url: str, sizes: Sizes, expected: dict[str, int]
) -> tuple[dict[str, dict[str, float]], list[str]]:
    body = text_request(sizes.text_events)
    paced_body = text_request(sizes.paced_events)
    unpaced = {n: E2E_CONTENDERS[n](url, body) for n in names}
    paced = {n: E2E_CONTENDERS[n](paced_url, paced_body) for n in names}
    samples: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in names}
    problems: list[str] = []

    async def measure(key: str, contender: IxContender, streams: int) -> None:
        gc.collect()  # one contender's garbage is not collected on another's clock
        cpu, counts = await _concurrent(contender, streams)
        samples[contender.name][key].append(cpu * 1e6 / max(sum(counts), 1))
        wrong = [c for c in counts if c != expected[key]]
        if wrong:
            problems.append(
                f"{contender.name}, {key}: streams of {wrong} events, not {expected[key]}"
            )

    try:
        for n in names:  # warm up: pools hold their connections, imports are done
            await _concurrent(unpaced[n], min(sizes.streams, 10))
            await _concurrent(paced[n], min(sizes.paced_streams, 4))
        for round_ in range(sizes.rounds):
            order = [n for n in names if n != "google-genai" or round_ < sizes.peer_rounds]
            order = order[round_ % len(order) :] + order[: round_ % len(order)]
            for n in order:
                await measure("unpaced", unpaced[n], sizes.streams)
            for n in order:
                await measure("paced", paced[n], sizes.paced_streams)
            _progress(f"end to end: round {round_ + 1}/{sizes.rounds} done")
    finally:
        for group in (unpaced, paced):
            for contender in group.values():
                await contender.aclose()
    figures = {n: {k: statistics.median(v) for k, v in s.items()} for n, s in samples.items()}
    return figures, problems


def _e2e_table(
    figures: dict[str, dict[str, float]], names: list[str], sizes: Sizes, expected: dict[str, int]
) -> str:
    genai = "google-genai" in names
    head = ["client CPU µs per event", *names, "ours / floor"]
    if genai:
        head += ["google-genai / ours", f"goal ≥ {E2E_GOAL:g}x met"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    rows = (
        ("unpaced", f"{sizes.streams} streams of {expected['unpaced']} events, unpaced"),
        ("paced", f"{sizes.paced_streams} streams of {expected['paced']} events, paced "
                  f"{sizes.delay * 1e3:g} ms"),
    )  # fmt: skip
    for key, label in rows:
        ours, floor = figures["ours"][key], figures["floor"][key]
        row = [label, *(f"{figures[n][key]:.1f}" for n in names), f"{ours / floor:.2f}x"]
        if genai:
            ratio = figures["google-genai"][key] / ours
            row += [f"**{ratio:.1f}x**", "yes" if ratio >= E2E_GOAL else "NO"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# -- 3. resumption --------------------------------------------------------------------------------


async def _resumption(events: int) -> dict[str, Any]:
    import gemini_stream as gs
    from gemini_stream.emulator import Emulator, Fault

    body = text_request(events)
    gs.set_testing(True)  # the resume's backoff is not waited for: this counts, not times
    try:
        return await _cut_everywhere(gs, Emulator, Fault, body)
    finally:
        gs.set_testing(False)


async def _cut_everywhere(
    gs: Any, Emulator: Any, Fault: Any, body: dict[str, Any]
) -> dict[str, Any]:
    async with Emulator() as emu, gs.Client(base_url=emu.url, api_key="bench") as client:

        async def collect() -> list[tuple[str, str | None]]:
            stream = client.interactions.stream(**body)
            return [(e.event_type, e.event_id) async for e in stream]

        whole = await asyncio.wait_for(collect(), 30)
        n = len(whole)
        runs = 0
        requests: list[int] = []
        written: list[int] = []
        mismatched: list[str] = []
        for fault in ("disconnect_after", "close_after"):
            for cut in range(1, n):
                emu.script(Fault(**{fault: cut}))
                before = len(emu.records)
                got = await asyncio.wait_for(collect(), 30)
                records = emu.records[before:]
                runs += 1
                requests.append(len(records))
                written.append(sum(r.events_written for r in records))
                if [kind for kind, _ in got] != [kind for kind, _ in whole] or len(
                    {i for _, i in got}
                ) != n:
                    mismatched.append(f"{fault}={cut}")
    return {
        "events": n,
        "runs": runs,
        "requests": requests,
        "max_requests": max(requests),
        "events_written_max": max(written),
        "mismatched": mismatched,
    }


def resumption(sizes: Sizes) -> dict[str, Any]:
    """Cut one stream once at every event index, both ways; count requests and events."""
    result = run_in_loop("asyncio", lambda: _resumption(sizes.resume_events))
    n = result["events"]
    result["line"] = (
        f"A stream of {n} events cut once at each event index (dropped, or ended without "
        f"[DONE]; {result['runs']} streams): at most {result['max_requests']} requests per "
        f"stream (the create and one resume: {result['max_requests'] - 1} extra), at most "
        f"{result['events_written_max']} events written by the server for {n} delivered "
        f"(none repeated), the same events as the uncut stream in "
        f"{result['runs'] - len(result['mismatched'])} of {result['runs']}."
    )
    problems = [f"resumption: not the uncut stream's events at {m}" for m in result["mismatched"]]
    if result["max_requests"] > 2:
        problems.append(f"resumption: {result['max_requests']} requests for one cut")
    result["problems"] = problems
    return result


# -- the run --------------------------------------------------------------------------------------


def run(
    sizes: Sizes = FULL, loop_names: list[str] | None = None, names: list[str] | None = None
) -> dict[str, Any]:
    """Measure everything. Returns ``parse`` (see :func:`parse`), ``streams`` (the corpora),
    ``e2e[loop]`` (figures), ``tables`` (``parse``, ``e2e/<loop>``), ``resumption`` and
    ``problems`` (every correctness failure, as text; empty when all is well)."""
    loop_names = loop_names or loops()
    names = names or e2e_available()
    problems: list[str] = []
    e2e: dict[str, dict[str, dict[str, float]]] = {}
    tables: dict[str, str] = {}
    with (
        emulator() as url,
        emulator("--chunk-delay", str(sizes.delay)) as paced_url,
    ):
        _progress("fetching the corpora from the emulator")
        streams = corpus(url, sizes)
        _progress(f"parse: {sizes.parse_rounds} rounds")
        parsed = parse(streams, sizes)
        tables["parse"] = parsed["table"]
        problems += parsed["problems"]
        expected = {
            "unpaced": event_count(streams["text"]),
            "paced": event_count(
                asyncio.run(_fetch(url, {"p": text_request(sizes.paced_events)}))["p"]
            ),
        }
        for loop in loop_names:
            _progress(f"end to end on {loop}: {sizes.rounds} rounds")
            figures, wrong = run_in_loop(loop, lambda: _e2e(names, url, paced_url, sizes, expected))
            e2e[loop] = figures
            tables[f"e2e/{loop}"] = _e2e_table(figures, names, sizes, expected)
            problems += [f"{loop}: {w}" for w in wrong]
    _progress("resumption")
    resumed = resumption(sizes)
    problems += resumed["problems"]
    return {
        "parse": parsed,
        "streams": streams,
        "e2e": e2e,
        "tables": tables,
        "resumption": resumed,
        "problems": problems,
    }


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Interactions benchmark (loopback).")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), help="one event loop only")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = replace(sizes, rounds=args.rounds, parse_rounds=args.rounds)
    if args.loop and args.loop not in loops():
        print(f"{args.loop} is not installed", file=sys.stderr)
        return 2
    names = e2e_available()
    if "google-genai" not in names:
        print("google-genai not installed: its contender is skipped")
    started = time.perf_counter()
    results = run(sizes, [args.loop] if args.loop else loops(), names)
    print(f"\n### Parse (in memory, medians of {sizes.parse_rounds} rounds)\n")
    print(results["tables"]["parse"])
    for key, table in results["tables"].items():
        if key.startswith("e2e/"):
            print(f"\n### End to end, {key[4:]} (medians of {sizes.rounds} rounds)\n")
            print(table)
    print(f"\n### Resumption\n\n{results['resumption']['line']}\n")
    for problem in results["problems"]:
        print(f"FAILED: {problem}")
    print(
        f"Every stream checked: {'NO' if results['problems'] else 'all complete'}."
        f" {time.perf_counter() - started:.0f} s."
    )
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
