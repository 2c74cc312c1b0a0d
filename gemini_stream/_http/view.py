"""``EndpointView``: an ``Endpoint`` with other defaults (timeouts, retry, headers, extras)
that shares its original's transport, limiter and credentials; what ``client.with_options``
gives its view of the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._config import RetryPolicy, Timeouts
from .._input.tier import check_service_tier
from .endpoint import Endpoint
from .extras import (
    QueryInput,
    check_extra_body,
    check_extra_headers,
    check_extra_query,
    merge_body,
    merged,
    with_extras,
    with_query,
)
from .received import decode_reply
from .secrets import Headers

if TYPE_CHECKING:
    from .._limits.limiter import Limiter
    from .call import Call

# decode_reply and with_extras are re-exported for the client, which uses them beside view_of.
__all__ = ("EndpointView", "QueryInput", "decode_reply", "view_of", "with_extras")

# The calls whose body is a GenerateContentRequest: extra_body and service_tier go there only.
_GENERATION = ("generateContent", "streamGenerateContent")


class EndpointView(Endpoint):
    """An ``Endpoint`` sharing another's transport, rate limiter and credentials.

    Made by ``view_of``, never by ``__init__``: it starts as a copy of its original's
    attributes, so closing the original's transport ends its calls too.
    """

    body_extra: dict[str, Any] = {}  # noqa: RUF012 (replaced, never mutated)
    query: str = ""

    def model_call(
        self,
        model: str,
        method: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
    ) -> Call:
        if body is not None and self.body_extra and method.startswith(_GENERATION):
            body = merge_body(body, self.body_extra)
        return super().model_call(model, method, body, timeouts, retry)

    def call(
        self,
        target: str,
        label: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        limiter: Limiter | None = None,
    ) -> Call:
        call = super().call(target, label, body, timeouts, retry, limiter)
        if self.query:
            call.url = with_query(call.url, self.query)  # a new Call, not yet shared
        return call


def view_of(
    endpoint: Endpoint,
    *,
    timeouts: Timeouts | None = None,
    retry: RetryPolicy | None = None,
    headers: Mapping[str, str] | None = None,
    extra_query: QueryInput = None,
    extra_body: Mapping[str, Any] | None = None,
    service_tier: str | None = None,
    keep_raw: bool | None = None,
) -> EndpointView:
    """A view of ``endpoint`` with the settings given replaced (``timeouts``, ``retry``,
    ``keep_raw``) or added to its own (``headers``, ``extra_query``, ``extra_body``,
    ``service_tier``); everything is checked first.

    Raises:
        TypeError, ValueError: a bad value, naming it.
    """
    if timeouts is not None and not isinstance(timeouts, Timeouts):
        raise TypeError(f"timeouts must be a gs.Timeouts, got {timeouts!r}")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise TypeError(f"retry must be a gs.RetryPolicy, got {retry!r}")
    if keep_raw is not None and not isinstance(keep_raw, bool):
        raise TypeError(f"keep_raw must be a bool, got {keep_raw!r}")
    added_headers = check_extra_headers(headers, "headers")
    query = check_extra_query(extra_query)
    body = check_extra_body(extra_body)
    tier = check_service_tier(service_tier)
    if tier is not None:
        body = merged(body, {"serviceTier": tier})

    view = EndpointView.__new__(EndpointView)
    view.__dict__.update(endpoint.__dict__)  # transport, limiter, credentials: shared
    if timeouts is not None:
        view.timeouts = timeouts
    if retry is not None:
        view.retry = retry
    if keep_raw is not None:
        view.keep_raw = keep_raw
    if added_headers:
        view.headers = Headers(endpoint.headers)
        view.headers.update(added_headers)
    if query:
        view.query = f"{view.query}&{query}" if view.query else query
    if body:
        view.body_extra = merged(view.body_extra, body)
    return view
