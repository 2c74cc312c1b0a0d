"""``gemini-stream batch``: submit a JSONL file as a Batch API job, follow it, print results.

``submit FILE`` (``-`` reads stdin) takes one request a line: ``{"key": ..., "request":
{GenerateContentRequest, camelCase}}`` (the API's own batch file format), or a JSON string
(a prompt); it prints the batch name, and with ``--wait`` waits and prints the results.
``status NAME`` prints the state and counters; ``results NAME`` prints one JSON line per
request: ``{"key", "response"}`` or ``{"key", "error": {code, status, message}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import msgspec

from .._errors import APIError
from ..types import GenerateContentRequest

if TYPE_CHECKING:
    from .._batches.batch import Batch
    from .._client import Client

__all__ = ("add_batch_parser", "run_batch")

_request = msgspec.json.Decoder(GenerateContentRequest)


class BatchInputError(ValueError):
    """A line of the input is not a request (its number is in the message)."""


def add_batch_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    batch = commands.add_parser(
        "batch",
        help="submit and follow Batch API jobs (half price)",
        description="Submit a JSONL file of requests as a Batch API job, follow it, and print "
        "its results (one JSON line per request). Exit status 1 when a request failed.",
    )
    actions = batch.add_subparsers(dest="action", metavar="ACTION", required=True)
    submit = actions.add_parser(
        "submit",
        parents=[common],
        help="submit a JSONL file ('-': stdin)",
        description="Submit one request a line ({'key': ..., 'request': {...}} in the API's "
        "camelCase, or a prompt string) and print the batch's name.",
    )
    submit.add_argument("file", help="JSONL: {'key', 'request'} objects or prompt strings")
    submit.add_argument("--name", help="the batch's display name")
    submit.add_argument("--wait", action="store_true", help="wait, then print the results")
    submit.add_argument("--timeout", type=float, default=24 * 3600.0, help="seconds to wait")
    submit.add_argument(
        "--poll", type=float, default=5.0, help="seconds between the first polls (doubling)"
    )
    status = actions.add_parser(
        "status",
        parents=[common],
        help="a batch's state and counters",
        description="Print a batch's state and its request counters.",
    )
    status.add_argument("batch", help="batches/...")
    results = actions.add_parser(
        "results",
        parents=[common],
        help="print a batch's results",
        description="Print one JSON line per request: {'key', 'response'} or {'key', 'error'}.",
    )
    results.add_argument("batch", help="batches/...")


def _lines(stream: IO[str], label: str) -> Iterator[tuple[str, Any]]:
    """``(key, request or prompt)`` for each non-blank line, read lazily."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise BatchInputError(f"{label} line {number} is not JSON: {exc}") from exc
        if isinstance(item, str):
            yield f"request-{number}", item
            continue
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
            raise BatchInputError(
                f"{label} line {number}: expected {{'key': ..., 'request': {{...}}}} or a string"
            )
        try:
            request = _request.decode(json.dumps(item["request"]))
        except msgspec.ValidationError as exc:
            raise BatchInputError(f"{label} line {number}: {exc}") from exc
        lost = _dropped(item["request"], json.loads(msgspec.json.encode(request)), "request")
        if lost is not None:
            raise BatchInputError(
                f"{label} line {number}: unknown field {lost} (write the API's camelCase names)"
            )
        yield str(item.get("key", f"request-{number}")), request


def _dropped(given: Any, kept: Any, path: str) -> str | None:
    """The path of the first field of ``given`` that decoding ignored (unknown, or a
    snake_case name), else ``None``."""
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key not in kept:
                if value is None or value == [] or value == {}:
                    continue  # an empty value is omitted when encoded again
                return f"{path}.{key}"
            lost = _dropped(value, kept[key], f"{path}.{key}")
            if lost is not None:
                return lost
    elif isinstance(given, list) and isinstance(kept, list):
        for i, (value, back) in enumerate(zip(given, kept, strict=False)):
            lost = _dropped(value, back, f"{path}[{i}]")
            if lost is not None:
                return lost
    return None


def _status_line(batch: Batch) -> str:
    stats = batch.stats
    return (
        f"{batch.name} {batch.state}: {stats.request_count} requests, "
        f"{stats.successful_request_count} succeeded, {stats.failed_request_count} failed, "
        f"{stats.pending_request_count} pending"
    )


async def _print_results(client: Client, batch: Batch | str) -> int:
    failed = 0
    async for key, reply in client.batches.results(batch):
        if isinstance(reply, APIError):
            failed += 1
            error = {"code": reply.code, "status": reply.status, "message": reply.message}
            print(json.dumps({"key": key, "error": error}))
        else:
            line = b'{"key":' + msgspec.json.encode(key) + b',"response":'
            print((line + msgspec.json.encode(reply) + b"}").decode())
    return 1 if failed else 0


async def run_batch(client: Client, args: argparse.Namespace) -> int:
    """Run ``batch submit|status|results``; the exit status (1 when a request failed)."""
    if args.action == "status":
        print(_status_line(await client.batches.get(args.batch)))
        return 0
    if args.action == "results":
        return await _print_results(client, args.batch)
    if args.file == "-":
        batch = await client.batches.create(
            args.model, _lines(sys.stdin, "stdin"), display_name=args.name
        )
    else:
        stream = await asyncio.to_thread(open, args.file, encoding="utf-8")
        with stream:
            batch = await client.batches.create(
                args.model, _lines(stream, repr(args.file)), display_name=args.name
            )
    print(batch.name)
    if not args.wait:
        return 0
    seen: list[str] = []

    def progress(polled: Batch) -> None:
        """One stderr line each time the state or the counters move."""
        line = _status_line(polled)
        if not seen or seen[-1] != line:
            seen.append(line)
            print(line, file=sys.stderr, flush=True)

    batch = await client.batches.wait(
        batch, timeout=args.timeout, poll_interval=args.poll, on_progress=progress
    )
    if batch.state != "SUCCEEDED":
        return 1
    return await _print_results(client, batch)
