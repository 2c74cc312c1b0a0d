"""Writes generated media to disk; raw speech PCM saved as ``.wav`` gets a WAV header."""

from __future__ import annotations

import os
import wave
from pathlib import Path

__all__ = ("save_blob",)


def _pcm_rate(mime_type: str) -> int | None:
    """The sample rate of raw 16-bit PCM (``audio/L16;codec=pcm;rate=24000``), else ``None``."""
    kind, *params = (p.strip() for p in mime_type.lower().split(";"))
    if kind not in ("audio/l16", "audio/pcm"):
        return None
    values = dict(p.partition("=")[::2] for p in params)
    rate = values.get("rate", "24000")  # Gemini's speech output is 24 kHz mono
    return int(rate) if rate.isdigit() else 24000


def save_blob(mime_type: str | None, data: bytes | None, path: str | os.PathLike[str]) -> Path:
    """Write a ``Blob``'s bytes to ``path``; raw PCM saved as ``.wav`` gets a WAV header.

    Raises:
        ValueError: the blob carries no data.
        OSError: the file cannot be written.
    """
    if data is None:
        raise ValueError(f"this Blob ({mime_type!r}) has no data to save")
    target = Path(path)
    rate = _pcm_rate(mime_type or "")
    if rate is not None and target.suffix.lower() == ".wav":
        # Speech comes back as headerless 16-bit mono PCM; a WAV header makes it playable.
        with wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(data)
    else:
        target.write_bytes(data)
    return target
