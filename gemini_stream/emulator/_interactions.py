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

import json
import math
from typing import Any, Protocol

from aiohttp import web

from . import _errors
from ._catalogue import find_model
from ._compose import Conversation, compose
from ._faults import Fault, FaultBook, RateLimiter, ScriptedReply
from ._ix_convert import as_request, check_create, input_steps
from ._ix_events import compact, error_code, plan_turn
from ._ix_store import InteractionStore, StoredInteraction
from ._ix_writer import cut, pause, status_message, write_events
from ._model import BuiltinModel
from ._records import RequestRecord
from ._wire import COMMON_HEADERS, JSON_CONTENT_TYPE

__all__ = ("INTERACTIONS_MODELS", "InteractionsAPI", "ix_error")

INTERACTIONS_MODELS = (
    "gemini-3.1-flash-image-preview",
    "gemini-3.1-flash-lite",
    "gemini-3.1-pro-preview",
    "gemini-3.5-flash",
    "gemini-3.8-flash",
)
"""Models the Interactions reference names that the catalogue (``models.list``) lacks: new
models launch on Interactions first. They are served here as thinking models."""
_NEWER: dict[str, dict[str, Any]] = {
    name: {"thinking": True, "supportedGenerationMethods": ["generateContent"]}
    for name in INTERACTIONS_MODELS
}


class _State(Protocol):
    model: BuiltinModel
    faults: FaultBook
    limiter: RateLimiter | None
    first_chunk_delay: float
    chunk_delay: float
    burst: bool

    def auth(self, request: web.Request, record: RequestRecord) -> _errors.ErrorReply | None: ...

    def reply_error(self, record: RequestRecord, reply: _errors.ErrorReply) -> web.Response: ...


def ix_error(status: int, message: str, retry_after: float | None = None) -> _errors.ErrorReply:
    """An Interactions error: ``{"error": {"message": ..., "code": "<string>"}}``."""
    headers = (
        {"Retry-After": str(max(0, math.ceil(retry_after)))} if retry_after is not None else {}
    )
    return status, {"error": {"message": message, "code": error_code(status)}}, headers


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
        await pause(fault.first_delay or self.state.first_chunk_delay)
        reply = ix_error(fault.status, status_message(fault.status), fault.retry_after)
        return self._send_error(record, reply)

    async def _events(
        self,
        record: RequestRecord,
        request: web.Request,
        ix: StoredInteraction,
        start: int,
        fault: Fault,
        *,
        create: bool,
    ) -> web.StreamResponse:
        limits = [n for n in (fault.close_after, self.store.stream_event_limit) if n is not None]
        return await write_events(
            request,
            record,
            ix,
            start,
            fault,
            first_delay=self.state.first_chunk_delay,
            close_at=min(limits) if limits else None,
            error_at=None if create else fault.error_event_after,  # a create's fails the run
            burst=self.state.burst,
        )

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
        entry = None if agent else find_model(record.model) or _NEWER.get(name)
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
                return self._send_error(record, ix_error(429, status_message(429), wait))
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
            return await self._events(record, request, ix, 0, fault, create=True)
        if ix.background:
            await pause(fault.first_delay or 0.0)
            return self._json(record, ix.resource(timeline=False))
        await pause(fault.first_delay or self.state.first_chunk_delay)
        if fault.disconnect_after is not None:
            return cut(request, record)
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
            await pause(fault.first_delay or 0.0)
            return self._json(record, ix.resource(timeline=True))
        start = 0
        last = request.query.get("last_event_id")
        if last:
            found = ix.position_after(last)
            if found is None:
                message = f"Invalid last_event_id '{last}' for interaction '{ix.id}'."
                return self._send_error(record, ix_error(400, message))
            start = found
        return await self._events(record, request, ix, start, fault, create=False)
