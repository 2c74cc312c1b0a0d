"""Wire types of the Files API: the ``File`` resource and the list / create bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .base import Wire
from .content import Part
from .parts import PartMediaResolution

__all__ = ("CreateFileRequest", "File", "FileState", "FileStatus", "ListFilesResponse")


class FileState:
    """Values of ``File.state``."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    PROCESSING = "PROCESSING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"


class FileStatus(Wire, frozen=True, kw_only=True):
    """Why processing failed (a ``google.rpc.Status``)."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


class File(Wire, frozen=True, kw_only=True):
    """An uploaded file. ``size_bytes`` is an int64 (a JSON string on the wire); times are
    RFC 3339 strings; ``sha256_hash`` is the base64 text the server sent.
    """

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: str | None = None
    update_time: str | None = None
    expiration_time: str | None = None
    sha256_hash: str | None = None
    uri: str | None = None
    download_uri: str | None = None
    state: str | None = None
    source: str | None = None
    error: FileStatus | None = None
    video_metadata: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        """Whether the file is ready to be used in a request (``state == "ACTIVE"``)."""
        return self.state == FileState.ACTIVE

    def part(
        self,
        *,
        start_offset: float | timedelta | str | None = None,
        end_offset: float | timedelta | str | None = None,
        fps: float | None = None,
        media_resolution: str | PartMediaResolution | None = None,
    ) -> Part:
        """Return the ``fileData`` part that puts this file in a request.

        The keyword arguments are those of ``Part.from_file`` (video clipping, frame rate,
        media resolution).

        Example:
            >>> reply = await client.generate(model, [file.part(), "Summarise this video"])
        """
        if not self.uri:
            raise ValueError(f"file {self.name!r} has no uri; fetch it with client.files.get()")
        return Part.from_uri(
            self.uri,
            self.mime_type,
            start_offset=start_offset,
            end_offset=end_offset,
            fps=fps,
            media_resolution=media_resolution,
        )


class ListFilesResponse(Wire, frozen=True, kw_only=True):
    """One page of ``files.list``."""

    files: list[File] | None = None
    next_page_token: str | None = None


class CreateFileRequest(Wire, frozen=True, kw_only=True):
    """The JSON body that starts an upload, and the body of the finalized upload's reply."""

    file: File | None = None
