"""Client instructions per request, counted by callgrind: a figure the machine's noise cannot move.

CPU time on the shared 2-core machine moves by 20-50% from run to run, sometimes more than the
difference being measured. Instruction counts repeat to within 0.5%, so this is what to use to
decide on a change to the hot path (and then confirm with the CPU-time benchmarks).

Each contender runs in a child process under ``valgrind --tool=callgrind``, against the
emulator (``--burst``: each reply in one write, so reads carry a whole reply) in a process
of its own, outside valgrind. It runs N concurrent 100-chunk requests once to warm up, then
R rounds more; the child runs once with R=1 and once with R=3, and the difference of the two
totals over 2N is the cost of one request, with start-up and warm-up cancelled out.

Contenders, those of ``bench_fanout.py``: ``floor`` (bare aiohttp, ``find`` framing, one
msgspec decode per event), ``tasks`` (one task per ``client.stream``, ``async for``),
``stream_many`` (counting the chunk items, as the floor counts chunks) and
``stream_many+merge`` (also reading each merged reply).

Run ``python benchmarks/bench_instructions.py`` (needs valgrind; about 5 minutes at 200
streams, ``--streams 50`` for a quicker look). Instructions are not seconds: Python bytecode
runs fewer instructions per cycle than msgspec's C, and ``rep movsb`` copies count per step.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._e2e_contenders import request_body
from benchmarks._e2e_support import ROOT, emulator, expected_chunks, run_in_loop, words_for
from benchmarks.bench_fanout import StreamMany, make_contenders

__all__ = ("CONTENDERS", "main", "run_child")

CONTENDERS = ("floor", "tasks", "stream_many", "stream_many+merge")
CHUNKS = 100


def run_child(name: str, url: str, streams: int, rounds: int) -> None:
    """Warm up, then run ``rounds`` rounds of ``bench_fanout``'s contender ``name``; check
    every chunk of every stream arrived, and the merged replies read."""
    prompt = f"bench instructions emulator:words={words_for(CHUNKS)}"
    expected = [expected_chunks(request_body(prompt))] * streams

    async def main() -> None:
        contender = make_contenders(url, [name])[name]
        try:
            for _ in range(1 + rounds):
                counts = await contender.run(prompt, streams)
                if counts != expected:
                    raise AssertionError(f"{name}: chunks {set(counts)}, expected {expected[0]}")
        finally:
            await contender.aclose()
        if isinstance(contender, StreamMany) and (contender.errors or not contender.replies):
            raise AssertionError(f"{name}: errors {contender.errors[:3]}")

    run_in_loop("asyncio", main)


def _total(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no instruction total in {path}")


def _count(name: str, url: str, streams: int, rounds: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{name}.{rounds}.out"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
               __file__, "--child", name, url, str(streams), str(rounds)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{name} failed under valgrind:\n{done.stderr[-3000:]}")
    return _total(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--streams", type=int, default=200, help="concurrent requests")
    parser.add_argument("--only", choices=CONTENDERS, action="append", help="these contenders")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, url, streams, rounds = args.child
        run_child(name, url, int(streams), int(rounds))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    names = args.only or list(CONTENDERS)
    per_request: dict[str, float] = {}
    with emulator("--burst") as url, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            one, three = (_count(name, url, args.streams, r, Path(tmp)) for r in (1, 3))
            per_request[name] = (three - one) / 2 / args.streams
            print(f"{name}: {per_request[name] / 1e6:.3f}M instructions per request",
                  file=sys.stderr, flush=True)  # fmt: skip
    floor = per_request.get("floor")
    print(f"\n{args.streams} concurrent streams of {CHUNKS} chunks, reads coalesced "
          "(emulator --burst), callgrind on the client process, per request:\n")  # fmt: skip
    print("| contender | instructions per request | x floor |\n|---|---:|---:|")
    for name, count in per_request.items():
        ratio = f"{count / floor:.2f}x" if floor else "-"
        print(f"| {name} | {count / 1e6:.2f}M | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
