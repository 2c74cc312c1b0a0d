"""A batch's requests, read lazily and written out as the API takes them.

Each item becomes ``(key, GenerateContentRequest)``: a ``gs.Request`` or a prompt gets a
generated key (``"request-0"``, ``"request-1"``, ... by position); a ``(key, request)`` pair
keeps the caller's key. The encoded requests are kept in memory while they fit the inline
limit; past it they go to a temporary file as JSONL (one ``{"key", "request"}`` line each),
which is uploaded from disk in chunks, so a batch of any size never sits whole in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import IO, Any

import msgspec

from .._embed.inputs import embed_requests
from .._fanout.request import Request
from .._input.names import model_path
from .._input.request import build_request
from .._wire.request import GenerateContentRequest

__all__ = (
    "INLINE_LIMIT",
    "Spooled",
    "embed_request",
    "generate_request",
    "inline_body",
    "spool_requests",
)

INLINE_LIMIT = 20_000_000
"""Bytes of requests sent inline at most (the API's 20 MB create request limit)."""

_INLINE_OVERHEAD = len(b'{"request":,"metadata":{"key":}},')
_encoder = msgspec.json.Encoder()


def generate_request(item: Any, model: str, index: int) -> bytes:
    """One ``GenerateContentRequest`` of a batch, encoded."""
    return _encoder.encode(_wire(item, model, index))


def embed_request(
    item: Any,
    model: str,
    index: int,
    *,
    task_type: str | None,
    title: str | None,
    output_dimensionality: int | None,
) -> bytes:
    """One ``EmbedContentRequest`` of an embeddings batch, encoded (the task written as the
    model wants it, as ``client.embed`` does)."""
    try:
        (request,) = embed_requests(
            model,
            [item],
            single=True,
            task_type=task_type,
            title=title,
            output_dimensionality=output_dimensionality,
        )
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"input {index} of the batch: {exc}") from exc
    return _encoder.encode(request)


def _wire(item: Any, model: str, index: int) -> GenerateContentRequest:
    if isinstance(item, Request):
        if model_path(item.model) != model_path(model):
            raise ValueError(
                f"request {index} is for model {item.model!r}, but the batch runs {model!r}: "
                "a batch has one model"
            )
        return msgspec.structs.replace(item.wire, model=None)
    if isinstance(item, GenerateContentRequest):
        return item
    try:
        return build_request(item)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"request {index} of the batch: {exc}") from exc


class Spooled:
    """The encoded requests: inline items (``inline``) or a JSONL file (``file``)."""

    def __init__(self) -> None:
        # (encoded key, encoded request) while inline; emptied when moved to ``file``.
        self.inline: list[tuple[bytes, bytes]] = []
        self.file: IO[bytes] | None = None
        self.size = 0
        self.count = 0

    def close(self) -> None:
        file, self.file = self.file, None
        if file is not None:
            file.close()


def spool_requests(
    requests: Iterable[Any],
    model: str,
    inline_limit: int,
    encode: Callable[[Any, str, int], bytes] = generate_request,
) -> Spooled:
    """Read ``requests`` once, encoding each with ``encode(item, model, index)``; blocking
    (run it in a worker thread).

    Raises:
        TypeError, ValueError: a bad request, key or duplicate key (named, by position).
    """
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
        raise TypeError(
            f"requests must be an iterable of gs.Request, prompts or (key, request) pairs, "
            f"got {type(requests).__name__}"
        )
    spooled = Spooled()
    keys: set[str] = set()
    inline_size = 0
    try:
        for index, item in enumerate(requests):
            if isinstance(item, tuple) and len(item) == 2:
                key, item = item
                if not isinstance(key, str) or not key:
                    raise TypeError(
                        f"the key of request {index} must be a non-empty str, got {key!r}"
                    )
            else:
                key = f"request-{index}"
            if key in keys:
                raise ValueError(f"duplicate key {key!r} (request {index}): keys must be unique")
            keys.add(key)
            request = encode(item, model, index)
            encoded_key = _encoder.encode(key)
            spooled.count += 1
            file = spooled.file
            if file is None:
                inline_size += len(request) + len(encoded_key) + _INLINE_OVERHEAD
                spooled.inline.append((encoded_key, request))
                if inline_size > inline_limit:
                    _to_file(spooled)
                continue
            line = b'{"key":' + encoded_key + b',"request":' + request + b"}\n"
            file.write(line)
            spooled.size += len(line)
    except BaseException:
        spooled.close()
        raise
    if spooled.count == 0:
        raise ValueError("a batch needs at least one request; requests was empty")
    if spooled.file is not None:
        spooled.file.seek(0)
    return spooled


def _to_file(spooled: Spooled) -> None:
    """Move the inline entries to a temporary JSONL file (the batch is over the limit)."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Spooled.close
    spooled.file = file
    for key, request in spooled.inline:
        line = b'{"key":' + key + b',"request":' + request + b"}\n"
        file.write(line)
        spooled.size += len(line)
    spooled.inline = []


def inline_body(display_name: str, entries: list[tuple[bytes, bytes]]) -> bytes:
    """The create body with the requests inline (``metadata.key`` carries each key)."""
    items = b",".join(
        b'{"request":' + request + b',"metadata":{"key":' + key + b"}}" for key, request in entries
    )
    head = b'{"batch":{"displayName":' + _encoder.encode(display_name)
    return head + b',"inputConfig":{"requests":{"requests":[' + items + b"]}}}}"
