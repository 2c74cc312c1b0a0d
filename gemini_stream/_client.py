"""``Client``: the entry point; lifecycle, configuration, and the API calls."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp

from . import sse
from ._chat.chat import Chat
from ._config import RateLimit, RetryPolicy, Timeouts
from ._errors import ClientClosedError
from ._fanout.mixin import FanoutMixin
from ._http.call import DEFAULT_MAX_CONNECTIONS, Call, Transport
from ._http.codec import decode_count_tokens, decode_list_models, decode_model, decode_response
from ._http.codec import encode_request as encode
from ._http.endpoint import (
    DEFAULT_BASE_URL,
    base_headers,
    check_api_version,
    check_base_url,
    mask_key,
    model_path,
)
from ._http.vertex import resolve_vertex
from ._input.request import ContentsInput, build_request, to_contents
from ._limits.admission import as_limiter, limiter_for
from ._limits.limiter import Limiter
from ._media.files import Files
from ._media.imagen import ImagenMixin
from ._stream.chunk_stream import ChunkStream
from .types import (
    CountTokensRequest,
    CountTokensResponse,
    GenerateContentResponse,
    Model,
)

if TYPE_CHECKING:
    from types import TracebackType

    from ._chat.tools import ChatToolsInput
    from ._http.auth import TokenProvider
    from ._input.request import (
        ConfigInput,
        SafetySettingsInput,
        SystemInstructionInput,
        ToolConfigInput,
        ToolsInput,
    )


class Client(ImagenMixin, FanoutMixin):
    """An asyncio client for the Gemini API, meant to be shared by every task of a process.

    Args:
        api_key: the API key; defaults to ``GEMINI_API_KEY``, then ``GOOGLE_API_KEY``. It is
            sent only in the ``x-goog-api-key`` header and masked in ``repr`` and errors.
        base_url: the server root, such as an emulator's ``url``; the client appends
            ``/{api_version}/models/...``. Defaults to ``GEMINI_BASE_URL`` when set (handy
            for pointing a program at the emulator unchanged), else Google's endpoint.
        api_version: ``"v1beta"`` (default) or another version such as ``"v1"``; on Vertex
            AI ``"v1"`` (``"v1beta1"`` in express mode).
        session: an ``aiohttp.ClientSession`` of your own; the client uses it and never
            closes it. Without one the client creates its own on first use and closes it
            in ``aclose()``.
        timeouts: connect / first-chunk / idle / total limits (``gs.Timeouts``).
        retry: when to retry (``gs.RetryPolicy``); on by default.
        headers: extra HTTP headers for every request.
        max_connections: the size of the owned session's connection pool.
        max_event_bytes: the largest single streamed event accepted (inline images are big).
        rate_limit: client-side limits every generation request waits for (``gs.RateLimit``,
            or a ``gs.Limiter`` shared with other clients); a 429 pauses them all.
        vertexai: use Vertex AI (default: ``GOOGLE_GENAI_USE_VERTEXAI``): OAuth tokens with a
            ``project``, express mode with only an API key. See docs/multimodal.md.
        project: the Google Cloud project; defaults to ``GOOGLE_CLOUD_PROJECT``.
        location: e.g. ``"us-central1"``; defaults to ``GOOGLE_CLOUD_LOCATION``, ``"global"``.
        token_provider: returns a ``gs.AccessToken`` or a token string (a plain function runs
            in a worker thread); defaults to Application Default Credentials (google-auth).
        vertex_extras: Vertex-only fields (``{"labels": {...}}``...) merged into every
            generation request; refused unless ``vertexai`` is on.

    Raises:
        ValueError: no API key was given or found while talking to Google's endpoint, or a
            setting is invalid.

    Example:
        >>> async with gs.Client() as client:
        ...     reply = await client.generate("gemini-2.5-flash", "Hello")
        ...     print(reply.text)
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_event_bytes: int = sse.DEFAULT_MAX_EVENT_BYTES,
        rate_limit: RateLimit | Limiter | None = None,
        vertexai: bool | None = None,
        project: str | None = None,
        location: str | None = None,
        token_provider: TokenProvider | None = None,
        vertex_extras: Mapping[str, Any] | None = None,
    ) -> None:
        explicit_key = api_key
        if api_key is None:
            api_key = os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
        if base_url is None:
            base_url = os.environ.get("GEMINI_BASE_URL") or None
        if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
            raise ValueError("api_key must be a non-empty string")
        vertex = resolve_vertex(
            vertexai, explicit_key, api_key, project, location, token_provider, vertex_extras
        )
        if vertex is not None:
            api_key = vertex.api_key  # project mode authenticates with tokens, not keys
        elif not api_key and base_url is None:
            raise ValueError(
                "no API key: pass api_key=..., or set GEMINI_API_KEY (or GOOGLE_API_KEY); "
                "a key is needed unless base_url points at a server that does not check one"
            )
        if timeouts is not None and not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a gs.Timeouts, got {timeouts!r}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a gs.RetryPolicy, got {retry!r}")
        if isinstance(max_event_bytes, bool) or not isinstance(max_event_bytes, int):
            raise TypeError(f"max_event_bytes must be an int, got {max_event_bytes!r}")
        if max_event_bytes < 1:
            raise ValueError(f"max_event_bytes must be positive, got {max_event_bytes!r}")
        self._api_key = api_key
        self._vertex = vertex
        self._auth = vertex.token.headers if vertex is not None and vertex.token else None
        host = DEFAULT_BASE_URL if vertex is None else vertex.host()
        self._base = check_base_url(base_url or host)
        default_version = "v1beta" if vertex is None else vertex.default_api_version
        self._api_version = check_api_version(api_version or default_version)
        self._root = f"{self._base}/{self._api_version}/"
        self._headers = base_headers(api_key, headers)
        self.files = Files(self)
        """The Files API (``upload``, ``get``, ``list``, ``delete``, ``wait_active``)."""
        self._transport = Transport(session, max_connections)
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._max_event_bytes = max_event_bytes
        self._limiter = as_limiter(rate_limit)

    def __repr__(self) -> str:
        where = self._root if self._vertex is None else f"{self._root} {self._vertex.describe()}"
        return f"<gemini_stream.Client {where} api_key={mask_key(self._api_key)}>"

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's own HTTP session (a session you passed in stays open)."""
        await self._transport.aclose()

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        return self._transport.closed

    # -- calls ------------------------------------------------------------------------------

    def chat(
        self,
        model: str,
        *,
        system_instruction: SystemInstructionInput = None,
        config: ConfigInput = None,
        tools: ChatToolsInput = None,
        tool_config: ToolConfigInput = None,
        safety_settings: SafetySettingsInput = None,
        history: ContentsInput | None = None,
        automatic_function_calling: bool = True,
        max_function_rounds: int = 10,
    ) -> Chat:
        """Start a multi-turn chat that keeps its history (see ``gs.Chat`` for the arguments).

        ``tools`` may hold plain Python functions (sync or async): they are declared to the
        model and run automatically when it calls them, unless
        ``automatic_function_calling=False``.

        Example:
            >>> chat = client.chat("gemini-2.5-flash", system_instruction="Be brief")
            >>> async for chunk in chat.stream("I have two dogs in my house."):
            ...     print(chunk.text, end="")
        """
        return Chat(
            self,
            model,
            system_instruction=system_instruction,
            config=config,
            tools=tools,
            tool_config=tool_config,
            safety_settings=safety_settings,
            history=history,
            automatic_function_calling=automatic_function_calling,
            max_function_rounds=max_function_rounds,
        )

    def stream(
        self,
        model: str,
        contents: ContentsInput,
        *,
        config: ConfigInput = None,
        system_instruction: SystemInstructionInput = None,
        tools: ToolsInput = None,
        tool_config: ToolConfigInput = None,
        safety_settings: SafetySettingsInput = None,
        cached_content: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> ChunkStream:
        """Stream a reply: returns a ``ChunkStream`` at once; the request goes out when it is
        first iterated.

        Args:
            model: ``"gemini-2.5-flash"``, ``"models/..."`` or ``"tunedModels/..."``.
            contents: a string, parts, ``Content``s or wire-shaped dicts (see the docs).
            config: a ``GenerationConfig`` or a dict of its fields.
            system_instruction: a string, parts or a ``Content``.
            tools: ``Tool``s, ``FunctionDeclaration``s or dicts, as in the REST API.
            tool_config: a ``ToolConfig`` or a dict.
            safety_settings: ``SafetySetting``s or dicts with category and threshold.
            cached_content: a ``cachedContents/...`` name.
            timeouts: a per-call override of the client's ``Timeouts``.
            retry: a per-call override of the client's ``RetryPolicy``.

        Raises:
            TypeError: a value of the wrong type, before anything is sent.
            ValueError: a malformed value, before anything is sent.

        Example:
            >>> async for chunk in client.stream("gemini-2.5-flash", "Hi"):
            ...     print(chunk.text, end="")
        """
        request = build_request(
            contents,
            config=config,
            system_instruction=system_instruction,
            tools=tools,
            tool_config=tool_config,
            safety_settings=safety_settings,
            cached_content=cached_content,
        )
        call = self._call(model, "streamGenerateContent?alt=sse", encode(request), timeouts, retry)
        return ChunkStream(call)

    async def generate(
        self,
        model: str,
        contents: ContentsInput,
        *,
        config: ConfigInput = None,
        system_instruction: SystemInstructionInput = None,
        tools: ToolsInput = None,
        tool_config: ToolConfigInput = None,
        safety_settings: SafetySettingsInput = None,
        cached_content: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> GenerateContentResponse:
        """Generate a whole reply in one response (``generateContent``).

        Takes the same arguments as ``stream()``.

        Example:
            >>> reply = await client.generate("gemini-2.5-flash", "Hello")
            >>> print(reply.text)
        """
        request = build_request(
            contents,
            config=config,
            system_instruction=system_instruction,
            tools=tools,
            tool_config=tool_config,
            safety_settings=safety_settings,
            cached_content=cached_content,
        )
        call = self._call(model, "generateContent", encode(request), timeouts, retry)
        return decode_response(await call.fetch())

    async def count_tokens(
        self, model: str, contents: ContentsInput, *, timeouts: Timeouts | None = None
    ) -> CountTokensResponse:
        """Count the tokens ``contents`` would use with ``model`` (``countTokens``)."""
        body = encode(CountTokensRequest(contents=to_contents(contents)))
        return decode_count_tokens(
            await self._call(model, "countTokens", body, timeouts, None).fetch()
        )

    async def get_model(self, name: str, *, timeouts: Timeouts | None = None) -> Model:
        """Describe one model: token limits, supported methods, defaults."""
        call = self._call(name, "", None, timeouts, None)
        return decode_model(await call.fetch())

    async def list_models(
        self, *, page_size: int = 50, timeouts: Timeouts | None = None
    ) -> AsyncIterator[Model]:
        """Iterate over every model the API offers, fetching pages as needed.

        Example:
            >>> async for model in client.list_models():
            ...     print(model.name)
        """
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int, got {page_size!r}")
        if self._vertex is not None:
            raise ValueError("list_models() lists Gemini API models; Vertex AI has no such list")
        token = ""
        while True:
            query = f"models?pageSize={page_size}" + (f"&pageToken={token}" if token else "")
            call = self._make_call(query, "models", None, timeouts, None)
            page = decode_list_models(await call.fetch())
            for model in page.models or ():
                yield model
            token = page.next_page_token or ""
            if not token:
                return

    # -- helpers ----------------------------------------------------------------------------

    def _call(
        self,
        model: str,
        method: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
    ) -> Call:
        vertex = self._vertex
        path = model_path(model) if vertex is None else vertex.model_path(model)
        if vertex is not None and body is not None:
            body = vertex.merge_extras(method, body)
        target = f"{path}:{method}" if method else path
        # Only generation counts against the API's RPM/TPM quotas.
        limited = method.startswith(("generateContent", "streamGenerateContent"))
        limiter = limiter_for(self._limiter) if limited else None
        return self._make_call(target, target.split("?")[0], body, timeouts, retry, limiter)

    def _make_call(
        self,
        target: str,
        label: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        limiter: Limiter | None = None,
    ) -> Call:
        if self._transport.closed:
            raise ClientClosedError("this client was closed with aclose(); create a new Client")
        if timeouts is not None and not isinstance(timeouts, Timeouts):
            raise TypeError(f"timeouts must be a gs.Timeouts, got {timeouts!r}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a gs.RetryPolicy, got {retry!r}")
        return Call(
            transport=self._transport,
            url=self._root + target,
            label=label,
            body=body,
            headers=self._headers,
            timeouts=timeouts or self.timeouts,
            retry=retry or self.retry,
            max_event_bytes=self._max_event_bytes,
            limiter=limiter,
            auth=self._auth,
        )

    def _url_call(
        self, url: str, label: str, body: bytes | None, timeouts: Timeouts | None, **changes: Any
    ) -> Call:
        """A call to any URL of this API (Files API, upload sessions); ``changes`` set the
        ``method``, ``retry`` or ``headers`` (which are added to the client's)."""
        call = self._make_call("", label, body, timeouts, None)
        changes["headers"] = {**call.headers, **changes.get("headers", {})}
        return dataclasses.replace(call, url=url, **changes)
