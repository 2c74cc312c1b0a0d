"""What keeping a context cache costs: its tokens times the storage price per hour.

An explicit cache is billed three ways: its tokens at the input price once, when it is
created (the ``usageMetadata`` of the create call is not a reply's, so add it yourself);
storage per token and hour while it lives (this module); and the cached-token price each
time a request reads it (``estimate_cost``, from ``cachedContentTokenCount``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta

from .._wire.caches import CachedContent, parse_timestamp
from .estimate import lookup
from .prices import PRICES, PRICES_DATE, Price

__all__ = ("estimate_cache_storage",)

_PER_TOKEN = 1e-6


def _hours(hours: float | timedelta | None, cache: CachedContent | int) -> float:
    if isinstance(hours, timedelta):
        return hours.total_seconds() / 3600
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, (int, float)):
            raise TypeError(f"hours must be a number or a timedelta, got {hours!r}")
        return float(hours)
    if not isinstance(cache, CachedContent) or not (cache.create_time and cache.expire_time):
        raise ValueError(
            "how long is the cache kept? pass hours=... (a cache from client.caches.create "
            "or get gives its own lifetime)"
        )
    lived = parse_timestamp(cache.expire_time) - parse_timestamp(cache.create_time)
    return lived.total_seconds() / 3600


def estimate_cache_storage(
    cache: CachedContent | int,
    *,
    hours: float | timedelta | None = None,
    model: str | None = None,
    prices: Mapping[str, Price] | None = None,
) -> float:
    """Estimate the storage price of a context cache, in USD (Standard tier).

    Args:
        cache: a ``CachedContent`` (its token count, model and lifetime are used) or a
            number of cached tokens.
        hours: how long it is kept (a number or a ``timedelta``); by default a
            ``CachedContent``'s lifetime, from ``create_time`` to ``expire_time`` (after an
            ``update``, from creation to the new expiry).
        model: the cache's model; defaults to ``cache.model``.
        prices: your own table instead of the shipped one.

    Raises:
        ValueError: unknown model, a model without a storage price, no lifetime known, or
            a negative number of tokens or hours.

    Example:
        >>> cache = await client.caches.create(model, contents=[book], ttl=3600)
        >>> gs.estimate_cache_storage(cache)  # one hour of the book's tokens
    """
    if isinstance(cache, CachedContent):
        tokens = cache.token_count
        model = model or cache.model
    elif isinstance(cache, int) and not isinstance(cache, bool):
        tokens = cache
    else:
        raise TypeError(f"expected a CachedContent or a token count, got {cache!r}")
    kept = _hours(hours, cache)
    if tokens < 0 or not math.isfinite(kept) or kept < 0:
        raise ValueError(f"tokens and hours must be positive, got {tokens} tokens, {kept} hours")
    if not model:
        raise ValueError("which model is the cache for? pass model='gemini-2.5-flash'")
    name, price = lookup(model, PRICES if prices is None else prices)
    if price.cache_storage is None:
        raise ValueError(f"no cache storage price known for {name!r} (table of {PRICES_DATE})")
    return tokens * _PER_TOKEN * price.cache_storage * kept
