"""What the emulator records about each request it receives, for tests to assert on."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._faults import Fault, ScriptedReply


@dataclass(eq=False)
class RequestRecord:
    """One request as the emulator saw it, updated while its reply is written.

    Times are ``time.monotonic()`` values, comparable with ``time.monotonic()`` in a test.
    Headers are kept as received, with lower-case names, except credentials: the API key
    (header ``x-goog-api-key`` or query ``key``) and bearer tokens are replaced by their
    ``fingerprint``, so a record shown in a log or a test failure never holds a real key,
    while tests can still tell keys apart:
    ``record.api_key == RequestRecord.fingerprint("test-key")``.

    Attributes:
        method: ``"GET"`` or ``"POST"``.
        path: the URL path, such as ``/v1beta/models/gemini-2.5-flash:streamGenerateContent``.
        query: the query parameters (``alt``, ``key``, ``pageSize``, ...; ``key`` masked).
        headers: the request headers, names lower-cased, credentials masked.
        body: the decoded JSON body, ``None`` when there was none or it was not JSON.
        raw_body: the body bytes as received.
        model: the model resource name (``models/x``), when the path names one.
        rpc: the method: ``generateContent``, ``streamGenerateContent``, ``countTokens``,
            ``embedContent``, ``batchEmbedContents``, ``predict``, ``get`` or ``list``.
        api_key: the ``fingerprint`` of the key sent in ``x-goog-api-key`` or ``?key=``,
            ``None`` when absent.
        status: the HTTP status answered (0 until the response starts).
        applied: the fault or scripted reply the request got, if any.
        started_at: when the handler started.
        ended_at: when the handler finished, ``None`` while it runs.
        events_written: how many events (SSE events or array elements) were written.
        disconnected_at: when the client went away before the reply was finished.
        closed_by_server: a ``disconnect_after`` fault closed the connection on purpose.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    raw_body: bytes = b""
    model: str | None = None
    rpc: str | None = None
    api_key: str | None = None
    status: int = 0
    applied: Fault | ScriptedReply | None = None
    started_at: float = field(default_factory=time.monotonic)
    ended_at: float | None = None
    events_written: int = 0
    disconnected_at: float | None = None
    closed_by_server: bool = False
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @staticmethod
    def fingerprint(secret: str) -> str:
        """A short fingerprint of a key or token (``"sha256:1a2b3c4d"``): equal for equal
        secrets, useless for calling the API."""
        return _fingerprint(secret)

    @property
    def done(self) -> bool:
        """Whether the handler has finished (reply complete, failed or abandoned)."""
        return self._done.is_set()

    @property
    def disconnected(self) -> bool:
        """Whether the client went away before the reply was finished."""
        return self.disconnected_at is not None

    def finish(self, *, disconnected: bool) -> None:
        """Mark the handler finished; called once by the server."""
        self.ended_at = time.monotonic()
        if disconnected and not self.closed_by_server and self.disconnected_at is None:
            self.disconnected_at = self.ended_at
        self._done.set()

    async def wait_done(self, timeout: float = 5.0) -> RequestRecord:
        """Wait until the handler has finished, for at most ``timeout`` seconds.

        Raises:
            TimeoutError: the reply is still being written after ``timeout`` seconds.
        """
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"{self.path} still running after {timeout} s") from None
        return self


@functools.lru_cache(maxsize=256)  # a test run or a benchmark sends a handful of keys
def _fingerprint(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:8]


_KEYED = ("x-goog-api-key", "cookie")
_SCHEMED = ("authorization", "proxy-authorization")


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers with lower-case names and credentials replaced by their fingerprint
    (an ``Authorization`` value keeps its scheme: ``Bearer sha256:...``)."""
    out = {k.lower(): v for k, v in headers.items()}
    for name in _KEYED:
        if name in out:
            out[name] = RequestRecord.fingerprint(out[name])
    for name in _SCHEMED:
        if name in out:
            scheme, space, credential = out[name].partition(" ")
            if space:
                out[name] = f"{scheme} {RequestRecord.fingerprint(credential)}"
            else:
                out[name] = RequestRecord.fingerprint(scheme)
    return out


def masked_query(query: Mapping[str, str]) -> dict[str, str]:
    """Query parameters with the ``key`` parameter replaced by its fingerprint."""
    out = dict(query)
    if "key" in out:
        out["key"] = RequestRecord.fingerprint(out["key"])
    return out
