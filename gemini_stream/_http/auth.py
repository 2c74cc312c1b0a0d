"""OAuth bearer tokens for Vertex AI: fetched from a provider, cached, refreshed before expiry.

A provider is any callable returning an ``AccessToken`` (or a bare token string). A plain
function runs in a worker thread, because real ones block (google-auth talks HTTP); an
``async def`` runs on the loop. Only one refresh runs at a time; the other requests wait for
it. Application Default Credentials come from google-auth, an optional extra imported lazily.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timezone
from typing import Any, NamedTuple, TypeAlias

from .._errors import CredentialsError

__all__ = (
    "CLOUD_PLATFORM_SCOPE",
    "AccessToken",
    "TokenProvider",
    "TokenSource",
    "default_credentials",
    "google_auth_available",
)

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
REFRESH_MARGIN = 300.0
"""Seconds before expiry at which a token is replaced (google-auth uses about four minutes)."""


class AccessToken(NamedTuple):
    """An OAuth 2 access token for Vertex AI.

    Attributes:
        token: the bearer token.
        expires_at: when it expires, in seconds since the epoch (``time.time()``); ``None``
            for a token that never expires.
        quota_project: a project to bill quota to (sent as ``x-goog-user-project``).
    """

    token: str
    expires_at: float | None = None
    quota_project: str | None = None

    def __repr__(self) -> str:  # the token never shows, in a traceback's locals or a log
        return (
            f"AccessToken(token='***', expires_at={self.expires_at!r}, "
            f"quota_project={self.quota_project!r})"
        )


TokenProvider: TypeAlias = Callable[[], "AccessToken | str | Awaitable[AccessToken | str]"]


def _as_token(value: object) -> AccessToken:
    if isinstance(value, str):
        value = AccessToken(value)
    if not isinstance(value, AccessToken) or not isinstance(value.token, str) or not value.token:
        raise CredentialsError(
            f"the token provider must return a gs.AccessToken or a non-empty str, got {value!r}"
        )
    return value


class TokenSource:
    """Hands out ``Authorization: Bearer`` headers, refreshing the token before it expires."""

    def __init__(self, provider: TokenProvider, *, margin: float = REFRESH_MARGIN) -> None:
        if not callable(provider):
            raise TypeError(f"token_provider must be callable, got {provider!r}")
        self._provider = provider
        self._margin = margin
        self._token: AccessToken | None = None
        self._refreshes = 0
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        name = getattr(self._provider, "__qualname__", type(self._provider).__name__)
        return f"<TokenSource provider={name} {self._refreshes} refreshes>"

    def _fresh(self, token: AccessToken) -> bool:
        return token.expires_at is None or token.expires_at - self._margin > time.time()

    async def headers(self) -> dict[str, str]:
        """The auth headers for one request (refreshing the token first when due).

        Raises:
            CredentialsError: the provider failed or returned something that is no token.
        """
        token = self._token
        if token is None or not self._fresh(token):
            token = await self._refresh()
        headers = {"authorization": f"Bearer {token.token}"}
        if token.quota_project:
            headers["x-goog-user-project"] = token.quota_project
        return headers

    async def _refresh(self) -> AccessToken:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            # A lock belongs to one loop; a client reused under a new loop gets a new one.
            self._lock, self._lock_loop = asyncio.Lock(), loop
        seen = self._refreshes
        async with self._lock:
            token = self._token
            # Requests that queued behind a refresh use its token, even a short-lived one.
            queued = self._refreshes != seen and not _expired(token)
            if token is not None and (queued or self._fresh(token)):
                return token
            self._token = await self._fetch()
            self._refreshes += 1
            return self._token

    async def _fetch(self) -> AccessToken:
        provider = self._provider
        try:
            if inspect.iscoroutinefunction(provider):
                result: object = await provider()
            else:
                import anyio.to_thread  # only for a plain function as the provider

                result = await anyio.to_thread.run_sync(provider)
                if inspect.isawaitable(result):
                    result = await result
        except CredentialsError:
            raise
        except Exception as exc:
            raise CredentialsError(f"could not get a Vertex AI access token: {exc}") from exc
        return _as_token(result)


def _expired(token: AccessToken | None) -> bool:
    return token is None or (token.expires_at is not None and token.expires_at <= time.time())


def google_auth_available() -> bool:
    """Whether google-auth (the ``vertex`` extra) is installed, without importing it."""
    try:
        return importlib.util.find_spec("google.auth") is not None
    except ModuleNotFoundError:  # no ``google`` namespace package at all
        return False


def default_credentials(scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,)) -> TokenProvider:
    """A token provider backed by Application Default Credentials (google-auth).

    ADC finds credentials in ``GOOGLE_APPLICATION_CREDENTIALS``, the gcloud CLI's login, or
    the metadata server of a Google Cloud machine. The provider blocks (the client runs it in
    a worker thread) and talks HTTP with the standard library, so ``requests`` is not needed.

    Raises:
        ImportError: google-auth is not installed (``pip install 'gemini-stream[vertex]'``).
    """
    if not google_auth_available():
        raise ImportError(
            "Application Default Credentials need google-auth: pip install 'gemini-stream[vertex]'"
            " (or pass token_provider=... to gs.Client)"
        )
    lock = threading.Lock()
    found: list[Any] = []

    def fetch() -> AccessToken:
        google_auth: Any = importlib.import_module("google.auth")
        with lock:
            if not found:
                credentials, _project = google_auth.default(scopes=list(scopes))
                found.append(credentials)
            credentials = found[0]
            credentials.refresh(_transport_request())
            expiry = credentials.expiry  # a naive UTC datetime, or None
            expires_at = None if expiry is None else expiry.replace(tzinfo=timezone.utc).timestamp()
            quota = getattr(credentials, "quota_project_id", None)
            return AccessToken(credentials.token, expires_at, quota)

    return fetch


def _transport_request() -> Any:
    """A google-auth ``transport.Request`` over ``urllib`` (no ``requests`` dependency)."""
    import urllib.error  # only Vertex AI with ADC needs them; keep the package import light
    import urllib.request

    transport: Any = importlib.import_module("google.auth.transport")
    exceptions: Any = importlib.import_module("google.auth.exceptions")

    class Response(transport.Response):  # type: ignore[misc]
        def __init__(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self._status, self._headers, self._data = status, headers, data

        @property
        def status(self) -> int:
            return self._status

        @property
        def headers(self) -> dict[str, str]:
            return self._headers

        @property
        def data(self) -> bytes:
            return self._data

    class Request(transport.Request):  # type: ignore[misc]
        def __call__(
            self,
            url: str,
            method: str = "GET",
            body: bytes | None = None,
            headers: dict[str, str] | None = None,
            timeout: float | None = None,
            **kwargs: Any,
        ) -> Response:
            request = urllib.request.Request(
                url, data=body, headers=dict(headers or {}), method=method
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout or 120) as reply:
                    return Response(reply.status, dict(reply.headers), reply.read())
            except urllib.error.HTTPError as err:
                return Response(err.code, dict(err.headers), err.read())
            except (urllib.error.URLError, OSError) as err:
                raise exceptions.TransportError(err) from err

    return Request()
