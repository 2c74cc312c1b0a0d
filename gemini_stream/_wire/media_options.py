"""Video clipping, frame rate and media resolution of a media part, from friendly values.

Offsets become protobuf Duration strings (``90`` -> ``"90s"``, ``timedelta(seconds=1.5)`` ->
``"1.5s"``), resolutions the API's enum names (``"low"`` -> ``MEDIA_RESOLUTION_LOW``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .parts import PartMediaResolution, VideoMetadata

__all__ = ("duration", "part_modifiers")

_DURATION = re.compile(r"\d+(\.\d{1,9})?s")
_RESOLUTIONS = ("LOW", "MEDIUM", "HIGH", "ULTRA_HIGH")


def duration(value: float | timedelta | str, what: str) -> str:
    """Encode a protobuf Duration: seconds (float), a ``timedelta`` or ``"1.5s"`` -> ``"1.5s"``.

    Raises:
        ValueError: a negative or non-finite value, or a malformed string; names ``what``.
    """
    if isinstance(value, str):
        if not _DURATION.fullmatch(value):
            raise ValueError(f"{what} must be seconds like 1.5 or '1.5s', got {value!r}")
        return value
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be seconds (a number), a timedelta or '1.5s', got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite, non-negative number of seconds, got {value!r}")
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return f"{text}s"


def _resolution(value: str | PartMediaResolution | Mapping[str, Any]) -> PartMediaResolution:
    if isinstance(value, PartMediaResolution):
        return value
    if isinstance(value, Mapping):
        return PartMediaResolution(level=value.get("level"), num_tokens=value.get("num_tokens"))
    if not isinstance(value, str):
        raise TypeError(f"media_resolution must be a str like 'high', got {value!r}")
    level = value.upper()
    if level in _RESOLUTIONS:
        level = f"MEDIA_RESOLUTION_{level}"
    if not level.startswith("MEDIA_RESOLUTION_"):
        raise ValueError(
            f"media_resolution {value!r} is not one of 'low', 'medium', 'high', 'ultra_high' "
            "(or a MEDIA_RESOLUTION_* name)"
        )
    return PartMediaResolution(level=level)


def part_modifiers(
    mime_type: str | None,
    *,
    start_offset: float | timedelta | str | None = None,
    end_offset: float | timedelta | str | None = None,
    fps: float | None = None,
    media_resolution: str | PartMediaResolution | None = None,
) -> dict[str, Any]:
    """The ``video_metadata`` / ``media_resolution`` fields of a media part, as Part kwargs.

    Raises:
        ValueError: video settings on a part whose MIME type is known and not ``video/*``, a
            non-positive ``fps``, an end before the start, or a bad value (named).
    """
    fields: dict[str, Any] = {}
    if start_offset is not None or end_offset is not None or fps is not None:
        if mime_type is not None and not mime_type.startswith("video/"):
            raise ValueError(
                f"start_offset, end_offset and fps apply to video parts, not {mime_type!r}"
            )
        if fps is not None and (isinstance(fps, bool) or not isinstance(fps, (int, float))):
            raise TypeError(f"fps must be a number of frames per second, got {fps!r}")
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be positive (the API's default is 1), got {fps!r}")
        start = None if start_offset is None else duration(start_offset, "start_offset")
        end = None if end_offset is None else duration(end_offset, "end_offset")
        if start is not None and end is not None and float(end[:-1]) < float(start[:-1]):
            raise ValueError(f"end_offset {end} is before start_offset {start}")
        fields["video_metadata"] = VideoMetadata(
            start_offset=start, end_offset=end, fps=None if fps is None else float(fps)
        )
    if media_resolution is not None:
        fields["media_resolution"] = _resolution(media_resolution)
    return fields
