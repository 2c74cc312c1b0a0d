"""The error of a reply whose body, read to the connection's close, was cut by a reset."""

from __future__ import annotations

import aiohttp

from .._errors import StreamInterruptedError

__all__ = ("reset_under",)


def reset_under(response: aiohttp.ClientResponse) -> StreamInterruptedError | None:
    """The error of a body that ended because its connection failed, if so.

    A body with neither a length nor chunking ends when the connection closes, and aiohttp
    ends it the same way whether the server closed it or it was reset: only the connection's
    protocol keeps the difference (``ServerDisconnectedError`` for a close, ``ClientOSError``
    for a failure). A chunked or sized body that ends early raises on its own.
    """
    # Set in ClientResponse.start() and kept: the connection itself is gone by the body's end.
    protocol = getattr(response, "_protocol", None)
    failure = protocol.exception() if protocol is not None else None
    if not isinstance(failure, aiohttp.ClientOSError):
        return None
    headers = response.headers
    if "Content-Length" in headers or "chunked" in headers.get("Transfer-Encoding", "").lower():
        return None  # the body had ended whole before the connection failed
    error = StreamInterruptedError(f"the connection dropped in the middle of the reply: {failure}")
    error.__cause__ = failure
    return error
