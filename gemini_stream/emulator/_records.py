"""What the emulator records about each request it receives, for tests to assert on."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from ._faults import Fault, ScriptedReply


@dataclass(eq=False)
class RequestRecord:
    """One request as the emulator saw it, updated while its reply is written.

    Times are ``time.monotonic()`` values, comparable with ``time.monotonic()`` in a test.
    Headers are kept verbatim (the API key included: the emulator is local and never logs
    them), with lower-case names.

    Attributes:
        method: ``"GET"`` or ``"POST"``.
        path: the URL path, such as ``/v1beta/models/gemini-2.5-flash:streamGenerateContent``.
        query: the query parameters (``alt``, ``key``, ``pageSize``, ...).
        headers: the request headers, names lower-cased.
        body: the decoded JSON body, ``None`` when there was none or it was not JSON.
        raw_body: the body bytes as received.
        model: the model resource name (``models/x``), when the path names one.
        rpc: the method: ``generateContent``, ``streamGenerateContent``, ``countTokens``,
            ``get`` or ``list``.
        api_key: the key sent in ``x-goog-api-key`` or ``?key=``, ``None`` when absent.
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
