"""``client.live``: opening live sessions (``connect``) and minting ephemeral tokens."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from .._chat.tools import DEFAULT_TOOL_TIMEOUT, ChatToolsInput, Toolbox
from .._config import Timeouts
from .._errors import ClientClosedError, unwrapped
from .._http.codec import decode
from .._http.endpoint import check_api_version
from .._input.contents import ContentsInput, SystemInstructionInput
from .._input.request import ConfigInput
from .replay import DEFAULT_MAX_REPLAY_BYTES
from .session import LiveSession
from .setup import SetupOptions, build_setup, client_content, setup_frame
from .socket import open_socket
from .tokens import LiveToken, is_token, mint_body

if TYPE_CHECKING:
    from .._http.endpoint import Endpoint
    from .socket import WebSocket

__all__ = ("DEFAULT_BUFFER", "DEFAULT_MAX_RECONNECTS", "Live", "live_url")

DEFAULT_BUFFER = 64
"""Messages that may wait for a consumer before the session stops reading the socket."""
DEFAULT_MAX_RECONNECTS = 5
"""Attempts to reach a new connection each time one ends (``goAway``, a drop)."""
_SERVICE = "google.ai.generativelanguage.{version}.GenerativeService.{method}"


def live_url(base: str, version: str, constrained: bool) -> str:
    """The WebSocket URL of the Live API under ``base`` (``https://...`` becomes ``wss``)."""
    method = "BidiGenerateContentConstrained" if constrained else "BidiGenerateContent"
    root = "ws" + base.removeprefix("http")  # http -> ws, https -> wss
    return f"{root}/ws/{_SERVICE.format(version=version, method=method)}"


class Live:
    """The Live API of one ``Client``: ``client.live``.

    Example:
        >>> async with client.live.connect("gemini-3.1-flash-live-preview") as session:
        ...     await session.send_text("Hello")
        ...     async for text in session.text_stream():
        ...         print(text, end="")
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def connect(
        self,
        model: str,
        *,
        config: ConfigInput = None,
        system_instruction: SystemInstructionInput = None,
        tools: ChatToolsInput = None,
        history: ContentsInput | None = None,
        input_transcription: bool = False,
        output_transcription: bool = False,
        realtime_input_config: Mapping[str, Any] | None = None,
        context_window_compression: Mapping[str, Any] | bool | None = None,
        resumption: bool | str = True,
        setup: Mapping[str, Any] | None = None,
        automatic_function_calling: bool = True,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
        buffer: int = DEFAULT_BUFFER,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        max_replay_bytes: int = DEFAULT_MAX_REPLAY_BYTES,
        api_version: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> AbstractAsyncContextManager[LiveSession]:
        """Open a live session; use it with ``async with``. Arguments are checked here,
        before anything is sent; the connection opens on entering the block.

        Args:
            model: a Live model such as ``"gemini-3.1-flash-live-preview"``.
            config: a ``GenerationConfig`` or a dict (``response_modalities=["AUDIO"]`` or
                ``["TEXT"]``, ``speech_config``, ``thinking_level``, ``temperature``...).
            system_instruction: a string, parts or a ``Content``.
            tools: Python functions (run automatically when the model calls them, as in a
                ``Chat``), ``Tool``s, declarations or dicts (``{"google_search": {}}``).
            history: turns to seed the conversation with (``clientContent`` with
                ``historyConfig.initialHistoryInClientContent``), sent after setup.
            input_transcription: transcribe the user's audio (``input_transcription``).
            output_transcription: transcribe the model's audio.
            realtime_input_config: voice activity detection settings, in wire shape.
            context_window_compression: ``True`` for a sliding window with the server's
                defaults, or a dict such as ``{"triggerTokens": 25600, "slidingWindow":
                {"targetTokens": 12800}}``; it lifts the session's time limit.
            resumption: ``True`` (default) tracks resumption handles and moves to a new
                connection on ``goAway``, a drop or the connection's time limit, so your
                loop sees no gap; a handle string resumes an earlier session; ``False``
                turns it off (a drop then ends the session with an error).
            setup: more ``setup`` fields in wire shape (``{"proactivity": {...}}``),
                merged last.
            automatic_function_calling: run the Python functions of ``tools`` when called.
            tool_timeout: seconds a function may run before the model gets an error result.
            buffer: server messages that may wait for your loop; when full, the session
                stops reading the socket until you read.
            max_reconnects: connection attempts each time a connection ends.
            max_replay_bytes: the most client data kept to send again after a drop.
            api_version: the version in the WebSocket URL (default: the client's; for an
                ephemeral token ``"v1beta"``, or ``"v1alpha"`` per older docs).
            timeouts: ``connect`` bounds opening each connection and its setup.

        Raises:
            TypeError, ValueError: a bad argument, before any I/O.
            ClientClosedError: the client was closed.
        """
        endpoint = self._endpoint
        if endpoint.closed:
            raise ClientClosedError("this client was closed with aclose(); create a new Client")
        if endpoint.vertex is not None:
            raise ValueError("the Live API of Vertex AI is not supported; use the Gemini API")
        toolbox = Toolbox(tools, tool_timeout)
        handle = resumption if isinstance(resumption, str) else None
        if resumption is not True and resumption is not False and handle is None:
            raise TypeError(f"resumption must be a bool or a handle str, got {resumption!r}")
        options = SetupOptions(
            model=model, config=config, system_instruction=system_instruction,
            tools=toolbox.tools, input_transcription=bool(input_transcription),
            output_transcription=bool(output_transcription),
            realtime_input_config=realtime_input_config,
            context_window_compression=context_window_compression,
            history=history is not None, resumption=resumption is not False, extra=setup,
        )  # fmt: skip
        body = build_setup(options)
        first = client_content(history, True) if history is not None else None
        for name, value in (("buffer", buffer), ("max_reconnects", max_reconnects)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if isinstance(max_replay_bytes, bool) or not isinstance(max_replay_bytes, int):
            raise TypeError(f"max_replay_bytes must be an int, got {max_replay_bytes!r}")
        constrained = is_token(endpoint.api_key)
        version = check_api_version(api_version or endpoint.api_version)
        url = live_url(endpoint.base, version, constrained)
        headers = {k: v for k, v in endpoint.headers.items() if k != "content-type"}
        if constrained:
            headers.pop("x-goog-api-key", None)
            headers["authorization"] = f"Token {endpoint.api_key}"
        limit = (timeouts or endpoint.timeouts).connect
        transport = endpoint.transport

        async def connector(handle: str | None) -> WebSocket:
            return await open_socket(transport, url, headers, setup_frame(body, handle), limit)

        generation = body.get("generationConfig")
        modalities = (generation.response_modalities or []) if generation is not None else []
        session = LiveSession(
            connector, buffer=buffer, resumption=resumption is not False, handle=handle,
            max_reconnects=max_reconnects, retry=endpoint.retry,
            toolbox=toolbox if automatic_function_calling and toolbox.functions else None,
            audio_out=[str(m).upper() for m in modalities] in ([], ["AUDIO"]),  # AUDIO: default
            max_replay_bytes=max_replay_bytes,
        )  # fmt: skip
        return _running(session, first)

    async def create_token(
        self,
        *,
        uses: int = 1,
        expire_time: datetime.datetime | float | None = None,
        new_session_expire_time: datetime.datetime | float | None = None,
        model: str | None = None,
        config: ConfigInput = None,
        system_instruction: SystemInstructionInput = None,
        tools: ChatToolsInput = None,
        setup: Mapping[str, Any] | None = None,
        lock_fields: Sequence[str] | None = None,
        api_version: str = "v1alpha",
        timeouts: Timeouts | None = None,
    ) -> LiveToken:
        """Mint an ephemeral token for a browser or a phone (``POST /v1alpha/auth_tokens``).

        Args:
            uses: sessions the token may start (resuming does not count; 0: no limit).
            expire_time: a timezone-aware datetime, or seconds from now; the server's
                default is 30 minutes.
            new_session_expire_time: the deadline for starting sessions (default 60 s).
            model: lock the token to a setup for this model; with it ``config``,
                ``system_instruction``, ``tools`` and ``setup`` are as for ``connect``
                (Python functions are declared, not run).
            config: the locked setup's generation config.
            system_instruction: the locked setup's system instruction.
            tools: the locked setup's tools.
            setup: more locked setup fields in wire shape (or the whole setup, without
                ``model``).
            lock_fields: setup field paths the token's setup overrides in the client's
                (``fieldMask``); ``None`` with a setup locks the whole setup.
            api_version: where to mint: ``"v1alpha"`` (the SDK's) or ``"v1beta"``.
            timeouts: a per-call override of the client's ``Timeouts``.

        Example:
            >>> token = await client.live.create_token(uses=1, expire_time=600)
            >>> browser_client = gs.Client(ephemeral_token=token.name)
        """
        locked: dict[str, Any] | None = None
        if model is not None:
            options = SetupOptions(
                model=model, config=config, system_instruction=system_instruction,
                tools=Toolbox(tools).tools, resumption=False, extra=setup,
            )  # fmt: skip
            locked = build_setup(options)
        elif setup is not None:
            locked = dict(setup)
        body = mint_body(
            uses=uses, expire_time=expire_time, new_session_expire_time=new_session_expire_time,
            setup=locked, lock_fields=lock_fields,
        )  # fmt: skip
        version = check_api_version(api_version)
        url = f"{self._endpoint.base}/{version}/auth_tokens"
        call = self._endpoint.url_call(url, "auth_tokens.create", body, timeouts, method="POST")
        return decode(await call.fetch(), LiveToken)


@asynccontextmanager
async def _running(session: LiveSession, first: bytes | None) -> AsyncIterator[LiveSession]:
    code = 1000
    with unwrapped():
        async with anyio.create_task_group() as group:
            try:
                await session._start(group)
                if first is not None:
                    await session.send_frame(first)
                yield session
            except anyio.get_cancelled_exc_class():
                code = 1001  # going away
                raise
            except BaseException:
                code = 1011  # an error on our side
                raise
            finally:
                # Closed while the reader still waits on it (aiohttp's way to break a
                # receive): a reader cancelled first would drop the socket without the
                # closing handshake, and the server would see 1006.
                await session._shutdown(code)
                group.cancel_scope.cancel()
