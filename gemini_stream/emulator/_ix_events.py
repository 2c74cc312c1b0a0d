"""One Interactions turn of the built-in model: its steps, status, usage and SSE events.

The events follow the reference transcripts (``interactions-wire-format.md`` E1-E5):
``interaction.created`` (``id``, ``status: in_progress``, ``object``, ``model``/``agent``),
``interaction.status_update`` (``in_progress``), then per step ``step.start`` ->
``step.delta``\\* -> ``step.stop``, then ``interaction.completed`` (``id``, ``status``,
``usage``, ``created``, ``updated``, ``service_tier``, ``object``, ``model``; no ``steps``).
The terminator (``event: done`` / ``data: [DONE]``) and the ``event_id`` of each event are
added when the event is written (:func:`frame`), because they depend on the stream.

Step shapes (choices where the sources differ, see ``docs/testing.md``):

* ``thought`` of a model, with ``thinking_summaries: "auto"``: ``step.start`` carries
  ``{"signature": "", "summary": [{"text": SUMMARY, "type": "text"}], "type": "thought"}``,
  then one ``thought_signature`` delta (THINK, E2). Without summaries the thought step is
  sent only before function calls, as a bare ``{"type": "thought"}`` and its signature (E3).
  An agent's thought is a bare start, ``thought_summary`` deltas, then the signature (E4).
* ``function_call``: ``step.start`` with ``id``, ``name`` and ``arguments: {}``, then the
  compact JSON of the arguments in ``arguments_delta`` pieces (E3).
* ``model_output``: ``step.start`` carries the first text piece, later pieces are ``text``
  deltas (E2); an image or audio answer is one more delta of that type.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._compose import Answer, Conversation
from ._tokens import IMAGE_OUTPUT_TOKENS, count_tokens, prompt_tokens, split_pieces
from ._tokens import truncate as truncate_tokens

__all__ = ("DONE_FRAME", "Event", "Turn", "compact", "error_code", "frame", "plan_turn")

Event = tuple[str, dict[str, Any]]
"""``(event_type, payload without event_type and event_id)``."""
DONE_FRAME = b"event: done\ndata: [DONE]\n\n"
_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    429: "resource_exhausted",
    500: "internal_error",
    503: "unavailable",
    504: "gateway_timeout",
}


def error_code(status: int) -> str:
    """The Interactions error ``code`` for an HTTP status (``504`` -> ``gateway_timeout``)."""
    return _CODES.get(status, "internal_error" if status >= 500 else "invalid_request")


def compact(obj: Any) -> str:
    """JSON without spaces, non-ASCII kept, as in the reference transcripts."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def frame(event_type: str, payload: Mapping[str, Any], event_id: str | None) -> bytes:
    """One SSE event: ``event: NAME`` and ``data: {payload, event_id, event_type}`` (LF)."""
    body = {**payload, **({"event_id": event_id} if event_id is not None else {})}
    body["event_type"] = event_type
    return f"event: {event_type}\ndata: {compact(body)}\n\n".encode()


@dataclass
class Turn:
    """What the model produces for one interaction (everything but ids and timestamps)."""

    events: list[Event]
    steps: list[dict[str, Any]]
    status: str
    usage: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


def usage(prompt: Mapping[str, int], output: int, thought: int) -> dict[str, Any]:
    """The Interactions ``usage`` object, in the key order of the STREAM transcript (E3)."""
    total_in = sum(prompt.values())
    by_modality = [{"modality": m.lower(), "tokens": n} for m, n in prompt.items() if n]
    return {
        "total_tokens": total_in + output + thought,
        "total_input_tokens": total_in,
        "input_tokens_by_modality": by_modality,
        "total_cached_tokens": 0,
        "total_output_tokens": output,
        "total_tool_use_tokens": 0,
        "total_thought_tokens": thought,
    }


class _Steps:
    """Collects the events and the assembled steps, one step at a time."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.steps: list[dict[str, Any]] = []

    def add(
        self, start: dict[str, Any], deltas: Sequence[dict[str, Any]], done: dict[str, Any]
    ) -> None:
        index = len(self.steps)
        self.events.append(("step.start", {"index": index, "step": start}))
        self.events.extend(("step.delta", {"index": index, "delta": d}) for d in deltas)
        self.events.append(("step.stop", {"index": index}))
        self.steps.append(done)


def _limit(text: str, config: Mapping[str, Any]) -> tuple[str, str]:
    stops = [s for s in config.get("stopSequences", []) if s and s in text]
    if stops:
        text = text[: min(text.index(s) for s in stops)]
    limit = config.get("maxOutputTokens")
    if isinstance(limit, int) and count_tokens(text) > limit:
        return truncate_tokens(text, limit), "incomplete"
    return text, "completed"


def plan_turn(
    request: Mapping[str, Any],
    conv: Conversation,
    answer: Answer,
    *,
    chunk_tokens: int,
    thinks: bool,
    summaries: bool,
    agent: bool,
) -> Turn:
    """Lay out one turn's steps and events (no ``created``/``completed`` wrappers yet).

    Args:
        request: the generateContent form of the turn (``_ix_convert.as_request``).
        conv: the conversation read from ``request``.
        answer: what the model says (``_compose.compose``).
        chunk_tokens: tokens per streamed text piece.
        thinks: the model thinks (thought tokens are billed, signatures exist).
        summaries: thought summaries were asked for.
        agent: an agent runs the turn (E4's thought-summary deltas).
    """
    out = _Steps()
    signature = base64.b64encode(conv.digest("signature")).decode()
    sig_delta = {"signature": signature, "type": "thought_signature"}
    thought_tokens = count_tokens(answer.thought) if thinks else 0
    if thinks and (summaries or answer.calls):
        summary = [{"text": answer.thought, "type": "text"}] if summaries else []
        done: dict[str, Any] = {"type": "thought", "signature": signature}
        if summaries:
            done["summary"] = summary
        if agent and summaries:
            pieces = split_pieces(answer.thought, max(chunk_tokens, 16))
            deltas = [
                {"content": {"text": p, "type": "text"}, "type": "thought_summary"} for p in pieces
            ]
            done["summary"] = [d["content"] for d in deltas]
            out.add({"type": "thought"}, [*deltas, sig_delta], done)
        elif summaries:
            out.add({"signature": "", "summary": summary, "type": "thought"}, [sig_delta], done)
        else:
            out.add({"type": "thought"}, [sig_delta], done)
    config = request.get("generationConfig", {})
    if answer.calls:
        output = 0
        for call in answer.calls:
            text = compact(call["args"])
            output += count_tokens(str(call["name"])) + count_tokens(text)
            start = {
                "id": call["id"],
                "type": "function_call",
                "name": call["name"],
                "arguments": {},
            }
            deltas = [
                {"arguments": p, "type": "arguments_delta"}
                for p in split_pieces(text, chunk_tokens)
            ]
            done = {
                "type": "function_call",
                "id": call["id"],
                "name": call["name"],
                "arguments": call["args"],
            }
            out.add(start, deltas, done)
        return Turn(
            out.events,
            out.steps,
            "requires_action",
            usage(prompt_tokens(request), output, thought_tokens),
        )
    text, status = _limit(answer.text, config)
    pieces = split_pieces(text, chunk_tokens)
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    media = []
    if answer.image is not None and status == "completed":
        blob = answer.image
        kind = "audio" if str(blob.get("mimeType", "")).startswith("audio/") else "image"
        block = {"data": blob["data"], "mime_type": blob["mimeType"], "type": kind}
        media.append(block)
        content.append({"type": kind, "data": blob["data"], "mime_type": blob["mimeType"]})
    if content:
        first: dict[str, Any] = {"type": "model_output"}
        if pieces:
            first = {"content": [{"text": pieces[0], "type": "text"}], "type": "model_output"}
        deltas = [{"text": p, "type": "text"} for p in pieces[1:]] + media
        out.add(first, deltas, {"type": "model_output", "content": content})
    output = count_tokens(text) + IMAGE_OUTPUT_TOKENS * len(media)
    return Turn(
        out.events, out.steps, status, usage(prompt_tokens(request), output, thought_tokens)
    )
