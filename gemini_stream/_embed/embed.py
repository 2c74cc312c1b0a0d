"""``client.embed``: inputs in batches of at most 100, sent concurrently, vectors in input order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, overload

import anyio
import msgspec

from .._wire.embeddings import BatchEmbedContentsRequest, EmbedContentRequest
from .inputs import MAX_BATCH, embed_requests, split_inputs
from .vectors import Embedding, decode_embeddings

if TYPE_CHECKING:
    from anyio import CancelScope

    from .._config import RetryPolicy, Timeouts
    from .._http.endpoint import Endpoint
    from .inputs import EmbedInput, TitleInput

__all__ = ("DEFAULT_CONCURRENCY", "Embed", "embed")

DEFAULT_CONCURRENCY = 8
"""Batch calls in flight at once (800 inputs); the client's rate limiter may allow fewer."""

_encoder = msgspec.json.Encoder()


class Embed:
    """``client.embed``: call it to embed one input or many."""

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    @overload
    async def __call__(  # type: ignore[overload-overlap]  # a str is one input, not many
        self,
        model: str,
        contents: EmbedInput,
        *,
        task_type: str | None = ...,
        output_dimensionality: int | None = ...,
        title: TitleInput = ...,
        concurrency: int = ...,
        timeouts: Timeouts | None = ...,
        retry: RetryPolicy | None = ...,
    ) -> Embedding: ...
    @overload
    async def __call__(
        self,
        model: str,
        contents: Iterable[EmbedInput | Iterable[EmbedInput]],
        *,
        task_type: str | None = ...,
        output_dimensionality: int | None = ...,
        title: TitleInput = ...,
        concurrency: int = ...,
        timeouts: Timeouts | None = ...,
        retry: RetryPolicy | None = ...,
    ) -> list[Embedding]: ...
    async def __call__(
        self,
        model: str,
        contents: object,
        *,
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        title: TitleInput = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> Embedding | list[Embedding]:
        """Embed one input (a text, a part, a ``Content``) or many (an iterable of them).

        Many inputs go in ``batchEmbedContents`` calls of at most 100, ``concurrency`` calls
        at a time, each through the client's rate limiter and retry policy; the vectors come
        back in input order. For ``gemini-embedding-2`` the task (and title) are written into
        the text, as that model expects. See docs/embeddings.md.

        Args:
            model: ``"gemini-embedding-001"``, ``"gemini-embedding-2"``, ...
            contents: one input, or an iterable of inputs; a list of parts inside it is one
                input, whose parts make one aggregated embedding.
            task_type: what the vectors are for, a ``gs.types.TaskType`` value such as
                ``"RETRIEVAL_QUERY"``; any case.
            output_dimensionality: the size of the vectors (128 to 3072 for the
                gemini-embedding models, which give 3072 by default).
            title: a document's title (a str, or a list with one per input, ``None`` for
                none); needs ``task_type="RETRIEVAL_DOCUMENT"``.
            concurrency: how many batch calls may be in flight at once.
            timeouts: a per-call override of the client's ``Timeouts``.
            retry: a per-call override of the client's ``RetryPolicy``.

        Returns:
            A ``gs.Embedding`` for one input; a list of them, in input order, for an iterable.

        Raises:
            TypeError, ValueError: a bad input or option, named, before anything is sent.
            APIError: the API refused a batch (the other calls are cancelled first).

        Example:
            >>> cat, dog = await client.embed("gemini-embedding-001", ["a cat", "a dog"])
            >>> cat.cosine(dog)
            0.8...
        """
        return await embed(
            self._endpoint, model, contents, task_type=task_type, title=title,
            output_dimensionality=output_dimensionality, concurrency=concurrency,
            timeouts=timeouts, retry=retry,
        )  # fmt: skip


async def embed(
    endpoint: Endpoint,
    model: str,
    contents: object,
    *,
    task_type: str | None,
    title: TitleInput,
    output_dimensionality: int | None,
    concurrency: int,
    timeouts: Timeouts | None,
    retry: RetryPolicy | None,
) -> Embedding | list[Embedding]:
    """See ``Client.embed``: every input is checked before the first call goes out."""
    if endpoint.vertex is not None:
        raise ValueError(
            "client.embed() uses the Gemini API's batchEmbedContents; embeddings on Vertex AI "
            "(its :predict form) are not supported yet"
        )
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive int, got {concurrency!r}")
    items, single = split_inputs(contents)
    requests = embed_requests(
        model, items, single=single, task_type=task_type, title=title,
        output_dimensionality=output_dimensionality,
    )  # fmt: skip
    batches = [requests[i : i + MAX_BATCH] for i in range(0, len(requests), MAX_BATCH)]
    results: list[list[Embedding]] = [[] for _ in batches]
    failures: list[Exception] = []
    jobs = iter(enumerate(batches))
    async with anyio.create_task_group() as group:
        for _ in range(min(concurrency, len(batches))):
            group.start_soon(
                _send, endpoint, model, jobs, results, failures, group.cancel_scope,
                timeouts, retry,
            )  # fmt: skip
    if failures:
        raise failures[0]
    if single:
        return results[0][0]
    return [vector for batch in results for vector in batch]


async def _send(
    endpoint: Endpoint,
    model: str,
    jobs: Iterator[tuple[int, list[EmbedContentRequest]]],
    results: list[list[Embedding]],
    failures: list[Exception],
    scope: CancelScope,
    timeouts: Timeouts | None,
    retry: RetryPolicy | None,
) -> None:
    """One worker: takes the next batch until none is left; the first failure stops them all.

    Each batch is its own call through the client's limiter and retry policy, so a 429 on one
    pauses the others and is retried like any call.
    """
    for index, batch in jobs:
        body = _encoder.encode(BatchEmbedContentsRequest(requests=batch))
        try:
            call = endpoint.model_call(model, "batchEmbedContents", body, timeouts, retry)
            results[index] = decode_embeddings(await call.fetch(), len(batch))
        except Exception as exc:  # raised by embed() once the other calls are cancelled
            failures.append(exc)
            scope.cancel()
            return
