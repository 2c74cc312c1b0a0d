"""A request's ``cached_content=``: the cache's name, and what the API refuses beside it.

A ``generateContent`` request that names a cache must not also set ``systemInstruction``,
``tools`` or ``toolConfig`` (the API answers 400 "CachedContent can not be used with
GenerateContent request setting system_instruction, tools or tool_config"): those belong in
the cache. That holds whatever the cache holds, so it is checked from the name alone. The
cache's model is known only from a ``CachedContent`` object (a bare name does not say it);
with one, a request to another model is refused too, as the API would.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from .._wire.caches import CachedContent
from .._wire.convert import short_repr

__all__ = ("CacheInput", "cache_name", "check_cache_use")

CacheInput: TypeAlias = "str | CachedContent | None"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_PREFIX = "cachedContents/"


def cache_name(cache: str | CachedContent) -> str:
    """Normalise a ``CachedContent``, ``"cachedContents/abc"`` or ``"abc"`` to
    ``"cachedContents/abc"`` (a full Vertex AI name is kept as it is).

    Raises:
        TypeError: not a str or a ``CachedContent``.
        ValueError: not a cache name, or a ``CachedContent`` without a name.
    """
    name = cache.name if isinstance(cache, CachedContent) else cache
    if isinstance(cache, CachedContent) and not name:
        raise ValueError("this CachedContent has no name: use the one client.caches returned")
    if not isinstance(name, str):
        raise TypeError(
            "cached_content must be a gs.CachedContent or a str like 'cachedContents/abc', "
            f"got {type(cache).__name__} {short_repr(cache)}"
        )
    if name.startswith("projects/") and f"/{_PREFIX}" in name:
        return name
    cache_id = name.removeprefix(_PREFIX)
    if not _ID.fullmatch(cache_id):
        raise ValueError(
            f"invalid cache name {name!r}: expected 'cachedContents/<id>' (letters, digits, "
            "'-' and '_')"
        )
    return _PREFIX + cache_id


def check_cache_use(
    cache: CacheInput,
    *,
    model: str | None = None,
    system_instruction: object = None,
    tools: object = None,
    tool_config: object = None,
) -> str | None:
    """Return the cache's name for a request, after refusing what the API would refuse.

    Raises:
        ValueError: the request also sets ``system_instruction``, ``tools`` or
            ``tool_config`` (named), or goes to another model than the cache's.
        TypeError: ``cache`` is neither a name nor a ``CachedContent``.
    """
    if cache is None:
        return None
    name = cache_name(cache)
    given = {"system_instruction": system_instruction, "tools": tools, "tool_config": tool_config}
    for field, value in given.items():
        if value is not None:
            raise ValueError(
                f"{field} cannot be sent with cached_content={name!r}: the API refuses a "
                "request that sets system_instruction, tools or tool_config beside a cache. "
                f"Put {field} in the cache (client.caches.create(..., {field}=...)) instead"
            )
    cache_model = cache.model if isinstance(cache, CachedContent) else None
    if model is not None and cache_model and _bare(model) != _bare(cache_model):
        raise ValueError(
            f"cache {name!r} was made for {cache_model!r} and cannot be used with model "
            f"{model!r}: a cache works only with its own model"
        )
    return name


def _bare(model: str) -> str:
    return model.rsplit("/", 1)[-1]
