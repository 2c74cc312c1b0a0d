"""Where a ``RedisLimiter`` keeps its quota: the Redis client it uses, and its keys' names."""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from redis.asyncio import Redis

Store = Union[str, "Redis"]  # a URL, or a client of the caller's


def connect(redis: Store, timeout: float) -> tuple[Redis, bool]:
    """The Redis client to use, and whether the limiter made it (and so closes it)."""
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError as exc:
        raise ImportError(
            "gs.RedisLimiter needs the redis package: pip install 'gemini-stream[redis]'"
        ) from exc
    if isinstance(redis, Redis):
        return redis, False
    if not isinstance(redis, str):
        raise TypeError(f"redis must be a redis:// URL or a redis.asyncio.Redis, got {redis!r}")
    # Timeouts so that a Redis that went away fails fast. One retry at once: a pooled
    # connection to a Redis that restarted fails its first command; the limiter's policy
    # decides what happens after that (and its own timeout bounds both tries).
    client = Redis.from_url(
        redis,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
    )
    return client, True


def namespace(prefix: str, key: str | None, model: str | None) -> str:
    """``prefix:{fingerprint:model}``: the braces keep a quota's keys in one Cluster slot."""
    if key is None:
        key = os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
        if not key:
            raise ValueError(
                "RedisLimiter needs key= (your project id or API key): none was given and "
                "neither GEMINI_API_KEY nor GOOGLE_API_KEY is set"
            )
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty string, got {type(key).__name__}")
    for name, value in (("prefix", prefix), ("model", model)):
        if value is not None and (not isinstance(value, str) or not value or "{" in value):
            raise ValueError(f"{name} must be a non-empty string without braces, got {value!r}")
    fingerprint = hashlib.sha256(key.encode()).hexdigest()[:16]
    model_part = "any-model" if model is None else model.removeprefix("models/")
    return f"{prefix}:{{{fingerprint}:{model_part}}}"
