"""The emulator's command line: run the server in the foreground until interrupted.

The first line printed is machine-readable: ``Gemini API emulator listening on URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from ._emulator import Emulator
from ._faults import Fault

LISTENING = "Gemini API emulator listening on "


def _parser(prog: str = "python -m gemini_stream.emulator") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local Gemini API (v1beta) emulator with a deterministic model.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one")
    parser.add_argument("--chunk-tokens", type=int, default=8, help="tokens per streamed chunk")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between events")
    parser.add_argument(
        "--first-chunk-delay", type=float, default=0.0, help="seconds before the first event"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable); by default any key is accepted",
    )
    parser.add_argument("--rpm-limit", type=int, help="requests per minute per key, then 429")
    parser.add_argument("--tpm-limit", type=int, help="prompt tokens per minute per key, then 429")
    parser.add_argument(
        "--quota-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the window of --rpm-limit and --tpm-limit (default 60)",
    )
    parser.add_argument(
        "--burst", action="store_true", help="write each unpaced reply in one write"
    )
    parser.add_argument(
        "--max-records",
        type=int,
        default=10_000,
        metavar="N",
        help="keep the newest N request records in memory (default 10000)",
    )
    parser.add_argument(
        "--background-duration",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="how long an Interactions background run takes (default 0)",
    )
    parser.add_argument(
        "--interaction-stream-limit",
        type=int,
        default=None,
        metavar="N",
        help="end every Interactions stream cleanly after N events (default: never)",
    )
    parser.add_argument(
        "--fault",
        type=Fault.parse,
        metavar="SPEC",
        help="a fault for every generation request, e.g. 'status=503; times=2'",
    )
    cassettes = parser.add_argument_group(
        "record and replay", "pass traffic to a real API and save it, or serve it back"
    )
    cassettes.add_argument(
        "--record",
        metavar="DIR",
        help="save each exchange as a cassette in DIR (needs --upstream); keys are never saved",
    )
    cassettes.add_argument(
        "--upstream",
        metavar="URL",
        help="the API to pass requests to, e.g. https://generativelanguage.googleapis.com",
    )
    cassettes.add_argument("--replay", metavar="DIR", help="answer from the cassettes in DIR")
    cassettes.add_argument(
        "--replay-speed",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="1 keeps the recorded timing (default), 2 is twice as fast, 0 does not wait",
    )
    return parser


def _emulator(args: argparse.Namespace) -> Emulator:
    return Emulator(
        host=args.host,
        port=args.port,
        api_keys=args.api_keys,
        chunk_tokens=args.chunk_tokens,
        chunk_delay=args.chunk_delay,
        first_chunk_delay=args.first_chunk_delay,
        fault=args.fault,
        rpm_limit=args.rpm_limit,
        tpm_limit=args.tpm_limit,
        quota_window=args.quota_window,
        burst=args.burst,
        max_records=args.max_records,
        background_duration=args.background_duration,
        interaction_stream_limit=args.interaction_stream_limit,
        record=args.record,
        upstream=args.upstream,
        replay=args.replay,
        replay_speed=args.replay_speed,
    )


async def _serve(emulator: Emulator, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no add_signal_handler; Ctrl+C still arrives as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with emulator:
        print(f"{LISTENING}{emulator.url}", flush=True)
        if args.record is not None:
            print(
                f"Recording cassettes in {args.record}, passing requests to {args.upstream}",
                flush=True,
            )
        elif args.replay is not None:
            print(f"Replaying the cassettes in {args.replay}", flush=True)
        print(
            "Point the client at it:\n"
            "    import gemini_stream as gs\n"
            f'    gs.Client(base_url="{emulator.url}", api_key="anything")\n'
            "Press Ctrl+C to stop.",
            flush=True,
        )
        await stop.wait()


def main(argv: list[str] | None = None, prog: str = "python -m gemini_stream.emulator") -> int:
    """Parse ``argv`` and run the emulator until SIGINT or SIGTERM.

    Args:
        argv: the arguments without the program name; ``None`` reads ``sys.argv``.
        prog: the command's name in its help and errors (``gemini-stream emulator``).

    Returns:
        0 after a clean stop, 1 when the server could not start (2, through
        ``SystemExit``, for bad arguments).
    """
    parser = _parser(prog)
    args = parser.parse_args(argv)
    try:
        emulator = _emulator(args)
    except (ValueError, TypeError, OSError) as exc:
        parser.error(str(exc))  # exits with status 2
    try:
        asyncio.run(_serve(emulator, args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0
