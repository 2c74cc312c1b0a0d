"""Reads media from a path, bytes or a binary file and names its MIME type, for media parts.

The MIME type comes from the caller, else from the file extension, else from the first bytes
(magic numbers of the image, audio, video and PDF formats Gemini reads).
"""

from __future__ import annotations

import io
import mimetypes
import os
from pathlib import Path
from typing import IO, TypeAlias

__all__ = ("INLINE_LIMIT", "MediaReader", "MediaSource", "base64_size", "open_media", "sniff")

MediaSource: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]"

INLINE_LIMIT = 20_000_000
"""The API's limit on a whole request (inline media is base64 inside the JSON body)."""

# Gemini's documented names for the formats it reads; the system's mime.types varies between
# machines (``audio/x-wav``, ``audio/3gpp`` for .3gp, ...), this table does not.
_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
    ".wav": "audio/wav",
    ".mp3": "audio/mp3",
    ".aiff": "audio/aiff",
    ".aif": "audio/aiff",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpg",
    ".mov": "video/mov",
    ".avi": "video/avi",
    ".flv": "video/x-flv",
    ".webm": "video/webm",
    ".wmv": "video/wmv",
    ".3gp": "video/3gpp",
    ".mkv": "video/x-matroska",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".html": "text/html",
}
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"hevc": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"heif": "image/heif",
    b"qt  ": "video/mov",
    b"M4A ": "audio/mp4",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3gp6": "video/3gpp",
    b"3g2a": "video/3gpp",
}
_RIFF_KINDS = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/avi"}
_PREFIXES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mp3"),
    (b"\xff\xfb", "audio/mp3"),
    (b"\xff\xf3", "audio/mp3"),
    (b"\xff\xf2", "audio/mp3"),
    (b"\xff\xf1", "audio/aac"),
    (b"\xff\xf9", "audio/aac"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"FLV\x01", "video/x-flv"),
    (b"\x00\x00\x01\xba", "video/mpeg"),
    (b"\x00\x00\x01\xb3", "video/mpeg"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "video/wmv"),
)
SNIFF_BYTES = 64


def sniff(head: bytes) -> str | None:
    """Name the MIME type of data from its first bytes (``None`` when no signature matches)."""
    for prefix, mime_type in _PREFIXES:
        if head.startswith(prefix):
            return mime_type
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head.startswith(b"RIFF"):
        return _RIFF_KINDS.get(head[8:12])
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM declares its doctype early
        return "video/webm" if b"webm" in head else "video/x-matroska"
    return None


def _by_extension(name: str | None) -> str | None:
    if not name:
        return None
    suffix = Path(name).suffix.lower()
    found = _EXTENSIONS.get(suffix) or mimetypes.guess_type(name, strict=False)[0]
    return None if found == "application/octet-stream" else found  # ".bin" says nothing


class MediaReader:
    """An opened media source: its size and MIME type, read front to back (blocking reads).

    Build one with :func:`open_media` (in a worker thread when the source is a path), read it
    with :meth:`read`, and :meth:`close` it; a file object the caller passed is never closed.
    """

    def __init__(
        self,
        label: str,
        size: int,
        mime_type: str,
        *,
        file: IO[bytes] | None = None,
        data: bytes = b"",
        owned: bool = False,
    ) -> None:
        self.label = label
        self.size = size
        self.mime_type = mime_type
        self._file = file
        self._owned = owned
        self._data = memoryview(data)
        self._offset = 0

    def read(self, n: int = -1) -> bytes:
        """Return the next ``n`` bytes (all that is left for ``n < 0``; ``b""`` at the end)."""
        if self._file is not None:
            return self._file.read(n)
        end = len(self._data) if n < 0 else self._offset + n
        chunk = bytes(self._data[self._offset : end])
        self._offset += len(chunk)
        return chunk

    def close(self) -> None:
        """Close the file this reader opened itself (a caller's file object stays open)."""
        file, self._file = self._file, None
        if file is not None and self._owned:
            file.close()


def open_media(source: MediaSource, mime_type: str | None = None) -> MediaReader:
    """Open ``source`` for reading and determine its size and MIME type (blocking).

    Args:
        source: a path, ``bytes``, or a binary file object open for reading; a file object is
            read from its current position.
        mime_type: the MIME type, when the caller knows it.

    Raises:
        OSError: the path cannot be opened (the message names it).
        TypeError: a text-mode file or an unsupported kind of source.
        ValueError: the MIME type cannot be determined (the message names the source).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return MediaReader("<bytes>", len(data), _mime(mime_type, None, data, "<bytes>"), data=data)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        file: IO[bytes] = open(path, "rb")  # noqa: SIM115 - the reader closes it
        try:
            size = os.fstat(file.fileno()).st_size
            head = file.read(SNIFF_BYTES)
            file.seek(0)
            kind = _mime(mime_type, path, head, repr(path))
        except BaseException:
            file.close()
            raise
        return MediaReader(repr(path), size, kind, file=file, owned=True)
    unchecked: object = source  # a text-mode file passes the type checker, not this check
    if isinstance(unchecked, io.TextIOBase) or not hasattr(source, "read"):
        raise TypeError(
            f"expected a path, bytes or a file opened in binary mode ('rb'), got "
            f"{type(source).__name__}"
        )
    name = getattr(source, "name", None)
    label = repr(name) if isinstance(name, str) else "<file>"
    if source.seekable():
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        head = source.read(SNIFF_BYTES)
        source.seek(start)
        kind = _mime(mime_type, name if isinstance(name, str) else None, head, label)
        return MediaReader(label, size, kind, file=source)
    data = source.read()  # an unseekable stream must be read to learn its size
    kind = _mime(mime_type, name if isinstance(name, str) else None, data, label)
    return MediaReader(label, len(data), kind, data=data)


def _mime(given: str | None, name: str | None, head: object, label: str) -> str:
    if not isinstance(head, bytes):
        raise TypeError(f"{label} is open in text mode; open it in binary mode ('rb')")
    if given is not None:
        if not isinstance(given, str) or "/" not in given:
            raise ValueError(f"mime_type must look like 'image/png', got {given!r}")
        return given
    found = _by_extension(name) or sniff(head)
    if found is None:
        raise ValueError(
            f"cannot determine the MIME type of {label}: unknown extension and no known file "
            "signature; pass mime_type='...' (e.g. 'image/png', 'application/pdf')"
        )
    return found


def base64_size(n: int) -> int:
    """The length of ``n`` bytes once base64-encoded (as inline data travels in JSON)."""
    return (n + 2) // 3 * 4
