"""A purpose-built Interactions API server for the client's tests (aiohttp on loopback), and
the reference transcripts E1-E5 of interactions-wire-format.md, re-typed in their wire shape.

It serves a scripted stream per interaction, with faults a test switches on: cut the
connection after event N (per connection), end the body without ``[DONE]``, 429/503 before
the stream, hold the stream open (to see a client leave). ``GET ...?stream=true`` replays
the script after ``last_event_id``.
"""

# ruff: noqa: E501 - the transcripts keep their wire lines whole

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# -- the reference transcripts (wire text, as documented) ---------------------------------------

E1_REQUEST = {"model": "gemini-3-flash-preview", "input": "Hello, how are you?"}
E1_RESPONSE = r"""{
  "created": "2025-11-26T12:25:15Z",
  "id": "v1_ChdPU0F4YWFtNkFwS2kxZThQZ05lbXdROBIXT1NBeGFhbTZBcEtpMWU4UGdOZW13UTg",
  "model": "gemini-3-flash-preview",
  "object": "interaction",
  "steps": [
    {"type": "model_output",
     "content": [{"type": "text", "text": "Hello! I'm functioning perfectly and ready to assist you.\n\nHow are you doing today?"}]}
  ],
  "status": "completed",
  "updated": "2025-11-26T12:25:15Z",
  "usage": {
    "input_tokens_by_modality": [{"modality": "text", "tokens": 7}],
    "total_cached_tokens": 0, "total_input_tokens": 7, "total_output_tokens": 20,
    "total_thought_tokens": 22, "total_tokens": 49, "total_tool_use_tokens": 0
  }
}"""

E2_STREAM = r"""event: interaction.created
data: {"interaction":{"id":"v1_xxx","status":"in_progress","object":"interaction","model":"gemini-3.8-flash"},"event_type":"interaction.created"}

event: step.start
data: {"index":0,"step":{"signature":"","summary":[{"text":"**Evaluating the clues**\n\nI'm considering...","type":"text"}],"type":"thought"},"event_type":"step.start"}

event: step.delta
data: {"index":0,"delta":{"signature":"EpoGCpcGAXLI2nx/...","type":"thought_signature"},"event_type":"step.delta"}

event: step.stop
data: {"index":0,"event_type":"step.stop"}

event: step.start
data: {"index":1,"step":{"content":[{"text":"Based on the clues provided, here","type":"text"}],"type":"model_output"},"event_type":"step.start"}

event: step.delta
data: {"index":1,"delta":{"text":" is the answer to your question...","type":"text"},"event_type":"step.delta"}

event: step.stop
data: {"index":1,"event_type":"step.stop"}

event: interaction.completed
data: {"interaction":{"id":"v1_xxx","status":"completed","usage":{"total_tokens":530,"total_input_tokens":62,"total_output_tokens":171,"total_thought_tokens":297}},"event_type":"interaction.completed"}

event: done
data: [DONE]

"""
# What a unary call would have returned (the reference's reconstruction of E2).
E2_ASSEMBLED = r"""{"id": "v1_xxx", "object": "interaction", "model": "gemini-3.8-flash", "status": "completed",
 "steps": [
   {"type": "thought", "signature": "EpoGCpcGAXLI2nx/...",
    "summary": [{"type": "text", "text": "**Evaluating the clues**\n\nI'm considering..."}]},
   {"type": "model_output",
    "content": [{"type": "text", "text": "Based on the clues provided, here is the answer to your question..."}]}],
 "usage": {"total_tokens": 530, "total_input_tokens": 62, "total_output_tokens": 171, "total_thought_tokens": 297}}"""

E3_TURN1_STREAM = r"""event: interaction.created
data: {"interaction":{"id":"v1_...","status":"in_progress","object":"interaction","model":"gemini-3-flash-preview"},"event_type":"interaction.created"}

event: interaction.status_update
data: {"interaction_id":"v1_...","status":"in_progress","event_type":"interaction.status_update"}

event: step.start
data: {"index":0,"step":{"type":"thought"},"event_type":"step.start"}

event: step.delta
data: {"index":0,"delta":{"signature":"...","type":"thought_signature"},"event_type":"step.delta"}

event: step.stop
data: {"index":0,"event_type":"step.stop"}

event: step.start
data: {"index":1,"step":{"id":"ktr5aysg","type":"function_call","name":"get_weather","arguments":{}},"event_type":"step.start"}

event: step.delta
data: {"index":1,"delta":{"arguments":"{\"location\":\"Paris, France\"}","type":"arguments_delta"},"event_type":"step.delta"}

event: step.stop
data: {"index":1,"event_type":"step.stop"}

event: interaction.completed
data: {"interaction":{"id":"v1_...","status":"requires_action","usage":{"total_tokens":299,"total_input_tokens":138,"input_tokens_by_modality":[{"modality":"text","tokens":138}],"total_cached_tokens":0,"total_output_tokens":20,"total_tool_use_tokens":0,"total_thought_tokens":141},"created":"2026-05-12T17:24:26Z","updated":"2026-05-12T17:24:26Z","service_tier":"standard","object":"interaction","model":"gemini-3-flash-preview"},"event_type":"interaction.completed"}

event: done
data: [DONE]

"""

E3_TURN2_REQUEST = {
    "model": "gemini-3-flash-preview",
    "previous_interaction_id": "v1_ChdGUVFJYXBXVUdLVEF4TjhQ...",
    "stream": True,
    "input": [
        {
            "type": "function_result",
            "name": "get_weather",
            "call_id": "ktr5aysg",
            "result": {"content": [{"type": "text", "text": '{"weather": "Sunny and 22°C"}'}]},
        }
    ],
}

E3_TURN2_STREAM = r"""event: interaction.created
data: {"interaction":{"id":"v1_turn2...","status":"in_progress","object":"interaction","model":"gemini-3-flash-preview"},"event_type":"interaction.created"}

event: step.start
data: {"index":0,"step":{"type":"model_output"},"event_type":"step.start"}

event: step.delta
data: {"index":0,"delta":{"text":"It's currently sunny in Paris, about 22°C.","type":"text"},"event_type":"step.delta"}

event: step.stop
data: {"index":0,"event_type":"step.stop"}

event: interaction.completed
data: {"interaction":{"id":"v1_turn2...","status":"completed","usage":{"total_input_tokens":171,"total_output_tokens":14,"total_tokens":185}},"event_type":"interaction.completed"}

event: done
data: [DONE]

"""

E3_UNARY = r"""{"id": "v1_unary", "object": "interaction", "model": "gemini-3-flash-preview", "status": "requires_action",
 "steps": [{"type":"function_call","id":"gth23981","name":"get_weather","arguments":{"location":"Boston, MA"}}],
 "usage": {"total_tool_use_tokens": 50}}"""

E4_REQUEST = {
    "agent": "deep-research-preview-04-2026",
    "input": "Research the history of Google TPUs.",
    "background": True,
    "stream": True,
    "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
}

# The whole run: the first connection drops after evt-004 in the reference; the rest is what
# GET ...?stream=true&last_event_id=evt-004 sends.
E4_STREAM = r"""event: interaction.created
data: {"interaction":{"id":"v1_dr123","status":"in_progress","object":"interaction","agent":"deep-research-preview-04-2026"},"event_id":"evt-001","event_type":"interaction.created"}

event: interaction.status_update
data: {"interaction_id":"v1_dr123","status":"in_progress","event_id":"evt-002","event_type":"interaction.status_update"}

event: step.start
data: {"index":0,"step":{"type":"thought"},"event_id":"evt-003","event_type":"step.start"}

event: step.delta
data: {"index":0,"delta":{"content":{"text":"***Generating research plan***\n\n...","type":"text"},"type":"thought_summary"},"event_id":"evt-004","event_type":"step.delta"}

event: step.stop
data: {"index":0,"event_id":"evt-005","event_type":"step.stop"}

event: step.start
data: {"index":1,"step":{"type":"model_output"},"event_id":"evt-006","event_type":"step.start"}

event: step.delta
data: {"index":1,"delta":{"text":"# The History of Google TPUs\n\n## Executive Summary\n\n...","type":"text"},"event_id":"evt-007","event_type":"step.delta"}

event: step.stop
data: {"index":1,"event_id":"evt-008","event_type":"step.stop"}

event: interaction.completed
data: {"interaction":{"id":"v1_dr123","status":"completed","usage":{"total_tokens":1117031,"total_input_tokens":428865,"total_output_tokens":22294,"total_thought_tokens":26213},"created":"2026-05-12T17:24:27Z","updated":"2026-05-12T17:24:27Z","object":"interaction","agent":"deep-research-preview-04-2026"},"event_id":"evt-009","event_type":"interaction.completed"}

event: done
data: [DONE]

"""

E4_CANCELLED = {
    "id": "v1_dr123",
    "agent": "deep-research-preview-04-2026",
    "status": "cancelled",
    "object": "interaction",
}

E5_HTTP_400 = r"""{"error":{"message":"The legacy Interactions API schema is no longer supported. Please upgrade your client SDK to Python >= 2.0.0 or JavaScript/TypeScript >= 2.0.0 to adopt the new 'steps' schema. For details and migration examples, see: https://ai.google.dev/gemini-api/docs/interactions-breaking-changes-may-2026","code":"invalid_request"}}"""

E5_STREAM = r"""event: interaction.created
data: {"interaction":{"id":"v1_...","status":"in_progress","object":"interaction","model":"gemini-3-flash-preview"},"event_type":"interaction.created"}

event: error
data: {"error":{"message":"Deadline expired before operation could complete.","code":"gateway_timeout"},"event_type":"error"}

"""


def events_of(transcript: str) -> list[tuple[str, str]]:
    """The ``(event name, data)`` pairs of a transcript, ``[DONE]`` excluded."""
    pairs = []
    for block in transcript.strip("\n").split("\n\n"):
        name, data = block.split("\n")
        pairs.append((name.removeprefix("event: "), data.removeprefix("data: ")))
    return [(n, d) for n, d in pairs if d != "[DONE]"]


def with_event_ids(transcript: str, prefix: str = "id-") -> str:
    """The transcript with an ``event_id`` on every event, placed before ``event_type`` as in
    E4 (the documented transcripts E1-E3 and E5 omit them)."""
    out, n = [], 0
    for line in transcript.split("\n"):
        if line.startswith("data: {"):
            n += 1
            line = line.replace(',"event_type":', f',"event_id":"{prefix}{n:03d}","event_type":', 1)
        out.append(line)
    return "\n".join(out)


# -- the server ---------------------------------------------------------------------------------------


@dataclass
class Script:
    """One interaction the server knows: its events and what a plain GET returns."""

    events: list[tuple[str, str]]
    resource: dict[str, Any]
    done: bool = True  # send [DONE] after the last event


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    accept: str = ""
    disconnected: bool = False
    finished: asyncio.Event = field(default_factory=asyncio.Event)


class InteractionsServer:
    """The server; tests set ``script`` (what the next create streams) and the faults.

    The per-connection faults (``cuts``, ``ends``, ``no_done``, ``holds``) are lists: the
    n-th streamed connection (create or resume) takes the n-th entry.
    """

    def __init__(self) -> None:
        self.url = ""
        self.script: Script | None = None
        self.scripts: dict[str, Script] = {}
        self.unary: dict[str, Any] | None = None  # what a create without stream returns
        self.fail: list[tuple[int, str]] = []  # (status, body) answered before any stream
        self.cuts: list[int | None] = []  # per streamed connection: drop after N events
        self.no_done: list[bool] = []  # per streamed connection: end without [DONE]
        self.ends: list[int | None] = []  # per streamed connection: end cleanly after N events
        self.holds: list[int | None] = []  # per streamed connection: pause after N events
        self.release = asyncio.Event()  # ends every pause
        self.raw_errors: list[int | None] = []  # per streamed connection: bare JSON error after N
        self.ignore_last_event_id = False  # a resumed stream starts over (repeats events)
        self.polls: list[dict[str, Any]] = []  # what successive plain GETs return
        self.crlf = False
        self.requests: list[Seen] = []
        # Picks the reply of a create from its body: a transcript (streamed) or a resource.
        self.respond: Callable[[dict[str, Any]], str | dict[str, Any]] | None = None
        self._runner: web.AppRunner | None = None

    def serve(self, transcript: str, resource: dict[str, Any] | None = None) -> Script:
        """Make ``transcript`` what the next create streams (and what GET replays)."""
        events = events_of(transcript)
        first = json.loads(events[0][1])
        iid = first.get("interaction", {}).get("id", "v1_unknown")
        script = Script(events, resource or {"id": iid, "status": "completed"})
        self.script = self.scripts[iid] = script
        return script

    def store(self, resource: dict[str, Any]) -> None:
        """Keep ``resource`` for GET (plain) under its id."""
        self.scripts[resource["id"]] = Script([], resource)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1beta/interactions", self._create)
        app.router.add_get("/v1beta/interactions/{id}", self._get)
        app.router.add_post("/v1beta/interactions/{id}/cancel", self._cancel)
        app.router.add_delete("/v1beta/interactions/{id}", self._delete)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- handlers ------------------------------------------------------------------------------

    async def _seen(self, request: web.Request) -> Seen:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        seen = Seen(
            request.method,
            request.path,
            dict(request.query),
            body,
            request.headers.get("Accept", ""),
        )
        self.requests.append(seen)
        return seen

    def _failure(self) -> web.Response | None:
        if not self.fail:
            return None
        status, body = self.fail.pop(0)
        return web.Response(
            status=status, body=body, content_type="application/json", headers={"Retry-After": "0"}
        )

    async def _create(self, request: web.Request) -> web.StreamResponse:
        seen = await self._seen(request)
        try:
            failure = self._failure()
            if failure is not None:
                return failure
            body = seen.body or {}
            if self.respond is not None:
                reply = self.respond(body)
                if isinstance(reply, dict):
                    return web.json_response(reply)
                return await self._stream(request, seen, self.serve(reply), 0)
            if not body.get("stream"):
                return web.json_response(
                    self.unary or (self.script.resource if self.script else {})
                )
            if self.script is None:
                raise web.HTTPInternalServerError(text="no script")
            return await self._stream(request, seen, self.script, 0)
        finally:
            seen.finished.set()

    async def _get(self, request: web.Request) -> web.StreamResponse:
        seen = await self._seen(request)
        try:
            failure = self._failure()
            if failure is not None:
                return failure
            script = self.scripts.get(request.match_info["id"])
            if script is None:
                return web.json_response(
                    {"error": {"code": "not_found", "message": "no such interaction"}}, status=404
                )
            if request.query.get("stream") != "true":
                resource = self.polls.pop(0) if self.polls else script.resource
                return web.json_response(resource)
            start = 0
            last = request.query.get("last_event_id")
            if last is not None and not self.ignore_last_event_id:
                ids = [json.loads(d).get("event_id") for _, d in script.events]
                start = ids.index(last) + 1
            return await self._stream(request, seen, script, start)
        finally:
            seen.finished.set()

    async def _cancel(self, request: web.Request) -> web.Response:
        seen = await self._seen(request)
        seen.finished.set()
        return web.json_response(E4_CANCELLED | {"id": request.match_info["id"]})

    async def _delete(self, request: web.Request) -> web.Response:
        seen = await self._seen(request)
        seen.finished.set()
        return web.Response(status=200)

    async def _stream(
        self, request: web.Request, seen: Seen, script: Script, start: int
    ) -> web.StreamResponse:
        cut = self.cuts.pop(0) if self.cuts else None
        no_done = self.no_done.pop(0) if self.no_done else False
        stop = self.ends.pop(0) if self.ends else None
        hold = self.holds.pop(0) if self.holds else None
        raw_error = self.raw_errors.pop(0) if self.raw_errors else None
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        end = "\r\n" if self.crlf else "\n"
        sent = 0
        try:
            for name, data in script.events[start:]:
                if cut is not None and sent >= cut:
                    assert request.transport is not None
                    request.transport.abort()  # the connection drops mid-body
                    return response
                if stop is not None and sent >= stop:
                    await response.write_eof()  # a clean end, before the interaction's
                    return response
                if raw_error is not None and sent >= raw_error:  # an error as bare JSON
                    await response.write(
                        b'{"error": {"code": "unavailable", "message": "overloaded"}}\n'
                    )
                    await response.write_eof()
                    return response
                if hold is not None and sent == hold:
                    await self.release.wait()
                await response.write(f"event: {name}{end}data: {data}{end}{end}".encode())
                sent += 1
            if script.done and not no_done:
                await response.write(f"event: done{end}data: [DONE]{end}{end}".encode())
            await response.write_eof()
        except asyncio.CancelledError:
            seen.disconnected = True
            raise
        except ConnectionResetError:
            seen.disconnected = True
        return response


async def running_server() -> AsyncIterator[InteractionsServer]:
    server = InteractionsServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
