"""The emulator's Batch API: ``models/{m}:batchGenerateContent`` (and
``:asyncBatchEmbedContent``), ``batches/{id}`` get / list / cancel / delete.

A batch is a long-running operation ``{name, metadata, done?, response?}``. It is
``PENDING`` when created, ``RUNNING`` from half its ``duration`` on, and ``SUCCEEDED`` once the
duration has passed, on the store's clock (the wall clock plus ``offset``; ``advance(seconds)``
moves it). The default duration is 0: the create reply says ``PENDING`` and the first ``get``
finds the batch done. A batch not done after 48 hours is ``EXPIRED``, without results.
Inline input gives inline results (``inlinedResponses``), a JSONL input file a result file
(``responsesFile``), downloadable from ``/download/v1beta/files/{id}:download?alt=media``.
``state_prefix`` is ``"BATCH_STATE_"`` as the API writes it; tests set ``"JOB_STATE_"`` to
see a client accept the SDK spelling too.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._batch_run import Outcome, Runner, parse_jsonl
from ._caches import _timestamp
from ._errors import ErrorReply, bad_request, invalid_argument, not_found
from ._files import StoredFile
from ._pages import page_of

if TYPE_CHECKING:
    from aiohttp import web

    from ._records import RequestRecord

__all__ = ("BatchStore", "StoredBatch")

EXPIRY = 48 * 3600.0
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main."
_ALPHABET = string.ascii_lowercase + string.digits
_TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED")


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _camel_keys(value: Any) -> Any:
    return {_camel(k): v for k, v in value.items()} if isinstance(value, dict) else value


@dataclass
class StoredBatch:
    """One batch job as the emulator keeps it."""

    batch_id: str
    model: str
    display_name: str
    kind: str  # "generate" or "embed"
    created: float
    duration: float
    items: list[tuple[Any, Any, str | None]]  # (metadata or key, request, problem)
    input_file: str | None = None
    cancelled_at: float | None = None
    finished_at: float | None = None
    outcomes: list[Outcome] | None = None
    result_file: str | None = None
    keys: list[str | None] = field(default_factory=list)

    def state(self, now: float) -> str:
        """The state at ``now`` (without the prefix)."""
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "CANCELLED"
        if now >= self.created + EXPIRY and self.duration >= EXPIRY:
            return "EXPIRED"
        if now >= self.created + self.duration:
            return "SUCCEEDED"
        if now >= self.created + self.duration / 2:
            return "RUNNING"
        return "PENDING"


class BatchStore:
    """The batches of one emulator, and their request handlers.

    Attributes:
        duration: seconds a new batch takes, from creation to its results.
        offset: seconds added to the wall clock (see :meth:`advance`).
        state_prefix: ``"BATCH_STATE_"`` (the API) or ``"JOB_STATE_"`` (the SDKs' names).
        batches: the batches by id, oldest first.
    """

    def __init__(self, runner: Runner, files: Any, duration: float = 0.0) -> None:
        self.runner = runner
        self.files = files
        self.duration = duration
        self.offset = 0.0
        self.state_prefix = "BATCH_STATE_"
        self.batches: dict[str, StoredBatch] = {}

    def now(self) -> float:
        """The store's clock: the wall clock plus :attr:`offset`."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward, so batches progress (or expire) without waiting."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self.offset += seconds

    def create(self, body: Any, model_id: str, kind: str) -> ErrorReply:
        """Answer ``batchGenerateContent`` / ``asyncBatchEmbedContent``: the new Operation."""
        batch = _camel_keys(body.get("batch") if isinstance(body, dict) else None)
        if not isinstance(batch, dict):
            return bad_request([("batch", "Invalid value at 'batch': expected an object.")])
        config = _camel_keys(batch.get("inputConfig"))
        if not isinstance(config, dict) or ("requests" in config) == ("fileName" in config):
            message = "batch.input_config must set exactly one of requests or file_name."
            return invalid_argument(message)
        display = batch.get("displayName")
        if not isinstance(display, str) or not display:
            return invalid_argument("batch.display_name is required.")
        items: list[tuple[Any, Any, str | None]] = []
        input_file = None
        if "requests" in config:
            inlined = config["requests"]
            requests = inlined.get("requests") if isinstance(inlined, dict) else None
            if not isinstance(requests, list) or not requests:
                return invalid_argument("batch.input_config.requests.requests is empty.")
            for item in requests:
                if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
                    return invalid_argument("Each inlined request needs a 'request' object.")
                items.append((item.get("metadata"), item["request"], None))
        else:
            input_file = str(config["fileName"])
            stored = self.files.files.get(input_file.removeprefix("files/"))
            if stored is None:
                return 404, {"error": _status(404, f"File {input_file} not found.")}, {}
            items = [(key, req, problem) for key, req, problem in parse_jsonl(stored.data)]
            if not items:
                return invalid_argument(f"The input file {input_file} holds no requests.")
        batch_id = "".join(secrets.choice(_ALPHABET) for _ in range(36))
        stored_batch = StoredBatch(
            batch_id, model_id, display, kind, self.now(), self.duration, items, input_file
        )
        self.batches[batch_id] = stored_batch
        return 200, self.operation(stored_batch, fresh=True), {}

    async def handle(self, request: web.Request, record: RequestRecord, base: str) -> ErrorReply:
        """Answer ``batches``, ``batches/{id}``, ``batches/{id}:cancel``."""
        tail = request.match_info.get("batch_id")
        if tail is None:
            record.rpc = "batches.list"
            if request.method != "GET":
                return not_found()
            return self._list(request, base)
        batch_id, _, verb = tail.partition(":")
        stored = self.batches.get(batch_id)
        if verb == "cancel" and request.method == "POST":
            record.rpc = "batches.cancel"
            if stored is None:
                return _missing(batch_id)
            if stored.state(self.now()) not in _TERMINAL:
                stored.cancelled_at = self.now()
            return 200, {}, {}
        if verb or request.method not in ("GET", "DELETE"):
            return not_found()
        record.rpc = "batches.get" if request.method == "GET" else "batches.delete"
        if stored is None:
            return _missing(batch_id)
        if request.method == "DELETE":
            del self.batches[batch_id]
            return 200, {}, {}
        return 200, self.operation(stored, base=base), {}

    def _list(self, request: web.Request, base: str) -> ErrorReply:
        return page_of(
            request,
            list(reversed(self.batches)),
            "operations",
            lambda i: self.operation(self.batches[i], base=base),
            default_size=DEFAULT_PAGE_SIZE,
            max_size=MAX_PAGE_SIZE,
        )

    def operation(
        self, batch: StoredBatch, *, fresh: bool = False, base: str = ""
    ) -> dict[str, Any]:
        """The Operation JSON of ``batch`` now (``fresh``: as the create call answers it)."""
        now = self.now()
        state = "PENDING" if fresh else batch.state(now)
        name = f"batches/{batch.batch_id}"
        kind = "GenerateContentBatch" if batch.kind == "generate" else "EmbedContentBatch"
        meta: dict[str, Any] = {
            "@type": _TYPE + kind,
            "model": f"models/{batch.model}",
            "displayName": batch.display_name,
        }
        if batch.input_file is not None:
            meta["inputConfig"] = {"fileName": batch.input_file}
        output = self._output(batch, base) if state == "SUCCEEDED" else None
        if output is not None:
            meta["output"] = output
        meta["createTime"] = _timestamp(batch.created)
        ended = None
        if state in _TERMINAL:
            ended = batch.cancelled_at if state == "CANCELLED" else batch.created + batch.duration
            ended = min(ended or now, batch.created + EXPIRY)
            meta["endTime"] = _timestamp(ended)
        updated = ended if ended is not None else batch.created
        if state == "RUNNING":
            updated = batch.created + batch.duration / 2
        meta["updateTime"] = _timestamp(updated)
        meta["batchStats"] = self._stats(batch, state)
        meta["state"] = self.state_prefix + state
        meta["name"] = name
        out: dict[str, Any] = {"name": name, "metadata": meta}
        if state in _TERMINAL:
            out["done"] = True
        if output is not None:
            out["response"] = {"@type": _TYPE + kind + "Output", **output}
        return out

    def _stats(self, batch: StoredBatch, state: str) -> dict[str, str]:
        count = len(batch.items)
        stats = {"requestCount": str(count)}
        if state == "SUCCEEDED" and batch.outcomes is not None:
            failed = sum(1 for _, error in batch.outcomes if error is not None)
            if count - failed:
                stats["successfulRequestCount"] = str(count - failed)
            if failed:
                stats["failedRequestCount"] = str(failed)
        elif state in ("PENDING", "RUNNING"):
            stats["pendingRequestCount"] = str(count)
        return stats

    def _output(self, batch: StoredBatch, base: str) -> dict[str, Any]:
        """Run the batch once (at its first look after finishing) and describe its output."""
        if batch.outcomes is None:
            run = self.runner.generate if batch.kind == "generate" else self.runner.embed
            outcomes = [
                (None, _status(400, problem))
                if problem is not None
                else run(request, batch.model, base)
                for _, request, problem in batch.items
            ]
            batch.outcomes = outcomes
            if batch.input_file is not None:
                batch.result_file = self._write_results(batch, outcomes)
        if batch.result_file is not None:
            return {"responsesFile": batch.result_file}
        inlined = []
        for (metadata, _, _), (response, error) in zip(batch.items, batch.outcomes, strict=True):
            item: dict[str, Any] = {}
            if response is not None:
                item["response"] = response
            else:
                item["error"] = error
            if metadata is not None:
                item["metadata"] = metadata
            inlined.append(item)
        return {"inlinedResponses": {"inlinedResponses": inlined}}

    def _write_results(self, batch: StoredBatch, outcomes: list[Outcome]) -> str:
        lines = []
        for (key, _, _), (response, error) in zip(batch.items, outcomes, strict=True):
            line: dict[str, Any] = {} if key is None else {"key": key}
            if response is not None:
                line["response"] = response
            else:
                line["error"] = error
            lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        data = ("\n".join(lines) + "\n").encode()
        file_id = "batch-" + secrets.token_hex(8)
        self.files.files[file_id] = StoredFile(
            file_id, None, "application/jsonl", data, source="GENERATED"
        )
        batch.outcomes = [(None, e) for _, e in outcomes]  # the responses live in the file now
        return f"files/{file_id}"


def _status(code: int, message: str) -> dict[str, Any]:
    names = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND"}
    return {"code": code, "message": message, "status": names.get(code, "UNKNOWN")}


def _missing(batch_id: str) -> ErrorReply:
    return 404, {"error": _status(404, f"Batch batches/{batch_id} not found.")}, {}
