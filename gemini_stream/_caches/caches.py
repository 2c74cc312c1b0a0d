"""``client.caches``: explicit context caches (``cachedContents``) of the Gemini Developer API.

A cache stores a prompt prefix (system instruction, contents, tools, tool config) for one
model; requests and chats name it with ``cached_content=`` and pay the cached-token price for
that prefix. ``create`` returns a ``CacheCreation``: ``await`` it for the ``CachedContent``,
or enter it with ``async with`` to have the cache deleted on exit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Generator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

from .._errors import NotFoundError, PermissionDeniedError
from .._http.codec import decode
from .._input.cache_ref import cache_name
from .._input.contents import ContentsInput, SystemInstructionInput, to_contents
from .._input.contents import to_system_instruction as to_instruction
from .._input.names import model_path
from .._input.request import ToolConfigInput, to_tool_config
from .._wire.caches import CachedContent, ListCachedContentsResponse
from .inputs import (
    CacheToolsInput,
    TtlInput,
    check_display_name,
    check_lifetime,
    to_cache_tools,
)

if TYPE_CHECKING:
    from types import TracebackType

    from .._config import Timeouts
    from .._http.endpoint import Endpoint

__all__ = ("CacheCreation", "Caches", "is_cache_gone")


class Caches:
    """The context caches of one ``Client``: ``client.caches``.

    Example:
        >>> cache = await client.caches.create(
        ...     "gemini-2.5-flash", system_instruction=long_rules, ttl=3600
        ... )
        >>> reply = await client.generate("gemini-2.5-flash", "Hi", cached_content=cache)
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def _check_available(self) -> None:
        if self._endpoint.vertex is not None:
            raise ValueError(
                "client.caches speaks the Gemini Developer API's cachedContents; Vertex AI's "
                "caches (projects/.../cachedContents) are not supported yet"
            )

    def create(
        self,
        model: str,
        *,
        contents: ContentsInput | None = None,
        system_instruction: SystemInstructionInput = None,
        tools: CacheToolsInput = None,
        tool_config: ToolConfigInput = None,
        ttl: TtlInput | None = None,
        expire_time: datetime | None = None,
        display_name: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> CacheCreation:
        """Store a prompt prefix for ``model`` (``POST cachedContents``).

        The arguments are checked here, before anything is sent; the request goes out when
        the result is awaited or entered.

        Args:
            model: the only model that can use the cache (``"gemini-2.5-flash"``...).
            contents: turns put before every request's own (a string, parts, ``Content``s,
                file parts: the inputs of ``client.generate``).
            system_instruction: a string, parts or a ``Content`` (text only).
            tools: as in ``client.generate``; Python functions are declared (a chat using
                the cache runs them when given the same functions).
            tool_config: a ``ToolConfig`` or a dict.
            ttl: how long the cache lives, in seconds or a ``timedelta`` (the API's default
                is one hour).
            expire_time: when the cache ends instead, an aware ``datetime``.
            display_name: a label of up to 128 characters.
            timeouts: a per-call override of the client's ``Timeouts``.

        Returns:
            A ``CacheCreation``: ``await`` it for the ``CachedContent``, or use
            ``async with`` to delete the cache when the block ends.

        Raises:
            TypeError, ValueError: a bad argument (named), or nothing to cache.
            BadRequestError: (on await) the API refused, e.g. "Cached content is too small"
                when the prefix is under the model's minimum token count.

        Example:
            >>> async with client.caches.create(model, contents=[report.part()]) as cache:
            ...     reply = await client.generate(model, "Summarise", cached_content=cache)
        """
        self._check_available()
        ttl_text, expire_text = check_lifetime(ttl, expire_time)
        body = CachedContent(
            model=model_path(model),
            display_name=check_display_name(display_name),
            contents=None if contents is None else to_contents(contents),
            system_instruction=to_instruction(system_instruction),
            tools=to_cache_tools(tools),
            tool_config=to_tool_config(tool_config),
            ttl=ttl_text,
            expire_time=expire_text,
        )
        if not (body.contents or body.system_instruction or body.tools):
            raise ValueError(
                "nothing to cache: give contents, system_instruction or tools to "
                "client.caches.create()"
            )
        return CacheCreation(self, msgspec.json.encode(body), timeouts)

    async def get(
        self, cache: CachedContent | str, *, timeouts: Timeouts | None = None
    ) -> CachedContent:
        """Describe one cache (``GET cachedContents/{id}``): model, expiry, token count.

        Raises:
            PermissionDeniedError: no such cache, or it expired or was deleted (the API's
                403 "CachedContent not found (or permission denied)").
        """
        self._check_available()
        call = self._endpoint.call(cache_name(cache), "cachedContents.get", None, timeouts, None)
        return decode(await call.fetch(), CachedContent)

    async def list(
        self, *, page_size: int = 100, timeouts: Timeouts | None = None
    ) -> AsyncIterator[CachedContent]:
        """Iterate over the project's caches that have not expired, fetching pages as needed.

        Args:
            page_size: caches per request (the API caps it at 1000).

        Example:
            >>> async for cache in client.caches.list():
            ...     print(cache.name, cache.display_name, cache.expires_at)
        """
        self._check_available()
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int (at most 1000), got {page_size!r}")
        token = ""
        while True:
            query = f"cachedContents?pageSize={page_size}" + (
                f"&pageToken={token}" if token else ""
            )
            call = self._endpoint.call(query, "cachedContents.list", None, timeouts, None)
            page = decode(await call.fetch(), ListCachedContentsResponse)
            for item in page.cached_contents or ():
                yield item
            token = page.next_page_token or ""
            if not token:
                return

    async def update(
        self,
        cache: CachedContent | str,
        *,
        ttl: TtlInput | None = None,
        expire_time: datetime | None = None,
        timeouts: Timeouts | None = None,
    ) -> CachedContent:
        """Move a cache's expiry, the only thing that can change (``PATCH``).

        ``ttl`` counts from now: ``update(cache, ttl=3600)`` keeps it one more hour. The body
        carries only ``ttl`` or ``expireTime``, with no ``updateMask``, as Google's SDK and
        docs send it.

        Raises:
            ValueError: neither or both of ``ttl`` and ``expire_time``, or a bad value.
            PermissionDeniedError: no such cache, or it already expired (403 "CachedContent
                not found").
        """
        self._check_available()
        name = cache_name(cache)
        ttl_text, expire_text = check_lifetime(ttl, expire_time)
        if ttl_text is None and expire_text is None:
            raise ValueError("give ttl= or expire_time= to update a cache (only expiry changes)")
        body = msgspec.json.encode(CachedContent(ttl=ttl_text, expire_time=expire_text))
        url = self._endpoint.root + name
        call = self._endpoint.url_call(url, "cachedContents.patch", body, timeouts, method="PATCH")
        return decode(await call.fetch(), CachedContent)

    async def delete(self, cache: CachedContent | str, *, timeouts: Timeouts | None = None) -> None:
        """Delete a cache now rather than at its expiry (``DELETE cachedContents/{id}``).

        Raises:
            PermissionDeniedError: no such cache, or it already expired or was deleted (403
                "CachedContent not found").
        """
        self._check_available()
        url = self._endpoint.root + cache_name(cache)
        label = "cachedContents.delete"
        await self._endpoint.url_call(url, label, None, timeouts, method="DELETE").fetch()

    async def _create(self, body: bytes, timeouts: Timeouts | None) -> CachedContent:
        call = self._endpoint.call("cachedContents", "cachedContents.create", body, timeouts, None)
        return decode(await call.fetch(), CachedContent)


class CacheCreation:
    """A cache being created: ``await`` it, or use it once with ``async with``.

    ``async with`` deletes the cache when the block ends, however it ends (a cancelled
    block included: the delete is shielded, bounded by the client's timeouts); a cache that
    is already gone (expired, deleted in the block: the API's 403 "CachedContent not found")
    is not an error.
    """

    __slots__ = ("_body", "_cache", "_caches", "_timeouts", "_used")

    def __init__(self, caches: Caches, body: bytes, timeouts: Timeouts | None) -> None:
        self._caches = caches
        self._body = body
        self._timeouts = timeouts
        self._used = False
        self._cache: CachedContent | None = None

    def __repr__(self) -> str:
        return f"<gemini_stream.CacheCreation {self._cache.name if self._cache else 'pending'}>"

    def _start(self) -> Coroutine[Any, Any, CachedContent]:
        if self._used:
            raise RuntimeError("this client.caches.create(...) was already awaited or entered")
        self._used = True
        return self._caches._create(self._body, self._timeouts)

    def __await__(self) -> Generator[Any, None, CachedContent]:
        return self._start().__await__()

    async def __aenter__(self) -> CachedContent:
        self._cache = await self._start()
        return self._cache

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        cache, self._cache = self._cache, None
        if cache is None:
            return
        with anyio.CancelScope(shield=True):
            try:
                await self._caches.delete(cache, timeouts=self._timeouts)
            except (NotFoundError, PermissionDeniedError) as error:
                if not is_cache_gone(error):
                    raise


def is_cache_gone(exc: BaseException) -> bool:
    """Whether ``exc`` is the API's answer for a cache that expired or was deleted: a 403
    "CachedContent not found (or permission denied)" (or a 404)."""
    if isinstance(exc, NotFoundError):
        return True
    return isinstance(exc, PermissionDeniedError) and "CachedContent not found" in str(exc)
