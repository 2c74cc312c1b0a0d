"""Live API benchmark: the client's CPU per audio frame and the latency it adds, beside a bare
aiohttp WebSocket loop in the same run.

A small WebSocket server runs in another process (this file with ``--serve``; pinned to
another CPU when there are two), speaking the Live API's framing: ``setup`` ->
``setupComplete``, then, on a ``realtimeInput.text`` command, model audio frames as Google
sends them (binary frames, ``serverContent.modelTurn`` with 100 ms of 24 kHz PCM, base64),
each carrying the server's ``perf_counter_ns()`` at sending in ``outputTranscription``.

* **audio out** (server to client): ``bare`` is ``ws.receive()`` + ``msgspec.json.decode``
  into dicts + ``base64.b64decode`` of the audio; ``ours`` is ``async for message in
  session`` + ``message.audio`` (the reader task, one typed decode, the resumption
  bookkeeping, the bounded buffer). Client CPU per frame (``time.process_time()``), unpaced.
* **audio in** (client to server, 100 ms of 16 kHz PCM per frame): ``bare`` is
  ``ws.send_str(json.dumps(...))`` of the base64 audio; ``ours`` is ``session.send_audio``
  (the frame built by concatenation, kept in the replay log, sent under the session's lock).
* **latency**: frames paced by the server (``--gap`` ms apart), from its send to the user's
  loop; ``added`` is ours minus bare, at the median and at p99 (two distributions measured
  one after the other: on a busy machine, noise). The library's own hop is also timed in
  the same run: from the frame reaching the session's reader to the user's loop; that is
  what the latency goal is judged on.

Goal: ours / bare at most 1.3x CPU per frame, and under 1 ms added at p99. Rounds alternate
bare and ours; the figures are medians over rounds. Run ``python benchmarks/bench_live.py``
(``--quick`` for a smoke run). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import msgspec

__all__ = ("FULL", "QUICK", "Sizes", "main", "run", "server")

MODEL = "gemini-3.1-flash-live-preview"
CPU_GOAL = 1.3
LATENCY_GOAL_MS = 1.0
_OUT_PCM = bytes(range(256)) * 18 + bytes(192)  # 4 800 bytes: 100 ms at 24 kHz
_IN_PCM = bytes(range(256)) * 12 + bytes(128)  # 3 200 bytes: 100 ms at 16 kHz
_LISTENING = "live bench server on port "


@dataclass(frozen=True)
class Sizes:
    frames_out: int = 4000
    frames_in: int = 4000
    latency_frames: int = 2000
    gap_ms: float = 1.0
    rounds: int = 5


FULL = Sizes()
QUICK = Sizes(frames_out=200, frames_in=200, latency_frames=100, gap_ms=0.5, rounds=1)


# -- the server (its own process) ----------------------------------------------------------


def _audio_frame(stamp: int) -> bytes:
    data = base64.b64encode(_OUT_PCM)
    return (
        b'{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":'
        b'"audio/pcm;rate=24000","data":"'
        + data
        + b'"}}]},"outputTranscription":{"text":"'
        + str(stamp).encode()
        + b'"}}}'
    )


async def _handle(request: Any) -> Any:
    from aiohttp import web

    ws = web.WebSocketResponse(max_msg_size=0)
    await ws.prepare(request)
    await ws.receive()  # setup
    await ws.send_bytes(b'{"setupComplete":{}}')
    received = 0
    async for message in ws:
        body = json.loads(message.data)
        text = body.get("realtimeInput", {}).get("text")
        if text is None:
            received += 1
            continue
        command, *args = text.split()
        if command == "out":
            count, gap = int(args[0]), float(args[1]) / 1000
            for _ in range(count):
                if gap:
                    await asyncio.sleep(gap)
                await ws.send_bytes(_audio_frame(time.perf_counter_ns()))
            await ws.send_bytes(b'{"serverContent":{"turnComplete":true}}')
        elif command == "count":
            done = f'{{"serverContent":{{"outputTranscription":{{"text":"{received}"}},'
            await ws.send_bytes(done.encode() + b'"turnComplete":true}}')
            received = 0
    return ws


def server() -> None:
    """Serve the benchmark's WebSocket on a free port; print it; run until killed."""
    from aiohttp import web

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", _handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(f"{_LISTENING}{runner.addresses[0][1]}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


@contextmanager
def _server() -> Iterator[str]:
    from benchmarks._e2e_support import _pin_apart

    command = [sys.executable, str(Path(__file__).resolve()), "--serve"]
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
    ) as process:
        restore = _pin_apart(process.pid)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith(_LISTENING):
                raise RuntimeError(f"the bench server did not start: {line!r}")
            yield f"http://127.0.0.1:{line[len(_LISTENING) :].strip()}"
        finally:
            restore()
            process.terminate()
            process.wait(5)


# -- the contenders ------------------------------------------------------------------------


def _setup() -> bytes:
    return json.dumps({"setup": {"model": f"models/{MODEL}"}}).encode()


def _command(text: str) -> str:
    return json.dumps({"realtimeInput": {"text": text}})


class _Bare:
    """A hand-written aiohttp loop: what the library is measured against."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http", "ws", 1) + "/ws/bench"

    async def __aenter__(self) -> _Bare:
        self.http = aiohttp.ClientSession()
        self.ws = await self.http.ws_connect(self.url, max_msg_size=0)
        await self.ws.send_str(_setup().decode())
        await self.ws.receive()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()
        await self.http.close()

    async def out(self, count: int, gap: float, stamps: list[int] | None) -> int:
        await self.ws.send_str(_command(f"out {count} {gap}"))
        frames = 0
        decode, b64decode = msgspec.json.decode, base64.b64decode
        while True:
            message = await self.ws.receive()
            body = decode(message.data)
            content = body["serverContent"]
            if content.get("turnComplete"):
                return frames
            pcm = b64decode(content["modelTurn"]["parts"][0]["inlineData"]["data"])
            frames += len(pcm) > 0
            if stamps is not None:
                stamps.append(time.perf_counter_ns() - int(content["outputTranscription"]["text"]))

    async def send(self, count: int) -> None:
        b64encode, dumps, send = base64.b64encode, json.dumps, self.ws.send_str
        for _ in range(count):
            data = b64encode(_IN_PCM).decode()
            await send(
                dumps(
                    {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": data}}}
                )
            )

    async def count(self) -> int:
        await self.ws.send_str(_command("count"))
        body = json.loads((await self.ws.receive()).data)
        return int(body["serverContent"]["outputTranscription"]["text"])


class _Ours:
    """``client.live.connect``: the library's whole path.

    It also times the library's own hop: from the frame reaching the session's reader
    (``_on_frame``, the library's first touch, right after aiohttp hands the frame over,
    as it hands it to the bare loop) to the user's loop.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.reached: list[int] = []

    async def __aenter__(self) -> _Ours:
        import gemini_stream as gs

        self.client = gs.Client(base_url=self.url, api_key="bench")
        self.connection = self.client.live.connect(MODEL)
        self.session = await self.connection.__aenter__()
        on_frame, reached = self.session._on_frame, self.reached

        async def timed(data: Any) -> None:
            reached.append(time.perf_counter_ns())
            await on_frame(data)

        self.session._on_frame = timed  # type: ignore[method-assign]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.__aexit__(None, None, None)
        await self.client.aclose()

    async def out(self, count: int, gap: float, stamps: list[int] | None) -> int:
        await self.session.send_text(f"out {count} {gap}")
        frames = 0
        self.reached.clear()
        self.hops: list[int] = []
        async for message in self.session:
            if message.turn_complete:
                return frames
            frames += len(message.audio) > 0
            if stamps is not None:
                now = time.perf_counter_ns()
                stamps.append(now - int(message.output_transcription))
                self.hops.append(now - self.reached[frames - 1])
        raise RuntimeError("the session ended")

    async def send(self, count: int) -> None:
        send = self.session.send_audio
        for _ in range(count):
            await send(_IN_PCM)

    async def count(self) -> int:
        await self.session.send_text("count")
        async for message in self.session:
            if message.turn_complete:
                return int(message.output_transcription)
        raise RuntimeError("the session ended")


CONTENDERS = {"bare": _Bare, "ours": _Ours}


async def _round(url: str, sizes: Sizes, name: str, problems: list[str]) -> dict[str, Any]:
    async with CONTENDERS[name](url) as contender:
        await contender.out(20, 0, None)  # warm up
        start = time.process_time()
        got = await contender.out(sizes.frames_out, 0, None)
        out_cpu = (time.process_time() - start) / sizes.frames_out
        if got != sizes.frames_out:
            problems.append(f"{name}: {got} of {sizes.frames_out} audio frames out")
        start = time.process_time()
        await contender.send(sizes.frames_in)
        in_cpu = (time.process_time() - start) / sizes.frames_in
        got = await contender.count()
        if got != sizes.frames_in:
            problems.append(f"{name}: the server got {got} of {sizes.frames_in} frames in")
        stamps: list[int] = []
        await contender.out(sizes.latency_frames, sizes.gap_ms, stamps)
        hops = sorted(getattr(contender, "hops", [0]))
    stamps.sort()
    return {
        "out_us": out_cpu * 1e6,
        "in_us": in_cpu * 1e6,
        "p50_ms": _at(stamps, 0.5) / 1e6,
        "p99_ms": _at(stamps, 0.99) / 1e6,
        "hop_p50_ms": _at(hops, 0.5) / 1e6,
        "hop_p99_ms": _at(hops, 0.99) / 1e6,
    }


def _at(ordered: list[int], quantile: float) -> int:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * quantile) - 1))]


def run(sizes: Sizes) -> dict[str, Any]:
    """Alternate bare and ours for ``sizes.rounds`` rounds; return every round's figures."""
    problems: list[str] = []
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS}
    with _server() as url:
        for _ in range(sizes.rounds):
            for name in CONTENDERS:
                rounds[name].append(asyncio.run(_round(url, sizes, name, problems)))
    return {"rounds": rounds, "problems": problems}


def summary(results: dict[str, Any]) -> dict[str, float]:
    """Medians over rounds, and ours against bare."""
    med = {
        name: {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        for name, rounds in results["rounds"].items()
    }
    bare, ours = med["bare"], med["ours"]
    return {
        "bare_out_us": bare["out_us"],
        "ours_out_us": ours["out_us"],
        "out_ratio": ours["out_us"] / bare["out_us"],
        "bare_in_us": bare["in_us"],
        "ours_in_us": ours["in_us"],
        "in_ratio": ours["in_us"] / bare["in_us"],
        "bare_p50_ms": bare["p50_ms"],
        "ours_p50_ms": ours["p50_ms"],
        "bare_p99_ms": bare["p99_ms"],
        "ours_p99_ms": ours["p99_ms"],
        "added_p50_ms": ours["p50_ms"] - bare["p50_ms"],
        "added_p99_ms": ours["p99_ms"] - bare["p99_ms"],
        "hop_p50_ms": ours["hop_p50_ms"],
        "hop_p99_ms": ours["hop_p99_ms"],
    }


def report(results: dict[str, Any], sizes: Sizes) -> str:
    s = summary(results)
    cpu_ok = max(s["out_ratio"], s["in_ratio"]) <= CPU_GOAL
    late_ok = s["hop_p99_ms"] < LATENCY_GOAL_MS
    lines = [
        f"Live API, {sizes.rounds} rounds of {sizes.frames_out} frames out, {sizes.frames_in} "
        f"in, {sizes.latency_frames} paced {sizes.gap_ms} ms apart (medians over rounds)",
        "",
        "| per frame | bare aiohttp | ours | ours / bare |",
        "|---|---|---|---|",
        f"| client CPU, audio out (24 kHz, 100 ms) | {s['bare_out_us']:.1f} µs "
        f"| {s['ours_out_us']:.1f} µs | {s['out_ratio']:.2f}x |",
        f"| client CPU, audio in (16 kHz, 100 ms) | {s['bare_in_us']:.1f} µs "
        f"| {s['ours_in_us']:.1f} µs | {s['in_ratio']:.2f}x |",
        f"| latency, server send to the user's loop, median | {s['bare_p50_ms']:.3f} ms "
        f"| {s['ours_p50_ms']:.3f} ms | +{s['added_p50_ms']:.3f} ms |",
        f"| latency, p99 | {s['bare_p99_ms']:.3f} ms | {s['ours_p99_ms']:.3f} ms "
        f"| +{s['added_p99_ms']:.3f} ms |",
        f"| the library's hop (its reader to your loop), median / p99 | - "
        f"| {s['hop_p50_ms']:.3f} / {s['hop_p99_ms']:.3f} ms | |",
        "",
        f"goal: at most {CPU_GOAL}x CPU ({'met' if cpu_ok else 'NOT met'}), under "
        f"{LATENCY_GOAL_MS} ms added at p99, the hop ({'met' if late_ok else 'NOT met'})",
    ]
    if results["problems"]:
        lines += ["", "PROBLEMS:", *results["problems"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int, help="rounds of each contender")
    parser.add_argument("--gap", type=float, help="ms between the paced frames")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        server()
        return 0
    sizes = QUICK if args.quick else FULL
    if args.rounds:
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    if args.gap is not None:
        sizes = Sizes(**{**sizes.__dict__, "gap_ms": args.gap})
    results = run(sizes)
    print(report(results, sizes))
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
