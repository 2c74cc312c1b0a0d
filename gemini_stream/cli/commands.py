"""The ``gemini-stream`` command: ask, chat, demo, models, batch and emulator.

Every command talks to the real API when ``GEMINI_API_KEY`` (or ``GOOGLE_API_KEY``) is set,
and otherwise to an emulator started in-process on a free loopback port; ``--emulator`` forces
the emulator. Bad input gives one line on stderr and a non-zero exit, never a traceback.

Exit status: 0 the answer came whole; 1 an error (the API's, the network's, a file's);
2 bad command-line input; 3 no whole answer: the prompt was blocked, or the reply ended for a
reason other than ``STOP`` (``SAFETY``, ``RECITATION``, ``MAX_TOKENS``, ...), said on stderr;
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import sys
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, NoReturn

from .._client import Client
from .._errors import GeminiError
from .._version import __version__
from ..types import Part
from .batch import add_batch_parser, run_batch
from .ending import incomplete_reason
from .limits import add_limit_options, command_limit, current
from .live import add_live_parser, run_live
from .render import Renderer

DEFAULT_MODEL = "gemini-2.5-flash"
EXIT_ERROR, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 1, 2, 3, 130
EPILOG = (
    "exit status: 0 a whole answer; 1 an error; 2 bad usage; 3 no whole answer (the prompt "
    "was blocked or the reply was cut off: SAFETY, RECITATION, MAX_TOKENS, ...); "
    "130 interrupted"
)


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gemini-stream",
        description="Stream from the Gemini API (or a local emulator when no key is set).",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"gemini-stream {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    common = _Parser(add_help=False)
    common.add_argument("--model", "-m", default=DEFAULT_MODEL, help="model id (%(default)s)")
    common.add_argument(
        "--emulator", action="store_true", help="use the embedded emulator even with a key"
    )
    add_limit_options(common)

    ask = commands.add_parser(
        "ask",
        parents=[common],
        help="stream one answer to stdout",
        description="Stream one answer to stdout (live Markdown on a terminal, plain text in "
        "a pipe). A blocked prompt or a reply cut off before its end is said on stderr, "
        "with exit status 3.",
        epilog=EPILOG,
    )
    ask.add_argument("prompt", help="the question; '-' reads it from stdin")
    ask.add_argument("--system", "-s", help="a system instruction")
    ask.add_argument("--json-schema", type=Path, metavar="FILE", help="answer as JSON per schema")
    ask.add_argument(
        "--image",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="an image to send with the question (repeat for more)",
    )
    ask.add_argument(
        "--max-tokens", type=_positive, metavar="N", help="cap the answer at N output tokens"
    )
    ask.add_argument("--thoughts", action="store_true", help="show thought summaries, dimmed")

    chat = commands.add_parser(
        "chat",
        parents=[common],
        help="an interactive chat",
        description="Chat in the terminal, with line editing and history. Ctrl-C stops a "
        "reply; /quit or Ctrl-D leaves; /help lists the commands (/save, /load, /reset, "
        "/usage).",
    )
    chat.add_argument("--system", "-s", help="a system instruction")
    chat.add_argument("--thoughts", action="store_true", help="show thought summaries, dimmed")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="fan out many concurrent chats",
        description="Fan many chats out at once from one client, show live progress, then a "
        "summary (chunks per second, time to first chunk, tokens) and one sample answer.",
    )
    demo.add_argument("--chats", "-n", type=_positive, default=50, help="chats (%(default)s)")

    commands.add_parser(
        "models",
        parents=[common],
        help="list the available models",
        description="List the models: id, input / output token limits, display name.",
    )
    add_batch_parser(commands, common)
    add_live_parser(commands)

    # Listed here for the help; main() hands its arguments to the emulator's own parser
    # (argparse.REMAINDER cannot take options such as --port that come first).
    commands.add_parser(
        "emulator",
        help="run the local API emulator in the foreground",
        description="Run the local API emulator; see 'gemini-stream emulator --help'.",
    )
    return parser


def open_client(force_emulator: bool) -> AbstractAsyncContextManager[Client]:
    """A client for the real API when a key is set, else for an in-process emulator."""
    from ..emulator import open_client as open_either

    def announce(line: str) -> None:
        print(f"gemini-stream: {line}", file=sys.stderr)

    return open_either(
        force_emulator=force_emulator,
        announce=announce,
        rate_limit=current.get(),
        chunk_delay=0.01,
    )


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {str(path)!r}: {exc}") from exc


def _image_part(path: Path) -> Part:
    mime, _ = mimetypes.guess_type(path.name)
    if mime is None or not mime.startswith("image/"):
        raise UsageError(f"{str(path)!r} does not look like an image (type {mime or 'unknown'})")
    try:
        return Part.from_bytes(path.read_bytes(), mime)
    except OSError as exc:
        raise UsageError(f"cannot read image {str(path)!r}: {exc}") from exc


def _ask_request(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any]]:
    # A shell's `echo ... |` or a file's last line ends in a newline the user did not mean.
    prompt = sys.stdin.read().rstrip("\r\n") if args.prompt == "-" else args.prompt
    if not prompt.strip():
        raise UsageError("the prompt is empty")
    config: dict[str, Any] = {}
    if args.json_schema is not None:
        try:
            schema = json.loads(_read_text(args.json_schema, "schema file"))
        except json.JSONDecodeError as exc:
            raise UsageError(f"invalid JSON in {str(args.json_schema)!r}: {exc}") from exc
        if not isinstance(schema, dict):
            raise UsageError(f"{str(args.json_schema)!r} must hold a JSON Schema object")
        config.update(response_mime_type="application/json", response_json_schema=schema)
    if args.thoughts:
        config["thinking_config"] = {"include_thoughts": True}
    if args.max_tokens is not None:
        config["max_output_tokens"] = args.max_tokens
    return [*map(_image_part, args.image), prompt], config


async def _ask(args: argparse.Namespace) -> int:
    contents, config = _ask_request(args)
    renderer = Renderer(sys.stdout, markdown=args.json_schema is None)
    async with open_client(args.emulator) as client:
        stream = client.stream(
            args.model, contents, config=config or None, system_instruction=args.system
        )
        async with stream, renderer:
            async for chunk in stream:
                if args.thoughts and chunk.thoughts:
                    renderer.thought(chunk.thoughts)
                renderer.text(chunk.text)
        cut = incomplete_reason(stream.response)
    if cut is not None:
        print(f"gemini-stream: {cut}", file=sys.stderr)
        return EXIT_INCOMPLETE
    return 0


async def _chat(args: argparse.Namespace) -> int:
    from .chat import run_chat

    async with open_client(args.emulator) as client:
        return await run_chat(client, args.model, args.system, args.thoughts)


async def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    async with open_client(args.emulator) as client:
        return await run_demo(client, args.model, args.chats)


async def _models(args: argparse.Namespace) -> int:
    async with open_client(args.emulator) as client:
        async for model in client.models.list():
            limits = f"in {model.input_token_limit or '?'} / out {model.output_token_limit or '?'}"
            name = (model.name or "").removeprefix("models/")
            print(f"{name:40} {limits:28} {model.display_name or ''}")
    return 0


async def _batch(args: argparse.Namespace) -> int:
    async with open_client(args.emulator) as client:
        return await run_batch(client, args)


async def _live(args: argparse.Namespace) -> int:
    async with open_client(args.emulator) as client:
        return await run_live(client, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gemini-stream`` command; returns the exit status.

    Example:
        >>> main(["ask", "--emulator", "Hello"])  # doctest: +SKIP
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:
        from ..emulator import main as emulator_main

        return emulator_main(argv[1:], prog="gemini-stream emulator")
    try:
        args = _parser().parse_args(argv)
        runners = {"ask": _ask, "chat": _chat, "demo": _demo, "models": _models, "batch": _batch}
        runners["live"] = _live
        runner = runners[args.command]

        async def run() -> int:
            async with command_limit(args):
                return await runner(args)

        return asyncio.run(run())
    except UsageError as exc:
        print(f"gemini-stream: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (GeminiError, OSError, ValueError, TypeError) as exc:
        print(f"gemini-stream: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ngemini-stream: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
