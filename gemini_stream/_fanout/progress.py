"""``Progress``: a fan-out batch's live counters, and the ``Tracker`` that keeps them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._wire.response import GenerateContentResponse

if TYPE_CHECKING:
    from typing import TypeAlias

    from .._stream.chunk_stream import ChunkStream

    ProgressArg: TypeAlias = "Progress | Callable[[Progress], object] | None"


__all__ = ("Progress", "Tracker")


@dataclass(eq=False)
class Progress:
    """Live counters of a fan-out batch, for a progress bar or a log line.

    Pass one as ``progress=`` and read it while the batch runs (the library updates it in
    place), or pass a callable to be called with it each time a request starts or ends.

    Attributes:
        total: how many requests the batch has, when the input has a length.
        started: requests whose stream was opened.
        done: requests that ended well.
        failed: requests that ended with an error.
        chunks: chunks decoded, all requests together (in ``stream_many``, a read is
            decoded when your loop reaches it).
        tokens: tokens used by the ended requests (``usageMetadata.totalTokenCount``).
        in_flight: requests running: started, and their response not released yet. Never
            more than the batch's ``concurrency``. In ``stream_many`` a reply read to the
            end of its body is released (its connection is free for the next request) even
            while its last chunks wait for your loop: such a request is no longer in flight
            but not yet ``done`` or ``failed`` either (it is when your loop reaches its end).

    Example:
        >>> progress = gs.Progress()
        >>> replies = await client.generate_many(requests, progress=progress)
        >>> print(f"{progress.done}/{progress.total} done, {progress.tokens} tokens")
    """

    total: int | None = None
    started: int = 0
    done: int = 0
    failed: int = 0
    chunks: int = 0
    tokens: int = 0
    in_flight: int = 0

    @property
    def finished(self) -> int:
        """Requests that ended, well or not."""
        return self.done + self.failed


class Tracker:
    """Updates the batch's ``Progress`` and calls the user's callback, if any."""

    __slots__ = ("notify", "progress")

    def __init__(self, progress: ProgressArg, total: int | None) -> None:
        self.notify: Callable[[Progress], object] | None = None
        if isinstance(progress, Progress):
            self.progress = progress
        elif progress is None or callable(progress):
            self.progress = Progress()
            self.notify = progress
        else:
            raise TypeError(f"progress must be a gs.Progress or a callable, got {progress!r}")
        if total is not None:
            self.progress.total = total

    def started(self) -> None:
        progress = self.progress
        progress.started += 1
        progress.in_flight += 1
        if self.notify is not None:
            self.notify(progress)

    def released(self) -> None:
        """A request's response was released: its worker is free for the next one. Comes
        before ``ended`` (at once, or when the consumer reaches the end of the reply)."""
        self.progress.in_flight -= 1

    def ended(self, reply: GenerateContentResponse | ChunkStream | None, *, failed: bool) -> None:
        """Count a request's end; ``reply``: its reply, or its finished stream, for the tokens."""
        progress = self.progress
        if failed:
            progress.failed += 1
        else:
            progress.done += 1
        if reply is None or isinstance(reply, GenerateContentResponse):
            usage = None if reply is None else reply.usage_metadata
        else:
            usage = reply._usage()  # a finished stream: the reply need not be merged for this
        if usage is not None and usage.total_token_count:
            progress.tokens += usage.total_token_count
        if self.notify is not None:
            self.notify(progress)
