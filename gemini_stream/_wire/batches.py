"""Wire types of the Batch API: the create body, the long-running ``Operation`` a batch is,
its output (inline responses or a result file) and one line of a result file.

States arrive as ``BATCH_STATE_*`` (the API) or ``JOB_STATE_*`` (the SDKs' spelling, seen in
some fixtures); they are kept as free strings here and normalised by ``client.batches``.
Responses are kept raw (``msgspec.Raw``) until read, so a batch's output is decoded one
response at a time.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .base import Wire
from .status import ErrorStatus

__all__ = (
    "BatchCreateRequest",
    "BatchInputConfig",
    "BatchMetadata",
    "BatchOutput",
    "BatchStats",
    "CreateBatch",
    "EmbedResponse",
    "EmbeddingValues",
    "InlinedResponse",
    "InlinedResponses",
    "ListBatchesResponse",
    "Operation",
    "ResultLine",
)


class BatchInputConfig(Wire, frozen=True, kw_only=True):
    """Where a batch's requests are: ``file_name`` (a Files API name); inline requests are
    written by the client directly, never decoded."""

    file_name: str | None = None


class CreateBatch(Wire, frozen=True, kw_only=True):
    """``batch`` of a create call that names an uploaded JSONL file."""

    display_name: str
    input_config: BatchInputConfig


class BatchCreateRequest(Wire, frozen=True, kw_only=True):
    """The body of ``batchGenerateContent`` / ``asyncBatchEmbedContent`` (file input)."""

    batch: CreateBatch


class BatchStats(Wire, frozen=True, kw_only=True):
    """A batch's request counters (int64 strings on the wire; omitted when zero)."""

    request_count: int = 0
    successful_request_count: int = 0
    failed_request_count: int = 0
    pending_request_count: int = 0


class InlinedResponse(Wire, frozen=True, kw_only=True):
    """One inline result: the request's ``metadata`` and its ``response`` or ``error``."""

    metadata: dict[str, Any] | None = None
    response: msgspec.Raw = msgspec.Raw()  # empty when absent
    error: ErrorStatus | None = None


class InlinedResponses(Wire, frozen=True, kw_only=True):
    inlined_responses: list[InlinedResponse] | None = None


class BatchOutput(Wire, frozen=True, kw_only=True):
    """A finished batch's output: a result file, or the responses inline."""

    responses_file: str | None = None
    inlined_responses: InlinedResponses | None = None
    # Batch embeddings (EmbedContentBatchOutput) use this name in some shapes.
    inlined_embed_content_responses: InlinedResponses | None = None


class BatchMetadata(Wire, frozen=True, kw_only=True):
    """The batch itself (``GenerateContentBatch`` / ``EmbedContentBatch``, named by
    ``type``, the ``@type`` URL), as the Operation's ``metadata``; every field may be missing
    (list entries can be bare)."""

    type: str | None = msgspec.field(default=None, name="@type")
    name: str | None = None
    model: str | None = None
    display_name: str | None = None
    input_config: BatchInputConfig | None = None
    output: BatchOutput | None = None
    create_time: str | None = None
    end_time: str | None = None
    update_time: str | None = None
    batch_stats: BatchStats | None = None
    state: str | None = None
    priority: int | None = None


class Operation(Wire, frozen=True, kw_only=True):
    """A batch as the API returns it: a long-running operation (``done`` is absent, not
    false, while it runs; ``response`` mirrors ``metadata.output``)."""

    name: str = ""
    metadata: BatchMetadata | None = None
    done: bool = False
    response: BatchOutput | None = None
    error: ErrorStatus | None = None


class ListBatchesResponse(Wire, frozen=True, kw_only=True):
    operations: list[Operation] | None = None
    next_page_token: str | None = None


class EmbeddingValues(Wire, frozen=True, kw_only=True):
    values: msgspec.Raw = msgspec.Raw(b"[]")


class EmbedResponse(Wire, frozen=True, kw_only=True):
    """One embeddings batch response: ``{"embedding": {"values": [...]}}``."""

    embedding: EmbeddingValues | None = None


class ResultLine(Wire, frozen=True, kw_only=True):
    """One line of a result file: ``key`` and ``response`` or ``error``."""

    key: str | None = None
    response: msgspec.Raw = msgspec.Raw()  # empty when absent
    error: ErrorStatus | None = None
