"""JSON encoding and typed decoding of the wire types, with reusable msgspec codecs.

Payloads go in as bytes (or a ``memoryview`` borrowed from the SSE reader) and Structs come
out; nothing is decoded to ``str`` first. Malformed server JSON raises ``ResponseDecodeError``
with a short excerpt of the payload.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from .._errors import ResponseDecodeError
from .._wire.convert import excerpt
from .._wire.models import CountTokensResponse, ListModelsResponse, Model
from .._wire.request import CountTokensRequest, GenerateContentRequest
from .._wire.response import GenerateContentResponse
from .._wire.status import ErrorBody, ErrorStatus

__all__ = (
    "decode",
    "decode_chunk",
    "decode_chunks",
    "decode_count_tokens",
    "decode_error",
    "decode_interactions_error",
    "decode_list_models",
    "decode_model",
    "decode_response",
    "encode_request",
)

_T = TypeVar("_T")
_Buffer = bytes | bytearray | memoryview

_encoder = msgspec.json.Encoder()
# No int64 field exists in a GenerateContentResponse, so the hot-path decoder stays strict.
_chunk_decoder = msgspec.json.Decoder(GenerateContentResponse)
# Google's error bodies carry int64 values as JSON strings (QuotaFailure quotaValue); some
# gateways wrap the body in a one-element list.
_error_decoder = msgspec.json.Decoder(ErrorBody | list[ErrorBody], strict=False)


class _InteractionsErrorStatus(msgspec.Struct):
    code: str | int | None = None
    message: str | None = None


class _InteractionsErrorBody(msgspec.Struct):
    error: _InteractionsErrorStatus


# The Interactions API's envelope: {"error": {"code": "invalid_request", "message": ...}}.
_interactions_error_decoder = msgspec.json.Decoder(_InteractionsErrorBody)

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(type_: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(type_)
    if decoder is None:
        # strict=False follows proto3 JSON, which writes int64 as strings (Schema.minItems...).
        decoder = _decoders[type_] = msgspec.json.Decoder(type_, strict=False)
    return decoder


def _failure(type_: Any, payload: _Buffer, exc: msgspec.DecodeError) -> ResponseDecodeError:
    name = getattr(type_, "__name__", str(type_))
    return ResponseDecodeError(f"cannot decode {name}: {exc}", excerpt=excerpt(payload))


def encode_request(request: GenerateContentRequest | CountTokensRequest) -> bytes:
    """Encode a request body to JSON bytes (camelCase names, unset fields omitted)."""
    return _encoder.encode(request)


def decode_chunks(
    payloads: list[bytearray],
) -> tuple[list[GenerateContentResponse], ResponseDecodeError | None]:
    """Decode the events of one read, in order, stopping at the first malformed one.

    Returns:
        The chunks decoded, and the error of the malformed event (``None`` when all were
        fine); the chunks are those before it.
    """
    try:
        return list(map(_chunk_decoder.decode, payloads)), None  # the loop runs in C
    except msgspec.DecodeError:
        pass
    chunks: list[GenerateContentResponse] = []
    for payload in payloads:
        try:
            chunks.append(decode_chunk(payload))
        except ResponseDecodeError as exc:
            return chunks, exc
    raise AssertionError("a payload failed to decode once, then decoded")  # pragma: no cover


def decode_chunk(payload: _Buffer) -> GenerateContentResponse:
    """Decode one SSE event's data into a ``GenerateContentResponse``.

    Args:
        payload: the event data; a ``memoryview`` into the reader's buffer is decoded at once
            and never retained.

    Raises:
        ResponseDecodeError: the payload is not a JSON object of the expected shape.
    """
    try:
        return _chunk_decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise _failure(GenerateContentResponse, payload, exc) from exc


def decode(body: _Buffer, type_: type[_T]) -> _T:
    """Decode ``body`` into ``type_`` with a cached decoder (int64 strings accepted).

    Raises:
        ResponseDecodeError: the body is not JSON of the expected shape.
    """
    try:
        result: _T = _decoder(type_).decode(body)
    except msgspec.DecodeError as exc:
        raise _failure(type_, body, exc) from exc
    return result


def decode_response(body: _Buffer) -> GenerateContentResponse:
    """Decode a ``generateContent`` reply body."""
    return decode(body, GenerateContentResponse)


def decode_count_tokens(body: _Buffer) -> CountTokensResponse:
    """Decode a ``countTokens`` reply body."""
    return decode(body, CountTokensResponse)


def decode_model(body: _Buffer) -> Model:
    """Decode a ``models.get`` reply body."""
    return decode(body, Model)


def decode_list_models(body: _Buffer) -> ListModelsResponse:
    """Decode a ``models.list`` reply body."""
    return decode(body, ListModelsResponse)


def decode_error(body: _Buffer) -> ErrorStatus | None:
    """Return the ``error`` object of a Google error body, or None if ``body`` is not one.

    Accepts ``{"error": {...}}`` and the one-element list ``[{"error": {...}}]``; anything
    else (not JSON, another shape, no ``error`` key) gives None and never raises.
    """
    try:
        decoded: ErrorBody | list[ErrorBody] = _error_decoder.decode(body)
    except msgspec.DecodeError:
        return None
    if isinstance(decoded, list):
        if len(decoded) != 1:
            return None
        decoded = decoded[0]
    return decoded.error


def decode_interactions_error(body: _Buffer) -> tuple[str, str] | None:
    """Return the ``(code, message)`` of an Interactions API error body, whose ``code`` is a
    short string (``{"error": {"code": "invalid_request", "message": ...}}``), or None if
    ``body`` is not one; never raises."""
    try:
        error = _interactions_error_decoder.decode(body).error
    except msgspec.DecodeError:
        return None
    if error.code is None and error.message is None:
        return None
    return str(error.code or ""), error.message or ""
