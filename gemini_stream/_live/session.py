"""``LiveSession``: one live conversation over one or more connections, with a bounded
receive buffer, automatic tools and transparent resumption."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
import anyio
import msgspec

from .._errors import (
    ClientClosedError,
    GeminiError,
    ResponseDecodeError,
    StreamConsumedError,
    StreamInterruptedError,
)
from .._http.retry import backoff_delay, sleep
from .messages import LiveMessage, LiveServerContent, decode_message
from .replay import ReplayLog
from .setup import (
    AUDIO_IN_RATE,
    FunctionResponsesInput,
    activity,
    audio_frame,
    text_frame,
    tool_response,
    video_frame,
)
from .socket import WebSocket, close_error, retryable, send_text

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

    from .._chat.tools import Toolbox
    from .._config import RetryPolicy
    from .._wire.parts import FunctionCall

__all__ = ("Connector", "LiveSession")

Connector = Callable[[str | None], Awaitable[WebSocket]]
_TEXT = aiohttp.WSMsgType.TEXT
_BINARY = aiohttp.WSMsgType.BINARY
_CLOSE_WAIT = 2.0  # seconds a closing handshake may take before the socket is dropped
# Yielded when a resumed turn turns out different from what was already delivered.
_DIVERGED = LiveMessage(server_content=LiveServerContent(interrupted=True))


class LiveSession:
    """A live session: send with ``send_*``, read with ``async for message in session``.

    Made by ``client.live.connect(...)``, used inside its ``async with``. Messages wait in
    a buffer of ``buffer`` messages; when it is full the session stops reading the socket
    (the server then waits), so a consumer that stops reading costs bounded memory.

    Attributes:
        handle: the latest resumption handle (``None`` before the first one).
        reconnects: how many times the session moved to a new connection.
    """

    def __init__(
        self,
        connect: Connector,
        *,
        buffer: int,
        resumption: bool,
        handle: str | None,
        max_reconnects: int,
        retry: RetryPolicy,
        toolbox: Toolbox | None,
        audio_out: bool,
        max_replay_bytes: int,
    ) -> None:
        self._connect = connect
        self._resumption = resumption
        self.handle = handle
        self.reconnects = 0
        self._max_reconnects = max_reconnects
        self._retry = retry
        self._toolbox = toolbox
        self._audio_out = audio_out
        self._send, self._receive = anyio.create_memory_object_stream[LiveMessage](buffer)
        self._ws: WebSocket | None = None
        self._conn = 0  # which connection the session is on
        self._next_index = 0  # the index the server gives the next frame on it
        self._lock = asyncio.Lock()  # one frame at a time, in log order
        self._ready = asyncio.Event()  # set while a connection is usable (or the session failed)
        self._log = ReplayLog(max_replay_bytes)
        self._delivered: list[int] = []  # hashes of the frames yielded since the handle
        self._confirmed = 0  # how many of them the current connection sent again
        self._moving = False  # goAway seen: move at the next resumption point
        self._streak = 0  # connections in a row that ended before delivering anything
        self._error: BaseException | None = None
        self._closed = False
        self._group: TaskGroup | None = None
        self._tool_scopes: dict[str, anyio.CancelScope] = {}

    def __repr__(self) -> str:
        state = "closed" if self._closed else "failed" if self._error else "open"
        return f"<LiveSession {state}, {self.reconnects} reconnects>"

    # -- reading ---------------------------------------------------------------------------

    def __aiter__(self) -> LiveSession:
        return self

    async def __anext__(self) -> LiveMessage:
        # receive_nowait first: anyio's receive() yields to the loop once before it looks,
        # a loop turn (latency) per message even when one is waiting.
        try:
            try:
                return self._receive.receive_nowait()
            except anyio.WouldBlock:
                return await self._receive.receive()
        except anyio.EndOfStream:
            if self._error is not None:
                raise self._error from None
            raise StopAsyncIteration from None
        except anyio.ClosedResourceError:
            raise StreamConsumedError("this live session is closed") from None

    async def text_stream(self) -> AsyncIterator[str]:
        """The text of the model's current turn as it arrives, until the turn completes.

        In an AUDIO session it is the transcript of the model's speech (ask for it with
        ``output_transcription=True``). Messages that carry no text are skipped.
        """
        async for message in self:
            text = message.text or (message.output_transcription if self._audio_out else "")
            if text:
                yield text
            if message.turn_complete:
                return

    async def audio_stream(self) -> AsyncIterator[bytes]:
        """The audio of the model's current turn (16-bit PCM, 24 kHz mono), until the
        turn completes (or is interrupted: then drop what you have not played yet)."""
        async for message in self:
            audio = message.audio
            if audio:
                yield audio
            if message.turn_complete:
                return

    # -- sending ---------------------------------------------------------------------------

    async def send_text(self, text: str) -> None:
        """Send typed user input (``realtimeInput.text``); the model answers it."""
        await self._send_frame(text_frame(text))

    async def send_audio(self, pcm: bytes, *, rate: int = AUDIO_IN_RATE) -> None:
        """Send microphone audio: raw 16-bit little-endian mono PCM (16 kHz by default).

        Send 20-100 ms at a time; it waits while the socket's buffer is full.
        """
        await self._send_frame(audio_frame(pcm, rate))

    async def send_video(self, image: bytes, *, mime_type: str = "image/jpeg") -> None:
        """Send one video frame (a JPEG or PNG image)."""
        await self._send_frame(video_frame(image, mime_type))

    async def send_realtime(
        self,
        *,
        text: str | None = None,
        audio: bytes | None = None,
        video: bytes | None = None,
        audio_stream_end: bool = False,
        activity_start: bool = False,
        activity_end: bool = False,
    ) -> None:
        """Send one ``realtimeInput`` message: exactly one of the arguments.

        ``audio_stream_end`` says the microphone paused; ``activity_start`` /
        ``activity_end`` mark speech when automatic activity detection is disabled.
        """
        given = [
            name
            for name, value in (
                ("text", text is not None), ("audio", audio is not None),
                ("video", video is not None), ("audio_stream_end", audio_stream_end),
                ("activity_start", activity_start), ("activity_end", activity_end),
            )
            if value
        ]  # fmt: skip
        if len(given) != 1:
            raise ValueError(f"send_realtime takes exactly one input, got {given or 'none'}")
        if text is not None:
            frame = text_frame(text)
        elif audio is not None:
            frame = audio_frame(audio)
        elif video is not None:
            frame = video_frame(video)
        else:
            key = {"audio_stream_end": "audioStreamEnd", "activity_start": "activityStart"}
            frame = activity(key.get(given[0], "activityEnd"))
        await self._send_frame(frame)

    async def send_tool_response(self, responses: FunctionResponsesInput) -> None:
        """Answer the model's function calls: ``FunctionResponse``s or dicts
        ``{"id": ..., "name": ..., "response": {...}}`` echoing each call's ``id``."""
        await self._send_frame(tool_response(responses))

    async def send_frame(self, frame: bytes) -> None:
        """Send one client message as given (JSON bytes), for fields this API does not
        cover yet."""
        if not isinstance(frame, bytes):
            raise TypeError(f"frame must be bytes of JSON, got {type(frame).__name__}")
        await self._send_frame(frame)

    def _check_open(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise StreamConsumedError("this live session is closed")

    async def _send_frame(self, frame: bytes) -> None:
        self._check_open()
        entry = self._log.add(frame) if self._resumption else None
        while True:
            if not self._ready.is_set():
                await self._ready.wait()
                self._check_open()
            async with self._lock:
                if entry is not None and entry.conn == self._conn:
                    return  # a reconnection sent it again already
                ws = self._ws
                if ws is None:  # not reachable: sends are refused before _start
                    raise StreamConsumedError("this live session is not open")
                if entry is not None:
                    entry.conn, entry.index = self._conn, self._next_index
                self._next_index += 1
                try:
                    await send_text(ws, frame)
                    return
                except (aiohttp.ClientError, OSError) as exc:
                    if entry is None:
                        raise StreamInterruptedError(
                            f"the live connection dropped while sending: {exc}"
                        ) from None
                    # Logged: the reconnection sends it again on the new connection.

    # -- the reader task -------------------------------------------------------------------

    async def _start(self, group: TaskGroup) -> None:
        """Open the first connection (errors raise here) and start reading."""
        self._ws = await self._connect(self.handle)
        self._ready.set()
        self._group = group
        group.start_soon(self._read_loop)

    async def _read_loop(self) -> None:
        close_code = 1011
        try:
            while True:
                ws = self._ws
                if ws is None:
                    return
                message = await ws.receive()
                if message.type is _TEXT or message.type is _BINARY:
                    await self._on_frame(message.data)
                    continue
                if self._closed:
                    return
                reason = str(message.extra or "") if message.type is aiohttp.WSMsgType.CLOSE else ""
                code = ws.close_code if message.type is aiohttp.WSMsgType.CLOSE else 1006
                await self._resume_after(close_error(code, reason))
        except ResponseDecodeError as exc:
            close_code = 1007
            self._fail(exc)
        except Exception as exc:  # stored: the user's loop and sends raise it
            self._fail(exc)
        finally:
            self._send.close()
            ws = self._ws
            if self._error is not None and ws is not None and not ws.closed:
                await _close_quietly(ws, close_code)

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        self._ready.set()  # waiting senders wake and raise it

    async def _on_frame(self, data: bytes | str) -> None:
        try:
            message = decode_message(data)
        except msgspec.DecodeError as exc:
            raw = data if isinstance(data, str) else data[:200].decode("utf-8", "replace")
            raise ResponseDecodeError(f"malformed live message: {exc}", excerpt=raw[:200]) from None
        update = message.session_resumption_update
        if update is not None:
            if self._resumption and update.resumable and update.new_handle:
                self.handle = update.new_handle
                index = update.last_consumed_client_message_index
                self._log.covered(self._conn, None if index is None else int(index))
                del self._delivered[: self._confirmed]
                self._confirmed = 0
                await self._put(message)
                if self._moving and not self._delivered:
                    await self._move()
                return
            await self._put(message)
            return
        if message.go_away is not None:
            self._moving = self._resumption
            await self._put(message)
            if self._moving and not self._delivered and not self._log.entries:
                await self._move()  # nothing in flight: move now
            return
        if message.setup_complete is not None:
            return
        if self._resumption:
            mark = hash(data)
            delivered, index = self._delivered, self._confirmed
            if index < len(delivered):
                if delivered[index] == mark:
                    self._confirmed = index + 1
                    return  # delivered before the connection dropped
                del delivered[index:]
                await self._put(_DIVERGED)
            delivered.append(mark)
            self._confirmed += 1
        self._streak = 0
        if message.tool_call is not None:
            self._start_tools(message.tool_call.function_calls)
        elif message.tool_call_cancellation is not None:
            for call_id in message.tool_call_cancellation.ids:
                scope = self._tool_scopes.pop(call_id, None)
                if scope is not None:
                    scope.cancel()
        await self._put(message)

    async def _put(self, message: LiveMessage) -> None:
        # send_nowait first, as in __anext__: a waiting consumer gets it in this loop turn.
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            try:
                self._send.send_nowait(message)
            except anyio.WouldBlock:  # the buffer is full: wait, and stop reading the socket
                await self._send.send(message)

    # -- resumption ------------------------------------------------------------------------

    async def _resume_after(self, error: GeminiError) -> None:
        """Go on on a new connection after this one ended with ``error``, or raise it."""
        if not self._resumption or not retryable(error):
            raise error
        self._streak += 1
        if self._streak > self._max_reconnects:
            raise StreamInterruptedError(
                f"{error}; {self._streak} connections in a row ended before delivering a "
                f"message (max_reconnects={self._max_reconnects})"
            ) from error
        if self._log.lost:
            raise StreamInterruptedError(
                f"{error}; more than max_replay_bytes={self._log.max_bytes} were sent since "
                "the last resumption point, so resuming would lose input"
            ) from error
        await self._reconnect(error)

    async def _move(self) -> None:
        """Move to a new connection at a resumption point (after ``goAway``)."""
        self._moving = False
        old = self._ws
        await self._reconnect(None)
        if old is not None:
            await _close_quietly(old, 1000)

    async def _reconnect(self, cause: GeminiError | None) -> None:
        self._ready.clear()
        attempt = 0
        while True:
            attempt += 1
            try:
                ws = await self._connect(self.handle)
                async with self._lock:
                    self._conn += 1
                    self._next_index = 0
                    self._ws = ws
                    for entry in self._log.entries:
                        entry.conn, entry.index = self._conn, self._next_index
                        self._next_index += 1
                        await send_text(ws, entry.frame)
                break
            except ClientClosedError:
                raise  # aclose() on the client: nothing to resume
            except (GeminiError, aiohttp.ClientError, OSError) as exc:
                if (isinstance(exc, GeminiError) and not retryable(exc)) or (
                    attempt >= self._max_reconnects
                ):
                    raise StreamInterruptedError(
                        f"the live connection ended ({cause or 'goAway'}) and resuming the "
                        f"session failed after {attempt} attempts: {exc}"
                    ) from exc
                await sleep(backoff_delay(self._retry, attempt))
        self._moving = False
        self._confirmed = 0
        self.reconnects += 1
        self._ready.set()

    # -- tools -----------------------------------------------------------------------------

    def _start_tools(self, calls: list[FunctionCall]) -> None:
        toolbox, group = self._toolbox, self._group
        if toolbox is None or group is None or not toolbox.answers(calls):
            return
        scope = anyio.CancelScope()
        for call in calls:
            if call.id:
                self._tool_scopes[call.id] = scope
        group.start_soon(self._run_tools, toolbox, calls, scope)

    async def _run_tools(self, toolbox: Toolbox, calls: list[FunctionCall], scope: Any) -> None:
        with scope:
            parts = await toolbox.run(calls)
            responses = [p.function_response for p in parts if p.function_response is not None]
            with contextlib.suppress(GeminiError):  # the session failed: its loop raises it
                await self._send_frame(tool_response(responses))
        for call in calls:
            if call.id:
                self._tool_scopes.pop(call.id, None)

    # -- closing ---------------------------------------------------------------------------

    async def _shutdown(self, code: int) -> None:
        self._closed = True
        self._receive.close()
        self._send.close()  # the reader may never have started (setup failed)
        ws = self._ws
        if ws is not None and not ws.closed:
            await _close_quietly(ws, code)


async def _close_quietly(ws: WebSocket, code: int) -> None:
    """Send the close frame at once; wait briefly for the server's, even when cancelled."""
    with (
        anyio.CancelScope(shield=True),
        anyio.move_on_after(_CLOSE_WAIT),
        contextlib.suppress(aiohttp.ClientError, OSError),
    ):
        await ws.close(code=code)
