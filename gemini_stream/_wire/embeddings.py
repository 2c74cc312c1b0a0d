"""Wire types of the embedding calls: ``embedContent`` / ``batchEmbedContents`` and ``TaskType``.

Replies keep each vector's JSON array undecoded (``msgspec.Raw``): the caller turns it into a
compact ``array('f')`` one vector at a time, so a reply of 100 vectors of 3,072 values never
becomes 300,000 Python floats at once.
"""

from __future__ import annotations

from typing import Final

import msgspec

from .base import Wire
from .content import Content

__all__ = (
    "BatchEmbedContentsRequest",
    "BatchEmbedContentsResponse",
    "ContentEmbedding",
    "EmbedContentRequest",
    "TaskType",
)


class TaskType:
    """What an embedding is for (``taskType``); queries and documents pair up for retrieval.

    ``gemini-embedding-001`` takes it as a field; ``gemini-embedding-2`` takes it as a prefix
    of the text, which ``client.embed`` writes for you.
    """

    TASK_TYPE_UNSPECIFIED: Final = "TASK_TYPE_UNSPECIFIED"
    RETRIEVAL_QUERY: Final = "RETRIEVAL_QUERY"
    RETRIEVAL_DOCUMENT: Final = "RETRIEVAL_DOCUMENT"
    SEMANTIC_SIMILARITY: Final = "SEMANTIC_SIMILARITY"
    CLASSIFICATION: Final = "CLASSIFICATION"
    CLUSTERING: Final = "CLUSTERING"
    QUESTION_ANSWERING: Final = "QUESTION_ANSWERING"
    FACT_VERIFICATION: Final = "FACT_VERIFICATION"
    CODE_RETRIEVAL_QUERY: Final = "CODE_RETRIEVAL_QUERY"


class EmbedContentRequest(Wire, frozen=True, kw_only=True):
    """One input to embed. ``model`` (``"models/..."``) is required inside a batch."""

    content: Content
    model: str | None = None
    task_type: str | None = None
    title: str | None = None
    output_dimensionality: int | None = None


class BatchEmbedContentsRequest(Wire, frozen=True, kw_only=True):
    """The body of ``batchEmbedContents``: at most 100 requests, answered in order."""

    requests: list[EmbedContentRequest]


class ContentEmbedding(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One vector of a reply, its JSON array of floats kept undecoded (a slice of the body)."""

    values: msgspec.Raw = msgspec.Raw(b"[]")


class BatchEmbedContentsResponse(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The reply of ``batchEmbedContents``: one embedding per request, in order."""

    embeddings: list[ContentEmbedding] = []
