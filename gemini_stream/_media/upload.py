"""The Files API's resumable upload protocol: start a session, send chunks, finalize.

1. ``POST {base}/upload/v1beta/files`` with ``X-Goog-Upload-Protocol: resumable``,
   ``X-Goog-Upload-Command: start``, ``X-Goog-Upload-Header-Content-Length`` / ``-Content-Type``
   and the JSON body ``{"file": {...}}``; the reply's ``X-Goog-Upload-URL`` names the session
   and ``X-Goog-Upload-Chunk-Granularity`` the unit every chunk but the last must be a
   multiple of.
2. ``POST`` each chunk to that URL with ``X-Goog-Upload-Command: upload`` (``upload,
   finalize`` for the last) and ``X-Goog-Upload-Offset``; the reply says
   ``X-Goog-Upload-Status: active`` until the last, which is ``final`` with ``{"file": File}``.
3. When a chunk fails in transit, ``X-Goog-Upload-Command: query`` returns
   ``X-Goog-Upload-Size-Received`` and the upload resumes from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import anyio
import msgspec

from .._config import RetryPolicy
from .._errors import GeminiError, UploadError
from .._http.codec import decode
from .._http.endpoint import DEFAULT_BASE_URL
from .._http.retry import _retry_hint, backoff_delay
from .._wire.files import CreateFileRequest, File

if TYPE_CHECKING:
    from .._config import Timeouts
    from .._http.call import Reply
    from .._http.endpoint import Endpoint
    from .._wire.media import MediaReader

__all__ = ("resumable_upload",)

# Chunks are not replayed blindly: a failed one is resumed from what the server received.
_ONCE = RetryPolicy(max_attempts=1)


def _session_url(endpoint: Endpoint, url: str) -> str:
    """Send the chunks through the client's own server, as the official SDK does.

    Google's session URL names Google's host; a client pointed at a proxy (``base_url``)
    must keep going through it.
    """
    if endpoint.base == DEFAULT_BASE_URL:
        return url
    base, session = urlsplit(endpoint.base), urlsplit(url)
    return urlunsplit(session._replace(scheme=base.scheme, netloc=base.netloc))


async def resumable_upload(
    endpoint: Endpoint,
    reader: MediaReader,
    meta: File,
    *,
    chunk_size: int,
    timeouts: Timeouts | None,
) -> File:
    """Upload everything ``reader`` holds as the file ``meta`` describes; return the ``File``.

    Raises:
        UploadError: the server left the protocol (no session URL, no final status).
        APIError: the server refused the upload or a chunk (after resuming failed).
    """
    headers = {
        "content-type": "application/json",
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(reader.size),
        "x-goog-upload-header-content-type": reader.mime_type,
    }
    url = f"{endpoint.base}/upload/{endpoint.api_version}/files"
    body = msgspec.json.encode(CreateFileRequest(file=meta))
    call = endpoint.url_call(url, "files.upload", body, timeouts, headers=headers)
    start = await call.fetch_reply()
    session = start.headers.get("x-goog-upload-url")
    if not session:
        raise UploadError("the server started no upload session (no X-Goog-Upload-URL header)")
    session = _session_url(endpoint, session)
    granularity = _int_header(start, "x-goog-upload-chunk-granularity")
    step = chunk_size
    if granularity:
        step = max(granularity, chunk_size - chunk_size % granularity)
    offset = 0
    while True:
        data = await anyio.to_thread.run_sync(reader.read, step)
        last = offset + len(data) >= reader.size or not data
        reply = await _send_chunk(endpoint, session, data, offset, last, timeouts)
        offset += len(data)
        status = reply.headers.get("x-goog-upload-status")
        if last:
            if status != "final":
                raise UploadError(
                    f"the upload of {reader.label} ended with X-Goog-Upload-Status "
                    f"{status!r}, not 'final'"
                )
            uploaded = decode(reply.body, CreateFileRequest).file
            if uploaded is None:
                raise UploadError("the finalized upload's reply holds no file")
            return uploaded
        if status != "active":
            raise UploadError(
                f"the server stopped the upload of {reader.label} at byte {offset} "
                f"(X-Goog-Upload-Status {status!r})"
            )


async def _send_chunk(
    endpoint: Endpoint,
    session: str,
    data: bytes,
    offset: int,
    last: bool,
    timeouts: Timeouts | None,
) -> Reply:
    """Send one chunk; after a transient failure ask what arrived and send only the rest."""
    policy = endpoint.retry
    command = "upload, finalize" if last else "upload"
    position = offset
    attempt = 0
    while True:
        attempt += 1
        headers = {
            "content-type": "application/octet-stream",  # raw bytes, not the client's JSON
            "x-goog-upload-command": command,
            "x-goog-upload-offset": str(position),
        }
        pending = data[position - offset :]
        call = endpoint.url_call(
            session, "files.upload", pending, timeouts, headers=headers, retry=_ONCE
        )
        try:
            return await call.fetch_reply()
        except GeminiError as exc:
            retryable, server_delay = _retry_hint(exc, policy)
            if not retryable or attempt >= policy.max_attempts:
                raise
            await endpoint.transport.pause(backoff_delay(policy, attempt, server_delay))
        query = endpoint.url_call(
            session, "files.upload", b"", timeouts, headers={"x-goog-upload-command": "query"}
        )
        state = await query.fetch_reply()
        received = _int_header(state, "x-goog-upload-size-received")
        if state.headers.get("x-goog-upload-status") == "final" or received is None:
            raise UploadError(
                "a chunk failed and the upload session cannot be resumed "
                f"(X-Goog-Upload-Status {state.headers.get('x-goog-upload-status')!r})"
            )
        if not offset <= received <= offset + len(data):
            raise UploadError(f"the server reports {received} bytes received, expected {offset}+")
        if received == offset + len(data) and not last:
            return state  # the whole chunk arrived; only its reply was lost
        position = received


def _int_header(reply: Reply, name: str) -> int | None:
    value = reply.headers.get(name)
    return int(value) if value is not None and value.isdigit() else None
