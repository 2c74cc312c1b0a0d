"""Escape hatches: ``extra_body`` merged into a request's JSON, ``extra_headers`` and
``extra_query`` added to its HTTP request, each checked before anything is sent."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping
from typing import Any, TypeAlias

import msgspec

from .._wire.convert import short_repr
from .call import Call
from .secrets import Headers, check_headers

__all__ = (
    "QueryInput",
    "check_extra_body",
    "check_extra_headers",
    "check_extra_query",
    "merge_body",
    "merged",
    "with_extras",
)

QueryInput: TypeAlias = "Mapping[str, str | int | float | bool] | None"

# Credentials come from the client (api_key=, Vertex AI's tokens); a per-call copy would be
# a second, silent source of them.
_AUTH_HEADERS = frozenset({"x-goog-api-key", "authorization"})
# ``key`` would put the API key in a URL (and logs); ``alt`` decides how a reply is framed.
_RESERVED_QUERY = frozenset({"key", "alt"})

_encoder = msgspec.json.Encoder()


def check_extra_body(extra: Mapping[str, Any] | None, name: str = "extra_body") -> dict[str, Any]:
    """Return a plain JSON copy of ``extra`` (Structs become their wire dicts; ``{}`` for
    ``None``), after checking it is a dict of JSON values with ``str`` keys.

    Raises:
        TypeError: not a mapping, a key that is not a ``str``, or a value JSON cannot hold.
    """
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise TypeError(f"{name} must be a dict of JSON values, got {short_repr(extra)}")
    for key in extra:
        if not isinstance(key, str):
            raise TypeError(f"{name}: keys must be str, got {key!r}")
    try:
        copy: dict[str, Any] = msgspec.json.decode(_encoder.encode(dict(extra)))
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"{name} must hold JSON values only: {exc}") from None
    return copy


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` deep-merged with ``extra``: objects merge key by key, any other value (a
    list included) replaces, and ``None`` removes the key."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if value is None:
            out.pop(key, None)
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = merged(old, value)
        else:
            out[key] = value
    return out


def merge_body(body: bytes | None, extra: Mapping[str, Any]) -> bytes:
    """The JSON ``body`` deep-merged with ``extra`` (see ``merged``), encoded again."""
    base = msgspec.json.decode(body) if body else {}
    return _encoder.encode(merged(base, extra))


def check_extra_headers(
    headers: Mapping[str, str] | None, name: str = "extra_headers"
) -> dict[str, str]:
    """Return ``headers`` checked (see ``secrets.check_headers``; ``{}`` for ``None``).

    Raises:
        TypeError, ValueError: as ``check_headers``; ``ValueError`` for a credential header
            (``x-goog-api-key``, ``authorization``), which only the client's settings set.
    """
    checked = check_headers(headers) or {}
    for header in _AUTH_HEADERS.intersection(checked):
        raise ValueError(
            f"{name} may not set {header!r}: credentials come from the Client's settings "
            "(api_key=, token_provider=, or Client(headers=...) for a gateway)"
        )
    return checked


def check_extra_query(query: QueryInput, name: str = "extra_query") -> str:
    """Return ``query`` encoded for a URL (``""`` for ``None``), after checking it.

    Raises:
        TypeError: not a mapping, a name not a ``str``, a value not a str, int or float.
        ValueError: an empty name, or ``key`` / ``alt``, which the client sets itself.
    """
    if query is None:
        return ""
    if not isinstance(query, Mapping):
        raise TypeError(f"{name} must be a dict of str to str, got {short_repr(query)}")
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        if not isinstance(key, str) or not key:
            raise (ValueError if isinstance(key, str) else TypeError)(
                f"{name}: parameter names must be non-empty str, got {key!r}"
            )
        if key.lower() in _RESERVED_QUERY:
            raise ValueError(
                f"{name} may not set {key!r}: the client sets it (the API key travels only "
                "in a header; 'alt' decides how the reply is framed)"
            )
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            text = str(value)
        else:
            raise TypeError(
                f"{name}[{key!r}] must be a str, int or float, got {type(value).__name__}"
            )
        pairs.append((key, text))
    return urllib.parse.urlencode(pairs)


def with_query(url: str, query: str) -> str:
    """``url`` with the encoded ``query`` appended (``url`` unchanged when it is empty)."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def with_extras(
    call: Call,
    extra_body: Mapping[str, Any] | None,
    extra_headers: Mapping[str, str] | None,
    extra_query: QueryInput,
) -> Call:
    """``call`` with its body deep-merged with ``extra_body`` (see ``merged``), its headers
    updated with ``extra_headers`` and ``extra_query`` added to its URL; ``call`` itself
    when all three are ``None``. Everything is checked before anything is changed.

    Raises:
        TypeError, ValueError: a bad value (see the ``check_*`` functions).
    """
    if extra_body is None and extra_headers is None and extra_query is None:
        return call
    body = check_extra_body(extra_body)
    headers = check_extra_headers(extra_headers)
    query = check_extra_query(extra_query)
    changes: dict[str, Any] = {}
    if body:
        changes["body"] = merge_body(call.body, body)
    if headers:
        updated = Headers(call.headers)
        updated.update(headers)
        changes["headers"] = updated
    if query:
        changes["url"] = with_query(call.url, query)
    return dataclasses.replace(call, **changes) if changes else call
