"""``--rpm/--tpm/--rpd`` and ``--redis URL``: the rate limit of one command, shared or not."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator
from contextvars import ContextVar

from .._config import RateLimit
from .._limits.limiter import Limiter
from .._limits.redis_limiter import RedisLimiter

# The limit of the running command, read by ``open_client`` (one command per process).
current: ContextVar[RateLimit | Limiter | None] = ContextVar(
    "gemini_stream_cli_limit", default=None
)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """Add the rate-limit options to a command's parser."""

    def positive(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
        return int(text)

    group = parser.add_argument_group("rate limits")
    group.add_argument("--rpm", type=positive, metavar="N", help="requests per minute")
    group.add_argument("--tpm", type=positive, metavar="N", help="input tokens per minute")
    group.add_argument("--rpd", type=positive, metavar="N", help="requests per day")
    group.add_argument(
        "--redis",
        metavar="URL",
        help="share these limits (and 429 pauses) with every process using this Redis, "
        "such as redis://localhost:6379/0",
    )


@contextlib.asynccontextmanager
async def command_limit(args: argparse.Namespace) -> AsyncIterator[None]:
    """Set the limit the options ask for (a ``RedisLimiter`` with ``--redis``) while the
    command runs."""
    values = (getattr(args, name, None) for name in ("rpm", "tpm", "rpd"))
    rpm, tpm, rpd = values
    limit = None
    if rpm or tpm or rpd:
        limit = RateLimit(requests=rpm, tokens=tpm, requests_per_day=rpd)
    url = getattr(args, "redis", None)
    if url is None:
        token = current.set(limit)
        try:
            yield
        finally:
            current.reset(token)
        return
    has_key = os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    key = None if has_key and not args.emulator else "emulator"
    async with RedisLimiter(url, limit, key=key, model=args.model) as limiter:
        token = current.set(limiter)
        try:
            yield
        finally:
            current.reset(token)
