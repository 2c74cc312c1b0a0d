"""Stored interactions and their runs: the event log each stream reads, background pacing, cancel.

Every interaction the emulator answers is a *run*: its events are appended to an event log,
each with an ``event_id``, at the run's pace, by a task of the store (not by the request that
created it). A stream, the create's own or a ``GET ...?stream=true``, replays the log and
follows it until the run ends, so a client that drops a connection can resume with
``last_event_id`` and get every later event once, even for a foreground (non-background) run,
which keeps running when its client goes away. Interactions live in memory until deleted or
the emulator stops; ``store: false`` runs are never kept.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import time
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime, timezone
from typing import Any

from ._ix_events import Event, Turn, error_code, frame

__all__ = ("InteractionStore", "StoredInteraction", "timestamp")

_TERMINAL = frozenset({"completed", "requires_action", "failed", "cancelled", "incomplete"})


def timestamp(seconds: float) -> str:
    """ISO 8601 UTC at second precision, as the API writes ``created``/``updated``."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StoredInteraction:
    """One interaction: what was asked, its event log, and (once ended) its outcome.

    Attributes:
        id: the opaque id (``v1_...``), ``None`` for a ``store: false`` run.
        kind, name: ``"model"`` or ``"agent"``, and the model or agent id.
        background: whether it was created with ``background: true``.
        status: ``in_progress`` until the run ends, then ``completed``, ``requires_action``,
            ``incomplete``, ``failed`` or ``cancelled``.
        steps: the steps this interaction produced (empty while it runs).
        usage, errors: its ``usage`` once ended; ``[{code, message}]`` when it failed.
        input_steps: the input, as steps (a text input is one ``user_input`` step).
        conversation: the chain's steps before this input, for ``previous_interaction_id``.
        log: ``(event_id, SSE frame)`` for every event so far, ``done`` excluded.
    """

    def __init__(
        self,
        ix_id: str | None,
        body: dict[str, Any],
        input_steps: list[dict[str, Any]],
        conversation: list[dict[str, Any]],
    ) -> None:
        self.id = ix_id
        self.kind = "agent" if "agent" in body else "model"
        self.name = str(body[self.kind])
        self.background = bool(body.get("background"))
        self.previous_interaction_id: str | None = body.get("previous_interaction_id")
        self.input_steps = input_steps
        self.conversation = conversation
        self.created = self.updated = time.time()
        self.status = "in_progress"
        self.steps: list[dict[str, Any]] = []
        self.usage: dict[str, Any] | None = None
        self.errors: list[dict[str, Any]] = []
        self.log: list[tuple[str, bytes]] = []
        self.task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def finished(self) -> bool:
        """Whether the run has ended (its log is complete)."""
        return self.status in _TERMINAL

    def head(self) -> dict[str, Any]:
        """The partial resource of ``interaction.created`` (key order of the transcripts)."""
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        return {**out, "status": "in_progress", "object": "interaction", self.kind: self.name}

    def tail(self) -> dict[str, Any]:
        """The partial resource of ``interaction.completed`` (E3's fields, no ``steps``)."""
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        out["status"] = self.status
        if self.usage is not None:
            out["usage"] = self.usage
        out |= {"created": timestamp(self.created), "updated": timestamp(self.updated)}
        return {**out, "service_tier": "standard", "object": "interaction", self.kind: self.name}

    def resource(self, *, timeline: bool) -> dict[str, Any]:
        """The Interaction resource; ``timeline`` puts the input steps first (as GET does)."""
        out: dict[str, Any] = {"created": timestamp(self.created)}
        if self.errors:
            out["errors"] = self.errors
        if self.id is not None:
            out["id"] = self.id
        out |= {self.kind: self.name, "object": "interaction"}
        if self.previous_interaction_id is not None:
            out["previous_interaction_id"] = self.previous_interaction_id
        steps = [*self.input_steps, *self.steps] if timeline else self.steps
        if steps:
            out["steps"] = steps
        out |= {"status": self.status, "updated": timestamp(self.updated)}
        if self.usage is not None:
            out["usage"] = self.usage
        return out

    def append(self, event_type: str, payload: dict[str, Any]) -> None:
        """Add one event to the log and wake the streams following it."""
        event_id = f"evt-{len(self.log) + 1:04d}"
        self.log.append((event_id, frame(event_type, payload, event_id)))
        self._wake.set()
        self._wake = asyncio.Event()

    def position_after(self, event_id: str) -> int | None:
        """The log index just after ``event_id``, ``None`` when no event has that id."""
        for i, (seen, _) in enumerate(self.log):
            if seen == event_id:
                return i + 1
        return None

    async def follow(self, start: int, *, batch: bool = False) -> AsyncGenerator[bytes, None]:
        """Yield the frames from log index ``start`` on, waiting for new ones until the end;
        with ``batch``, every frame already logged at once, joined (one write for many)."""
        i = start
        while True:
            wake = self._wake
            if batch and i < len(self.log):
                yield b"".join(f for _, f in self.log[i:])
                i = len(self.log)
            while i < len(self.log):
                yield self.log[i][1]
                i += 1
            if self.finished:
                return
            await wake.wait()

    def end(self, status: str, turn: Turn | None = None) -> None:
        """Record the outcome; ``interaction.completed`` then carries it."""
        self.status = status
        self.updated = time.time()
        if turn is not None:
            self.steps, self.usage = turn.steps, turn.usage
        self.append("interaction.completed", {"interaction": self.tail()})

    def fail(self, status_code: int, message: str) -> None:
        """End the run with an in-stream ``error`` event and status ``failed``."""
        error = {"message": message, "code": error_code(status_code)}
        self.errors = [{"code": error["code"], "message": message}]
        self.status = "failed"
        self.updated = time.time()
        self.append("error", {"error": error})


class InteractionStore:
    """Every stored interaction, and the tasks running them.

    Attributes:
        background_duration: seconds a background run takes from its first event to its
            last (its events are spread evenly); ``0`` finishes it as soon as the loop runs.
        stream_event_limit: close every Interactions stream cleanly (no ``done``) after this
            many events, as Google closes long streams at its time limit; ``None``: never.
    """

    def __init__(
        self, background_duration: float = 0.0, stream_event_limit: int | None = None
    ) -> None:
        self.background_duration = background_duration
        self.stream_event_limit = stream_event_limit
        self.interactions: dict[str, StoredInteraction] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._counter = itertools.count(1)

    def new_id(self, raw_body: bytes) -> str:
        """A fresh opaque id: unique per create, deterministic for a given sequence of creates."""
        digest = hashlib.sha256(f"{next(self._counter)}\n".encode() + raw_body).digest()
        return "v1_" + base64.urlsafe_b64encode(digest[:27]).decode()

    def get(self, ix_id: str) -> StoredInteraction | None:
        """The interaction with this id, ``None`` when unknown or deleted."""
        return self.interactions.get(ix_id)

    def resource(self, ix_id: str) -> dict[str, Any]:
        """What ``GET /v1beta/interactions/{id}`` answers now (the full timeline).

        Raises:
            KeyError: no such interaction.
        """
        return self.interactions[ix_id].resource(timeline=True)

    def start(
        self,
        ix: StoredInteraction,
        turn: Turn,
        *,
        pace: float,
        error_after: int | None = None,
        error_status: int = 503,
    ) -> None:
        """Run ``turn`` for ``ix``: in a task of the store for a background run or a paced one
        (``pace`` seconds between events), else at once."""
        if ix.id is not None:
            self.interactions[ix.id] = ix
        status_update: dict[str, Any] = {"status": "in_progress"}
        if ix.id is not None:
            status_update = {"interaction_id": ix.id, **status_update}
        events: list[Event] = [
            ("interaction.created", {"interaction": ix.head()}),
            ("interaction.status_update", status_update),
            *turn.events,
        ]
        if pace <= 0 and not ix.background:
            _produce_now(ix, turn, events, error_after, error_status)
            return
        task = asyncio.get_running_loop().create_task(
            _produce(ix, turn, events, pace, error_after, error_status)
        )
        ix.task = task
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def pace(self, events: int, background: bool, chunk_delay: float) -> float:
        """Seconds between a run's events: the background duration spread, or ``chunk_delay``."""
        if background:
            return (
                self.background_duration / max(1, events - 1) if self.background_duration else 0.0
            )
        return chunk_delay

    def cancel(self, ix: StoredInteraction) -> None:
        """Stop a running interaction; its log ends with a ``cancelled`` completion."""
        if ix.task is not None:
            ix.task.cancel()
        ix.end("cancelled")

    async def delete(self, ix: StoredInteraction) -> None:
        """Forget ``ix`` (stopping its run first)."""
        if ix.task is not None and not ix.task.done():
            ix.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ix.task
        if not ix.finished:  # streams still following it end like a cancelled run's
            ix.end("cancelled")
        if ix.id is not None:
            self.interactions.pop(ix.id, None)

    async def close(self) -> None:
        """Stop every run (the emulator is shutting down)."""
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _cut(events: Sequence[Event], error_after: int | None) -> tuple[Sequence[Event], bool]:
    if error_after is None:
        return events, False
    return events[: min(error_after, len(events))], True


def _produce_now(
    ix: StoredInteraction, turn: Turn, events: Sequence[Event], error_after: int | None, status: int
) -> None:
    kept, failing = _cut(events, error_after)
    for event_type, payload in kept:
        ix.append(event_type, payload)
    _finish(ix, turn, failing, status)


async def _produce(
    ix: StoredInteraction,
    turn: Turn,
    events: Sequence[Event],
    pace: float,
    error_after: int | None,
    status: int,
) -> None:
    kept, failing = _cut(events, error_after)
    for i, (event_type, payload) in enumerate(kept):
        if i:
            await asyncio.sleep(pace)
        ix.append(event_type, payload)
    await asyncio.sleep(pace)
    if not ix.finished:
        _finish(ix, turn, failing, status)


def _finish(ix: StoredInteraction, turn: Turn, failing: bool, status: int) -> None:
    if failing:
        message = _MESSAGES.get(status, "Internal error encountered.")
        ix.fail(status, message)
    else:
        ix.end(turn.status, turn)


_MESSAGES = {
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
    504: "Deadline expired before operation could complete.",
}
