"""The end-to-end benchmark's contenders: four HTTP clients that stream one reply the same way.

Each contender is an async context manager (it owns its session or client) with one method,
``stream(prompt, first=None) -> int``: send a ``streamGenerateContent?alt=sse`` request whose
only user message is ``prompt``, read the reply to its end and return how many chunks came.
``first``, when given, is called once as soon as the first chunk is decoded (time to first
chunk, and the "open and waiting" state of the memory figure). The loop bodies are what a
caller of each library writes; nothing is done with a chunk beyond decoding it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp
import msgspec

import gemini_stream as gs
from gemini_stream.types import GenerateContentResponse

__all__ = ("CONTENDERS", "MODEL", "Contender", "available", "request_body")

MODEL = "gemini-2.5-flash"
_PATH = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
_SEP = b"\r\n\r\n"
_KEY = "bench"
# At least the 1,000 streams of the memory figure; the client's own default is the same.
_LIMIT = 1000


def request_body(prompt: str, max_output_tokens: int | None = None) -> dict[str, Any]:
    """The request every contender sends, as a dict (``generationConfig`` only when capped)."""
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    if max_output_tokens is not None:
        body["generationConfig"] = {"maxOutputTokens": max_output_tokens}
    return body


class Contender:
    """Base: holds the server root, extra headers and the generation cap all requests share."""

    name = ""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        max_output_tokens: int | None = None,
    ) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.max_output_tokens = max_output_tokens
        self._setup()

    def _setup(self) -> None:
        """Build the client or session objects that need no running loop."""

    async def __aenter__(self) -> Contender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        raise NotImplementedError

    async def stream(self, prompt: str, first: Callable[[], None] | None = None) -> int:
        raise NotImplementedError


class _Aiohttp(Contender):
    """A bare aiohttp session with a pool big enough for every stream at once."""

    def _setup(self) -> None:
        self._url = self.url + _PATH
        self._headers = {"x-goog-api-key": _KEY, "content-type": "application/json"}
        self._headers.update(self.headers)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # Created lazily, inside the running loop, like the clients under test do.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=_LIMIT),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class Floor(_Aiohttp):
    """bytearray + ``find(CRLF CRLF)`` framing + one typed msgspec decode per event."""

    name = "floor"
    _encode = msgspec.json.Encoder().encode
    _decode = msgspec.json.Decoder(GenerateContentResponse).decode
    # Socket reads handed over, all instances together, to report events per read (the cost:
    # a local add per read, ~15 ns).
    reads = 0

    async def stream(self, prompt: str, first: Callable[[], None] | None = None) -> int:
        decode = self._decode
        body = self._encode(request_body(prompt, self.max_output_tokens))
        count = 0
        reads = 0
        async with self.session.post(self._url, data=body, headers=self._headers) as resp:
            assert resp.status == 200, resp.status
            buf = bytearray()
            scanned = 0
            async for data in resp.content.iter_any():
                reads += 1
                buf += data
                start = 0
                end = buf.find(_SEP, scanned)
                while end >= 0:
                    decode(buf[start + 6 : end])  # skip "data: "
                    count += 1
                    start = end + 4
                    end = buf.find(_SEP, start)
                if start:
                    del buf[:start]
                scanned = max(len(buf) - 3, 0)
                if first is not None and count:
                    first()
                    first = None
        Floor.reads += reads
        return count


class Ours(Contender):
    """``gemini_stream.Client.stream`` iterated with ``async for``."""

    name = "ours"

    def _setup(self) -> None:
        self._client = gs.Client(base_url=self.url, api_key=_KEY, headers=self.headers or None)
        tokens = self.max_output_tokens
        self._config = None if tokens is None else {"max_output_tokens": tokens}

    async def aclose(self) -> None:
        await self._client.aclose()

    async def stream(self, prompt: str, first: Callable[[], None] | None = None) -> int:
        count = 0
        async for _chunk in self._client.stream(MODEL, prompt, config=self._config):
            count += 1
            if first is not None:
                first()
                first = None
        return count


class Naive(_Aiohttp):
    """aiohttp's line iteration (split on LF) + ``json.loads`` of each ``data:`` line."""

    name = "naive"

    async def stream(self, prompt: str, first: Callable[[], None] | None = None) -> int:
        body = request_body(prompt, self.max_output_tokens)
        count = 0
        async with self.session.post(self._url, json=body, headers=self._headers) as resp:
            assert resp.status == 200, resp.status
            async for line in resp.content:
                if line.startswith(b"data: "):
                    json.loads(line[6:])
                    count += 1
                    if first is not None:
                        first()
                        first = None
        return count


class GoogleGenai(Contender):
    """The official SDK: ``client.aio.models.generate_content_stream`` (its aiohttp path)."""

    name = "google-genai"

    def _setup(self) -> None:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(
            base_url=self.url, api_version="v1beta", headers=self.headers or None
        )
        self._client = genai.Client(api_key=_KEY, http_options=options)
        tokens = self.max_output_tokens
        self._config = (
            None if tokens is None else types.GenerateContentConfig(max_output_tokens=tokens)
        )

    async def aclose(self) -> None:
        await self._client.aio.aclose()

    async def stream(self, prompt: str, first: Callable[[], None] | None = None) -> int:
        count = 0
        replies = await self._client.aio.models.generate_content_stream(
            model=MODEL, contents=prompt, config=self._config
        )
        async for _chunk in replies:
            count += 1
            if first is not None:
                first()
                first = None
        return count


CONTENDERS: dict[str, type[Contender]] = {c.name: c for c in (Floor, Ours, Naive, GoogleGenai)}


def available() -> list[str]:
    """The contenders that can run here (google-genai only when it is installed)."""
    try:
        import google.genai  # noqa: F401
    except ImportError:
        return ["floor", "ours", "naive"]
    return list(CONTENDERS)
