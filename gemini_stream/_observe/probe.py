"""``Observer``: a client's watchers (hooks, logs, traces); ``Probe``: one request followed for
them, from its first attempt to its end. No probe is made when nothing watches."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import sys
import time
from collections.abc import Awaitable, Sequence
from typing import Any

import msgspec

from .._errors import ClientClosedError
from .._wire.candidate import UsageMetadata
from .._wire.response import GenerateContentResponse
from . import otel
from .events import ChunkErrorEvent, EndEvent, Hooks, RequestEvent, ResponseEvent, RetryEvent
from .logs import BODIES, HOOKS, HTTP, bodies_on, configure_from_env, end_message, retry_message
from .redact import describe_body, operation_of, safe_url

__all__ = ("Observer", "Probe")

_INFO, _DEBUG = logging.INFO, logging.DEBUG
_ids = itertools.count(1)
_WAIT = 10.0  # seconds aclose() waits for async hooks


class Observer:
    """What watches one client's requests: its hooks, the loggers and a tracer provider."""

    __slots__ = ("_tasks", "hooks", "provider", "server")

    def __init__(self, hooks: Hooks | None, *, base: str, vertex: bool) -> None:
        configure_from_env()
        self.hooks = hooks
        self.provider = "gcp.vertex_ai" if vertex else "gcp.gemini"
        self.server = otel.server_of(base)
        self._tasks: set[asyncio.Future[Any]] = set()

    def probe(self) -> Probe | None:
        """A probe for a new request, or ``None`` when nothing watches (the usual case: a
        dictionary look-up or two per request)."""
        tracer = otel.tracer() if otel.MODULE in sys.modules else None
        if (
            self.hooks is None
            and tracer is None
            and not HTTP.isEnabledFor(_INFO)
            and not (BODIES.level and bodies_on())
        ):
            return None
        return Probe(self, tracer)

    def run(self, result: Awaitable[Any]) -> None:
        """Run what an ``async def`` hook returned as a task of its own, kept until it ends
        (``aclose`` waits for it); the request does not wait for it."""
        try:
            task = asyncio.ensure_future(result)
        except RuntimeError:  # no running loop (a stream freed after its loop ended)
            if inspect.iscoroutine(result):
                result.close()
            HOOKS.error("an async event hook could not run: no event loop is running")
            return
        self._tasks.add(task)
        task.add_done_callback(self._ran)

    def _ran(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            HOOKS.error("an async event hook raised", exc_info=error)

    async def aclose(self) -> None:
        """Wait for the async hooks still running, ``_WAIT`` seconds at most; cancel (and
        log) those that take longer, so that a hook which hangs cannot hang the client."""
        tasks = set(self._tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=_WAIT)
            for task in late:
                HOOKS.error("an async event hook still ran after %ss: cancelled", _WAIT)
                task.cancel()


class _Summary(msgspec.Struct):
    """What the end of a request reports of a reply read whole."""

    usageMetadata: UsageMetadata | None = None
    modelVersion: str | None = None
    candidates: list[_Candidate] | None = None


class _Candidate(msgspec.Struct):
    finishReason: str | None = None


_SUMMARY = msgspec.json.Decoder(_Summary)


class Probe:
    """One request followed for the hooks, the log and the span."""

    __slots__ = (
        "_observer", "_span", "_tracer", "attempt", "chunks", "content", "done", "first_at",
        "headers_at", "id", "method", "model", "operation", "sent", "started", "status", "url",
    )  # fmt: skip

    def __init__(self, observer: Observer, tracer: Any) -> None:
        self._observer = observer
        self._tracer = tracer
        self._span: Any = None
        self.attempt = 0
        self.done = False
        self.chunks = 0  # the stream adds the chunks it folds; the rest it says at the end
        self.content: Any = None  # the body's reader (aiohttp), which counts its bytes
        self.status: int | None = None
        self.headers_at: float | None = None
        self.first_at: float | None = None
        self.started = self.sent = 0.0
        self.id = 0
        self.method = self.url = self.operation = ""
        self.model: str | None = None

    @property
    def bodies(self) -> bool:
        """Whether the end should be given the reply, for the bodies log."""
        return bodies_on()

    def _common(self) -> dict[str, Any]:
        return {
            "request_id": self.id,
            "attempt": self.attempt,
            "method": self.method,
            "url": self.url,
            "operation": self.operation,
            "model": self.model,
        }

    def _hook(self, name: str, event: Any) -> None:
        hooks = self._observer.hooks
        hook = getattr(hooks, name) if hooks is not None else None
        if hook is None:
            return
        try:
            result = hook(event)
        except Exception:
            HOOKS.exception("event hook %s raised on request %d", name, self.id)
            return
        if inspect.isawaitable(result):
            self._observer.run(result)

    # -- the request's steps -------------------------------------------------------------------

    def sending(self, label: str, method: str, url: str, body: bytes | None) -> None:
        """An attempt is about to be sent."""
        if self.attempt == 0 or self.done:  # a call sent again after it ended: a new request
            self.id = next(_ids)
            self.attempt = 0
            self.done = False
            self.method, self.url = method, safe_url(url)
            self.operation, self.model = operation_of(label)
            genai = otel.GENAI_OPERATIONS.get(self.operation)
            if self._tracer is not None and genai is not None:
                observer = self._observer
                self._span = otel.start_span(
                    self._tracer, genai, self.model, observer.provider, observer.server
                )
            if bodies_on():
                BODIES.debug("%s %s request body: %s", method, self.url, describe_body(body))
            self.started = time.perf_counter()  # after the span began: it holds every time
        self.attempt += 1
        self.sent = time.perf_counter()
        self.status = self.headers_at = self.first_at = self.content = None
        self.chunks = 0
        event = RequestEvent(**self._common(), body_bytes=len(body) if body else 0)
        if HTTP.isEnabledFor(_DEBUG):
            HTTP.debug(
                "%s %s attempt %d sent", method, self.url, self.attempt,
                extra={"gemini_stream": event},
            )  # fmt: skip
        self._hook("on_request", event)

    def responded(self, status: int, content: Any) -> None:
        """The attempt's response headers came."""
        self.status = status
        self.content = content
        elapsed = self.headers_at = time.perf_counter() - self.sent
        event = ResponseEvent(**self._common(), status=status, elapsed=elapsed)
        if HTTP.isEnabledFor(_DEBUG):
            HTTP.debug(
                "%s %s -> %d in %.1f ms", self.method, self.url, status, elapsed * 1000,
                extra={"gemini_stream": event},
            )  # fmt: skip
        self._hook("on_response", event)

    def first_bytes(self) -> None:
        """A streamed reply's first body bytes came."""
        self.first_at = time.perf_counter() - self.sent

    def retrying(self, error: BaseException, delay: float) -> None:
        """The attempt failed; another comes after ``delay`` seconds."""
        self._chunk_error(error)
        event = RetryEvent(**self._common(), status=self.status, error=error, delay=delay)
        if HTTP.isEnabledFor(_INFO):
            HTTP.info(retry_message(event), extra={"gemini_stream": event})
        if self._span is not None:
            self._span.add_event(
                "gemini_stream.retry",
                {"attempt": self.attempt, "error.type": type(error).__qualname__},
            )
        self._hook("on_retry", event)

    def _chunk_error(self, error: BaseException | None) -> None:
        status = self.status
        if (
            error is not None
            and status is not None
            and 200 <= status < 300
            and not isinstance(error, ClientClosedError)
        ):
            event = ChunkErrorEvent(**self._common(), error=error, chunks=self.chunks)
            self._hook("on_chunk_error", event)

    # -- the end ---------------------------------------------------------------------------------

    def fetched(self, body: bytes) -> None:
        """A reply read whole came."""
        try:
            summary = _SUMMARY.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            summary = _Summary()  # not a JSON object of that shape (an upload, a download)
        candidates = summary.candidates
        finish = candidates[0].finishReason if candidates else None
        usage, model = summary.usageMetadata, summary.modelVersion
        self.end("ok", None, len(body), usage, finish, model, body)

    def streamed(
        self,
        outcome: str,
        error: BaseException | None,
        snapshot: GenerateContentResponse | None,
        unfolded: Sequence[GenerateContentResponse],
        reply: GenerateContentResponse | None = None,
    ) -> None:
        """A streamed reply ended (or was left): its facts, read from what it holds (the
        reader has counted its chunks in ``chunks``)."""
        if self.done or not self.attempt:
            return
        usage = finish = model = None
        for chunk in (*reversed(unfolded), snapshot):
            if chunk is None:
                continue
            if usage is None:
                usage = chunk.usage_metadata
            if model is None:
                model = chunk.model_version
            if finish is None and chunk.candidates:
                finish = chunk.candidates[0].finish_reason
        content = self.content
        size = content.total_bytes if content is not None else 0
        body = msgspec.json.encode(reply) if reply is not None else None
        self.end(outcome, error, size, usage, finish, model, body)

    def left(self, outcome: str, error: BaseException | None) -> None:
        """A streamed reply ended, of a kind whose facts the probe does not read (the
        Interactions API's events): its size only."""
        content = self.content
        self.end(outcome, error, content.total_bytes if content else 0, None, None, None, None)

    def failed(self, error: BaseException) -> None:
        """A reply read whole failed, for good (or its task was cancelled)."""
        if isinstance(error, Exception):
            self.end("error", error, 0, None, None, None, None)
        else:
            self.end("cancelled", None, 0, None, None, None, None)

    def end(
        self,
        outcome: str,
        error: BaseException | None,
        size: int,
        usage: UsageMetadata | None,
        finish: str | None,
        model: str | None,
        body: bytes | None,
    ) -> None:
        """Report the end once: chunk error hook, log record, span, ``on_end``."""
        if self.done or not self.attempt:
            return
        self.done = True
        self._chunk_error(error)
        event = EndEvent(
            **self._common(), outcome=outcome, status=self.status, error=error,
            elapsed=time.perf_counter() - self.started, time_to_headers=self.headers_at,
            time_to_first_chunk=self.first_at, chunks=self.chunks, bytes=size, usage=usage,
            finish_reason=finish, response_model=model,
        )  # fmt: skip
        if HTTP.isEnabledFor(_INFO):
            HTTP.info(end_message(event), extra={"gemini_stream": event})
        if body is not None and bodies_on():
            BODIES.debug("%s %s response body: %s", self.method, self.url, describe_body(body))
        span, self._span = self._span, None
        if span is not None:
            if self.first_at is not None:
                span.set_attribute("gen_ai.response.time_to_first_chunk", self.first_at)
            otel.end_span(
                span, outcome=outcome, error=error, status=self.status, usage=usage,
                finish_reason=finish, response_model=model,
            )  # fmt: skip
        self._hook("on_end", event)
