"""The Files API: ``client.files`` uploads, describes, lists, deletes and waits for media files.

Uploaded files live 48 hours on the Gemini Developer API and are referenced from a request by
a ``fileData`` part (``file.part()``). Vertex AI has no Files API; it reads media from Cloud
Storage (``Part.from_uri("gs://...")``).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import anyio

from .._errors import FileProcessingError, FileProcessingTimeoutError
from .._http.codec import decode
from .._wire.content import Part
from .._wire.files import File, FileState, ListFilesResponse
from .._wire.media import INLINE_LIMIT, MediaSource, base64_size, open_media
from .._wire.media_options import part_modifiers
from .._wire.parts import PartMediaResolution
from .upload import resumable_upload

if TYPE_CHECKING:
    from .._config import Timeouts
    from .._http.endpoint import Endpoint

__all__ = ("DEFAULT_CHUNK_SIZE", "Files", "file_name")

DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


def file_name(file: File | str) -> str:
    """Normalise ``File``, ``"files/abc"``, ``"abc"`` or a file URI to ``"files/abc"``.

    Raises:
        ValueError: not a valid file name (ids are up to 40 lowercase letters, digits, ``-``).
    """
    name = file.name if isinstance(file, File) else file
    if not isinstance(name, str):
        raise TypeError(f"expected a gs.File or a name like 'files/abc123', got {file!r}")
    file_id = name.rsplit("/files/", 1)[-1] if "://" in name else name.removeprefix("files/")
    if not _ID.fullmatch(file_id):
        raise ValueError(
            f"invalid file name {name!r}: expected 'files/<id>' with an id of up to 40 "
            "lowercase letters, digits and dashes"
        )
    return f"files/{file_id}"


class Files:
    """The Files API of one ``Client``: ``client.files``.

    Example:
        >>> file = await client.files.upload("talk.mp3")
        >>> reply = await client.generate("gemini-2.5-flash", [file.part(), "Summarise it"])
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def _check_available(self) -> None:
        if self._endpoint.vertex is not None:
            raise ValueError(
                "the Files API belongs to the Gemini Developer API; Vertex AI reads media from "
                "Cloud Storage instead: Part.from_uri('gs://bucket/object', mime_type)"
            )

    async def upload(
        self,
        file: MediaSource,
        *,
        mime_type: str | None = None,
        display_name: str | None = None,
        name: str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        timeouts: Timeouts | None = None,
    ) -> File:
        """Upload media with the resumable protocol, in chunks, and return its ``File``.

        The returned file may still be ``PROCESSING`` (video usually is); ``wait_active``
        waits for it, and ``prepare_part`` does both.

        Args:
            file: a path, ``bytes``, or a binary file object (read from its position).
            mime_type: the MIME type; by default from the extension, then the first bytes.
            display_name: a label shown in listings; defaults to the file's base name.
            name: a resource name of your choosing (``"files/my-id"``); the server picks one
                by default.
            chunk_size: bytes per upload request, rounded to the server's granularity.
            timeouts: a per-call override of the client's ``Timeouts``.

        Raises:
            OSError, TypeError, ValueError: the source cannot be read or typed (named).
            UploadError: the server broke the upload protocol.
            APIError: the server refused the upload.
        """
        self._check_available()
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        resource = None if name is None else file_name(name)
        reader = await anyio.to_thread.run_sync(open_media, file, mime_type)
        try:
            meta = File(
                name=resource,
                display_name=_display_name(file, display_name),
                mime_type=reader.mime_type,
            )
            return await resumable_upload(
                self._endpoint, reader, meta, chunk_size=chunk_size, timeouts=timeouts
            )
        finally:
            reader.close()

    async def get(self, file: File | str, *, timeouts: Timeouts | None = None) -> File:
        """Describe one file (``GET files/{id}``): its state, size, URI, expiry."""
        self._check_available()
        target = file_name(file)
        call = self._endpoint.call(target, "files.get", None, timeouts, None)
        return decode(await call.fetch(), File)

    async def list(
        self, *, page_size: int = 100, timeouts: Timeouts | None = None
    ) -> AsyncIterator[File]:
        """Iterate over the project's files, newest first, fetching pages as needed.

        Example:
            >>> async for file in client.files.list():
            ...     print(file.name, file.display_name, file.state)
        """
        self._check_available()
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int (at most 100), got {page_size!r}")
        token = ""
        while True:
            query = f"files?pageSize={page_size}" + (f"&pageToken={token}" if token else "")
            call = self._endpoint.call(query, "files.list", None, timeouts, None)
            page = decode(await call.fetch(), ListFilesResponse)
            for item in page.files or ():
                yield item
            token = page.next_page_token or ""
            if not token:
                return

    async def delete(self, file: File | str, *, timeouts: Timeouts | None = None) -> None:
        """Delete a file now rather than at its expiry (``DELETE files/{id}``)."""
        self._check_available()
        url = self._endpoint.root + file_name(file)
        await self._endpoint.url_call(url, "files.delete", None, timeouts, method="DELETE").fetch()

    async def wait_active(
        self, file: File | str, *, max_wait: float = 300.0, poll_interval: float = 0.25
    ) -> File:
        """Poll a file until its state is ``ACTIVE`` and return it.

        Polls start ``poll_interval`` apart and back off to 5 s.

        Raises:
            FileProcessingError: the state became ``FAILED`` (``.file.error`` says why).
            FileProcessingTimeoutError: still ``PROCESSING`` after ``max_wait`` seconds.
        """
        current = file if isinstance(file, File) and file.state else await self.get(file)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_wait
        interval = poll_interval
        while True:
            if current.state == FileState.ACTIVE:
                return current
            if current.state == FileState.FAILED:
                reason = current.error.message if current.error is not None else None
                raise FileProcessingError(
                    f"processing {current.name} failed: {reason or 'no reason given'}",
                    file=current,
                )
            left = deadline - loop.time()
            if left <= 0:
                raise FileProcessingTimeoutError(
                    f"{current.name} was still {current.state} after {max_wait} s", file=current
                )
            # Real waits even under gs.set_testing(): the server needs the time to process.
            await self._endpoint.transport.unless_closed(asyncio.sleep(min(interval, left)))
            interval = min(interval * 2, 5.0)
            current = await self.get(current)

    async def prepare_part(
        self,
        file: MediaSource,
        mime_type: str | None = None,
        *,
        display_name: str | None = None,
        inline_limit: int = INLINE_LIMIT,
        max_wait: float = 300.0,
        start_offset: float | timedelta | str | None = None,
        end_offset: float | timedelta | str | None = None,
        fps: float | None = None,
        media_resolution: str | PartMediaResolution | None = None,
    ) -> Part:
        """Return a part for any media: inline when small, else uploaded and waited for.

        Media whose base64 form fits in ``inline_limit`` bytes (the API's 20 MB request
        limit by default) becomes an ``inlineData`` part, read in a worker thread; larger
        media is uploaded with ``upload()``, waited for with ``wait_active()``, and returned
        as a ``fileData`` part. Keep room for the rest of the request (or lower
        ``inline_limit``) when one request carries several media.

        Example:
            >>> part = await client.files.prepare_part("lecture.mp4", fps=0.5)
            >>> reply = await client.generate(model, [part, "What is the main claim?"])
        """
        extra: dict[str, Any] = {
            "start_offset": start_offset,
            "end_offset": end_offset,
            "fps": fps,
            "media_resolution": media_resolution,
        }
        reader = await anyio.to_thread.run_sync(open_media, file, mime_type)
        try:
            part_modifiers(reader.mime_type, **extra)  # bad settings fail before any upload
            if base64_size(reader.size) <= inline_limit:
                data = await anyio.to_thread.run_sync(reader.read)
                return Part.from_bytes(data, reader.mime_type, **extra)
            self._check_available()
            meta = File(display_name=_display_name(file, display_name), mime_type=reader.mime_type)
            uploaded = await resumable_upload(
                self._endpoint, reader, meta, chunk_size=DEFAULT_CHUNK_SIZE, timeouts=None
            )
        finally:
            reader.close()
        ready = await self.wait_active(uploaded, max_wait=max_wait)
        return ready.part(**extra)


def _display_name(file: MediaSource, given: str | None) -> str | None:
    """The caller's display name, else a path's base name (what the AI Studio UI shows)."""
    if given is not None or not isinstance(file, (str, os.PathLike)):
        return given
    return os.path.basename(os.fspath(file))
