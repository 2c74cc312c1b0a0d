"""The events ``Client(event_hooks=...)`` hands to hooks, and ``Hooks``, which names them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from .._wire.candidate import UsageMetadata

__all__ = (
    "ChunkErrorEvent",
    "EndEvent",
    "Hooks",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "as_hooks",
)


class _Event(msgspec.Struct, frozen=True, kw_only=True):
    """What every event says of its request. (Not ``gc=False``: an event may hold an error,
    whose traceback may lead back to it.)"""

    request_id: int
    """A number the process gives each request, the same on all its events and attempts."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, ..."""
    method: str
    """``"POST"``, ``"GET"``, ``"PATCH"`` or ``"DELETE"``."""
    url: str
    """The URL, with query values other than a few harmless ones (``alt``, ``pageSize``,
    ...) shown as ``***``: no key or signed upload id reaches a hook."""
    operation: str
    """The API method: ``"streamGenerateContent"``, ``"generateContent"``,
    ``"batchEmbedContents"``, ``"files.get"``, ``"interactions"``..."""
    model: str | None
    """The model named in the URL (``"gemini-2.5-flash"``), if any."""


class RequestEvent(_Event, frozen=True, kw_only=True):
    """An attempt is about to be sent (``on_request``)."""

    body_bytes: int
    """The size of the request body (0 for a ``GET``)."""


class ResponseEvent(_Event, frozen=True, kw_only=True):
    """An attempt's response headers came (``on_response``), whatever the status."""

    status: int
    """The HTTP status code."""
    elapsed: float
    """Seconds from sending this attempt to its headers."""


class RetryEvent(_Event, frozen=True, kw_only=True):
    """Attempt ``attempt`` failed and another will be made after ``delay`` (``on_retry``)."""

    status: int | None
    """The failed attempt's HTTP status, or ``None`` when no response came."""
    error: BaseException
    """Why the attempt failed (a ``gs.GeminiError``)."""
    delay: float
    """Seconds the client waits before the next attempt."""


class ChunkErrorEvent(_Event, frozen=True, kw_only=True):
    """A reply that had begun well (a 2xx status) failed while its body was read: an error
    event in the stream, Google's raw error JSON after the 200, a broken connection, an idle
    timeout, a malformed or oversized event (``on_chunk_error``). ``on_retry`` or ``on_end``
    follows."""

    error: BaseException
    """The error (its ``partial`` holds the reply received before it)."""
    chunks: int
    """Chunks received before the error."""


class EndEvent(_Event, frozen=True, kw_only=True):
    """The request ended, for good (``on_end``): once per request, after its last attempt.

    ``attempt`` is the number of attempts made.
    """

    outcome: str
    """``"ok"``; ``"error"``; ``"closed"`` (the caller stopped reading: ``break``,
    ``aclose()``); or ``"cancelled"`` (the task was cancelled)."""
    status: int | None
    """The last attempt's HTTP status (``None``: no response came)."""
    error: BaseException | None
    """The error the call raised, for ``"error"``."""
    elapsed: float
    """Seconds from sending the first attempt to the end."""
    time_to_headers: float | None
    """Seconds from sending the last attempt to its headers."""
    time_to_first_chunk: float | None
    """Streams: seconds from sending the last attempt to the body's first bytes."""
    chunks: int
    """Streams: chunks received (0 for a reply read whole)."""
    bytes: int
    """Bytes of the response body received."""
    usage: UsageMetadata | None
    """The reply's token counts, when it carried them."""
    finish_reason: str | None
    """The first candidate's ``finish_reason`` (``"STOP"``, ``"MAX_TOKENS"``...)."""
    response_model: str | None
    """The ``model_version`` the reply named."""


_Hook = Callable[[Any], object]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Hooks:
    """Functions the client calls as each request goes: for metrics, tracing of your own,
    and tests. Pass one as ``gs.Client(event_hooks=gs.Hooks(...))``.

    Each hook takes one event (a frozen ``msgspec.Struct``) and is called where the event
    happens, in the order ``on_request``, ``on_response``, then ``on_chunk_error`` (a body
    that broke), ``on_retry`` and ``on_request`` again for each retry, and ``on_end`` once.
    A hook may be a plain function (called at once: keep it quick) or an ``async def``
    (started as a task, which the request does not wait for; ``client.aclose()`` waits for
    those still running, ten seconds at most, then cancels them). An exception a hook
    raises is logged on the ``gemini_stream.hooks`` logger and never breaks the request.

    Args:
        on_request: called with a ``gs.RequestEvent`` before each attempt is sent.
        on_response: called with a ``gs.ResponseEvent`` when an attempt's headers come.
        on_retry: called with a ``gs.RetryEvent`` when a failed attempt will be retried.
        on_chunk_error: called with a ``gs.ChunkErrorEvent`` when a begun reply fails.
        on_end: called with a ``gs.EndEvent`` when the request ends, for good.

    Example:
        >>> ended = []
        >>> hooks = gs.Hooks(on_end=lambda event: ended.append(event.outcome))
        >>> client = gs.Client(event_hooks=hooks)
    """

    on_request: Callable[[RequestEvent], object] | None = None
    on_response: Callable[[ResponseEvent], object] | None = None
    on_retry: Callable[[RetryEvent], object] | None = None
    on_chunk_error: Callable[[ChunkErrorEvent], object] | None = None
    on_end: Callable[[EndEvent], object] | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            hook = getattr(self, field.name)
            if hook is not None and not callable(hook):
                raise TypeError(f"Hooks.{field.name} must be callable or None, got {hook!r}")


_NAMES = tuple(field.name for field in dataclasses.fields(Hooks))


def as_hooks(value: Hooks | Mapping[str, _Hook] | None) -> Hooks | None:
    """``Client(event_hooks=...)`` checked: a ``Hooks``, or a mapping of its field names
    (``{"on_end": fn}``; ``"end"`` works too) to callables; ``None`` when no hook is set."""
    if value is None or isinstance(value, Hooks):
        hooks = value
    elif isinstance(value, Mapping):
        named: dict[str, Any] = {}
        for key, hook in value.items():
            name = key if isinstance(key, str) and key.startswith("on_") else f"on_{key}"
            if name not in _NAMES:
                raise ValueError(f"unknown event hook {key!r}: expected one of {', '.join(_NAMES)}")
            named[name] = hook
        hooks = Hooks(**named)
    else:
        raise TypeError(f"event_hooks must be a gs.Hooks or a dict of hooks, got {value!r}")
    if hooks is None or all(getattr(hooks, name) is None for name in _NAMES):
        return None
    return hooks
