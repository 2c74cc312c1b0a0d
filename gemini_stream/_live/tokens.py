"""Ephemeral tokens: minting one (``auth_tokens``) and telling a token from an API key."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from .._wire.base import Wire
from .setup import encode

__all__ = ("TOKEN_PREFIX", "LiveToken", "ephemeral_key", "is_token", "mint_body")

TOKEN_PREFIX = "auth_tokens/"


class LiveToken(Wire, frozen=True, kw_only=True):
    """An ephemeral token (an ``AuthToken``): hand ``name`` to a browser or a phone, which
    connects with ``gs.Client(ephemeral_token=token.name)``.

    Attributes:
        name: the token itself, ``"auth_tokens/..."``.
        expire_time: after it, messages on sessions using the token are refused.
        new_session_expire_time: the deadline for starting sessions with it.
        uses: how many sessions it may start (resuming one does not count; 0: no limit).
    """

    name: str
    expire_time: str | None = None
    new_session_expire_time: str | None = None
    uses: int | None = None

    def __repr__(self) -> str:  # the token is a credential: never in a log line
        return f"LiveToken(name='auth_tokens/***', expire_time={self.expire_time!r})"


def is_token(key: str | None) -> bool:
    """Whether ``key`` is an ephemeral token rather than an API key."""
    return bool(key) and str(key).startswith(TOKEN_PREFIX)


def ephemeral_key(api_key: str | None, token: str) -> str:
    """The credential a client made with ``ephemeral_token=`` uses.

    Raises:
        ValueError: both an API key and a token were given, or the token is not one.
    """
    if api_key is not None:
        raise ValueError("pass api_key or ephemeral_token, not both")
    if not isinstance(token, str) or not is_token(token):
        raise ValueError(
            f"ephemeral_token must be a token name 'auth_tokens/...', got {str(token)[:16]!r}"
        )
    return token


def _timestamp(value: datetime.datetime | float | None, name: str) -> str | None:
    """An RFC 3339 UTC time from a datetime or seconds from now."""
    if value is None:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware, got {value!r}")
        when = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        when = now + datetime.timedelta(seconds=value)
    else:
        raise ValueError(f"{name} must be a datetime or seconds from now (> 0), got {value!r}")
    if when - now > datetime.timedelta(hours=20):
        raise ValueError(f"{name} must be less than 20 hours ahead, got {value!r}")
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mint_body(
    *,
    uses: int,
    expire_time: datetime.datetime | float | None,
    new_session_expire_time: datetime.datetime | float | None,
    setup: Mapping[str, Any] | None,
    lock_fields: Sequence[str] | None,
) -> bytes:
    """The body of ``POST /{version}/auth_tokens``.

    Raises:
        ValueError, TypeError: a bad argument, named.
    """
    if isinstance(uses, bool) or not isinstance(uses, int) or uses < 0:
        raise ValueError(f"uses must be an int >= 0 (0: no limit), got {uses!r}")
    body: dict[str, Any] = {"uses": uses}
    expire = _timestamp(expire_time, "expire_time")
    if expire is not None:
        body["expireTime"] = expire
    start = _timestamp(new_session_expire_time, "new_session_expire_time")
    if start is not None:
        body["newSessionExpireTime"] = start
    if setup is not None:
        body["bidiGenerateContentSetup"] = setup
    if lock_fields is not None:
        if isinstance(lock_fields, str) or not all(isinstance(f, str) for f in lock_fields):
            raise TypeError(f"lock_fields must be a list of field paths, got {lock_fields!r}")
        if setup is None:
            raise ValueError("lock_fields needs a setup (model, config...) to lock")
        body["fieldMask"] = ",".join(lock_fields)
    return encode(body)
