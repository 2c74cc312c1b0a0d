"""``Batch``: a batch job as the client sees it, its state in one spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from .._errors import APIError
from .._wire.batches import BatchOutput, BatchStats, Operation
from .._wire.caches import parse_timestamp
from .errors import to_error

__all__ = ("TERMINAL_STATES", "Batch", "batch_name", "normalise_state")

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"})
"""The states a batch ends in."""
_ID = re.compile(r"[A-Za-z0-9_-]+")


def normalise_state(raw: str | None) -> str:
    """``"BATCH_STATE_RUNNING"`` or ``"JOB_STATE_RUNNING"`` -> ``"RUNNING"``; ``None`` ->
    ``"UNSPECIFIED"``; an unknown value is kept without a known prefix."""
    if not raw:
        return "UNSPECIFIED"
    for prefix in ("BATCH_STATE_", "JOB_STATE_"):
        if raw.startswith(prefix):
            return raw[len(prefix) :]
    return raw


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Batch:
    """A batch job (``batches/{id}``), as ``client.batches`` returns it.

    Attributes:
        name: ``"batches/..."``.
        state: ``"PENDING"``, ``"RUNNING"``, ``"SUCCEEDED"``, ``"FAILED"``, ``"CANCELLED"``,
            ``"EXPIRED"`` (from the API's ``BATCH_STATE_*`` or the SDKs' ``JOB_STATE_*``).
        stats: request counters (``request_count``, ``successful_request_count``,
            ``failed_request_count``, ``pending_request_count``).
        model: ``"models/..."``; display_name: the label given at creation.
        done: whether the batch ended (a terminal state).
        responses_file: the result file (``"files/..."``) of a batch made from a file.
        input_file: the uploaded JSONL file it was made from, if any.
        operation: the wire ``Operation`` as received (inline results live in it).
    """

    name: str
    state: str
    stats: BatchStats
    model: str | None = None
    display_name: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    end_time: datetime | None = None
    responses_file: str | None = None
    input_file: str | None = None
    operation: Operation = field(default_factory=Operation, repr=False, compare=False)

    @property
    def done(self) -> bool:
        """Whether the batch ended: ``done`` on the wire, or a terminal state."""
        return self.operation.done or self.state in TERMINAL_STATES

    @property
    def error(self) -> APIError | None:
        """Why a ``FAILED`` batch failed, as the typed ``APIError`` (``None`` otherwise)."""
        status = self.operation.error
        if status is None:
            return None
        return to_error(status, msgspec.json.encode(status))

    @property
    def kind(self) -> str:
        """``"embeddings"`` for an ``asyncBatchEmbedContent`` batch, else ``"generate"``."""
        meta = self.operation.metadata
        if meta is not None and meta.type is not None and "EmbedContentBatch" in meta.type:
            return "embeddings"
        output = self.output
        embedded = output is not None and output.inlined_embed_content_responses is not None
        return "embeddings" if embedded else "generate"

    @property
    def output(self) -> BatchOutput | None:
        """The output (``response`` first, then ``metadata.output``), once there is one."""
        op = self.operation
        for output in (op.response, op.metadata.output if op.metadata else None):
            if output is not None and (
                output.responses_file
                or output.inlined_responses is not None
                or output.inlined_embed_content_responses is not None
            ):
                return output
        return None

    @classmethod
    def from_operation(cls, op: Operation) -> Batch:
        meta = op.metadata
        output = op.response or (meta.output if meta else None)
        return cls(
            name=op.name or (meta.name if meta and meta.name else ""),
            state=normalise_state(meta.state if meta else None),
            stats=(meta.batch_stats if meta else None) or BatchStats(),
            model=meta.model if meta else None,
            display_name=meta.display_name if meta else None,
            create_time=_time(meta.create_time if meta else None),
            update_time=_time(meta.update_time if meta else None),
            end_time=_time(meta.end_time if meta else None),
            responses_file=output.responses_file if output else None,
            input_file=(meta.input_config.file_name if meta and meta.input_config else None),
            operation=op,
        )


def batch_name(batch: Batch | str) -> str:
    """``Batch``, ``"batches/abc"`` or ``"abc"`` -> ``"batches/abc"``.

    Raises:
        TypeError, ValueError: not a batch or a batch name (named).
    """
    name = batch.name if isinstance(batch, Batch) else batch
    if not isinstance(name, str):
        raise TypeError(f"expected a gs.Batch or a name like 'batches/abc123', got {batch!r}")
    batch_id = name.removeprefix("batches/")
    if not _ID.fullmatch(batch_id):
        raise ValueError(f"invalid batch name {name!r}: expected 'batches/<id>'")
    return f"batches/{batch_id}"
