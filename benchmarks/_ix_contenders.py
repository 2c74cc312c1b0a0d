"""The Interactions benchmark's contenders: the floor's framing, and three HTTP clients that
stream one interaction the same way.

Parse (in memory, on a list of reads): :func:`floor_parse` (``bytearray`` + ``find(LF LF)``
framing + one msgspec decode of the event union per event, nothing else),
:func:`regex_parse` (the regular-expression framing ``EventReader`` uses, bare),
:func:`frames_parse` (our ``EventReader`` alone), :func:`reader_fold_parse` (with the fold),
:func:`ours_parse` (what an
``InteractionStream`` runs per read, the fold built at the end; only the socket is missing)
and :func:`ours_iterated` (the same plus ``__anext__`` per event, as ``async for`` calls it).

End to end (``stream() -> int``, the number of events read): ``IxFloor`` (aiohttp
``iter_any()`` + the floor's framing), ``IxOurs`` (``client.interactions.stream``) and
``IxGenai`` (google-genai's ``client.aio.interactions.create(..., stream=True)``, when it is
installed). Nothing is done with an event beyond decoding it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
import msgspec

import gemini_stream as gs
from gemini_stream._interactions.events import DONE, EVENT_DECODER, InteractionEvent
from gemini_stream._interactions.fold import Fold
from gemini_stream._interactions.frames import _EVENTS, EventReader

__all__ = (
    "E2E_CONTENDERS",
    "MODEL",
    "IxContender",
    "e2e_available",
    "floor_parse",
    "frames_parse",
    "json_parse",
    "ours_iterated",
    "ours_parse",
    "reader_fold_parse",
    "regex_parse",
)

MODEL = "gemini-3.8-flash"
_KEY = "bench"
_LIMIT = 1000
_SEP = b"\n\n"
_DATA = b"data: "
# The union of event types our reader decodes into, in a decoder of the floor's own.
_floor_decode = msgspec.json.Decoder(EVENT_DECODER.type).decode


def _frame(reads: list[bytes], decode: Callable[[Any], object]) -> int:
    """The floor's framing: append to a bytearray, find LF LF, find ``data: `` in the event,
    decode its data, drop what was consumed; stop at ``[DONE]``."""
    buf = bytearray()
    count = 0
    scanned = 0
    for chunk in reads:
        buf += chunk
        start = 0
        end = buf.find(_SEP, scanned)
        while end >= 0:
            payload = buf[buf.find(_DATA, start, end) + 6 : end]
            try:
                decode(payload)
            except (msgspec.DecodeError, ValueError):
                if payload == DONE:
                    return count
                raise
            count += 1
            start = end + 2
            end = buf.find(_SEP, start)
        if start:
            del buf[:start]
        scanned = max(len(buf) - 1, 0)
    return count


def floor_parse(reads: list[bytes]) -> int:
    """bytearray + find + one msgspec decode of the event union per event."""
    return _frame(reads, _floor_decode)


def json_parse(reads: list[bytes]) -> int:
    """The floor's framing with ``json.loads`` into dicts (what a hand-rolled client does)."""
    return _frame(reads, json.loads)


def frames_parse(reads: list[bytes]) -> int:
    """Our ``EventReader`` alone, as the stream calls it: ``one`` (a read that is one whole
    event), else ``feed``; framing and the typed decode, no fold."""
    reader = EventReader()
    count = 0
    for chunk in reads:
        count += len(_events(reader, chunk))
    return count


def _events(reader: EventReader, chunk: bytes) -> list[InteractionEvent]:
    event = reader.one(chunk)
    if event is not None:
        return [event]
    events, error = reader.feed_rest(chunk)
    if error is not None:
        raise error
    return events


def regex_parse(reads: list[bytes]) -> int:
    """``EventReader``'s framing alone, bare: the last LF LF of the buffer, one regular
    expression split of the complete events, one decode per event (no checks)."""
    buf = bytearray()
    count = 0
    for chunk in reads:
        buf += chunk
        end = buf.rfind(_SEP) + 2
        if end < 2:
            continue
        region = buf[:end]
        del buf[:end]
        payloads = _EVENTS.split(region)[1::2]
        if payloads and payloads[-1] == DONE:
            payloads.pop()
        count += len(list(map(_floor_decode, payloads)))
    return count


def reader_fold_parse(reads: list[bytes]) -> int:
    """``EventReader`` (as in :func:`frames_parse`) and ``Fold.extend`` per read, the
    ``Interaction`` built at the end: ``ours_parse`` without the stream's own bookkeeping."""
    reader = EventReader()
    fold = Fold()
    count = 0
    for chunk in reads:
        events = _events(reader, chunk)
        fold.extend(events)
        count += len(events)
    if fold.interaction.status not in ("completed", "requires_action"):
        raise RuntimeError("the fold assembled no finished interaction")
    return count


def ours_parse(reads: list[bytes]) -> int:
    """What an ``InteractionStream`` runs per read: frame, decode, the bookkeeping that
    resumption needs (the ``event_id`` of each event), the fold's queue; and the
    ``Interaction`` built from the fold at the end. Only the socket is missing."""
    stream = _offline_stream()
    count = 0
    for chunk in reads:
        stream._on_data(chunk)
        pending = stream._pending
        count += len(pending)
        pending.clear()  # handed out (what ``__anext__`` does, one pop at a time)
    _check(stream)
    return count


def ours_iterated(reads: list[bytes]) -> int:
    """``ours_parse`` plus ``__anext__`` once per event, as ``async for`` calls it (driven
    without a loop: it returns at once while events are pending)."""
    stream = _offline_stream()
    count = 0
    for chunk in reads:
        stream._on_data(chunk)
        while stream._pending:
            step = stream.__anext__()
            try:
                step.send(None)
            except StopIteration:
                count += 1
            else:  # pragma: no cover - it would have waited for the socket
                step.close()
                raise RuntimeError("__anext__ waited with events pending")
    _check(stream)
    return count


def _check(stream: gs.InteractionStream) -> None:
    if stream.interaction.status not in ("completed", "requires_action"):
        raise RuntimeError(f"the fold assembled no finished interaction: {stream.interaction}")


def _offline_stream() -> gs.InteractionStream:
    """An ``InteractionStream`` with its decoder in place, as after its connection opened."""
    from gemini_stream._interactions.reader import _OPEN

    stream = gs.InteractionStream(None, None)  # type: ignore[arg-type]  # never sends
    stream._reader = EventReader()
    stream._state = _OPEN
    return stream


# -- end to end -----------------------------------------------------------------------------------


class IxContender:
    """Base: one HTTP client (made lazily, inside the running loop), one request, repeated."""

    name = ""

    def __init__(self, url: str, body: dict[str, Any]) -> None:
        self.url = url
        self.body = body  # the create request: model, input and other fields (no "stream")
        self._setup()

    def _setup(self) -> None:
        """Build what needs no running loop."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def stream(self) -> int:
        raise NotImplementedError


class IxFloor(IxContender):
    """aiohttp ``iter_any()`` + the floor's framing + one decode of the union per event."""

    name = "floor"

    def _setup(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._data = msgspec.json.encode({**self.body, "stream": True})
        self._url = self.url + "/v1beta/interactions"
        self._headers = {"x-goog-api-key": _KEY, "content-type": "application/json"}

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def stream(self) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=_LIMIT),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        decode = _floor_decode
        count = 0
        async with self._session.post(self._url, data=self._data, headers=self._headers) as resp:
            assert resp.status == 200, resp.status
            buf = bytearray()
            scanned = 0
            async for data in resp.content.iter_any():
                buf += data
                start = 0
                end = buf.find(_SEP, scanned)
                while end >= 0:
                    payload = buf[buf.find(_DATA, start, end) + 6 : end]
                    try:
                        decode(payload)
                        count += 1
                    except msgspec.DecodeError:
                        if payload != DONE:
                            raise
                    start = end + 2
                    end = buf.find(_SEP, start)
                if start:
                    del buf[:start]
                scanned = max(len(buf) - 1, 0)
        return count


class IxOurs(IxContender):
    """``client.interactions.stream(...)`` iterated with ``async for``."""

    name = "ours"

    def _setup(self) -> None:
        self._client = gs.Client(base_url=self.url, api_key=_KEY)
        self._fields = dict(self.body)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def stream(self) -> int:
        count = 0
        async for _event in self._client.interactions.stream(**self._fields):
            count += 1
        return count


class IxGenai(IxContender):
    """google-genai: ``await client.aio.interactions.create(..., stream=True)``, iterated."""

    name = "google-genai"

    def _setup(self) -> None:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(base_url=self.url, api_version="v1beta")
        self._client = genai.Client(api_key=_KEY, http_options=options)
        self._fields = dict(self.body)

    async def aclose(self) -> None:
        await self._client.aio.aclose()

    async def stream(self) -> int:
        count = 0
        events = await self._client.aio.interactions.create(**self._fields, stream=True)
        async for _event in events:
            count += 1
        return count


E2E_CONTENDERS: dict[str, type[IxContender]] = {c.name: c for c in (IxFloor, IxOurs, IxGenai)}


def e2e_available() -> list[str]:
    """The end-to-end contenders that can run here (google-genai only when installed)."""
    try:
        import google.genai  # noqa: F401
    except ImportError:
        return ["floor", "ours"]
    return list(E2E_CONTENDERS)
