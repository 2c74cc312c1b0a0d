"""``Client``: the entry point; lifecycle, the everyday calls, and the API's resources."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp

from . import sse
from ._config import RateLimit, RetryPolicy, Timeouts
from ._fanout.methods import FanoutMethods
from ._http.codec import decode_count_tokens
from ._http.codec import encode_request as encode
from ._http.endpoint import DEFAULT_MAX_REPLY_BYTES, Endpoint
from ._http.secrets import check_headers
from ._http.transport import DEFAULT_MAX_CONNECTIONS
from ._http.vertex import refuse_vertex_only
from ._http.view import QueryInput, decode_reply, view_of, with_extras
from ._input.contents import ContentsInput, to_contents
from ._input.request import build_request
from ._stream.chunk_stream import ChunkStream
from ._stream.raw import RawChunkStream
from ._wire.response import GenerateContentResponse

if TYPE_CHECKING:
    from types import TracebackType

    from ._batches.batches import Batches
    from ._caches.caches import Caches
    from ._chat.chat import Chat
    from ._chat.tools import ChatToolsInput
    from ._embed.embed import Embed
    from ._http.auth import TokenProvider
    from ._input.cache_ref import CacheInput
    from ._input.contents import SystemInstructionInput
    from ._input.request import ConfigInput, SafetySettingsInput, ToolConfigInput, ToolsInput
    from ._interactions.resource import Interactions
    from ._limits.limiter import Limiter
    from ._live.resource import Live
    from ._media.files import Files
    from ._media.imagen import GeneratedImages, Images
    from ._models import Models
    from ._observe.events import Hooks
    from ._wire.models import CountTokensResponse, Model


class Client(FanoutMethods):
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
        headers: extra HTTP headers for every request (``str`` names and values; a CR, LF
            or other control character is refused).
        max_connections: the size of the owned session's connection pool.
        max_event_bytes: the largest single streamed event accepted (inline images are big).
        max_reply_bytes: the largest streamed reply body accepted, 256 MiB by default
            (``None``: no cap); past it the stream ends with ``ReplyTooLargeError`` and the
            partial reply, so an endless reply cannot take all memory.
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
        ephemeral_token: a Live API token (``auth_tokens/...``, see docs/live.md) used
            instead of an API key; it opens live sessions only.
        event_hooks: functions called as each request goes (``gs.Hooks``, or a dict such
            as ``{"on_end": fn}``): for metrics and tests. See docs/production.md.

    Raises:
        ValueError: no API key was given or found while talking to Google's endpoint, or a
            setting is invalid (such as a header HTTP forbids).

    Example:
        >>> async with gs.Client() as client:
        ...     reply = await client.generate("gemini-2.5-flash", "Hello")
        ...     print(reply.text)
    """

    _parent: Client | None = None  # a view's (``with_options``): the client it views

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
        max_reply_bytes: int | None = DEFAULT_MAX_REPLY_BYTES,
        rate_limit: RateLimit | Limiter | None = None,
        vertexai: bool | None = None,
        project: str | None = None,
        location: str | None = None,
        token_provider: TokenProvider | None = None,
        vertex_extras: Mapping[str, Any] | None = None,
        ephemeral_token: str | None = None,
        event_hooks: Hooks | Mapping[str, Callable[[Any], object]] | None = None,
    ) -> None:
        if ephemeral_token is not None:  # a Live API token stands in for the key
            from ._live.tokens import ephemeral_key

            api_key = ephemeral_key(api_key, ephemeral_token)
        endpoint = Endpoint(
            api_key, base_url=base_url, api_version=api_version, session=session,
            timeouts=timeouts, retry=retry, headers=check_headers(headers),
            max_connections=max_connections,
            max_event_bytes=max_event_bytes, max_reply_bytes=max_reply_bytes,
            rate_limit=rate_limit, vertexai=vertexai,
            project=project, location=location, token_provider=token_provider,
            vertex_extras=vertex_extras, event_hooks=event_hooks,
        )  # fmt: skip
        self._attach(endpoint)

    def _attach(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self._interactions: Interactions | None = None
        self._live: Live | None = None

    # The API resources below are made on first use (``__getattr__``): a program that only
    # streams never imports them (cold start: benchmarks/bench_coldstart.py).
    files: Files
    """The Files API (``upload``, ``get``, ``list``, ``delete``, ``wait_active``)."""
    models: Models
    """The models the API offers (``get``, ``list``)."""
    images: Images
    """Imagen text-to-image (``generate``)."""
    embed: Embed
    """Embeddings: ``await client.embed(model, contents, task_type=..., ...)``."""
    caches: Caches
    """Context caches (``create``, ``get``, ``list``, ``update``, ``delete``)."""
    batches: Batches
    """The Batch API (``create``, ``get``, ``list``, ``cancel``, ``delete``, ``wait``,
    ``results``): see docs/batches.md."""

    if not TYPE_CHECKING:  # for type checkers, the names above are all there is

        def __getattr__(self, name: str) -> Any:
            return make_resource(self, name)

    @property
    def interactions(self) -> Interactions:
        """The Interactions API (``stream``, ``create``, ``get``, ``cancel``, ``delete``,
        ``wait``, ``resume``, ``chat``): see docs/interactions.md."""
        resource = self._interactions
        if resource is None:
            # Imported on first use: its typed events cost ~17 ms to import and build.
            from ._interactions.resource import Interactions

            resource = self._interactions = Interactions(self._endpoint)
        return resource

    @property
    def live(self) -> Live:
        """The Live API (``connect``, ``create_token``): see docs/live.md."""
        if self._live is None:
            from ._live.resource import Live  # first use: it loads the toolbox and aiohttp ws

            self._live = Live(self._endpoint)
        return self._live

    def __repr__(self) -> str:
        return f"<gemini_stream.Client {self._endpoint.describe()}>"

    @property
    def timeouts(self) -> Timeouts:
        """The ``Timeouts`` every call uses unless it is given its own."""
        return self._endpoint.timeouts

    @timeouts.setter
    def timeouts(self, value: Timeouts) -> None:
        if not isinstance(value, Timeouts):
            raise TypeError(f"timeouts must be a gs.Timeouts, got {value!r}")
        self._endpoint.timeouts = value

    @property
    def retry(self) -> RetryPolicy:
        """The ``RetryPolicy`` every call uses unless it is given its own."""
        return self._endpoint.retry

    @retry.setter
    def retry(self, value: RetryPolicy) -> None:
        if not isinstance(value, RetryPolicy):
            raise TypeError(f"retry must be a gs.RetryPolicy, got {value!r}")
        self._endpoint.retry = value

    @property
    def max_reply_bytes(self) -> int | None:
        """The cap on a streamed reply's body, in bytes (``None``: no cap)."""
        return self._endpoint.max_reply_bytes

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
        """Close the client: every stream still being read (by any task, chats and
        ``stream_many`` included) ends at once with ``ClientClosedError`` carrying its
        partial reply, then the client's own HTTP session is closed (a session you passed
        in stays open). Safe to call more than once; a no-op on a ``with_options`` view."""
        if self._parent is None:
            await self._endpoint.transport.aclose()
            await self._endpoint.observer.aclose()  # the async hooks still running

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` was called."""
        return self._endpoint.closed

    def with_options(
        self,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        extra_query: QueryInput = None,
        extra_body: Mapping[str, Any] | None = None,
        service_tier: str | None = None,
        keep_raw: bool | None = None,
    ) -> Client:
        """A view with other defaults sharing this client's session, limiter and credentials
        (nothing to close; closing the client ends it). ``timeouts``, ``retry``, ``keep_raw``
        replace the client's, the others add (docs/production.md); bad values raise at once."""
        view = Client.__new__(Client)
        view._parent = self._parent or self
        view._attach(view_of(
            self._endpoint, timeouts=timeouts, retry=retry, headers=headers, keep_raw=keep_raw,
            extra_query=extra_query, extra_body=extra_body, service_tier=service_tier))  # fmt: skip
        return view

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
        tool_timeout: float | None = 60.0,  # _chat.tools.DEFAULT_TOOL_TIMEOUT
        cached_content: CacheInput = None,
        service_tier: str | None = None,
    ) -> Chat:
        """Start a multi-turn chat that keeps its history (see ``gs.Chat`` for the arguments).

        ``tools`` may hold plain Python functions (sync or async): they are declared to the
        model and run automatically when it calls them, unless
        ``automatic_function_calling=False``. A call that takes longer than
        ``tool_timeout`` seconds (60 by default, ``None`` for no limit) gives the model an
        error result instead. ``cached_content`` (a ``gs.CachedContent`` or its name) makes
        every message name that context cache, which then holds the system instruction and
        tool declarations: many chats can share one (see docs/caching.md).

        Example:
            >>> chat = client.chat("gemini-2.5-flash", system_instruction="Be brief")
            >>> async for chunk in chat.stream("I have two dogs in my house."):
            ...     print(chunk.text, end="")
        """
        from ._chat.chat import Chat

        client = self if service_tier is None else self.with_options(service_tier=service_tier)
        return Chat(
            client, model, system_instruction=system_instruction, config=config, tools=tools,
            tool_config=tool_config, safety_settings=safety_settings, history=history,
            automatic_function_calling=automatic_function_calling,
            max_function_rounds=max_function_rounds, tool_timeout=tool_timeout,
            cached_content=cached_content,
        )  # fmt: skip

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
        cached_content: CacheInput = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        service_tier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: QueryInput = None,
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
            cached_content: a context cache: a ``gs.CachedContent`` or its
                ``cachedContents/...`` name. ``system_instruction``, ``tools`` and
                ``tool_config`` then belong in the cache and are refused here, as the API
                would; with a ``CachedContent``, so is a model other than the cache's.
            timeouts: a per-call override of the client's ``Timeouts``.
            retry: a per-call override of the client's ``RetryPolicy``.
            service_tier: ``"standard"``, ``"flex"`` or ``"priority"`` (docs/production.md).
            extra_body: deep-merged into this call's JSON body (wire names).
            extra_headers: HTTP headers for this call (credentials refused).
            extra_query: URL parameters for this call.

        Raises:
            TypeError: a value of the wrong type, before anything is sent.
            ValueError: a malformed value, before anything is sent.

        Example:
            >>> async for chunk in client.stream("gemini-2.5-flash", "Hi"):
            ...     print(chunk.text, end="")
        """
        request = build_request(
            contents, config=config, system_instruction=system_instruction, tools=tools,
            tool_config=tool_config, safety_settings=safety_settings, cached_content=cached_content,
            model=model, service_tier=service_tier,
        )  # fmt: skip
        refuse_vertex_only(self._endpoint.vertex, request)
        target = "streamGenerateContent?alt=sse"
        call = self._endpoint.model_call(model, target, encode(request), timeouts, retry)
        call = with_extras(call, extra_body, extra_headers, extra_query)
        return (RawChunkStream if self._endpoint.keep_raw else ChunkStream)(call)

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
        cached_content: CacheInput = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        service_tier: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: QueryInput = None,
    ) -> GenerateContentResponse:
        """Generate a whole reply in one response (``generateContent``).

        Takes the same arguments as ``stream()``.

        Example:
            >>> reply = await client.generate("gemini-2.5-flash", "Hello")
            >>> print(reply.text)
        """
        request = build_request(
            contents, config=config, system_instruction=system_instruction, tools=tools,
            tool_config=tool_config, safety_settings=safety_settings, cached_content=cached_content,
            model=model, service_tier=service_tier,
        )  # fmt: skip
        refuse_vertex_only(self._endpoint.vertex, request)
        call = self._endpoint.model_call(model, "generateContent", encode(request), timeouts, retry)
        call = with_extras(call, extra_body, extra_headers, extra_query)
        return decode_reply(await call.fetch_reply(), call.url, self._endpoint.keep_raw)

    async def count_tokens(
        self, model: str, contents: ContentsInput, *, timeouts: Timeouts | None = None
    ) -> CountTokensResponse:
        """Count the tokens ``contents`` would use with ``model`` (``countTokens``)."""
        from ._wire.request import CountTokensRequest

        body = encode(CountTokensRequest(contents=to_contents(contents)))
        call = self._endpoint.model_call(model, "countTokens", body, timeouts, None)
        return decode_count_tokens(await call.fetch())

    # -- old spellings, kept for one release ----------------------------------------------

    async def get_model(self, name: str, *, timeouts: Timeouts | None = None) -> Model:
        """Deprecated: use ``client.models.get(name)``."""
        _deprecated("client.get_model()", "client.models.get()")
        return await self.models.get(name, timeouts=timeouts)

    def list_models(
        self, *, page_size: int = 50, timeouts: Timeouts | None = None
    ) -> AsyncIterator[Model]:
        """Deprecated: use ``client.models.list()``."""
        _deprecated("client.list_models()", "client.models.list()")
        return self.models.list(page_size=page_size, timeouts=timeouts)

    async def generate_images(self, model: str, prompt: str, **options: Any) -> GeneratedImages:
        """Deprecated: use ``client.images.generate(model, prompt, ...)``."""
        _deprecated("client.generate_images()", "client.images.generate()")
        return await self.images.generate(model, prompt, **options)


# The API resources ``Client.__getattr__`` makes on first use: module and class.
_RESOURCES = {
    "files": ("._media.files", "Files"),
    "models": ("._models", "Models"),
    "images": ("._media.imagen", "Images"),
    "embed": ("._embed.embed", "Embed"),
    "caches": ("._caches.caches", "Caches"),
    "batches": ("._batches.batches", "Batches"),
}


def make_resource(client: Client, name: str) -> Any:
    """Make ``client``'s API resource ``name`` and keep it on the client; AttributeError for
    any other name."""
    where = _RESOURCES.get(name)
    if where is None:
        raise AttributeError(f"{type(client).__name__!r} object has no attribute {name!r}")
    module, class_name = where
    resource = getattr(importlib.import_module(module, __package__), class_name)(client._endpoint)
    setattr(client, name, resource)
    return resource


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )
