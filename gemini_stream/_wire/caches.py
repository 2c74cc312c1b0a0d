"""Wire types of context caching: the ``CachedContent`` resource and the list page.

``cachedContents/{id}`` stores a prompt prefix (system instruction, contents, tools, tool
config) for one model. The prefix fields are input only: the API never echoes them, so a
cache read back with ``get`` or ``list`` carries only its metadata.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .base import Wire
from .content import Content
from .tools import Tool, ToolConfig

__all__ = (
    "CachedContent",
    "CachedContentUsageMetadata",
    "ListCachedContentsResponse",
    "parse_timestamp",
)

# RFC 3339 as Google writes it: "2026-04-11T12:05:00.123456789Z" (0-9 fraction digits).
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))"
)


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 timestamp (nanoseconds cut to microseconds) into an aware datetime.

    Raises:
        ValueError: ``value`` is not an RFC 3339 timestamp.
    """
    match = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0")[:6])
    zone = timezone.utc
    if match.group(9):
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        zone = timezone(offset if match.group(9) == "+" else -offset)
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)


class CachedContentUsageMetadata(Wire, frozen=True, kw_only=True):
    """What a cache holds: ``total_token_count`` tokens (the media fields are Vertex AI's)."""

    total_token_count: int | None = None
    audio_duration_seconds: int | None = None
    image_count: int | None = None
    text_count: int | None = None
    video_duration_seconds: int | None = None


class CachedContent(Wire, frozen=True, kw_only=True):
    """A context cache (``cachedContents/{id}``), as ``client.caches`` returns it.

    Output fields: ``name``, ``create_time``, ``update_time``, ``expire_time`` (always
    given), ``usage_metadata``. ``model`` and ``display_name`` are set at creation and never
    change. ``system_instruction``, ``contents``, ``tools``, ``tool_config`` and ``ttl`` are
    input only: the API does not send them back. Times are RFC 3339 strings as sent;
    ``expires_at`` is ``expire_time`` as an aware ``datetime``.
    """

    name: str | None = None
    display_name: str | None = None
    model: str | None = None
    system_instruction: Content | None = None
    contents: list[Content] | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    ttl: str | None = None
    expire_time: str | None = None
    create_time: str | None = None
    update_time: str | None = None
    usage_metadata: CachedContentUsageMetadata | None = None

    @property
    def expires_at(self) -> datetime | None:
        """``expire_time`` as an aware UTC ``datetime`` (``None`` when absent)."""
        return None if self.expire_time is None else parse_timestamp(self.expire_time)

    @property
    def token_count(self) -> int:
        """The tokens the cache holds (``usage_metadata.total_token_count``; 0 when absent)."""
        usage = self.usage_metadata
        return (usage.total_token_count or 0) if usage is not None else 0


class ListCachedContentsResponse(Wire, frozen=True, kw_only=True):
    """One page of ``cachedContents.list``; ``next_page_token`` is absent on the last page."""

    cached_contents: list[CachedContent] | None = None
    next_page_token: str | None = None
