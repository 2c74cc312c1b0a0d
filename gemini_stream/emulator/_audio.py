"""A tiny dependency-free speech stand-in for the emulator's AUDIO output: a short tone.

Gemini's speech models answer with headerless 16-bit little-endian mono PCM at 24 kHz,
labelled ``audio/L16;codec=pcm;rate=24000``; the emulator sends the same kind of data.
"""

from __future__ import annotations

import math
import struct

PCM_MIME_TYPE = "audio/L16;codec=pcm;rate=24000"
_RATE = 24000


def make_pcm(seed: bytes, seconds: float = 0.25) -> bytes:
    """Return ``seconds`` of a sine tone whose pitch (220-880 Hz) derives from ``seed``."""
    pitch = 220 + int.from_bytes(seed[:2], "big") % 661
    count = int(_RATE * seconds)
    samples = (round(8000 * math.sin(2 * math.pi * pitch * i / _RATE)) for i in range(count))
    return struct.pack(f"<{count}h", *samples)
