"""How requests go through a limiter: batch limits, admission and the token estimate."""

from __future__ import annotations

import re

import anyio
import msgspec

from .._config import RateLimit
from .._errors import TotalTimeoutError
from .context import batch_limiter as batch_limiter
from .context import limiter_for as limiter_for
from .limiter import InProcessLimiter, Lease, Limiter


# Text is bounded from the kind of each byte of the encoded request, so that no text is
# under-counted, whatever its script: a token holds at most four letters (Google's "about
# four characters per token" is an average), a digit is a token of its own (Gemini splits
# numbers into digits), and so is each symbol and each non-ASCII character (an emoji, a CJK
# character); each run of letters may end in a part-filled token (3/4 more). Spaces cost
# nothing. ``_KINDS`` marks letters "L" and whole tokens "1"; ``_LETTERS`` marks letters
# "L", so that a run's start is ``b"xL"``.
def _kind(byte: int) -> int:
    if byte >= 0x80:  # UTF-8: a continuation byte, or the first byte of a character
        return ord("s") if byte < 0xC0 else ord("1")
    char = chr(byte)
    if char.isalpha() or char == "_":
        return ord("L")
    return ord("s") if char.isspace() else ord("1")  # a space; a digit or a symbol


_KINDS = bytes(_kind(byte) for byte in range(256))
_LETTERS = bytes(ord("L") if kind == ord("L") else ord("x") for kind in _KINDS)

# Inline media is billed by size in pixels or seconds, not bytes: an image is 258 tokens per
# 768 x 768 tile (a small one 258), audio 32 tokens a second, a PDF 258 a page. One token per
# 160 bytes of the decoded file, and never fewer than 258, errs on the side of waiting for
# compressed images and audio (a 1 MB photo of 4000 x 3000 pixels: 24 tiles, 6,192 tokens;
# this says 6,554), where its base64 size would say hundreds of thousands.
MEDIA_BYTES_PER_TOKEN = 160
MEDIA_TOKENS = 258
# An inline blob as the encoder writes it; its base64 data is group 1.
_INLINE_DATA = re.compile(rb'"inlineData":\{[^{}]*?"data":"([A-Za-z0-9+/=]*)"')
# A file reference: what the file holds is not known here; it counts as one image.
_FILE_DATA = b'"fileData":'


def as_limiter(value: RateLimit | Limiter | None) -> Limiter | None:
    """Turn a ``rate_limit=`` argument into a limiter (a new one for a ``RateLimit``)."""
    if value is None or isinstance(value, Limiter):
        return value
    if isinstance(value, RateLimit):
        return InProcessLimiter(value)
    raise TypeError(f"rate_limit must be a gs.RateLimit or a gs.Limiter, got {value!r}")


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
    """The input tokens of an encoded request, as the limiter counts them before sending.

    It errs on the side of waiting: text of any script, code, chat history and function
    declarations are bounded from above (the JSON around them counts too); an inline file
    counts by its size, never under 258 tokens; an uploaded file (``fileData``) counts as
    one image, whatever it holds (the reply's ``promptTokenCount`` then corrects it).
    """
    if not body:
        return 1
    tokens = 1 + MEDIA_TOKENS * body.count(_FILE_DATA)
    if b'"inlineData":' in body:
        parts: list[bytes] = []
        start = 0
        for match in _INLINE_DATA.finditer(body):
            parts.append(body[start : match.start(1)])
            start = match.end(1)
            size = (match.end(1) - match.start(1)) * 3 // 4
            tokens += max(size // MEDIA_BYTES_PER_TOKEN + 1, MEDIA_TOKENS)
        parts.append(body[start:])
        body = b"".join(parts) if len(parts) > 1 else body
    kinds = body.translate(_KINDS)
    runs = body.translate(_LETTERS).count(b"xL") + 1  # a body starts with "{"; one spare
    return tokens + kinds.count(b"1") + (kinds.count(b"L") + 3 * runs + 3) // 4


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
