"""The jobs of a fan-out batch: its requests checked (a collection whole, before anything is
sent; a lazy input one by one), numbered, and each opened as a stream when its turn comes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from .._errors import client_closed
from .._http.codec import encode_request
from .._http.vertex import refuse_vertex_only
from .._stream.chunk_stream import ChunkStream
from .request import Request, StreamLike

if TYPE_CHECKING:
    from typing import TypeAlias

    from .._http.endpoint import Endpoint

    Job: TypeAlias = tuple[int, object]  # a request and its position in the input

__all__ = ("check_count", "open_stream", "prepare")


async def open_stream(endpoint: Endpoint, request: object, index: int) -> StreamLike:
    if isinstance(request, Request):  # the usual case, with no callable made for it
        return _request_stream(endpoint, request)
    stream = _factory(endpoint, request, index)()
    if inspect.isawaitable(stream):
        stream = await stream
    if not (hasattr(stream, "__aiter__") and hasattr(stream, "aclose")):
        raise TypeError(f"a request's callable must return a stream, got {stream!r}")
    return stream  # type: ignore[return-value]


def prepare(
    endpoint: Endpoint, requests: object, concurrency: int, *, eager: bool = False
) -> tuple[Iterator[Job], int | None]:
    """Check the arguments; return the jobs (each request with its position) and their count.

    A collection is checked whole before anything is sent; other iterables are read lazily,
    each request checked when it is taken.
    """
    if endpoint.closed:
        raise client_closed()
    check_count("concurrency", concurrency)
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
        raise TypeError(f"requests must be an iterable of requests, got {requests!r}")
    if eager and not isinstance(requests, Collection):
        requests = list(requests)
    if isinstance(requests, Collection):
        for index, request in enumerate(requests):
            _check(endpoint, request, index)
        return enumerate(requests), len(requests)
    return _checked(endpoint, requests), None


def _checked(endpoint: Endpoint, requests: Iterable[object]) -> Iterator[Job]:
    """The jobs of a lazy input, each checked as it is taken: a bad one raises."""
    for index, request in enumerate(requests):
        _check(endpoint, request, index)
        yield index, request


def _check(endpoint: Endpoint, request: object, index: int) -> None:
    """Raise ``TypeError`` for something ``open_stream`` cannot open, ``ValueError`` for a
    Vertex-only field sent to the Gemini API."""
    if not isinstance(request, Request):
        _factory(endpoint, request, index)
    else:
        refuse_vertex_only(endpoint.vertex, request.wire)


def _factory(endpoint: Endpoint, request: object, index: int) -> Callable[[], object]:
    if isinstance(request, Request):
        return partial(_request_stream, endpoint, request)
    if isinstance(request, tuple) and len(request) == 2:
        method = getattr(request[0], "stream", None)
        if callable(method):
            return partial(method, request[1])
    if callable(request):
        return request
    raise TypeError(
        f"requests[{index}] must be a gs.Request, a callable returning a stream, or a "
        f"(chat, message) pair; got {request!r}"
    )


def _request_stream(endpoint: Endpoint, request: Request) -> ChunkStream:
    body = encode_request(request.wire)
    target = "streamGenerateContent?alt=sse"
    return ChunkStream(
        endpoint.model_call(request.model, target, body, request.timeouts, request.retry)
    )


def check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
