"""How requests go through a limiter: batch limits, admission and the token estimate."""

from __future__ import annotations

import re
from contextvars import ContextVar

import anyio
import msgspec

from .._config import RateLimit
from .._errors import TotalTimeoutError
from .limiter import InProcessLimiter, Lease, Limiter

# The API documents "about four characters per token"; counting bytes of the encoded JSON
# errs on the side of waiting (the JSON envelope counts too).
BYTES_PER_TOKEN = 4
# Inline media is billed by size in pixels or seconds, not bytes: an image is 258 tokens per
# 768 x 768 tile, audio 32 tokens a second. One token per 160 bytes of the decoded file errs
# on the side of waiting for compressed images and audio (a 1 MB photo of 4000 x 3000 pixels:
# 24 tiles, 6,192 tokens; this says 6,554), where its base64 size over four would say 333,000.
MEDIA_BYTES_PER_TOKEN = 160
# An inline blob as the encoder writes it; its base64 data is group 1.
_INLINE_DATA = re.compile(rb'"inlineData":\{"mimeType":"[^"]*","data":"([A-Za-z0-9+/=]*)"')
_SMALL = 16 * 1024  # smaller bodies are not worth searching for media


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


# The limiter of the stream_many / generate_many batch the current task works for. A
# context variable reaches chats and callables that build their own streams.
batch_limiter: ContextVar[Limiter | None] = ContextVar("gemini_stream_batch_limiter", default=None)


def as_limiter(value: RateLimit | Limiter | None) -> Limiter | None:
    """Turn a ``rate_limit=`` argument into a limiter (a new one for a ``RateLimit``)."""
    if value is None or isinstance(value, Limiter):
        return value
    if isinstance(value, RateLimit):
        return InProcessLimiter(value)
    raise TypeError(f"rate_limit must be a gs.RateLimit or a gs.Limiter, got {value!r}")


def limiter_for(own: Limiter | None) -> Limiter | None:
    """The limiter a new request of a client whose own limiter is ``own`` goes through."""
    batch = batch_limiter.get()
    if batch is None or batch is own:
        return own
    return batch if own is None else _Stacked(batch, own)


async def admit(
    limiter: Limiter, body: bytes | None, total: float | None
) -> tuple[Lease, float | None]:
    """Wait for ``limiter`` within the call's time budget ``total``; return the lease and
    what is left of the budget.

    Raises:
        TotalTimeoutError: the wait alone used up ``total``.
    """
    tokens = estimate_tokens(body)
    if total is None:
        return await limiter.acquire(tokens), None
    started = anyio.current_time()
    with anyio.move_on_after(total):
        lease = await limiter.acquire(tokens)
        return lease, max(total - (anyio.current_time() - started), 0.001)
    raise TotalTimeoutError(
        f"waiting for the rate limiter used up the call's time budget ({total:.3g}s left)"
    )


def estimate_tokens(body: bytes | None) -> int:
    """The input tokens of an encoded request, as the limiter counts them before sending."""
    if not body:
        return 1
    size, tokens = len(body), 1
    if size > _SMALL:
        for match in _INLINE_DATA.finditer(body):
            encoded = match.end(1) - match.start(1)
            size -= encoded
            tokens += encoded * 3 // 4 // MEDIA_BYTES_PER_TOKEN + 1
    return tokens + size // BYTES_PER_TOKEN


class _Usage(msgspec.Struct, rename="camel"):
    prompt_token_count: int | None = None


class _UsageOnly(msgspec.Struct, rename="camel"):
    usage_metadata: _Usage | None = None


_usage_decoder = msgspec.json.Decoder(_UsageOnly)


def prompt_tokens(body: bytes | None) -> int | None:
    """The input tokens a ``generateContent`` reply body reports (a stream reads its own);
    ``None`` when there is no body, or it reports none."""
    if body is None:
        return None
    try:
        usage = _usage_decoder.decode(body).usage_metadata
    except msgspec.DecodeError:
        return None
    return usage.prompt_token_count if usage is not None else None
