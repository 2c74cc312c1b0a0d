"""``Endpoint``: where a client's calls go and how (root URL, headers, credentials, transport,
defaults); it makes each ``Call``, for the client and for every resource of the client."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .. import sse
from .._config import RateLimit, RetryPolicy, Timeouts
from .._errors import client_closed
from .._input.names import model_path
from .._limits.context import limiter_for
from .._observe.events import Hooks, as_hooks
from .._observe.probe import Observer
from .._version import __version__
from .call import Call
from .secrets import Headers, mask_key
from .transport import DEFAULT_MAX_CONNECTIONS, Transport
from .vertex import resolve_vertex

if TYPE_CHECKING:
    import aiohttp

    from .._limits.limiter import Limiter
    from .auth import TokenProvider

__all__ = (
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_REPLY_BYTES",
    "Endpoint",
    "base_headers",
    "check_api_version",
    "check_base_url",
    "mask_key",
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
# The largest replies known are a few tens of MB on the wire (several 2K images of an image
# model, base64; ten minutes of TTS audio is ~40 MB), a long text reply a few MB: 256 MiB is
# ten times beyond them, four events of the largest size (max_event_bytes, 64 MiB), and still
# a cap that a runaway reply reaches before it takes a small container's memory.
DEFAULT_MAX_REPLY_BYTES = 256 * 1024 * 1024

_C = TypeVar("_C")
_LIMITED = ("generateContent", "streamGenerateContent", "batchEmbedContents", "embedContent")
_API_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d*)?")


def check_api_version(api_version: str) -> str:
    """Return ``api_version`` if it looks like ``v1``, ``v1beta`` or ``v1alpha2``."""
    if not isinstance(api_version, str) or not _API_VERSION.fullmatch(api_version):
        raise ValueError(f"invalid api_version {api_version!r}: expected e.g. 'v1beta' or 'v1'")
    return api_version


def check_base_url(base_url: str) -> str:
    """Return ``base_url`` without a trailing slash, after checking it is an http(s) root."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"invalid base_url {base_url!r}: expected 'https://host[:port]'")
    return base_url.rstrip("/")


def base_headers(api_key: str | None, extra: Mapping[str, str] | None) -> Headers:
    """Headers sent on every call; the key travels only here, never in a URL (and their
    ``repr`` masks it)."""
    headers = Headers(
        {
            "content-type": "application/json",
            "user-agent": f"gemini-stream/{__version__}",
            "x-goog-api-client": f"gemini-stream/{__version__}",
        }
    )
    if extra:
        headers.update({str(k).lower(): str(v) for k, v in extra.items()})
    if api_key:
        headers["x-goog-api-key"] = api_key
    return headers


class Endpoint:
    """One client's way to the API: settings checked once, a ``Call`` made per request.

    ``Client`` builds one from its arguments (see ``Client`` for their meaning) and hands it
    to its resources (``client.files``, ``client.models``, ...), so they reach the API
    without knowing the client.
    """

    keep_raw = False  # whether replies keep their JSON (a with_options view's setting)

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        api_version: str | None,
        session: aiohttp.ClientSession | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        headers: Mapping[str, str] | None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_event_bytes: int = sse.DEFAULT_MAX_EVENT_BYTES,
        max_reply_bytes: int | None = DEFAULT_MAX_REPLY_BYTES,
        rate_limit: RateLimit | Limiter | None = None,
        vertexai: bool | None = None,
        project: str | None = None,
        location: str | None = None,
        token_provider: TokenProvider | None = None,
        vertex_extras: Mapping[str, Any] | None = None,
        event_hooks: Hooks | Mapping[str, Any] | None = None,
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
        self.timeouts = _checked(timeouts, Timeouts, "timeouts") or Timeouts()
        self.retry = _checked(retry, RetryPolicy, "retry") or RetryPolicy()
        if isinstance(max_event_bytes, bool) or not isinstance(max_event_bytes, int):
            raise TypeError(f"max_event_bytes must be an int, got {max_event_bytes!r}")
        if max_event_bytes < 1:
            raise ValueError(f"max_event_bytes must be positive, got {max_event_bytes!r}")
        if max_reply_bytes is not None and (
            isinstance(max_reply_bytes, bool) or not isinstance(max_reply_bytes, int)
        ):
            raise TypeError(f"max_reply_bytes must be an int or None, got {max_reply_bytes!r}")
        if max_reply_bytes is not None and max_reply_bytes < 1:
            raise ValueError(f"max_reply_bytes must be positive, got {max_reply_bytes!r}")
        self.api_key = api_key
        self.vertex = vertex
        self.auth = vertex.token.headers if vertex is not None and vertex.token else None
        self.base = check_base_url(
            base_url or (DEFAULT_BASE_URL if vertex is None else vertex.host())
        )
        default_version = "v1beta" if vertex is None else vertex.default_api_version
        self.api_version = check_api_version(api_version or default_version)
        self.root = f"{self.base}/{self.api_version}/"
        self.headers = base_headers(api_key, headers)
        self.transport = Transport(session, max_connections)
        self.max_event_bytes = max_event_bytes
        self.max_reply_bytes = max_reply_bytes
        # As a Call carries it: an int to compare with, whatever the setting.
        self._reply_cap = sys.maxsize if max_reply_bytes is None else max_reply_bytes
        self.limiter: Limiter | None = None
        if rate_limit is not None:  # anyio and the limiter are loaded only for a limit
            from .._limits.admission import as_limiter

            self.limiter = as_limiter(rate_limit)
        self.observer = Observer(as_hooks(event_hooks), base=self.base, vertex=vertex is not None)

    def __repr__(self) -> str:
        return f"<Endpoint {self.describe()}>"

    def describe(self) -> str:
        """Where calls go, for a ``repr``: the root (and Vertex AI's mode), the key masked."""
        where = self.root if self.vertex is None else f"{self.root} {self.vertex.describe()}"
        return f"{where} api_key={mask_key(self.api_key)}"

    @property
    def closed(self) -> bool:
        return self.transport.closed

    def model_call(
        self,
        model: str,
        method: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
    ) -> Call:
        """A call of one model's ``method`` (``"generateContent"``...; ``""``: the model
        itself); generation and embedding calls wait for the rate limiter."""
        vertex = self.vertex
        path = model_path(model) if vertex is None else vertex.model_path(model)
        if vertex is not None and body is not None:
            body = vertex.merge_extras(method, body)
        target = f"{path}:{method}" if method else path
        # Only generation and embedding count against the API's RPM/TPM quotas.
        limited = method.startswith(_LIMITED)
        limiter = limiter_for(self.limiter) if limited else None
        return self.call(target, target.split("?")[0], body, timeouts, retry, limiter)

    def call(
        self,
        target: str,
        label: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        limiter: Limiter | None = None,
    ) -> Call:
        """A call of ``target``, a path under the API root (``"files/abc"``)."""
        if self.transport.closed:
            raise client_closed()
        return Call(
            transport=self.transport,
            url=self.root + target,
            label=label,
            body=body,
            headers=self.headers,
            timeouts=_checked(timeouts, Timeouts, "timeouts") or self.timeouts,
            retry=_checked(retry, RetryPolicy, "retry") or self.retry,
            max_event_bytes=self.max_event_bytes,
            max_reply_bytes=self._reply_cap,
            limiter=limiter,
            auth=self.auth,
            probe=self.observer.probe(),
        )

    def url_call(
        self, url: str, label: str, body: bytes | None, timeouts: Timeouts | None, **changes: Any
    ) -> Call:
        """A call to any URL of this API (Files API, upload sessions); ``changes`` set the
        ``method``, ``retry`` or ``headers`` (which are added to the client's)."""
        call = self.call("", label, body, timeouts, None)
        headers = call.headers.copy()
        headers.update(changes.get("headers", {}))
        changes["headers"] = headers
        return dataclasses.replace(call, url=url, **changes)


def _checked(value: _C | None, kind: type[_C], name: str) -> _C | None:
    """``value`` if it is a ``kind`` or ``None``; a ``TypeError`` naming it otherwise."""
    if value is not None and not isinstance(value, kind):
        raise TypeError(f"{name} must be a gs.{kind.__name__}, got {value!r}")
    return value
