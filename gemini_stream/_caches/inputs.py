"""Checks and conversions of ``client.caches`` arguments: lifetimes, names, tools with Python
functions. Every mistake raises ``TypeError`` or ``ValueError`` naming the value, before any
request is sent."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TypeAlias

from .._input.functions import declare_function
from .._input.request import ToolsInput, to_tools
from .._wire.base import Wire
from .._wire.convert import short_repr
from .._wire.tools import Tool

__all__ = (
    "CacheToolsInput",
    "TtlInput",
    "check_display_name",
    "check_lifetime",
    "format_expire_time",
    "format_ttl",
    "to_cache_tools",
)

TtlInput: TypeAlias = "float | timedelta"
CacheToolsInput: TypeAlias = "ToolsInput | Callable[..., Any] | Sequence[Any]"
_MAX_DISPLAY_NAME = 128


def format_ttl(ttl: float | timedelta) -> str:
    """A TTL as a protobuf Duration string: ``300`` -> ``"300s"``, ``1.5`` -> ``"1.5s"``.

    Raises:
        TypeError: not a number of seconds or a ``timedelta``.
        ValueError: not positive, or not finite.
    """
    if isinstance(ttl, timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        seconds = float(ttl)
    else:
        raise TypeError(
            f"ttl must be seconds (int or float) or a datetime.timedelta, got "
            f"{type(ttl).__name__} {short_repr(ttl)}"
        )
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"ttl must be a positive, finite duration, got {ttl!r}")
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:.9f}".rstrip("0") + "s"


def format_expire_time(expire_time: datetime) -> str:
    """An aware ``datetime`` as RFC 3339 UTC: ``"2026-04-11T12:05:00.123456Z"``.

    Raises:
        TypeError: not a ``datetime``.
        ValueError: a naive ``datetime`` (its time zone would be a guess).
    """
    if not isinstance(expire_time, datetime):
        raise TypeError(
            f"expire_time must be a datetime.datetime, got {type(expire_time).__name__} "
            f"{short_repr(expire_time)}"
        )
    if expire_time.tzinfo is None or expire_time.utcoffset() is None:
        raise ValueError(
            f"expire_time must be an aware datetime (with tzinfo, e.g. timezone.utc), got the "
            f"naive {expire_time!r}"
        )
    utc = expire_time.astimezone(timezone.utc)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def check_lifetime(
    ttl: TtlInput | None, expire_time: datetime | None
) -> tuple[str | None, str | None]:
    """The ``ttl`` and ``expireTime`` fields of a body (at most one of them set).

    Raises:
        ValueError: both are given (the API takes one or the other).
        TypeError, ValueError: as for ``format_ttl`` and ``format_expire_time``.
    """
    if ttl is not None and expire_time is not None:
        raise ValueError(
            f"give ttl or expire_time, not both (got ttl={ttl!r}, expire_time={expire_time!r})"
        )
    if ttl is not None:
        return format_ttl(ttl), None
    if expire_time is not None:
        return None, format_expire_time(expire_time)
    return None, None


def check_display_name(display_name: str | None) -> str | None:
    """Return ``display_name`` after checking it is a str of at most 128 characters."""
    if display_name is None:
        return None
    if not isinstance(display_name, str):
        raise TypeError(f"display_name must be a str, got {short_repr(display_name)}")
    if len(display_name) > _MAX_DISPLAY_NAME:
        raise ValueError(
            f"display_name has {len(display_name)} characters; the API allows at most "
            f"{_MAX_DISPLAY_NAME}: {short_repr(display_name)}"
        )
    return display_name


def to_cache_tools(tools: CacheToolsInput) -> list[Tool] | None:
    """Accept what ``to_tools`` accepts, and Python functions, declared with
    ``declare_function`` (a chat using the cache runs them: ``client.chat(...,
    cached_content=cache, tools=[the functions])``)."""
    if tools is None:
        return None
    if callable(tools) and not isinstance(tools, (Wire, Mapping)):
        items: list[Any] = [tools]
    elif isinstance(tools, (Wire, Mapping)) or not isinstance(tools, Sequence):
        return to_tools(tools)
    else:
        items = list(tools)
    converted = [
        declare_function(item) if callable(item) and not isinstance(item, (Wire, Mapping)) else item
        for item in items
    ]
    return to_tools(converted)
