"""The :class:`Emulator`: starts and stops the local server and exposes its records and scripts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection
from types import TracebackType

from aiohttp import web

from ._batches import BatchStore
from ._caches import CacheStore
from ._faults import Fault, FaultBook, ScriptedReply
from ._files import DEFAULT_GRANULARITY, FileStore
from ._ix_store import InteractionStore
from ._live import LiveStore
from ._model import BuiltinModel
from ._record import Recorder
from ._records import RequestRecord
from ._replay import Player, check_speed
from ._server import ServerState


class Emulator:
    """A local Gemini API server (v1beta) with a deterministic model and fault injection.

    Use it as an async context manager; it listens on a free loopback port unless told
    otherwise. Point a client at :attr:`url` (the server root; clients add ``/v1beta/...``).

    Args:
        host: the interface to listen on.
        port: the TCP port; 0 picks a free one.
        api_keys: the keys to accept; ``None`` accepts any non-empty key. A request without
            a key gets 403 PERMISSION_DENIED, an unknown key 400 ``API_KEY_INVALID``.
        chunk_tokens: tokens of text per streamed chunk.
        chunk_delay: seconds between streamed events.
        first_chunk_delay: seconds between the response headers and the first event.
        fault: a fault applied to every generation request (``times`` limits it to the
            first N); an embedding request gets its ``status`` only.
        rpm_limit: requests per minute allowed per API key on the generation and embedding
            methods; requests over it get the API's 429 RESOURCE_EXHAUSTED.
        tpm_limit: prompt tokens per minute allowed per API key on generation (counted as
            the reply's ``promptTokenCount``); requests over it get the same 429.
        quota_window: the length of the sliding window of ``rpm_limit`` and ``tpm_limit``
            in seconds (60, a minute, as the API; shorter makes quota tests quick).
        file_processing_delay: seconds an uploaded file stays ``PROCESSING`` before it is
            ``ACTIVE`` (Files API).
        upload_granularity: the chunk unit of resumable uploads (every chunk but the last
            must be a multiple of it); Google's is 8 MiB.
        burst: write each streamed reply in one write when it has no delay or fault, so
            the reads of a busy client carry many events (the benchmarks' coalesced case).
        max_records: keep only the newest this many request records (``None``: all of
            them); a server that runs for long wants a bound.
        background_duration: seconds an Interactions ``background: true`` run takes from
            its first event to its last (a slow background run); settable later as
            ``emulator.interactions.background_duration``.
        interaction_stream_limit: close every Interactions stream cleanly, without the
            ``done`` terminator, after this many events, as Google closes streams at its
            time limit (``None``: never); settable later as
            ``emulator.interactions.stream_event_limit``.
        cache_min_tokens: the fewest tokens a context cache may hold (``None``: each
            model's documented minimum, 1 024 for Flash and 4 096 for Pro); tests set it low
            to keep their caches small. See :attr:`caches` for the cache clock.
        batch_duration: seconds a Batch API job takes from creation to its results (it is
            ``RUNNING`` from half of it on); 0 finishes a batch by its first ``get``. See
            :attr:`batches` for the batch clock.
        record: record mode: a folder to save each exchange in as a cassette, while every
            request is passed through to ``upstream`` with its key (which is never saved).
        upstream: the API root record mode forwards to, such as
            ``https://generativelanguage.googleapis.com``.
        replay: replay mode: a folder of cassettes to answer from (see ``docs/testing.md``,
            "Record and replay"). In either mode the built-in model, faults and key checks
            are off.
        replay_speed: 1 replays the recorded timing, 2 twice as fast, 0 without waiting.

    Example:
        >>> async with Emulator() as emulator:
        ...     emulator.fail_next(2, status=503)
        ...     print(emulator.url)  # http://127.0.0.1:PORT
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Collection[str] | None = None,
        chunk_tokens: int = 8,
        chunk_delay: float = 0.0,
        first_chunk_delay: float = 0.0,
        fault: Fault | None = None,
        rpm_limit: int | None = None,
        tpm_limit: int | None = None,
        quota_window: float = 60.0,
        file_processing_delay: float = 0.0,
        upload_granularity: int = DEFAULT_GRANULARITY,
        burst: bool = False,
        max_records: int | None = None,
        background_duration: float = 0.0,
        interaction_stream_limit: int | None = None,
        cache_min_tokens: int | None = None,
        batch_duration: float = 0.0,
        record: str | os.PathLike[str] | None = None,
        upstream: str | None = None,
        replay: str | os.PathLike[str] | None = None,
        replay_speed: float = 1.0,
    ) -> None:
        if isinstance(api_keys, str):
            raise TypeError(f"api_keys must be a collection of keys, not the string {api_keys!r}")
        if max_records is not None and (
            isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 1
        ):
            raise ValueError(f"max_records must be an int >= 1 or None, got {max_records!r}")
        if not quota_window > 0:
            raise ValueError(f"quota_window must be > 0, got {quota_window!r}")
        if batch_duration < 0:
            raise ValueError(f"batch_duration must be >= 0, got {batch_duration!r}")
        if background_duration < 0:
            raise ValueError(f"background_duration must be >= 0, got {background_duration!r}")
        if interaction_stream_limit is not None and interaction_stream_limit < 1:
            raise ValueError(
                f"interaction_stream_limit must be >= 1 or None, got {interaction_stream_limit!r}"
            )
        self._mode = _mode(record, upstream, replay, replay_speed)
        self.host = host
        self.port = port
        self.model = BuiltinModel(chunk_tokens)
        self._state = ServerState(
            api_keys=api_keys,
            model=self.model,
            faults=FaultBook(fault),
            rpm_limit=rpm_limit,
            tpm_limit=tpm_limit,
            quota_window=quota_window,
            first_chunk_delay=first_chunk_delay,
            chunk_delay=chunk_delay,
            files=FileStore(file_processing_delay, upload_granularity),
            burst=burst,
            max_records=max_records,
            interactions=InteractionStore(background_duration, interaction_stream_limit),
            caches=CacheStore(cache_min_tokens),
            batch_duration=batch_duration,
        )
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The server root, such as ``http://127.0.0.1:8765`` (no trailing slash)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not running; use `async with Emulator()`")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Start listening; :attr:`port` holds the real port afterwards."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        # handler_cancellation makes aiohttp cancel a handler as soon as its client goes
        # away, so a disconnect is recorded at once even while the handler sleeps.
        app = self._state.app() if self._mode is None else self._mode.app(self._state)
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            if self._mode is not None:
                await self._mode.start()
            await site.start()
        except BaseException:
            await runner.cleanup()
            if self._mode is not None:
                await self._mode.aclose()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def close(self) -> None:
        """Stop the server, abandoning replies still being written; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._state.closing = True
        running = list(self._state.running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await self._state.interactions.close()
        await runner.cleanup()
        if self._mode is not None:
            await self._mode.aclose()
        self._state.closing = False

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def files(self) -> FileStore:
        """The uploaded files and upload sessions (``files.files``, ``files.drop_replies``)."""
        return self._state.files

    @property
    def interactions(self) -> InteractionStore:
        """The Interactions API's stored interactions and runs.

        ``interactions.get(id)`` gives a :class:`StoredInteraction` (``status``, ``steps``,
        ``log`` of ``(event_id, frame)``), ``interactions.resource(id)`` what ``GET`` answers,
        ``interactions.interactions`` the dict of all of them; ``background_duration`` and
        ``stream_event_limit`` may be changed between requests.
        """
        return self._state.interactions

    @property
    def live(self) -> LiveStore:
        """The Live API (``/ws/...BidiGenerateContent``): ``go_away_after``,
        ``frame_delay``, ``drop_next(after)``, ``close_next(code, reason)``, the minted
        ``tokens`` and ``advance(seconds)`` for their clock. See docs/live.md."""
        return self._state.live

    @property
    def caches(self) -> CacheStore:
        """The context caches (``caches.caches`` by id); ``caches.advance(seconds)`` moves
        their clock forward so a test sees a cache expire without waiting."""
        return self._state.caches

    @property
    def batches(self) -> BatchStore:
        """The Batch API's jobs (``batches.batches`` by id); ``batches.advance(seconds)``
        moves their clock forward (a batch runs, finishes or expires without waiting), and
        ``batches.state_prefix = "JOB_STATE_"`` writes states with the SDKs' spelling."""
        return self._state.batches

    @property
    def records(self) -> list[RequestRecord]:
        """Every request received so far (the newest ``max_records``), oldest first (the live
        list; clear it to reset)."""
        return self._state.records

    @property
    def open_connections(self) -> int:
        """TCP connections currently open to the server (idle keep-alive ones included)."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    @property
    def active_requests(self) -> int:
        """Requests whose handler is still running (open streams included)."""
        return len(self._state.running)

    def script(self, *items: Fault | ScriptedReply) -> None:
        """Queue faults or scripted replies for the next generation requests, in order.

        Each item answers ``item.times`` requests (a queued fault defaults to one). Queued
        items win over the ``x-emulator-fault`` header and the server-wide fault; once the
        queue is empty the built-in model answers again.
        """
        for item in items:
            self._state.faults.push(item)

    def fail_next(self, count: int, status: int = 503, *, retry_after: float | None = None) -> None:
        """Make the next ``count`` generation requests fail with ``status``, then succeed.

        Example:
            >>> emulator.fail_next(1, 429, retry_after=2)  # 429 with RetryInfo "2s", then OK
        """
        self.script(Fault(status=status, retry_after=retry_after, times=count))

    def clear_script(self) -> None:
        """Drop every queued fault and scripted reply."""
        self._state.faults.clear()

    @property
    def pending_script(self) -> int:
        """How many generation requests the queued items will still answer."""
        return self._state.faults.pending

    async def wait_for_disconnect(
        self, record: RequestRecord | None = None, *, timeout: float = 5.0
    ) -> RequestRecord:
        """Wait until the client of ``record`` (default: the latest request) goes away early.

        Args:
            record: the request to watch; ``None`` means the most recent one.
            timeout: seconds to wait.

        Returns:
            The record; ``record.disconnected_at`` says when the server saw the disconnect.

        Raises:
            LookupError: no request has been received yet.
            TimeoutError: the reply was still being written after ``timeout`` seconds, or
                it finished without the client going away (nothing left to wait for).
        """
        if record is None:
            if not self.records:
                raise LookupError("no request has reached the emulator yet")
            record = self.records[-1]
        await record.wait_done(timeout)
        if not record.disconnected:
            raise TimeoutError(f"{record.path} finished without a client disconnect")
        return record

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no request handler is running (for leak checks after many streams).

        Raises:
            TimeoutError: handlers were still running after ``timeout`` seconds.
        """
        running = list(self._state.running)
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=timeout)
        if pending:
            raise TimeoutError(f"{len(pending)} requests still running after {timeout} s")


def _mode(
    record: str | os.PathLike[str] | None,
    upstream: str | None,
    replay: str | os.PathLike[str] | None,
    replay_speed: float,
) -> Recorder | Player | None:
    """The record or replay handler the options ask for (``None``: the built-in model)."""
    replay_speed = check_speed(replay_speed)
    if record is not None and replay is not None:
        raise ValueError(f"record={record!r} and replay={replay!r} cannot be used together")
    if record is not None:
        if upstream is None:
            raise ValueError(f"record={record!r} needs upstream=URL to pass requests to")
        return Recorder(record, upstream)
    if upstream is not None:
        raise ValueError(f"upstream={upstream!r} is only used with record=DIR")
    if replay is not None:
        return Player(replay, replay_speed)
    return None
