"""The emulator's aiohttp application: routing, API keys, validation, recording, dispatch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiohttp import web

from . import _errors
from ._batch_run import Runner
from ._batches import BatchStore
from ._caches import CacheStore, with_cache_usage
from ._catalogue import find_model, list_page
from ._compose import request_problem
from ._embeddings import embed_reply
from ._enums import safety_problem
from ._faults import FaultBook, RateLimiter, ScriptedReply
from ._files import FileStore
from ._imagen import predict
from ._interactions import InteractionsAPI
from ._ix_store import InteractionStore
from ._live import LIVE_PATH, TOKENS_PATH, LiveStore
from ._live_session import serve as serve_live
from ._model import BuiltinModel, applied_tier
from ._records import RequestRecord, masked_headers, masked_query
from ._schema import check_request
from ._stream import ReplyWriter
from ._tokens import details, prompt_tokens
from ._vertex import bearer_problem, split_vertex_fields
from ._wire import COMMON_HEADERS, JSON_CONTENT_TYPE, dumps_pretty

_GENERATE = ("generateContent", "streamGenerateContent")
_EMBED = ("embedContent", "batchEmbedContents")
_BATCH = {"batchGenerateContent": "generate", "asyncBatchEmbedContent": "embed"}
_POSTED = (*_GENERATE, *_EMBED, *_BATCH, "countTokens", "predict")
# Vertex AI serves the same models under projects/locations (or bare, in express mode).
_VERTEX_EXPRESS = "/{version:v1|v1beta1}/publishers/{publisher:google}/models/{name}"
_VERTEX_REGIONAL = (
    "/{version:v1|v1beta1}/projects/{project}/locations/{location}"
    "/publishers/{publisher:google}/models/{name}"
)
_MAX_BODY = 64 * 1024 * 1024  # inline images make requests far larger than aiohttp's 1 MiB
_BURST_MEMO_SIZE = 64  # distinct burst replies kept (a 100-chunk one is ~40 KB)
Handler = Callable[[web.Request, RequestRecord], Awaitable[web.StreamResponse]]


class ServerState:
    """Everything the request handlers share: configuration, faults and records."""

    def __init__(
        self,
        *,
        api_keys: Collection[str] | None,
        model: BuiltinModel,
        faults: FaultBook,
        rpm_limit: int | None,
        first_chunk_delay: float,
        tpm_limit: int | None = None,
        quota_window: float = 60.0,
        chunk_delay: float,
        files: FileStore | None = None,
        burst: bool = False,
        max_records: int | None = None,
        interactions: InteractionStore | None = None,
        caches: CacheStore | None = None,
        batch_duration: float = 0.0,
    ) -> None:
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.model = model
        self.faults = faults
        self.limiter = (
            RateLimiter(rpm_limit, tpm_limit, quota_window) if rpm_limit or tpm_limit else None
        )
        self.first_chunk_delay = first_chunk_delay
        self.chunk_delay = chunk_delay
        self.burst = burst
        self._burst_memo: dict[tuple[str, bytes | None], tuple[bytes, int]] = {}  # path, body
        self.files = files or FileStore()
        self.caches = caches or CacheStore()
        self.caches.check_files = self._check_files
        self.batches = BatchStore(
            Runner(model, self.caches, self.files), self.files, batch_duration
        )
        self.records: list[RequestRecord] = []
        self.max_records = max_records
        self.running: set[asyncio.Task[Any]] = set()
        self.closing = False
        self.interactions = interactions or InteractionStore()
        self._interactions_api = InteractionsAPI(self, self.interactions)
        self.live = LiveStore(model.chunk_tokens)

    def app(self) -> web.Application:
        """Build the aiohttp application serving the v1beta routes."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_get("/v1beta/models", self._wrap(self._list))
        resource = "/v1beta/{collection:models|tunedModels}/{name}"
        app.router.add_route("*", resource, self._wrap(self._model_call))
        app.router.add_route("*", _VERTEX_EXPRESS, self._wrap(self._model_call))
        app.router.add_route("*", _VERTEX_REGIONAL, self._wrap(self._model_call))
        app.router.add_route("*", "/upload/v1beta/files", self._wrap(self._files))
        app.router.add_route("*", "/v1beta/files", self._wrap(self._files))
        app.router.add_route("*", "/v1beta/files/{file_id}", self._wrap(self._files))
        app.router.add_route("*", "/download/v1beta/files/{file_id}", self._wrap(self._files))
        app.router.add_route("*", "/v1beta/batches", self._wrap(self._batches))
        app.router.add_route("*", "/v1beta/batches/{batch_id}", self._wrap(self._batches))
        interactions = self._wrap(self._interactions_api.handle)
        app.router.add_route("*", "/v1beta/interactions", interactions)
        app.router.add_route("*", "/v1beta/interactions/{tail:.*}", interactions)
        app.router.add_route("*", "/v1beta/cachedContents", self._wrap(self._caches))
        app.router.add_route("*", "/v1beta/cachedContents/{cache_id}", self._wrap(self._caches))
        app.router.add_get(LIVE_PATH, self._wrap(self._live))
        app.router.add_post(TOKENS_PATH, self._wrap(self._mint))
        app.router.add_route("*", "/{tail:.*}", self._wrap(self._unknown_path))
        return app

    def tracked(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """``handler`` with its request recorded and counted as running (record/replay use it)."""
        return self._wrap(handler)

    def _wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            headers = masked_headers(request.headers)
            record = RequestRecord(
                request.method, request.path, masked_query(request.query), headers
            )
            self.records.append(record)
            if self.max_records is not None and len(self.records) > self.max_records:
                del self.records[0]  # the oldest; one memmove of pointers per request
            task = asyncio.current_task()
            if task is not None:
                self.running.add(task)
            disconnected = False
            try:
                return await handler(request, record)
            except asyncio.CancelledError:
                # With handler_cancellation aiohttp cancels us when the peer goes away; a
                # cancellation while closing is the emulator's own shutdown.
                disconnected = not self.closing
                raise
            finally:
                self.running.discard(task)
                record.finish(disconnected=disconnected)

        return handle

    def _error(self, record: RequestRecord, reply: _errors.ErrorReply) -> web.Response:
        status, body, extra = reply
        record.status = status
        headers = {"Content-Type": JSON_CONTENT_TYPE, **COMMON_HEADERS, **extra}
        return web.Response(status=status, body=dumps_pretty(body), headers=headers)

    def reply_error(self, record: RequestRecord, reply: _errors.ErrorReply) -> web.Response:
        """Answer with a Google-envelope error (what ``_interactions`` uses for key checks)."""
        return self._error(record, reply)

    def auth(self, request: web.Request, record: RequestRecord) -> _errors.ErrorReply | None:
        """Check the API key (header or ``?key=``); the error to answer, or ``None``."""
        return self._auth(request, record)

    def _json(self, record: RequestRecord, body: Any) -> web.Response:
        record.status = 200
        headers = {"Content-Type": JSON_CONTENT_TYPE, **COMMON_HEADERS}
        return web.Response(body=dumps_pretty(body), headers=headers)

    def _auth(self, request: web.Request, record: RequestRecord) -> _errors.ErrorReply | None:
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        record.api_key = RequestRecord.fingerprint(key) if key else key
        if not key:
            return _errors.permission_denied()
        if self.api_keys is not None and key not in self.api_keys:
            return _errors.api_key_invalid()
        return None

    async def _files(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        # Upload chunks go to the session URL, which stands in for the key.
        if "upload_id" not in request.query:
            denied = self._auth(request, record)
            if denied:
                return self._error(record, denied)
        return await self.files.handle(request, record)

    def _check_files(self, body: dict[str, Any], base: str) -> _errors.ErrorReply | None:
        missing = self.files.check_references(body, base)
        return None if missing is None else (missing[0], missing[1] or {}, missing[2])

    async def _caches(self, request: web.Request, record: RequestRecord) -> web.Response:
        denied = self._auth(request, record)
        if denied:
            return self._error(record, denied)
        reply = await self.caches.handle(request, record)
        return self._json(record, reply[1]) if reply[0] == 200 else self._error(record, reply)

    async def _batches(self, request: web.Request, record: RequestRecord) -> web.Response:
        denied = self._auth(request, record)
        if denied:
            return self._error(record, denied)
        reply = await self.batches.handle(request, record, f"{request.scheme}://{request.host}")
        return self._json(record, reply[1]) if reply[0] == 200 else self._error(record, reply)

    async def _live(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        return await serve_live(self.live, request, record, self.api_keys)

    async def _mint(self, request: web.Request, record: RequestRecord) -> web.Response:
        record.rpc = "auth_tokens.create"
        denied = self._auth(request, record)
        if denied:
            return self._error(record, denied)
        try:
            record.body = json.loads(await request.read() or b"{}")
        except ValueError:
            return self._error(record, _errors.invalid_argument("Invalid JSON payload."))
        reply = self.live.mint(record.body)
        return self._json(record, reply) if isinstance(reply, dict) else self._error(record, reply)

    async def _unknown_path(self, request: web.Request, record: RequestRecord) -> web.Response:
        return self._error(record, _errors.not_found())

    async def _list(self, request: web.Request, record: RequestRecord) -> web.Response:
        record.rpc = "list"
        denied = self._auth(request, record)
        if denied:
            return self._error(record, denied)
        raw_size = request.query.get("pageSize", "0")
        try:
            size = int(raw_size)
        except ValueError:
            text = f"Invalid value at 'page_size' (TYPE_INT32), \"{raw_size}\""
            return self._error(record, _errors.bad_request([("page_size", text)]))
        page = list_page(size, request.query.get("pageToken", ""))
        if page is None:
            return self._error(record, _errors.invalid_argument("Invalid page token."))
        return self._json(record, page)

    async def _model_call(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        name = request.match_info["name"]
        model_id, _, rpc = name.partition(":")
        vertex = "publisher" in request.match_info
        record.model = f"{request.match_info.get('collection', 'models')}/{model_id}"
        record.rpc = rpc or "get"
        posting = request.method == "POST" and rpc in _POSTED
        if not posting and not (request.method == "GET" and not rpc):
            return self._error(record, _errors.not_found())
        keyless = vertex and not (request.headers.get("x-goog-api-key") or "key" in request.query)
        denied = bearer_problem(request, record) if keyless else self._auth(request, record)
        if denied:
            return self._error(record, denied)
        entry = find_model(record.model)
        method = "generateContent" if rpc in _GENERATE else rpc or "get"
        method = "embedContent" if rpc in _EMBED else method  # the API names it so for both
        if entry is None or (posting and method not in entry["supportedGenerationMethods"]):
            return self._error(record, _errors.model_not_found(record.model, method))
        if not posting:
            return self._json(record, entry)
        record.raw_body = await request.read()
        try:
            record.body = json.loads(record.raw_body or b"{}")
        except ValueError as exc:
            return self._error(
                record, _errors.bad_request([("", _json_error(exc, record.raw_body))])
            )
        body = record.body
        if vertex:
            body, _, problem = split_vertex_fields(body)
            if problem is not None:
                return self._error(record, problem)
        if rpc == "predict":
            reply = predict(body, model_id, vertex=vertex)
            if reply[0] != 200:
                return self._error(record, reply)
            return self._json(record, reply[1])
        if rpc == "countTokens":
            return self._count(record, body)
        if rpc in _EMBED:
            return self._embed(record, body, model_id, rpc)
        if rpc in _BATCH:
            reply = self.batches.create(body, model_id, _BATCH[rpc])
            return self._json(record, reply[1]) if reply[0] == 200 else self._error(record, reply)
        return await self._generate(request, record, model_id, rpc, body)

    def _count(self, record: RequestRecord, raw: Any) -> web.Response:
        body, violations = check_request(raw, "CountTokensRequest")
        if violations:
            return self._error(record, _errors.bad_request(violations))
        if "contents" in body and "generateContentRequest" in body:
            message = "contents and generate_content_request are mutually exclusive."
            return self._error(record, _errors.invalid_argument(message))
        counts = prompt_tokens(body.get("generateContentRequest", body))
        return self._json(
            record, {"totalTokens": sum(counts.values()), "promptTokensDetails": details(counts)}
        )

    def _embed(self, record: RequestRecord, body: Any, model_id: str, rpc: str) -> web.Response:
        """Embeddings: the per-key quota and status faults apply as to generation."""
        if self.limiter is not None:
            wait = self.limiter.check(record.api_key or "")
            if wait is not None:
                return self._error(record, _errors.rate_limited(model_id, wait, self.limiter.limit))
        try:
            item = self.faults.take(record.headers)
        except ValueError as exc:
            return self._error(record, _errors.invalid_argument(f"x-emulator-fault: {exc}"))
        record.applied = item
        fault = item.fault if isinstance(item, ScriptedReply) else item
        if fault is not None and fault.status is not None:
            reply = _errors.status_error(fault.status, model_id, fault.retry_after)
            return self._error(record, reply)
        reply = embed_reply(body, model_id, rpc)
        if reply[0] != 200:
            return self._error(record, reply)
        return self._json(record, reply[1])

    async def _generate(
        self, request: web.Request, record: RequestRecord, model_id: str, rpc: str, raw: Any
    ) -> web.StreamResponse:
        vertex = "publisher" in request.match_info
        body, violations = check_request(raw, "GenerateContentRequest", vertex=vertex)
        if violations:
            return self._error(record, _errors.bad_request(violations))
        body, cached, refused = self.caches.apply(body, model_id)
        if refused is not None:
            return self._error(record, refused)
        if not body.get("contents"):
            message = "* GenerateContentRequest.contents: contents is not specified\n"
            return self._error(record, _errors.invalid_argument(message))
        problem = safety_problem(body, vertex=vertex) or request_problem(body, model_id)
        if problem is not None:
            return self._error(record, _errors.invalid_argument(problem))
        missing = self.files.check_references(body, f"{request.scheme}://{request.host}")
        if missing is not None:
            return self._error(record, (missing[0], missing[1] or {}, missing[2]))
        if self.limiter is not None:
            tokens = sum(prompt_tokens(body).values())
            wait = self.limiter.check(record.api_key or "", tokens)
            if wait is not None:
                reply = _errors.rate_limited(model_id, wait, self.limiter.limit)
                return self._error(record, reply)
        try:
            item = self.faults.take(record.headers)
        except ValueError as exc:
            return self._error(record, _errors.invalid_argument(f"x-emulator-fault: {exc}"))
        record.applied = item
        fault = item.fault if isinstance(item, ScriptedReply) else item
        mode = "sse" if request.query.get("alt") == "sse" else "array"
        writer = ReplyWriter(
            request,
            record,
            mode="single" if rpc == "generateContent" else mode,
            fault=fault,
            first_delay=self.first_chunk_delay,
            delay=self.chunk_delay,
            burst=self.burst,
            tier=applied_tier(body),
        )
        if fault is not None and fault.status is not None:
            await asyncio.sleep(writer.first_delay)
            return self._error(
                record, _errors.status_error(fault.status, model_id, fault.retry_after)
            )
        if isinstance(item, ScriptedReply):
            return await writer.send(list(item.chunks), model_id)
        if writer.burst and cached is None:
            return await writer.send_burst(*self._burst_body(writer, body, model_id, record))
        chunks = self.model.normalised_chunks(body, model_id)
        if cached is not None:
            chunks = with_cache_usage(chunks, cached)
        return await writer.send(chunks, model_id)

    def _burst_body(
        self, writer: ReplyWriter, body: Any, model_id: str, record: RequestRecord
    ) -> tuple[bytes, int]:
        """A burst reply's body and event count, made once per distinct request.

        The model is deterministic, so the same request bytes get the same reply bytes; the
        memo spares making and encoding them again (~1.3 ms for 100 chunks), so the server
        outpaces a busy client, as ``burst`` is meant to show.
        """
        key = (writer.request.path, record.raw_body)
        reply = self._burst_memo.get(key)
        if reply is None:
            chunks = self.model.normalised_chunks(body, model_id)
            reply = writer.encode_burst(chunks), len(chunks)
            if len(self._burst_memo) >= _BURST_MEMO_SIZE:
                self._burst_memo.clear()
            self._burst_memo[key] = reply
        return reply


def _json_error(exc: ValueError, raw: bytes) -> str:
    """Google's message for a body that is not JSON: the spot, and a caret under it."""
    pos = getattr(exc, "pos", 0)
    text = raw.decode("utf-8", errors="replace")
    start = max(0, pos - 20)
    excerpt = text[start : pos + 20]
    return f"Invalid JSON payload received. Unexpected token.\n{excerpt}\n{' ' * (pos - start)}^"
