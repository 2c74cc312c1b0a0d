"""Which limiter a new request goes through: the client's own and a batch's, if any.

Kept apart from ``admission`` (which imports anyio and builds its byte tables): every
generation request asks ``limiter_for``, and a client without a rate limit never loads the
rest (cold start: benchmarks/bench_coldstart.py).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .limiter import Lease, Limiter

__all__ = ("batch_limiter", "limiter_for")

# The limiter of the ``stream_many`` / ``generate_many`` batch whose task opens a request.
batch_limiter: ContextVar[Limiter | None] = ContextVar("gemini_stream_batch_limiter", default=None)


def limiter_for(own: Limiter | None) -> Limiter | None:
    """The limiter a new request of a client whose own limiter is ``own`` goes through."""
    batch = batch_limiter.get()
    if batch is None or batch is own:
        return own
    return batch if own is None else _Stacked(batch, own)


class _Stacked:
    """Two limiters that must both agree: a batch's own limit inside the client's."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, inner: Limiter, outer: Limiter) -> None:
        self._inner = inner
        self._outer = outer

    async def acquire(self, tokens: int) -> Lease:
        inner = await self._inner.acquire(tokens)
        try:
            outer = await self._outer.acquire(tokens)
        except BaseException:
            inner.release()
            raise
        return _Leases(inner, outer)

    def penalize(self, seconds: float) -> None:
        self._inner.penalize(seconds)
        self._outer.penalize(seconds)


class _Leases:
    __slots__ = ("_leases",)

    def __init__(self, *leases: Lease) -> None:
        self._leases = leases

    def sent(self) -> None:
        for lease in self._leases:
            lease.sent()

    def release(self, tokens: int | None = None) -> None:
        for lease in self._leases:
            lease.release(tokens)
