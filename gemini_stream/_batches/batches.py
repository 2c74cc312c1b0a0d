"""``client.batches``: the Batch API of the Gemini Developer API.

A batch runs many ``generateContent`` requests asynchronously at half the interactive price
(the API aims at 24 hours, usually much less). ``create`` sends the requests inline when
they fit the API's 20 MB limit, else writes them as JSONL to a temporary file and uploads it
with the Files API; ``wait`` polls until the batch ends; ``results`` streams each request's
reply (or error) back by key.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from array import array
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

from .._config import RetryPolicy
from .._embed.vectors import Embedding
from .._errors import APIError, BatchTimeoutError
from .._http.codec import decode
from .._input.names import model_path
from .._media.files import DEFAULT_CHUNK_SIZE
from .._media.upload import resumable_upload
from .._wire.batches import (
    BatchCreateRequest,
    BatchInputConfig,
    CreateBatch,
    EmbedResponse,
    ListBatchesResponse,
    Operation,
)
from .._wire.files import File
from .._wire.media import MediaReader
from .._wire.response import GenerateContentResponse
from .._wire.status import ErrorStatus
from .batch import Batch, batch_name
from .errors import to_error
from .inputs import INLINE_LIMIT, Spooled, embed_request, inline_body, spool_requests
from .results import decode_line, download_lines, inline_results

if TYPE_CHECKING:
    from .._config import Timeouts
    from .._http.endpoint import Endpoint

__all__ = ("Batches",)

# Creating twice makes two batches: a create is never retried blindly.
_ONCE = RetryPolicy(max_attempts=1)
JSONL_MIME_TYPE = "text/plain"  # "jsonl" and "application/jsonl" were refused at times


class Batches:
    """The batch jobs of one ``Client``: ``client.batches``.

    Example:
        >>> batch = await client.batches.create("gemini-2.5-flash", ["Hi", "Bye"])
        >>> batch = await client.batches.wait(batch, timeout=24 * 3600)
        >>> async for key, reply in client.batches.results(batch):
        ...     print(key, reply.text)
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def _check_available(self) -> None:
        if self._endpoint.vertex is not None:
            raise ValueError(
                "client.batches speaks the Gemini Developer API's Batch API; Vertex AI's "
                "batch prediction jobs are not supported"
            )

    async def create(
        self,
        model: str,
        requests: Iterable[Any],
        *,
        display_name: str | None = None,
        inline_limit: int = INLINE_LIMIT,
        timeouts: Timeouts | None = None,
    ) -> Batch:
        """Submit ``requests`` as one batch job for ``model`` and return it (``PENDING``).

        Args:
            model: the model every request runs on (``"gemini-2.5-flash"``).
            requests: any iterable, read once and lazily (in a worker thread, so a
                generator must not touch the event loop): ``gs.Request`` values (of this
                model; their ``timeouts`` and ``retry`` do not apply in a batch), prompts
                (what ``client.generate`` takes as contents), or
                ``(key, request)`` pairs (``dict.items()`` works) whose keys come back with
                the results. Without a key, request ``i`` is keyed ``"request-{i}"``.
            display_name: a label (the API requires one; the default names the time).
            inline_limit: bytes of encoded requests sent inline at most; a larger batch is
                written as JSONL to a temporary file and uploaded with the Files API.
            timeouts: a per-call override of the client's ``Timeouts``.

        Raises:
            TypeError, ValueError: a bad request or key (named, by position), a duplicate key,
                no requests, or a request for another model; raised before anything is sent.
            APIError: the API refused the batch (the create is not retried: a second create
                would make a second batch).
        """
        self._check_available()
        model_path(model)
        display_name = _display_name(display_name)
        _check_inline_limit(inline_limit)
        spooled = await anyio.to_thread.run_sync(spool_requests, requests, model, inline_limit)
        return await self._submit(model, "batchGenerateContent", spooled, display_name, timeouts)

    async def create_embeddings(
        self,
        model: str,
        contents: Iterable[Any],
        *,
        task_type: str | None = None,
        title: str | None = None,
        output_dimensionality: int | None = None,
        display_name: str | None = None,
        inline_limit: int = INLINE_LIMIT,
        timeouts: Timeouts | None = None,
    ) -> Batch:
        """Submit ``contents`` as one embeddings batch (``asyncBatchEmbedContent``).

        Each item is one input (a text, a part, a ``Content``: what ``client.embed`` takes)
        or a ``(key, input)`` pair; the options apply to every input, the task written as
        the model wants it (``gemini-embedding-2``'s prefix, as ``client.embed`` does).
        ``wait`` for the batch, then read ``embedding_results``.

        Raises:
            TypeError, ValueError: a bad input, option or key (named), before anything is sent.
        """
        self._check_available()
        model_path(model)
        display_name = _display_name(display_name)
        _check_inline_limit(inline_limit)
        encode = functools.partial(
            embed_request,
            task_type=task_type,
            title=title,
            output_dimensionality=output_dimensionality,
        )
        spooled = await anyio.to_thread.run_sync(
            spool_requests, contents, model, inline_limit, encode
        )
        return await self._submit(model, "asyncBatchEmbedContent", spooled, display_name, timeouts)

    async def _submit(
        self,
        model: str,
        method: str,
        spooled: Spooled,
        display_name: str,
        timeouts: Timeouts | None,
    ) -> Batch:
        """Send the spooled requests inline, or upload their file and name it; create once."""
        try:
            if spooled.file is None:
                body = inline_body(display_name, spooled.inline)
            else:
                reader = MediaReader(
                    "<batch requests>", spooled.size, JSONL_MIME_TYPE, file=spooled.file
                )
                meta = File(display_name=f"{display_name}.jsonl", mime_type=JSONL_MIME_TYPE)
                uploaded = await resumable_upload(
                    self._endpoint, reader, meta, chunk_size=DEFAULT_CHUNK_SIZE, timeouts=timeouts
                )
                config = BatchInputConfig(file_name=uploaded.name)
                create = CreateBatch(display_name=display_name, input_config=config)
                body = msgspec.json.encode(BatchCreateRequest(batch=create))
        finally:
            spooled.close()
        call = self._endpoint.model_call(model, method, body, timeouts, _ONCE)
        return Batch.from_operation(decode(await call.fetch(), Operation))

    async def get(self, batch: Batch | str, *, timeouts: Timeouts | None = None) -> Batch:
        """Describe one batch now (``GET batches/{id}``): state, counters, output.

        Raises:
            NotFoundError: no such batch (or it was deleted).
        """
        self._check_available()
        call = self._endpoint.call(batch_name(batch), "batches.get", None, timeouts, None)
        return Batch.from_operation(decode(await call.fetch(), Operation))

    async def list(
        self, *, page_size: int = 100, timeouts: Timeouts | None = None
    ) -> AsyncIterator[Batch]:
        """Iterate over the project's batches, newest first, fetching pages as needed.

        Example:
            >>> async for batch in client.batches.list():
            ...     print(batch.name, batch.display_name, batch.state)
        """
        self._check_available()
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int, got {page_size!r}")
        token = ""
        while True:
            query = f"batches?pageSize={page_size}" + (f"&pageToken={token}" if token else "")
            call = self._endpoint.call(query, "batches.list", None, timeouts, None)
            page = decode(await call.fetch(), ListBatchesResponse)
            for op in page.operations or ():
                yield Batch.from_operation(op)
            token = page.next_page_token or ""
            if not token:
                return

    async def cancel(self, batch: Batch | str, *, timeouts: Timeouts | None = None) -> None:
        """Ask the API to stop the batch (best effort: it ends ``CANCELLED``, without results,
        unless it finished first)."""
        self._check_available()
        url = f"{self._endpoint.root}{batch_name(batch)}:cancel"
        await self._endpoint.url_call(url, "batches.cancel", b"", timeouts).fetch()

    async def delete(self, batch: Batch | str, *, timeouts: Timeouts | None = None) -> None:
        """Delete the batch (``DELETE batches/{id}``): it stops and leaves the list."""
        self._check_available()
        url = self._endpoint.root + batch_name(batch)
        await self._endpoint.url_call(
            url, "batches.delete", None, timeouts, method="DELETE"
        ).fetch()

    async def wait(
        self,
        batch: Batch | str,
        *,
        timeout: float,  # noqa: ASYNC109 - a deadline for the polling, as interactions.wait
        poll_interval: float = 5.0,
        max_poll_interval: float = 300.0,
        on_progress: Callable[[Batch], Any] | None = None,
    ) -> Batch:
        """Poll the batch until it ends (succeeded with its output visible, failed,
        cancelled or expired) and return it.

        Polls start ``poll_interval`` apart and back off (doubling) to ``max_poll_interval``;
        ``aclose()`` on the client ends the wait at once (``ClientClosedError``).

        Args:
            timeout: seconds to wait at most (batches can take up to 24 hours).
            on_progress: called with each ``Batch`` polled (a coroutine function is awaited).

        Raises:
            BatchTimeoutError: the batch had not ended after ``timeout`` seconds
                (``.batch`` is the last one seen).
        """
        self._check_available()
        for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        interval = float(poll_interval)
        current = await self.get(batch)
        while True:
            if on_progress is not None:
                result = on_progress(current)
                if inspect.isawaitable(result):
                    await result
            # SUCCEEDED can show before the output does: wait for the output too.
            if current.done and (current.state != "SUCCEEDED" or current.output is not None):
                return current
            left = deadline - loop.time()
            if left <= 0:
                raise BatchTimeoutError(
                    f"{current.name} was still {current.state} after {timeout} s", batch=current
                )
            await self._endpoint.transport.unless_closed(asyncio.sleep(min(interval, left)))
            interval = min(interval * 2, max_poll_interval)
            current = await self.get(current)

    async def results(
        self, batch: Batch | str, *, timeouts: Timeouts | None = None
    ) -> AsyncIterator[tuple[str, GenerateContentResponse | APIError]]:
        """Yield ``(key, reply)`` for every request of a finished batch, in input order.

        ``reply`` is the request's ``GenerateContentResponse``, or the typed ``APIError``
        it failed with (``RateLimitError``, ``BadRequestError``...; a failed request does not
        fail the batch). A result file is streamed line by line, never held whole.

        Raises:
            ValueError: the batch has no results (not succeeded, or its output not there yet).
        """
        async for key, raw, error, line in self._raw_results(batch, timeouts):
            if error is not None or not raw:
                yield key, to_error(error or _no_result(key), line)
            else:
                yield key, msgspec.json.decode(raw, type=GenerateContentResponse)

    async def embedding_results(
        self, batch: Batch | str, *, timeouts: Timeouts | None = None
    ) -> AsyncIterator[tuple[str, Embedding | APIError]]:
        """Yield ``(key, embedding)`` for every input of a finished embeddings batch (the
        ``Embedding`` of ``client.embed``, or the typed ``APIError`` the input failed with)."""
        async for key, raw, error, line in self._raw_results(batch, timeouts):
            reply = msgspec.json.decode(raw, type=EmbedResponse) if raw else None
            if error is not None or reply is None or reply.embedding is None:
                yield key, to_error(error or _no_result(key), line)
            else:
                values = msgspec.json.decode(reply.embedding.values, type=list[float])
                yield key, Embedding(array("f", values))

    async def _raw_results(
        self, batch: Batch | str, timeouts: Timeouts | None
    ) -> AsyncIterator[tuple[str, msgspec.Raw, ErrorStatus | None, bytes]]:
        """``(key, raw response, error, raw line)`` of each request, in input order."""
        self._check_available()
        current = batch if isinstance(batch, Batch) and batch.output is not None else None
        if current is None:
            current = await self.get(batch)
        output = current.output
        if output is None:
            raise ValueError(
                f"{current.name} has no results: it is {current.state} (wait() for it first)"
            )
        if output.responses_file:
            index = 0
            async for line in download_lines(self._endpoint, output.responses_file, timeouts):
                item = decode_line(line)
                key = item.key if item.key is not None else str(index)
                index += 1
                yield key, item.response, item.error, line
            return
        for index, (meta, raw, error) in enumerate(inline_results(output)):
            given = meta.get("key") if isinstance(meta, dict) else None
            yield (str(given) if given is not None else str(index)), raw, error, b""


def _no_result(key: str) -> ErrorStatus:
    return ErrorStatus(code=500, message=f"the result of {key!r} has neither response nor error")


def _display_name(display_name: str | None) -> str:
    if display_name is None:
        return "gemini-stream " + datetime.now(timezone.utc).isoformat("T", "seconds")
    if not isinstance(display_name, str) or not display_name:
        raise ValueError(f"display_name must be a non-empty str, got {display_name!r}")
    return display_name


def _check_inline_limit(inline_limit: int) -> None:
    if isinstance(inline_limit, bool) or not isinstance(inline_limit, int) or inline_limit < 0:
        raise ValueError(f"inline_limit must be an int >= 0, got {inline_limit!r}")
