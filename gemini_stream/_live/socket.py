"""One Live API connection: the WebSocket opened on the client's aiohttp session, the
``setup`` / ``setupComplete`` handshake, and close codes translated into the error tree."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import aiohttp
import msgspec

from .._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConnectTimeoutError,
    GeminiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    ServiceUnavailableError,
    StreamInterruptedError,
    api_error,
)
from .messages import decode_message

if TYPE_CHECKING:
    from .._http.transport import Transport

__all__ = ("MAX_FRAME_BYTES", "WebSocket", "close_error", "open_socket", "retryable", "send_text")

WebSocket: TypeAlias = "aiohttp.ClientWebSocketResponse[Any]"
# aiohttp 3.11+ sends bytes as a text frame and hands text frames over undecoded (msgspec
# reads the bytes): no str round trip per frame. Older versions take the slow road.
_SEND_FRAME = hasattr(aiohttp.ClientWebSocketResponse, "send_frame")
_RAW_TEXT: dict[str, Any] = (
    {"decode_text": False}
    if "decode_text"
    in inspect.signature(
        getattr(aiohttp.ClientSession, "_ws_connect", aiohttp.ClientSession.ws_connect)
    ).parameters
    else {}
)


async def send_text(ws: WebSocket, frame: bytes) -> None:
    """Send ``frame`` (UTF-8 JSON) as one text frame."""
    if _SEND_FRAME:
        await ws.send_frame(frame, aiohttp.WSMsgType.TEXT)
    else:  # pragma: no cover - aiohttp < 3.11
        await ws.send_str(frame.decode())


MAX_FRAME_BYTES = 16 * 1024 * 1024
"""The largest server frame accepted (aiohttp's default, 4 MiB, is below a long audio part)."""

# The close codes the Live API uses for fatal errors (see docs/live.md) and the HTTP status
# of the same failure in the REST API, so one ``except`` catches both.
_QUOTA_WORDS = ("quota", "exhausted", "billing", "rate limit")


def close_error(code: int | None, reason: str) -> GeminiError:
    """The error for a connection the server closed (or that dropped) with ``code``.

    1007 (invalid payload: a bad argument, an expired key) is a ``BadRequestError`` or an
    ``AuthenticationError``; 1008 (policy: unknown model) a ``NotFoundError`` or a
    ``PermissionDeniedError``; 1011 (internal) a ``ServerError``, a
    ``ServiceUnavailableError`` or, for quota and billing, a ``RateLimitError``. The
    ``APIError``s carry ``close_code``. Anything else (1000, 1001, 1006 abnormal closure)
    is a ``StreamInterruptedError``.
    """
    lowered = reason.lower()
    error: APIError
    if code == 1007:
        if "api key" in lowered or "token" in lowered or "credential" in lowered:
            error = AuthenticationError(reason, code=401, status="UNAUTHENTICATED")
        else:
            error = BadRequestError(reason, code=400, status="INVALID_ARGUMENT")
    elif code == 1008:
        if "not found" in lowered:
            error = NotFoundError(reason, code=404, status="NOT_FOUND")
        else:
            error = PermissionDeniedError(reason, code=403, status="PERMISSION_DENIED")
    elif code == 1011:
        if any(word in lowered for word in _QUOTA_WORDS):
            error = RateLimitError(reason, code=429, status="RESOURCE_EXHAUSTED")
        elif "unavailable" in lowered:
            error = ServiceUnavailableError(reason, code=503, status="UNAVAILABLE")
        else:
            error = ServerError(reason, code=500, status="INTERNAL")
    else:
        shown = f"{code} {reason}".strip() if code is not None else "no close code"
        return StreamInterruptedError(f"the live connection closed ({shown})")
    error.close_code = code
    return error


def retryable(error: BaseException) -> bool:
    """Whether a connection that ended with ``error`` is worth resuming: a drop, a normal
    close (time limit), or a server failure that is not about quota."""
    if isinstance(error, (RateLimitError, AuthenticationError)):
        return False
    return isinstance(error, (APIConnectionError, ServerError, ConnectTimeoutError))


async def open_socket(
    transport: Transport,
    url: str,
    headers: Mapping[str, str],
    setup: bytes,
    timeout: float | None,
) -> WebSocket:
    """Open a connection, send ``setup`` and wait for ``setupComplete``.

    Raises:
        APIError: the server refused the upgrade (HTTP status) or closed the socket during
            the handshake (close code, see ``close_error``).
        APIConnectionError, ConnectTimeoutError: the server could not be reached in time.
    """
    session = await transport.session()
    try:
        ws: WebSocket = await asyncio.wait_for(
            session.ws_connect(
                url,
                headers=dict(headers),
                max_msg_size=MAX_FRAME_BYTES,
                proxy=transport.proxy_for(url.replace("ws", "http", 1)),
                autoping=True,
                **_RAW_TEXT,
            ),
            timeout,
        )
    except aiohttp.WSServerHandshakeError as exc:
        raise api_error(exc.status, "", exc.message, (), b"", None) from None
    except asyncio.TimeoutError:
        raise ConnectTimeoutError(
            f"opening the live connection took longer than Timeouts.connect={timeout}s"
        ) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise APIConnectionError(f"live connection to {url.split('?')[0]} failed: {exc}") from None
    try:
        await send_text(ws, setup)
        message = await asyncio.wait_for(ws.receive(), timeout)
        if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            reply = decode_message(message.data)
            if reply.setup_complete is None:
                raise ResponseDecodeError(
                    f"the server answered setup with a {reply.kind} message, not setupComplete"
                )
            return ws
        raise close_error(ws.close_code, _reason(message))
    except asyncio.TimeoutError:
        await ws.close()
        raise ConnectTimeoutError(f"no setupComplete within Timeouts.connect={timeout}s") from None
    except msgspec.DecodeError as exc:
        await ws.close(code=1002)
        raise ResponseDecodeError(f"the answer to setup is not a live message: {exc}") from None
    except (aiohttp.ClientError, OSError) as exc:
        await ws.close()
        raise StreamInterruptedError(f"the live connection dropped during setup: {exc}") from None
    except BaseException:
        await ws.close()
        raise


def _reason(message: Any) -> str:
    """The close reason of a CLOSE message (``extra``), else the error's text."""
    if message.type == aiohttp.WSMsgType.CLOSE:
        return str(message.extra or "")
    if message.type == aiohttp.WSMsgType.ERROR:
        return str(message.data)
    return ""
