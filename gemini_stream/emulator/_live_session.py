"""One Live API connection in the emulator: the handshake, then the conversation.

A reader applies each client message to the session's :class:`LiveState` as it arrives
(text queues a turn, audio feeds the voice-activity detector, a tool response wakes the
turn waiting for it), so a resumption handle taken between turns covers every message
received so far. A single turn task answers the queued turns in order; speech arriving
during a turn interrupts it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from ._live import (
    MAX_FRAME,
    LiveFault,
    LiveStore,
    StoredToken,
    check_key,
    live_model_problem,
    locked_setup,
    token_of,
)
from ._live_model import (
    LiveState,
    answer,
    call_message,
    model_turn,
    speech_transcript,
    turn_frames,
    usage,
    user_turn,
)
from ._records import RequestRecord

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

__all__ = ("LiveConnection", "serve")

_SETUP_WAIT = 30.0


class _Ended(Exception):
    """The connection is over (dropped or closed by a fault or the time limit)."""


class LiveConnection:
    """Serves one WebSocket until the client or a fault ends it."""

    def __init__(
        self,
        store: LiveStore,
        ws: web.WebSocketResponse,
        request: web.Request,
        token: StoredToken | None,
    ) -> None:
        self.store = store
        self.ws = ws
        self.request = request
        self.token = token
        self.state: LiveState | None = None
        self.sent = 0  # frames after setupComplete
        self.received = 0  # client messages after setup
        self.fault: LiveFault | None = None
        self.turn: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.responses: dict[str, dict[str, Any]] = {}
        self.answered = asyncio.Event()
        self.waiting: list[str] = []  # ids of the calls the current turn waits for
        self.current: asyncio.Task[None] | None = None  # the turn being answered
        self.model = ""

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code=code, message=close_reason(reason))

    async def send(self, frame: Mapping[str, Any]) -> None:
        fault = self.fault
        if fault is not None and self.sent >= fault.after:
            if fault.code is None:
                transport = self.request.transport
                if transport is not None:
                    transport.abort()
            else:
                await self.close(fault.code, fault.reason)
            raise _Ended
        data = json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            if self.store.text_frames:
                await self.ws.send_str(data.decode())
            else:
                await self.ws.send_bytes(data)
        except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
            raise _Ended from exc
        self.sent += 1
        self.store.frames_sent += 1

    # -- handshake -------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            if await self._handshake():
                await self._serve()
        except _Ended:
            pass
        finally:
            for task in (self.turn,):
                if task is not None and not task.done():
                    task.cancel()

    async def _handshake(self) -> bool:
        try:
            message = await self.ws.receive(timeout=_SETUP_WAIT)
        except asyncio.TimeoutError:
            await self.close(1007, "Setup was not received in time.")
            return False
        body = _json(message)
        if not isinstance(body, dict) or not isinstance(body.get("setup"), dict):
            await self.close(1007, "Request contains an invalid argument.")
            return False
        setup: dict[str, Any] = body["setup"]
        resumption = setup.get("sessionResumption")
        handle = resumption.get("handle") if isinstance(resumption, dict) else None
        if self.token is not None:
            if not handle:
                _, why = self.store.check_token(self.token.name, resuming=False)
                if why:
                    await self.close(1007, why)
                    return False
            setup = locked_setup(self.token, setup)
        problem = live_model_problem(setup)
        if problem is not None:
            await self.close(1008, problem)
            return False
        modalities = setup.get("generationConfig", {}).get("responseModalities", [])
        if len(modalities) > 1:
            await self.close(1007, "Request contains an invalid argument.")
            return False
        if handle:
            state = self.store.restore(handle)
            if state is None or state.setup.get("model") != setup.get("model"):
                await self.close(1007, "Invalid session resumption handle.")
                return False
            state.setup = {k: v for k, v in setup.items() if k != "sessionResumption"}
            if "sessionResumption" in setup:
                state.setup["sessionResumption"] = {}
        else:
            history = setup.get("historyConfig", {}).get("initialHistoryInClientContent")
            state = LiveState(setup=setup, seeding=bool(history))
        self.state = state
        self.model = str(setup["model"]).removeprefix("models/")
        self.store.connections += 1
        self.fault = self.store.take_fault()
        await self.ws.send_bytes(b'{"setupComplete":{}}')
        if "sessionResumption" in setup:
            await self._resumption_point()
        return True

    async def _resumption_point(self) -> None:
        state = self.state
        if state is None or "sessionResumption" not in state.setup:
            return
        consumed = self.received - 1  # everything received is in the state
        handle = self.store.keep(state)
        update: dict[str, Any] = {"newHandle": handle, "resumable": True}
        update["lastConsumedClientMessageIndex"] = consumed
        await self.send({"sessionResumptionUpdate": update})

    # -- the conversation ------------------------------------------------------------------

    async def _serve(self) -> None:
        limit = self.store.go_away_after
        timer = asyncio.ensure_future(self._time_limit(limit)) if limit is not None else None
        self.turn = asyncio.ensure_future(self._turns())
        try:
            while True:
                message = await self.ws.receive()
                if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    await self._apply(_json(message))
                    if self.turn.done():
                        self.turn.result()  # a fault ended the connection in the turn task
                        return
                    continue
                return
        finally:
            for task in (timer, self.turn):
                if task is not None and not task.done():
                    task.cancel()
                elif task is not None and not task.cancelled():
                    task.exception()  # retrieved: a fault's _Ended is expected

    async def _time_limit(self, after: float) -> None:
        await asyncio.sleep(after)
        left = self.store.go_away_time_left
        try:
            await self.send({"goAway": {"timeLeft": f"{left:g}s"}})
        except _Ended:
            return
        await asyncio.sleep(left)
        await self.close(1000, "The connection reached its time limit.")

    async def _apply(self, body: Any) -> None:
        """Apply one client message to the state."""
        state = self.state
        if state is None:
            raise _Ended
        self.received += 1
        if not isinstance(body, dict) or len(body) != 1:
            await self.close(1007, "Request contains an invalid argument.")
            raise _Ended
        ((kind, value),) = body.items()
        if kind in ("realtimeInput", "realtime_input") and isinstance(value, dict):
            await self._realtime(state, value)
        elif kind in ("clientContent", "client_content") and isinstance(value, dict):
            turns = [t for t in value.get("turns", []) if isinstance(t, dict)]
            complete = bool(value.get("turnComplete", value.get("turn_complete")))
            if state.seeding:
                state.history.extend(turns)
                state.seeding = not complete
            elif complete and turns and turns[-1].get("role", "user") == "user":
                state.history.extend(turns[:-1])
                self._queue(turns[-1])
            else:
                state.history.extend(turns)
        elif kind in ("toolResponse", "tool_response") and isinstance(value, dict):
            items = value.get("functionResponses") or value.get("function_responses") or []
            for item in items:
                if isinstance(item, dict):
                    self.responses[str(item.get("id", ""))] = item
            self.answered.set()
        else:
            await self.close(1007, "Request contains an invalid argument.")
            raise _Ended

    async def _realtime(self, state: LiveState, value: dict[str, Any]) -> None:
        if "text" in value:
            self._queue(user_turn(str(value["text"])))
            return
        chunks = value.get("mediaChunks") or [None]
        audio = value.get("audio") or chunks[0]
        ended: float | None = None
        if isinstance(audio, dict):
            try:
                pcm = base64.b64decode(str(audio.get("data", "")), validate=True)
            except binascii.Error:
                await self.close(1007, "Request contains an invalid argument.")
                raise _Ended from None
            speaking = any(pcm)
            if speaking and self._generating() and self._barge_in(state):
                self._interrupt()
            ended = state.audio_in(pcm)
        elif value.get("audioStreamEnd") or "activityEnd" in value:
            ended = state.end_speech()
        if ended is not None:
            text = speech_transcript(ended)
            if "inputAudioTranscription" in state.setup:
                await self.send({"serverContent": {"inputTranscription": {"text": text}}})
            self._queue(user_turn(text))

    def _barge_in(self, state: LiveState) -> bool:
        handling = state.setup.get("realtimeInputConfig", {}).get("activityHandling")
        return bool(handling != "NO_INTERRUPTION")

    def _queue(self, turn: dict[str, Any]) -> None:
        if self.state is not None:
            self.state.pending.append(turn)
            self.wake.set()

    def _generating(self) -> bool:
        return self.current is not None

    def _interrupt(self) -> None:
        if self.current is not None and not self.current.done():
            self.current.cancel()

    async def _turns(self) -> None:
        state = self.state
        if state is None:
            return
        while True:
            if not state.pending or state.seeding:
                self.wake.clear()
                await self.wake.wait()
                continue
            self.current = asyncio.ensure_future(self._answer(state))
            self.current.add_done_callback(_retrieve)
            try:
                await asyncio.wait((self.current,))
            except asyncio.CancelledError:
                self.current.cancel()  # the connection is over
                raise
            task, self.current = self.current, None
            if task.cancelled():
                if self.waiting:
                    await self.send({"toolCallCancellation": {"ids": list(self.waiting)}})
                await self.send({"serverContent": {"interrupted": True}})
                await self.send({"serverContent": {"turnComplete": True}})
                state.history.append(state.pending.pop(0))
            else:
                task.result()  # a fault's _Ended ends the connection
            self.waiting = []
            await self._resumption_point()

    async def _answer(self, state: LiveState) -> None:
        """Answer the first queued turn; commit it to the history when complete."""
        work = LiveState(setup=state.setup, history=[*state.history, state.pending[0]])
        delay = self.store.frame_delay
        while True:
            reply = answer(work, self.model)
            if not reply.calls:
                break
            await self.send(call_message(reply.calls))
            work.history.append(model_turn([{"functionCall": c} for c in reply.calls]))
            self.waiting = [str(c["id"]) for c in reply.calls]
            while not all(i in self.responses for i in self.waiting):
                self.answered.clear()
                await self.answered.wait()
            answers = [{"functionResponse": self.responses.pop(i)} for i in self.waiting]
            self.waiting = []
            work.history.append({"role": "user", "parts": answers})
        seed = reply.thought.encode() + reply.text.encode()
        for frame in turn_frames(work, reply.text, self.store.chunk_tokens, seed):
            if delay:
                await asyncio.sleep(delay)
            await self.send(frame)
        await self.send(usage(work, reply.text))
        await self.send({"serverContent": {"turnComplete": True}})
        state.history = [*work.history, model_turn([{"text": reply.text}])]
        state.pending.pop(0)


def close_reason(text: str) -> bytes:
    """A close frame's reason: at most 123 bytes of UTF-8 (RFC 6455), cut whole."""
    return text.encode()[:123].decode("utf-8", "ignore").encode()


def _retrieve(task: asyncio.Task[None]) -> None:
    """Mark a turn's outcome as seen (a fault's ``_Ended`` ends it by design)."""
    if not task.cancelled():
        task.exception()


async def serve(
    store: LiveStore,
    request: web.Request,
    record: RequestRecord,
    api_keys: Collection[str] | None,
) -> web.WebSocketResponse:
    """Upgrade ``request`` and serve a live session; refusals are close codes, as Google's."""
    constrained = request.match_info["method"].endswith("Constrained")
    record.rpc = request.match_info["method"]
    ws = web.WebSocketResponse(max_msg_size=MAX_FRAME)
    await ws.prepare(request)
    record.status = 101
    token: StoredToken | None = None
    if constrained:
        name = token_of(request)
        record.api_key = RequestRecord.fingerprint(name) if name else name
        # Checked again after setup: only a new session (no handle) uses the token up.
        token, why = store.check_token(name, resuming=True)
        if token is None:
            await ws.close(code=1007, message=close_reason(why))
            return ws
    else:
        refused = check_key(request, record, api_keys)
        if refused is not None:
            await ws.close(code=refused[0], message=close_reason(refused[1]))
            return ws
    try:
        await LiveConnection(store, ws, request, token).run()
        if not ws.closed:
            await ws.close()
    finally:  # also when aiohttp cancels the handler as the client goes away
        store.close_codes.append(ws.close_code)
    return ws


def _json(message: aiohttp.WSMessage) -> Any:
    if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
        return None
    try:
        return json.loads(message.data)
    except ValueError:
        return None
