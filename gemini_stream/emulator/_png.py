"""A tiny dependency-free PNG writer for the emulator's image output."""

from __future__ import annotations

import struct
import zlib

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png(seed: bytes, size: int = 16) -> bytes:
    """Return a valid ``size`` x ``size`` 8-bit RGB PNG whose colours derive from ``seed``.

    The same seed always gives the same bytes: a diagonal gradient between two colours
    taken from the seed.
    """
    a = seed[:3].ljust(3, b"\0")
    b = seed[3:6].ljust(3, b"\xff")
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type "None" for every scanline
        for x in range(size):
            t = (x + y) / max(1, 2 * (size - 1))
            rows.extend(round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
