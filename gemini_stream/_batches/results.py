"""A finished batch's results, one at a time: ``(key, GenerateContentResponse or APIError)``.

Inline results are decoded one response at a time from the batch's output; a result file
is downloaded as a stream and split into lines as the bytes arrive, so only one line (and
one network read) is in memory at once, whatever the file's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from .._errors import ClientClosedError, GeminiError
from .._http.failures import READ_FAILURES, read_error, read_failure
from .._wire.batches import BatchOutput, ResultLine
from .._wire.status import ErrorStatus

if TYPE_CHECKING:
    from .._config import Timeouts
    from .._http.endpoint import Endpoint

__all__ = ("decode_line", "download_lines", "inline_results")

_T = TypeVar("_T")
_line_decoder = msgspec.json.Decoder(ResultLine)
_READ_SIZE = 64 * 1024  # bytes per read: with aiohttp's own buffer, all a download holds


def inline_results(output: BatchOutput) -> list[tuple[Any, msgspec.Raw, ErrorStatus | None]]:
    """The inline results as ``(metadata, raw response, error)``, in input order."""
    holder = output.inlined_responses or output.inlined_embed_content_responses
    items = (holder.inlined_responses if holder else None) or []
    return [(item.metadata, item.response, item.error) for item in items]


async def download_lines(
    endpoint: Endpoint, file: str, timeouts: Timeouts | None
) -> AsyncIterator[bytes]:
    """Download a generated file (``files/...``) and yield its non-empty lines."""
    file_id = file.removeprefix("files/")
    url = f"{endpoint.base}/download/{endpoint.api_version}/files/{file_id}:download?alt=media"
    call = endpoint.url_call(url, "files.download", None, timeouts)
    response, lease = await call.open(call.timeouts.total)
    transport = call.transport
    outcome: tuple[str, GeminiError | None] = ("closed", None)  # for the log, hooks, span
    try:
        if response.status >= 400:
            raise await read_error(response)
        transport.responses.add(response)  # for aclose() to wake this reader
        pending: list[bytes] = []  # the start of a line not ended yet
        started = False
        while True:
            try:
                piece = await response.content.read(_READ_SIZE)
            except READ_FAILURES as exc:
                if transport.closed:
                    raise ClientClosedError(
                        "the client was closed with aclose() while results were read"
                    ) from exc
                raise read_failure(exc, call.timeouts, started=started) from exc
            if not piece:
                break
            started = True
            start = 0
            end = piece.find(b"\n")
            while end >= 0:
                # One line at a time, sliced from the read: never a list of the read's lines.
                line = piece[start:end]
                if pending:
                    pending.append(line)
                    line = b"".join(pending)
                    pending = []
                if line.strip():
                    yield line
                start = end + 1
                end = piece.find(b"\n", start)
            if start < len(piece):
                pending.append(piece[start:])
        rest = b"".join(pending)
        if rest.strip():
            yield rest  # no trailing newline
        outcome = ("ok", None)
    except GeminiError as exc:
        outcome = ("error", exc)
        raise
    finally:
        transport.responses.discard(response)
        response.release()
        if lease is not None:
            lease.release(None)
        if call.probe is not None:
            call.probe.left(*outcome)


def decode_line(line: bytes) -> ResultLine:
    """Decode one result-file line."""
    return _line_decoder.decode(line)
