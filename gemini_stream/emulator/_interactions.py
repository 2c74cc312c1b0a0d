"""The Interactions API routes: create (unary, streamed, background), get, cancel, delete.

Paths (``interactions-wire-format.md`` section 2): ``POST /v1beta/interactions``,
``GET /v1beta/interactions/{id}[?stream=true[&last_event_id=...]]``,
``POST /v1beta/interactions/{id}/cancel``, ``DELETE /v1beta/interactions/{id}``; there is no
list. Errors use the Interactions envelope ``{"error": {"message": ..., "code": "<string>"}}``
except the API-key checks, which Google's front end answers in its usual envelope.
Faults (``_faults``) apply to create and get like to generation requests; see
``docs/testing.md`` ("Interactions") for which fields mean what on these streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from typing import Any, Protocol

from aiohttp import web

from . import _errors
from ._catalogue import find_model
from ._compose import Conversation, compose
from ._faults import Fault, FaultBook, RateLimiter, ScriptedReply
from ._ix_convert import as_request, check_create, input_steps
from ._ix_events import DONE_FRAME, compact, error_code, frame, plan_turn
from ._ix_store import InteractionStore, StoredInteraction
from ._model import BuiltinModel
from ._records import RequestRecord
from ._wire import COMMON_HEADERS, JSON_CONTENT_TYPE, SSE_HEADERS

__all__ = ("InteractionsAPI", "ix_error")


class _State(Protocol):
    model: BuiltinModel
    faults: FaultBook
    limiter: RateLimiter | None
    first_chunk_delay: float
    chunk_delay: float

    def auth(self, request: web.Request, record: RequestRecord) -> _errors.ErrorReply | None: ...

    def reply_error(self, record: RequestRecord, reply: _errors.ErrorReply) -> web.Response: ...


def ix_error(status: int, message: str, retry_after: float | None = None) -> _errors.ErrorReply:
    """An Interactions error: ``{"error": {"message": ..., "code": "<string>"}}``."""
    headers = (
        {"Retry-After": str(max(0, math.ceil(retry_after)))} if retry_after is not None else {}
    )
    return status, {"error": {"message": message, "code": error_code(status)}}, headers


def _status_message(status: int) -> str:
    if status == 429:
        return "Resource has been exhausted (e.g. check quota)."
    return {
        503: "The service is currently unavailable.",
        504: "Deadline expired before operation could complete.",
    }.get(status, "Internal error encountered.")


class InteractionsAPI:
    """Serves ``/v1beta/interactions...`` from the shared server state and the store."""

    def __init__(self, state: _State, store: InteractionStore) -> None:
        self.state = state
        self.store = store

    def _send_error(self, record: RequestRecord, reply: _errors.ErrorReply) -> web.Response:
        status, body, extra = reply
        record.status = status
        headers = {"Content-Type": JSON_CONTENT_TYPE, **COMMON_HEADERS, **extra}
        return web.Response(status=status, body=compact(body).encode(), headers=headers)

    def _json(self, record: RequestRecord, body: Any) -> web.Response:
        record.status = 200
        data = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        return web.Response(
            body=data.encode(), headers={"Content-Type": JSON_CONTENT_TYPE, **COMMON_HEADERS}
        )

    async def handle(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        """Dispatch one request under ``/v1beta/interactions``."""
        tail = request.match_info.get("tail", "").strip("/")
        ix_id, _, action = tail.partition("/")
        method = request.method
        record.rpc = {
            ("POST", False, ""): "interactions.create",
            ("GET", True, ""): "interactions.get",
            ("DELETE", True, ""): "interactions.delete",
            ("POST", True, "cancel"): "interactions.cancel",
        }.get((method, bool(ix_id), action))
        if record.rpc is None:
            return self.state.reply_error(record, _errors.not_found())
        denied = self.state.auth(request, record)
        if denied:
            return self.state.reply_error(record, denied)
        if record.rpc == "interactions.create":
            return await self._create(request, record)
        ix = self.store.get(ix_id)
        if ix is None:
            return self._send_error(record, ix_error(404, f"Interaction '{ix_id}' not found."))
        record.model = f"{ix.kind}s/{ix.name}"
        if record.rpc == "interactions.get":
            return await self._get(request, record, ix)
        if record.rpc == "interactions.delete":
            await self.store.delete(ix)
            record.status = 200
            return web.Response(
                body=b"", headers={"Content-Type": JSON_CONTENT_TYPE, **COMMON_HEADERS}
            )
        if not ix.background or ix.finished:
            why = (
                "it is not a background interaction"
                if not ix.background
                else f"its status is '{ix.status}'"
            )
            message = f"Interaction '{ix_id}' cannot be cancelled: {why}."
            return self._send_error(record, ix_error(400, message))
        self.store.cancel(ix)
        return self._json(record, ix.resource(timeline=False))

    def _fault(self, record: RequestRecord) -> Fault | web.Response:
        try:
            item = self.state.faults.take(record.headers)
        except ValueError as exc:
            return self._send_error(record, ix_error(400, f"x-emulator-fault: {exc}"))
        record.applied = item
        return (item.fault if isinstance(item, ScriptedReply) else item) or Fault()

    async def _fault_status(self, record: RequestRecord, fault: Fault) -> web.Response | None:
        if fault.status is None:
            return None
        await _pause(fault.first_delay or self.state.first_chunk_delay)
        reply = ix_error(fault.status, _status_message(fault.status), fault.retry_after)
        return self._send_error(record, reply)

    async def _create(self, request: web.Request, record: RequestRecord) -> web.StreamResponse:
        record.raw_body = await request.read()
        try:
            body = record.body = json.loads(record.raw_body or b"{}")
        except ValueError as exc:
            return self._send_error(record, ix_error(400, f"Invalid JSON payload received. {exc}"))
        problem = check_create(body)
        if problem is not None:
            return self._send_error(record, ix_error(400, problem))
        agent = "agent" in body
        name = str(body["agent"] if agent else body["model"])
        record.model = f"{'agents' if agent else 'models'}/{name}"
        entry = None if agent else find_model(record.model)
        if not agent and (
            entry is None or "generateContent" not in entry["supportedGenerationMethods"]
        ):
            return self._send_error(record, ix_error(404, f"Model '{name}' not found."))
        history: list[dict[str, Any]] = []
        previous_id = body.get("previous_interaction_id")
        if previous_id is not None:
            previous = self.store.get(previous_id)
            if previous is None:
                return self._send_error(
                    record, ix_error(404, f"Interaction '{previous_id}' not found.")
                )
            if not previous.finished:
                message = (
                    f"Interaction '{previous_id}' is still running (status '{previous.status}')."
                )
                return self._send_error(record, ix_error(400, message))
            history = [*previous.conversation, *previous.input_steps, *previous.steps]
        if self.state.limiter is not None:
            wait = self.state.limiter.check(record.api_key or "")
            if wait is not None:
                return self._send_error(record, ix_error(429, _status_message(429), wait))
        fault = self._fault(record)
        if isinstance(fault, web.Response):
            return fault
        refused = await self._fault_status(record, fault)
        if refused is not None:
            return refused
        steps = input_steps(body["input"])
        generation = as_request(body, [*history, *steps])
        conv = Conversation.read(generation, name)
        config = body.get("agent_config" if agent else "generation_config") or {}
        turn = plan_turn(
            generation,
            conv,
            compose(generation, conv, name),
            chunk_tokens=self.state.model.chunk_tokens,
            thinks=agent or bool((entry or {}).get("thinking")),
            summaries=config.get("thinking_summaries") == "auto",
            agent=agent,
        )
        stored = body.get("store", True)
        ix = StoredInteraction(
            self.store.new_id(record.raw_body) if stored else None, body, steps, history
        )
        streaming = bool(body.get("stream"))
        pace = self.store.pace(
            len(turn.events) + 3, ix.background, self.state.chunk_delay if streaming else 0.0
        )
        self.store.start(
            ix,
            turn,
            pace=pace,
            error_after=fault.error_event_after,
            error_status=fault.error_status,
        )
        if streaming:
            return await self._stream(request, record, ix, 0, fault, create=True)
        if ix.background:
            await _pause(fault.first_delay or 0.0)
            return self._json(record, ix.resource(timeline=False))
        await _pause(fault.first_delay or self.state.first_chunk_delay)
        if fault.disconnect_after is not None:
            return self._cut(request, record)
        if ix.status == "failed":
            error = ix.errors[0]
            return self._send_error(record, ix_error(fault.error_status, error["message"]))
        return self._json(record, ix.resource(timeline=False))

    async def _get(
        self, request: web.Request, record: RequestRecord, ix: StoredInteraction
    ) -> web.StreamResponse:
        fault = self._fault(record)
        if isinstance(fault, web.Response):
            return fault
        refused = await self._fault_status(record, fault)
        if refused is not None:
            return refused
        if request.query.get("stream", "false").lower() != "true":
            await _pause(fault.first_delay or 0.0)
            return self._json(record, ix.resource(timeline=True))
        start = 0
        last = request.query.get("last_event_id")
        if last:
            found = ix.position_after(last)
            if found is None:
                message = f"Invalid last_event_id '{last}' for interaction '{ix.id}'."
                return self._send_error(record, ix_error(400, message))
            start = found
        return await self._stream(request, record, ix, start, fault, create=False)

    async def _stream(
        self,
        request: web.Request,
        record: RequestRecord,
        ix: StoredInteraction,
        start: int,
        fault: Fault,
        *,
        create: bool,
    ) -> web.StreamResponse:
        """Write ``ix``'s events from log index ``start``, following the run, with faults."""
        response = web.StreamResponse(headers={**SSE_HEADERS, **COMMON_HEADERS})
        if fault.disconnect_after is not None:
            response.force_close()
        limits = [n for n in (fault.close_after, self.store.stream_event_limit) if n is not None]
        close_at = min(limits) if limits else None
        error_at = None if create else fault.error_event_after
        delay = self.state.chunk_delay if fault.delay is None else fault.delay
        try:
            record.status = 200
            await response.prepare(request)
            await _pause(
                self.state.first_chunk_delay if fault.first_delay is None else fault.first_delay
            )
            written = 0
            async with contextlib.aclosing(ix.follow(start)) as frames:
                async for chunk in frames:
                    if await self._due(
                        request, response, record, fault, written, close_at, error_at
                    ):
                        return response
                    if written and fault.delay is not None:
                        await _pause(delay)
                    await response.write(chunk)
                    written += 1
                    record.events_written += 1
            if await self._due(request, response, record, fault, written, close_at, error_at):
                return response
            if not fault.no_done:
                await response.write(DONE_FRAME)
            await response.write_eof()
        except ConnectionError:
            if not record.closed_by_server and record.disconnected_at is None:
                record.disconnected_at = time.monotonic()
        return response

    async def _due(
        self,
        request: web.Request,
        response: web.StreamResponse,
        record: RequestRecord,
        fault: Fault,
        written: int,
        close_at: int | None,
        error_at: int | None,
    ) -> bool:
        """Apply the faults due after ``written`` events; True when the stream must end."""
        if fault.stall_after == written:
            await _pause(fault.stall)
        if fault.disconnect_after == written:
            self._cut(request, record)
            return True
        if close_at == written:
            await response.write_eof()
            return True
        if error_at == written:
            error = {
                "message": _status_message(fault.error_status),
                "code": error_code(fault.error_status),
            }
            await response.write(frame("error", {"error": error}, None) + DONE_FRAME)
            record.events_written += 1
            await response.write_eof()
            return True
        return False

    def _cut(self, request: web.Request, record: RequestRecord) -> web.Response:
        record.closed_by_server = True
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)


async def _pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
