"""A local Gemini API (v1beta) server for tests, demos and benchmarks: no network, no key.

It speaks the real wire format (CRLF SSE framing, Google's JSON style, cumulative usage,
pretty-printed errors with typed details, raw JSON errors after a 200), serves the
Interactions API too (``/v1beta/interactions``: create, get, resume, cancel, delete), the Live
API (``BidiGenerateContent`` over a WebSocket, ephemeral tokens; see ``docs/live.md``), answers
with a deterministic built-in model, and injects faults on demand. It also records a real
API's exchanges as cassettes (``Emulator(record=DIR, upstream=URL)``) and replays them
(``Emulator(replay=DIR)``). See ``docs/testing.md``.

Its server shares no code with the client, so a misreading of the wire format in one cannot
hide the same misreading in the other; ``open_client`` (``_connect``) is the one bridge.

Example:
    >>> from gemini_stream.emulator import Emulator
    >>> async with Emulator() as emulator:
    ...     base_url = emulator.url  # http://127.0.0.1:PORT
"""

from __future__ import annotations

from ._batch_run import BATCH_FAIL_TRIGGER as BATCH_FAIL_TRIGGER
from ._batches import BatchStore as BatchStore
from ._compose import BLOCK_TRIGGER as BLOCK_TRIGGER
from ._compose import UNSAFE_TRIGGER as UNSAFE_TRIGGER
from ._connect import open_client as open_client
from ._emulator import Emulator as Emulator
from ._faults import FAULT_HEADER as FAULT_HEADER
from ._faults import Fault as Fault
from ._faults import ScriptedReply as ScriptedReply
from ._ix_store import InteractionStore as InteractionStore
from ._ix_store import StoredInteraction as StoredInteraction
from ._live import LiveStore as LiveStore
from ._model import BuiltinModel as BuiltinModel
from ._model import expected_response as expected_response
from ._model import expected_text as expected_text
from ._model import merge_chunks as merge_chunks
from ._records import RequestRecord as RequestRecord
from ._tokens import count_tokens as count_tokens

__all__ = (
    "BATCH_FAIL_TRIGGER",
    "BLOCK_TRIGGER",
    "BatchStore",
    "BuiltinModel",
    "Emulator",
    "FAULT_HEADER",
    "Fault",
    "InteractionStore",
    "LiveStore",
    "RequestRecord",
    "ScriptedReply",
    "StoredInteraction",
    "UNSAFE_TRIGGER",
    "count_tokens",
    "expected_response",
    "expected_text",
    "main",
    "merge_chunks",
    "open_client",
)


def main(argv: list[str] | None = None, prog: str = "python -m gemini_stream.emulator") -> int:
    """Run the emulator in the foreground (the ``python -m gemini_stream.emulator`` CLI).

    Args:
        argv: command-line arguments without the program name; ``None`` reads ``sys.argv``.
        prog: the command's name in its help and errors.

    Returns:
        The process exit status.
    """
    from ._cli import main as cli_main

    return cli_main(argv, prog)
