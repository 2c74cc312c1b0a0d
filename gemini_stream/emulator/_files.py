"""The emulator's Files API: resumable uploads, get / list / delete, processing states.

Uploads follow Google's resumable protocol (``X-Goog-Upload-*`` headers): ``start`` opens a
session and answers with its URL and chunk granularity; ``upload`` appends a chunk at
``X-Goog-Upload-Offset`` (every chunk but the last a multiple of the granularity),
``finalize`` creates the file, ``query`` reports ``X-Goog-Upload-Size-Received``. A new file is
``PROCESSING`` for ``processing_delay`` seconds, then ``ACTIVE`` (``FAILED`` when its display
name contains ``emulator:fail``). Files live in memory until deleted or the emulator stops.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from ._errors import bad_request, invalid_argument, not_found
from ._pages import page_of
from ._records import RequestRecord
from ._wire import COMMON_HEADERS, JSON_CONTENT_TYPE, dumps_pretty

__all__ = ("FAIL_TRIGGER", "FileStore", "StoredFile", "UploadSession")

Reply = tuple[int, "dict[str, Any] | None", dict[str, str]]
"""``(status, JSON body or None for an empty body, extra headers)``."""

FAIL_TRIGGER = "emulator:fail"
"""A display name containing this makes the file's processing end in ``FAILED``."""
DEFAULT_GRANULARITY = 8 * 1024 * 1024
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_LIFETIME = 48 * 3600.0
_DOWNLOAD_CHUNK = 64 * 1024
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_FILE_FIELDS = {"name", "displayName", "mimeType", "sizeBytes"}


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _status(code: int, status: str, message: str) -> Reply:
    return code, {"error": {"code": code, "message": message, "status": status}}, {}


def _no_access(file_id: str) -> Reply:
    message = f"You do not have permission to access the File {file_id} or it may not exist."
    return _status(403, "PERMISSION_DENIED", message)


@dataclass
class StoredFile:
    """One uploaded file as the emulator keeps it."""

    file_id: str
    display_name: str | None
    mime_type: str
    data: bytes
    created: float = field(default_factory=time.time)
    ready_at: float = 0.0  # the time.time() at which processing ends
    source: str = "UPLOADED"  # or "GENERATED" (a batch's results), which can be downloaded

    @property
    def state(self) -> str:
        """``PROCESSING`` until ``ready_at``, then ``ACTIVE`` (or ``FAILED``)."""
        if time.time() < self.ready_at:
            return "PROCESSING"
        return "FAILED" if FAIL_TRIGGER in (self.display_name or "") else "ACTIVE"

    def resource(self, base: str) -> dict[str, Any]:
        """The ``File`` JSON, in the field order Google uses."""
        state = self.state
        out: dict[str, Any] = {"name": f"files/{self.file_id}"}
        if self.display_name:
            out["displayName"] = self.display_name
        updated = self.created if state == "PROCESSING" else max(self.created, self.ready_at)
        out |= {
            "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)),  # int64: a JSON string
            "createTime": _timestamp(self.created),
            "updateTime": _timestamp(updated),
            "expirationTime": _timestamp(self.created + _LIFETIME),
            "sha256Hash": base64.b64encode(hashlib.sha256(self.data).digest()).decode(),
            "uri": f"{base}/v1beta/files/{self.file_id}",
            "state": state,
            "source": self.source,
        }
        if state == "FAILED":
            out["error"] = {"code": 400, "message": "The file could not be processed."}
        return out


@dataclass
class UploadSession:
    """An upload in progress."""

    size: int
    mime_type: str
    meta: dict[str, Any]
    received: bytearray = field(default_factory=bytearray)
    status: str = "active"


class FileStore:
    """The Files API state of one emulator, and its request handlers.

    Attributes:
        processing_delay: seconds a new file stays ``PROCESSING``.
        granularity: the chunk unit announced in ``X-Goog-Upload-Chunk-Granularity``.
        files: the stored files by id, oldest first.
        drop_replies: how many upload chunks to accept and then answer by closing the
            connection (as if the reply was lost), for testing resumption.
    """

    def __init__(self, processing_delay: float = 0.0, granularity: int = DEFAULT_GRANULARITY):
        self.processing_delay = processing_delay
        self.granularity = granularity
        self.files: dict[str, StoredFile] = {}
        self.sessions: dict[str, UploadSession] = {}
        self.drop_replies = 0

    async def handle(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        """Answer one Files API request (authentication already checked)."""
        base = f"{request.scheme}://{request.host}"
        file_id = request.match_info.get("file_id")
        if request.path.startswith("/upload/"):
            record.rpc = "files.upload"
            if request.method != "POST":
                return _respond(record, not_found())
            upload = self._chunk if "upload_id" in request.query else self._start
            return await upload(request, record, base)
        if file_id is None:
            record.rpc = "files.list"
            if request.method != "GET":
                return _respond(record, not_found())
            return _respond(record, self._list(request, base))
        if file_id.endswith(":download") and request.method == "GET":
            record.rpc = "files.download"
            return await self._download(request, record, file_id.removesuffix(":download"))
        record.rpc = "files.get" if request.method == "GET" else "files.delete"
        if request.method not in ("GET", "DELETE"):
            return _respond(record, not_found())
        stored = self.files.get(file_id)
        if stored is None:
            return _respond(record, _no_access(file_id))
        if request.method == "DELETE":
            del self.files[file_id]
            return _respond(record, (200, {}, {}))
        return _respond(record, (200, stored.resource(base), {}))

    async def _start(self, request: web.Request, record: RequestRecord, base: str) -> web.Response:
        headers = request.headers
        if headers.get("X-Goog-Upload-Protocol", "").lower() != "resumable":
            return _respond(record, invalid_argument("Only X-Goog-Upload-Protocol: resumable."))
        if headers.get("X-Goog-Upload-Command", "").lower() != "start":
            return _respond(record, invalid_argument("Expected X-Goog-Upload-Command: start."))
        raw_size = headers.get("X-Goog-Upload-Header-Content-Length", "")
        if not raw_size.isdigit():
            message = "Missing X-Goog-Upload-Header-Content-Length."
            return _respond(record, invalid_argument(message))
        record.raw_body = await request.read()
        try:
            record.body = json.loads(record.raw_body or b"{}")
        except ValueError:
            return _respond(record, bad_request([("", "Invalid JSON payload received.")]))
        meta = record.body.get("file", {}) if isinstance(record.body, dict) else None
        if not isinstance(meta, dict):
            return _respond(record, bad_request([("file", "Invalid value at 'file'.")]))
        unknown = sorted(set(meta) - _FILE_FIELDS)
        if unknown:
            text = f"Invalid JSON payload received. Unknown name \"{unknown[0]}\" at 'file'."
            return _respond(record, bad_request([("file", text)]))
        name = meta.get("name")
        if name is not None:
            file_id = str(name).removeprefix("files/")
            if not _ID.fullmatch(file_id):
                return _respond(record, invalid_argument(f"Invalid file name: {name}."))
            if file_id in self.files:
                return _respond(record, _status(409, "ALREADY_EXISTS", f"{name} already exists."))
        mime = headers.get("X-Goog-Upload-Header-Content-Type") or meta.get("mimeType")
        if not mime:
            return _respond(record, invalid_argument("Missing the file's MIME type."))
        upload_id = secrets.token_urlsafe(24)
        self.sessions[upload_id] = UploadSession(int(raw_size), str(mime), meta)
        url = f"{base}/upload/v1beta/files?upload_id={upload_id}&upload_protocol=resumable"
        reply = {
            "X-Goog-Upload-Status": "active",
            "X-Goog-Upload-URL": url,
            "X-Goog-Upload-Control-URL": url,
            "X-Goog-Upload-Chunk-Granularity": str(self.granularity),
        }
        return _respond(record, (200, None, reply))

    async def _chunk(self, request: web.Request, record: RequestRecord, base: str) -> web.Response:
        session = self.sessions.get(request.query["upload_id"])
        if session is None:
            return _respond(record, not_found("Failed to find the upload session."))
        commands = {c.strip() for c in request.headers.get("X-Goog-Upload-Command", "").split(",")}
        if commands == {"query"}:
            state = {
                "X-Goog-Upload-Status": session.status,
                "X-Goog-Upload-Size-Received": str(len(session.received)),
            }
            return _respond(record, (200, None, state))
        if session.status != "active" or not commands or not commands <= {"upload", "finalize"}:
            return _respond(record, invalid_argument("Invalid X-Goog-Upload-Command."))
        data = await request.read()
        offset = request.headers.get("X-Goog-Upload-Offset", "")
        if offset != str(len(session.received)):
            message = f"Offset {offset!r} does not match {len(session.received)} bytes received."
            return _respond(record, invalid_argument(message))
        finalize = "finalize" in commands
        if not finalize and len(data) % self.granularity:
            message = f"A chunk must be a multiple of {self.granularity} bytes."
            return _respond(record, invalid_argument(message))
        if len(session.received) + len(data) > session.size:
            return _respond(record, invalid_argument("More data than the declared length."))
        session.received += data
        if self.drop_replies > 0:
            self.drop_replies -= 1
            record.closed_by_server = True
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=200)
        if not finalize:
            return _respond(record, (200, None, {"X-Goog-Upload-Status": "active"}))
        if len(session.received) != session.size:
            message = f"Received {len(session.received)} of {session.size} declared bytes."
            return _respond(record, invalid_argument(message))
        session.status = "final"
        stored = self._store(session)
        final = {"X-Goog-Upload-Status": "final"}
        return _respond(record, (200, {"file": stored.resource(base)}, final))

    def _store(self, session: UploadSession) -> StoredFile:
        name = session.meta.get("name")
        file_id = str(name).removeprefix("files/") if name else secrets.token_hex(6)
        stored = StoredFile(
            file_id,
            session.meta.get("displayName"),
            session.mime_type,
            bytes(session.received),
            ready_at=time.time() + self.processing_delay,
        )
        self.files[file_id] = stored
        return stored

    async def _download(
        self, request: web.Request, record: RequestRecord, file_id: str
    ) -> web.StreamResponse:
        """Send a generated file's bytes, in chunks (only generated files can be downloaded)."""
        stored = self.files.get(file_id)
        if stored is None:
            return _respond(record, _no_access(file_id))
        if stored.source != "GENERATED":
            message = f"Only generated files can be downloaded; files/{file_id} was uploaded."
            return _respond(record, invalid_argument(message))
        record.status = 200
        headers = {**COMMON_HEADERS, "Content-Type": stored.mime_type}
        response = web.StreamResponse(headers=headers)
        response.content_length = len(stored.data)
        await response.prepare(request)
        view = memoryview(stored.data)
        for start in range(0, len(view), _DOWNLOAD_CHUNK):
            await response.write(view[start : start + _DOWNLOAD_CHUNK])  # drains as it goes
        await response.write_eof()
        return response

    def _list(self, request: web.Request, base: str) -> Reply:
        return page_of(
            request,
            list(reversed(self.files)),
            "files",
            lambda i: self.files[i].resource(base),
            default_size=DEFAULT_PAGE_SIZE,
            max_size=MAX_PAGE_SIZE,
        )

    def check_references(self, request: dict[str, Any], base: str) -> Reply | None:
        """The API's error for a ``fileData`` part naming a missing or unready file of ours."""
        prefix = f"{base}/v1beta/files/"
        for content in request.get("contents", []):
            for part in content.get("parts", []):
                uri = str(part.get("fileData", {}).get("fileUri", ""))
                if not uri.startswith(prefix):
                    continue
                file_id = uri[len(prefix) :]
                stored = self.files.get(file_id)
                if stored is None:
                    return _no_access(file_id)
                if stored.state != "ACTIVE":
                    message = (
                        f"The File {file_id} is not in an ACTIVE state and usage is not allowed."
                    )
                    return _status(400, "FAILED_PRECONDITION", message)
        return None


def _respond(record: RequestRecord, reply: Reply) -> web.Response:
    status, body, extra = reply
    record.status = status
    headers = {**COMMON_HEADERS, **extra}
    if body is None:
        return web.Response(status=status, headers=headers)
    headers["Content-Type"] = JSON_CONTENT_TYPE
    return web.Response(status=status, body=dumps_pretty(body), headers=headers)
