"""``FanoutMethods``: ``Client.stream_many`` and ``Client.generate_many``, kept beside the
fan-out they start (the client inherits them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Literal, overload

if TYPE_CHECKING:
    from .._config import RateLimit
    from .._http.endpoint import Endpoint
    from .._limits.limiter import Limiter
    from .._wire.response import GenerateContentResponse
    from .progress import Progress
    from .request import RequestLike
    from .results import FanoutResults

__all__ = ("FanoutMethods",)


class FanoutMethods:
    """Many requests at once, on the client's endpoint."""

    __slots__ = ()
    _endpoint: Endpoint

    def stream_many(
        self,
        requests: Iterable[RequestLike],
        *,
        concurrency: int = 64,  # _fanout.run.DEFAULT_CONCURRENCY
        rate_limit: RateLimit | Limiter | None = None,
        progress: Progress | Callable[[Progress], object] | None = None,
        buffer: int | None = None,
    ) -> AbstractAsyncContextManager[FanoutResults]:
        """Stream many requests at once and read their chunks as one stream of items.

        Leaving the ``async with`` (or being cancelled) stops every request still running
        and closes its response. See ``docs/concurrency.md``.

        Args:
            requests: ``gs.Request`` values, zero-argument callables returning a stream
                (``lambda: chat.stream(msg)``), or ``(chat, message)`` pairs. A collection is
                checked whole before anything is sent; any other iterable is read lazily.
            concurrency: how many requests run at once.
            rate_limit: limits for this batch (``gs.RateLimit`` or a ``gs.Limiter``), kept
                on top of the client's own.
            progress: a ``gs.Progress`` to update in place, or a callable called with it
                each time a request starts or ends.
            buffer: how many batches of items may wait for you (default: ``concurrency``,
                at least 16); a batch is the chunks one socket read brought for one request,
                or one ``"done"``/``"error"`` item. A full buffer pauses the requests.

        Returns:
            An async context manager giving a ``gs.FanoutResults`` of ``gs.FanoutItem``.

        Raises:
            TypeError, ValueError: a request or argument is not valid (before any I/O).

        Example:
            >>> async with client.stream_many(requests, concurrency=32) as results:
            ...     async for item in results:
            ...         if item.kind == "chunk":
            ...             print(item.index, item.chunk.text)
        """
        from .._limits.admission import as_limiter
        from .run import stream_many

        return stream_many(
            self._endpoint, requests, concurrency=concurrency,
            rate_limit=as_limiter(rate_limit), progress=progress, buffer=buffer,
        )  # fmt: skip

    @overload
    async def generate_many(
        self,
        requests: Iterable[RequestLike],
        *,
        concurrency: int = ...,
        rate_limit: RateLimit | Limiter | None = ...,
        return_exceptions: Literal[False] = ...,
        progress: Progress | Callable[[Progress], object] | None = ...,
    ) -> list[GenerateContentResponse]: ...

    @overload
    async def generate_many(
        self,
        requests: Iterable[RequestLike],
        *,
        concurrency: int = ...,
        rate_limit: RateLimit | Limiter | None = ...,
        return_exceptions: Literal[True],
        progress: Progress | Callable[[Progress], object] | None = ...,
    ) -> list[GenerateContentResponse | Exception]: ...

    async def generate_many(
        self,
        requests: Iterable[RequestLike],
        *,
        concurrency: int = 64,  # _fanout.run.DEFAULT_CONCURRENCY
        rate_limit: RateLimit | Limiter | None = None,
        return_exceptions: bool = False,
        progress: Progress | Callable[[Progress], object] | None = None,
    ) -> list[GenerateContentResponse] | list[GenerateContentResponse | Exception]:
        """Run many requests at once; return their whole replies in the order given.

        Takes the arguments of ``stream_many`` (each reply is streamed and merged).

        Args:
            return_exceptions: ``False`` (default): the first failure is raised and the
                other requests are cancelled (their responses closed). ``True``: a failed
                request's exception takes its place in the list.

        Example:
            >>> requests = [gs.Request("gemini-2.5-flash", q) for q in questions]
            >>> replies = await client.generate_many(requests, concurrency=16)
        """
        from .._limits.admission import as_limiter
        from .run import generate_many

        return await generate_many(
            self._endpoint, requests, concurrency=concurrency,
            rate_limit=as_limiter(rate_limit), return_exceptions=return_exceptions,
            progress=progress,
        )  # fmt: skip
