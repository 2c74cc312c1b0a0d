"""The emulator's Live API: the WebSocket routes, API keys and ephemeral tokens, resumption
handles, and the faults a test can queue (drop or close a connection after N frames).

A connection's conversation runs in :class:`~._live_session.LiveConnection`.
"""

from __future__ import annotations

import base64
import collections
import datetime
import hashlib
import json
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import _errors
from ._live_model import LiveState
from ._records import RequestRecord

LIVE_PATH = (
    "/ws/google.ai.generativelanguage.{version:v1alpha|v1beta}.GenerativeService."
    "{method:BidiGenerateContent|BidiGenerateContentConstrained}"
)
TOKENS_PATH = "/{version:v1alpha|v1beta}/auth_tokens"
_LIVE_MODEL = re.compile(r"models/[a-z0-9.-]*(live|native-audio)[a-z0-9.-]*")
_MAX_HANDLES = 10_000
MAX_FRAME = 64 * 1024 * 1024


@dataclass
class LiveFault:
    """What the next connection suffers: after ``after`` frames past ``setupComplete``, a
    drop (no close frame: the client sees 1006) or a close with ``code`` and ``reason``."""

    after: int
    code: int | None = None
    reason: str = ""
    times: int = 1


@dataclass
class StoredToken:
    """An ephemeral token as minted (times in seconds since the epoch)."""

    name: str
    uses: int
    expire_at: float
    new_session_until: float
    setup: dict[str, Any] | None
    field_mask: list[str] | None


class LiveStore:
    """The Live API's state, shared by every connection: ``emulator.live``.

    Attributes:
        go_away_after: seconds after which each connection gets ``goAway`` (``None``:
            never); it closes ``go_away_time_left`` seconds later with code 1000.
        go_away_time_left: the ``timeLeft`` of ``goAway``, in seconds.
        frame_delay: seconds between the frames of a model turn (slow frames).
        text_frames: send JSON in text frames (Google sends binary frames, the default).
        connections: how many connections completed ``setup``.
        frames_sent: how many frames all connections sent after ``setupComplete``.
        close_codes: the close code of each connection that ended, in order (the client's,
            when it closed first).
        tokens: the minted ephemeral tokens by name.
    """

    def __init__(self, chunk_tokens: int = 8) -> None:
        self.chunk_tokens = chunk_tokens
        self.go_away_after: float | None = None
        self.go_away_time_left = 1.0
        self.frame_delay = 0.0
        self.text_frames = False
        self.connections = 0
        self.close_codes: list[int | None] = []
        self.frames_sent = 0
        self.tokens: dict[str, StoredToken] = {}
        self._handles: collections.OrderedDict[str, LiveState] = collections.OrderedDict()
        self._faults: collections.deque[LiveFault] = collections.deque()
        self._clock_offset = 0.0
        self._minted = 0

    def now(self) -> float:
        """The token clock: real time plus what ``advance`` added."""
        return time.time() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Move the token clock forward, so a test sees a token expire without waiting."""
        self._clock_offset += seconds

    def drop_next(self, after: int, *, times: int = 1) -> None:
        """Drop the next ``times`` connections, without a close frame, after ``after``
        frames past ``setupComplete``."""
        self._faults.append(LiveFault(after, times=times))

    def close_next(self, code: int, reason: str = "", *, after: int = 0, times: int = 1) -> None:
        """Close the next ``times`` connections with ``code`` and ``reason`` after
        ``after`` frames past ``setupComplete`` (1007, 1008 and 1011 are Google's)."""
        self._faults.append(LiveFault(after, code, reason, times))

    def take_fault(self) -> LiveFault | None:
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.times -= 1
        if fault.times <= 0:
            self._faults.popleft()
        return fault

    # -- resumption ------------------------------------------------------------------------

    def keep(self, state: LiveState) -> str:
        """Store a snapshot of ``state``; return its handle."""
        snapshot = state.snapshot()
        digest = hashlib.sha256(f"{id(snapshot)}-{time.monotonic_ns()}".encode()).digest()
        handle = base64.urlsafe_b64encode(digest[:18]).decode()
        self._handles[handle] = snapshot
        while len(self._handles) > _MAX_HANDLES:
            self._handles.popitem(last=False)
        return handle

    def restore(self, handle: str) -> LiveState | None:
        state = self._handles.get(handle)
        return state.snapshot() if state is not None else None

    # -- tokens ----------------------------------------------------------------------------

    def mint(self, body: Any) -> _errors.ErrorReply | dict[str, Any]:
        """``POST /v1alpha/auth_tokens``: a new token, or the 400 for a bad body."""
        if not isinstance(body, dict):
            return _errors.invalid_argument("Invalid JSON payload: expected an AuthToken.")
        now = self.now()
        try:
            uses = int(body.get("uses", 1))
            expire = _time(body.get("expireTime"), now + 1800)
            start = _time(body.get("newSessionExpireTime"), now + 60)
        except ValueError as exc:
            return _errors.invalid_argument(str(exc))
        if uses < 0 or expire > now + 20 * 3600 or start > now + 20 * 3600:
            return _errors.invalid_argument("expire_time must be less than 20 hours ahead.")
        setup = body.get("bidiGenerateContentSetup")
        mask = body.get("fieldMask")
        self._minted += 1
        secret = hashlib.sha256(f"token-{self._minted}-{now}".encode()).hexdigest()[:32]
        name = f"auth_tokens/{secret}"
        self.tokens[name] = StoredToken(
            name, uses, expire, start, setup, mask.split(",") if isinstance(mask, str) else None
        )
        return {"name": name, "expireTime": _stamp(expire), "newSessionExpireTime": _stamp(start),
                "uses": uses}  # fmt: skip

    def check_token(self, name: str | None, resuming: bool) -> tuple[StoredToken | None, str]:
        """The token a constrained connection names, or ``None`` and why it is refused."""
        token = self.tokens.get(name or "")
        now = self.now()
        if token is None:
            return None, "Ephemeral token is not valid. Please pass a valid token."
        if now >= token.expire_at:
            return None, "The ephemeral token has expired."
        if not resuming:
            if now >= token.new_session_until:
                return None, "The ephemeral token can no longer start new sessions."
            if token.uses == -1:
                return None, "The ephemeral token has no uses left."
            if token.uses:
                token.uses = token.uses - 1 or -1  # -1: used up (0 means unlimited)
        return token, ""


def locked_setup(token: StoredToken, setup: dict[str, Any]) -> dict[str, Any]:
    """Apply a token's locked setup to the client's (``fieldMask`` semantics)."""
    locked = token.setup
    if locked is None:
        return setup
    handle = setup.get("sessionResumption")
    if not token.field_mask:
        out = dict(json.loads(json.dumps(locked)))
    else:
        out = dict(setup)
        for path in token.field_mask:
            keys = [_camel(k) for k in path.strip().split(".")]
            source: Any = locked
            for key in keys:
                source = source.get(key) if isinstance(source, dict) else None
            target = out
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            if source is None:
                target.pop(keys[-1], None)
            else:
                target[keys[-1]] = source
    if handle is not None:
        out["sessionResumption"] = handle
    return out


def live_model_problem(setup: Mapping[str, Any]) -> str | None:
    """The 1008 reason for a setup naming no Live model, else ``None``."""
    model = str(setup.get("model", ""))
    if _LIVE_MODEL.fullmatch(model):
        return None
    return (
        f"{model or 'model'} is not found for API version v1beta, or is not supported for "
        "bidiGenerateContent."
    )


def check_key(
    request: web.Request, record: RequestRecord, api_keys: Collection[str] | None
) -> tuple[int, str] | None:
    """The close code and reason for a connection without a valid API key."""
    key = request.headers.get("x-goog-api-key") or request.query.get("key")
    record.api_key = RequestRecord.fingerprint(key) if key else key
    if not key:
        return 1008, "The caller does not have permission"
    if api_keys is not None and key not in api_keys:
        return 1007, "API key not valid. Please pass a valid API key."
    return None


def token_of(request: web.Request) -> str | None:
    """The ephemeral token of a request: ``?access_token=`` or ``Authorization: Token``."""
    token = request.query.get("access_token")
    header = request.headers.get("Authorization", "")
    if token is None and header.startswith("Token "):
        token = header[len("Token ") :].strip()
    return token


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _time(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        text = str(value).replace("Z", "+00:00")
        return datetime.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise ValueError(f"Invalid value for timestamp: {value!r}") from None


def _stamp(seconds: float) -> str:
    when = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


__all__ = (
    "LIVE_PATH",
    "MAX_FRAME",
    "TOKENS_PATH",
    "LiveFault",
    "LiveStore",
    "StoredToken",
    "check_key",
    "live_model_problem",
    "locked_setup",
    "token_of",
)
