"""``RawChunkStream``: a ``ChunkStream`` whose chunks keep the JSON the server sent
(``chunk.raw_json``, ``chunk.unknown_fields``), for ``client.with_options(keep_raw=True)``.

A class of its own so that the usual stream pays nothing for it: only this one keeps a copy
of each event's bytes (~4,500 instructions for a small chunk, and the memory of the JSON)."""

from __future__ import annotations

from .. import sse
from .._wire.response import GenerateContentResponse, set_received
from .chunk_stream import ChunkStream

__all__ = ("RawChunkStream",)


class _KeepingDecoder(sse.DataDecoder):
    """A ``DataDecoder`` that remembers the payloads of its last ``feed``."""

    __slots__ = ("kept",)

    def __init__(self, *, max_event_bytes: int) -> None:
        super().__init__(max_event_bytes=max_event_bytes)
        self.kept: list[bytearray] = []

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[bytearray]:
        payloads = self.kept = super().feed(chunk)
        return payloads


class RawChunkStream(ChunkStream):
    """A ``ChunkStream`` whose chunks carry their JSON and the response's ``http``."""

    __slots__ = ()

    def _first_bytes(self) -> sse.DataDecoder:
        super()._first_bytes()  # the lists and the idle timeout
        decoder = self._decoder = _KeepingDecoder(max_event_bytes=self._call.max_event_bytes)
        return decoder

    def _take(self, batch: list[GenerateContentResponse]) -> None:
        decoder = self._decoder
        if batch and isinstance(decoder, _KeepingDecoder):
            http = self._http
            # The chunks are those of the payloads' first events, in order (an error event
            # ends them early).
            for chunk, payload in zip(batch, decoder.kept, strict=False):
                set_received(chunk, (http, bytes(payload)))  # what ``received`` does
        super()._take(batch)
