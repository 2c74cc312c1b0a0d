"""The emulator's context caches: ``cachedContents`` create / get / list / patch / delete, and
the use of a cache by ``generateContent``.

A cache lives until its ``expireTime`` on the store's clock, which is the wall clock plus
``offset``: ``advance(seconds)`` moves it forward so a test sees a cache expire without
waiting. A cache smaller than the model's minimum token count is refused like the API does
("Cached content is too small"); the minimum is 1 024 tokens for Flash models and 4 096 for
Pro ones (Google's table of early 2026), or ``min_tokens`` when set. A missing, deleted or
expired cache gets the API's 403 "CachedContent not found (or permission denied)".
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from ._catalogue import find_model
from ._errors import ErrorReply, bad_request, error_body, invalid_argument, model_not_found
from ._pages import page_of
from ._records import RequestRecord
from ._schema import check_request
from ._tokens import details, prompt_tokens

__all__ = ("CacheStore", "StoredCache", "min_cache_tokens")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_TTL = 3600.0
_ALPHABET = string.ascii_lowercase + string.digits
_DURATION = re.compile(r"(-?\d+(?:\.\d{1,9})?)s")
_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z")
_PREFIX_FIELDS = {"contents", "systemInstruction", "tools", "toolConfig"}
_FIELDS = {
    "name",
    "displayName",
    "model",
    "ttl",
    "expireTime",
    "createTime",
    "updateTime",
    "usageMetadata",
    *_PREFIX_FIELDS,
}
_REPEATED = (
    "CachedContent can not be used with GenerateContent request setting system_instruction, "
    "tools or tool_config.\n\nProposed fix: move those values to CachedContent from "
    "GenerateContent request."
)


def min_cache_tokens(model: str) -> int:
    """The fewest tokens a cache of ``model`` may hold (Google's early-2026 table)."""
    return 4096 if "-pro" in model else 1024


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _timestamp(seconds: float) -> str:
    """RFC 3339 with nanoseconds, as Google writes ``expireTime``."""
    whole, nanos = divmod(round(seconds * 1e9), 1_000_000_000)
    stamp = datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def _parse_timestamp(text: object) -> float | None:
    match = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    whole = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return whole.timestamp() + float("0." + (match.group(2) or "0"))


def _not_found() -> ErrorReply:
    message = "CachedContent not found (or permission denied)"
    return 403, error_body(403, message), {}


@dataclass
class StoredCache:
    """One cache as the emulator keeps it: the normalised prefix and its metadata."""

    cache_id: str
    model: str  # "models/..."
    display_name: str
    prefix: dict[str, Any]  # contents, systemInstruction, tools, toolConfig (camelCase)
    tokens: dict[str, int]  # per modality
    created: float
    updated: float
    expires: float

    @property
    def name(self) -> str:
        return f"cachedContents/{self.cache_id}"

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens.values())

    def resource(self) -> dict[str, Any]:
        """The ``CachedContent`` JSON: metadata only (the prefix fields are input only)."""
        return {
            "name": self.name,
            "displayName": self.display_name,
            "model": self.model,
            "createTime": _timestamp(self.created),
            "updateTime": _timestamp(self.updated),
            "expireTime": _timestamp(self.expires),
            "usageMetadata": {"totalTokenCount": self.total_tokens},
        }


class CacheStore:
    """The caches of one emulator (``emulator.caches``).

    Args:
        min_tokens: the fewest tokens a cache may hold, for every model; ``None`` (default)
            uses each model's documented minimum (``min_cache_tokens``). Tests set it low to
            keep their caches small.

    Attributes:
        caches: every cache, expired ones included until they are next looked at, by id.
        offset: seconds added to the wall clock (see ``advance``).
    """

    def __init__(
        self,
        min_tokens: int | None = None,
        check_files: Callable[[dict[str, Any], str], ErrorReply | None] | None = None,
    ) -> None:
        if min_tokens is not None and (
            isinstance(min_tokens, bool) or not isinstance(min_tokens, int) or min_tokens < 0
        ):
            raise ValueError(f"cache_min_tokens must be an int >= 0 or None, got {min_tokens!r}")
        self.min_tokens = min_tokens
        # The Files API's check of fileData parts (a missing file is the API's 403).
        self.check_files = check_files
        self.caches: dict[str, StoredCache] = {}
        self.offset = 0.0

    def now(self) -> float:
        """The store's clock: ``time.time()`` plus ``offset``."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward, so caches whose ``expireTime`` it passes expire at once."""
        self.offset += seconds

    def live(self, cache_id: str) -> StoredCache | None:
        """The cache if it exists and has not expired (an expired one is dropped)."""
        stored = self.caches.get(cache_id)
        if stored is not None and stored.expires <= self.now():
            del self.caches[cache_id]
            return None
        return stored

    # -- REST -------------------------------------------------------------------------------

    async def handle(self, request: web.Request, record: RequestRecord) -> ErrorReply:
        """Answer one ``cachedContents`` request (key already checked); names its rpc in
        ``record`` and keeps the body of a create or patch there."""
        record.rpc, reply = await self._dispatch(request, record)
        return reply

    async def _dispatch(
        self, request: web.Request, record: RequestRecord
    ) -> tuple[str, ErrorReply]:
        cache_id = request.match_info.get("cache_id")
        method = request.method
        if cache_id is None:
            if method == "POST":
                base = f"{request.scheme}://{request.host}"
                body = await _json_body(request, record)
                return "cachedContents.create", self._create(body, base)
            if method == "GET":
                return "cachedContents.list", self._list(request)
            return "cachedContents", (404, error_body(404, "Requested entity was not found."), {})
        rpc = {"GET": "get", "PATCH": "patch", "DELETE": "delete"}.get(method)
        if rpc is None:
            return "cachedContents", (404, error_body(404, "Requested entity was not found."), {})
        stored = self.live(cache_id)
        if stored is None:
            return f"cachedContents.{rpc}", _not_found()
        if rpc == "delete":
            del self.caches[cache_id]
            return "cachedContents.delete", (200, {}, {})
        if rpc == "patch":
            body = await _json_body(request, record)
            return "cachedContents.patch", self._patch(stored, request, body)
        return "cachedContents.get", (200, stored.resource(), {})

    def _create(self, body: Any, base: str) -> ErrorReply:
        if isinstance(body, tuple):
            return body
        if not isinstance(body, dict):
            return invalid_argument("Invalid JSON payload received. Expected an object.")
        fields = {_camel(k): v for k, v in body.items()}
        unknown = [k for k in body if _camel(k) not in _FIELDS]
        if unknown:
            text = f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.'
            return bad_request([("", text)])
        prefix_raw = {k: v for k, v in fields.items() if k in _PREFIX_FIELDS}
        prefix, violations = check_request(prefix_raw, "GenerateContentRequest")
        if violations:
            return bad_request(violations)
        model = fields.get("model")
        if not isinstance(model, str) or not model:
            return invalid_argument("* CachedContent.model: model is not specified\n")
        model = model if model.startswith("models/") else f"models/{model}"
        if find_model(model) is None:
            return model_not_found(model, "createCachedContent")
        missing = self.check_files(prefix, base) if self.check_files is not None else None
        if missing is not None:
            return missing
        now = self.now()
        expires = _expiry(fields, now, DEFAULT_TTL)
        if isinstance(expires, tuple):
            return expires
        tokens = prompt_tokens(prefix)
        total = sum(tokens.values())
        minimum = self.min_tokens if self.min_tokens is not None else min_cache_tokens(model)
        if total < minimum:
            return invalid_argument(
                f"Cached content is too small. total_token_count={total}, "
                f"min_total_token_count={minimum}"
            )
        cache_id = "".join(secrets.choice(_ALPHABET) for _ in range(40))
        name = fields.get("displayName")
        stored = StoredCache(cache_id, model, str(name or ""), prefix, tokens, now, now, expires)
        self.caches[cache_id] = stored
        return 200, stored.resource(), {}

    def _patch(self, stored: StoredCache, request: web.Request, body: Any) -> ErrorReply:
        if isinstance(body, tuple):
            return body
        if not isinstance(body, dict):
            return invalid_argument("Invalid JSON payload received. Expected an object.")
        fields = {_camel(k): v for k, v in body.items()}
        mask = request.query.get("updateMask") or request.query.get("update_mask")
        allowed = {"ttl", "expireTime"}
        masked = {_camel(m.strip()) for m in mask.split(",")} if mask else None
        changed = set(fields) - {"name"}
        if masked is not None and not masked <= allowed:
            bad = sorted(masked - allowed)[0]
            return invalid_argument(f"Updating {bad} is not supported; only ttl or expire_time.")
        if not changed or not changed <= allowed:
            bad = sorted(changed - allowed)[0] if changed - allowed else "nothing"
            return invalid_argument(
                f"Only ttl or expire_time of a CachedContent can be updated, got {bad}."
            )
        now = self.now()
        expires = _expiry(fields, now, None)
        if isinstance(expires, tuple):
            return expires
        stored.expires = expires
        stored.updated = now
        return 200, stored.resource(), {}

    def _list(self, request: web.Request) -> ErrorReply:
        return page_of(
            request,
            [i for i in list(self.caches) if self.live(i) is not None],
            "cachedContents",
            lambda i: self.caches[i].resource(),
            default_size=DEFAULT_PAGE_SIZE,
            max_size=MAX_PAGE_SIZE,
        )

    # -- generateContent --------------------------------------------------------------------

    def apply(
        self, body: dict[str, Any], model_id: str
    ) -> tuple[dict[str, Any], dict[str, int] | None, ErrorReply | None]:
        """Put a request's cache in front of it: ``(request, cached tokens, error)``.

        A request without ``cachedContent`` comes back as it is. Setting
        ``systemInstruction``, ``tools`` or ``toolConfig`` beside a cache, naming a cache
        that is gone, or another model than the cache's are the API's errors.
        """
        name = body.get("cachedContent")
        if name is None:
            return body, None, None
        if (_PREFIX_FIELDS - {"contents"}) & body.keys():
            return body, None, invalid_argument(_REPEATED)
        stored = self.live(str(name).removeprefix("cachedContents/"))
        if stored is None:
            return body, None, _not_found()
        if stored.model != f"models/{model_id}":
            message = (
                f"Model used by GenerateContent request (models/{model_id}) and CachedContent "
                f"({stored.model}) has to be the same."
            )
            return body, None, invalid_argument(message)
        merged = {**body, **{k: v for k, v in stored.prefix.items() if k != "contents"}}
        merged["contents"] = [*stored.prefix.get("contents", []), *body.get("contents", [])]
        return merged, stored.tokens, None


def with_cache_usage(chunks: list[dict[str, Any]], cached: dict[str, int]) -> list[dict[str, Any]]:
    """Add ``cachedContentTokenCount`` and ``cacheTokensDetails`` to every chunk's usage, in
    the API's field order (the prompt count already includes the cached tokens)."""
    total = sum(cached.values())
    for chunk in chunks:
        usage = chunk.get("usageMetadata")
        if usage is None:
            continue
        out: dict[str, Any] = {}
        for key, value in usage.items():
            out[key] = value
            if key == "totalTokenCount":
                out["cachedContentTokenCount"] = total
            elif key == "promptTokensDetails":
                out["cacheTokensDetails"] = details(cached)
        chunk["usageMetadata"] = out
    return chunks


def _expiry(fields: dict[str, Any], now: float, default: float | None) -> float | ErrorReply:
    """The expiry a body asks for (``ttl`` from now, or ``expireTime``), or the API's error."""
    if "ttl" in fields and "expireTime" in fields:
        return invalid_argument(
            "Invalid JSON payload received. Only one of ttl or expire_time may be set."
        )
    if "ttl" in fields:
        raw = fields["ttl"]
        match = _DURATION.fullmatch(raw) if isinstance(raw, str) else None
        if match is None:
            text = f"Invalid value at 'ttl' (type.googleapis.com/google.protobuf.Duration), {raw!r}"
            return bad_request([("ttl", text.replace(repr(raw), json.dumps(raw)))])
        seconds = float(match.group(1))
        if seconds <= 0:
            return invalid_argument(f"ttl must be positive, got {raw}.")
        return now + seconds
    if "expireTime" in fields:
        raw = fields["expireTime"]
        when = _parse_timestamp(raw)
        if when is None:
            text = (
                "Invalid value at 'expire_time' (type.googleapis.com/google.protobuf.Timestamp), "
                + json.dumps(raw)
            )
            return bad_request([("expire_time", text)])
        if when <= now:
            return invalid_argument("expire_time must be in the future.")
        return when
    if default is None:
        return invalid_argument("Only ttl or expire_time of a CachedContent can be updated.")
    return now + default


async def _json_body(request: web.Request, record: RequestRecord) -> Any:
    record.raw_body = raw = await request.read()
    try:
        record.body = json.loads(raw or b"{}")
    except ValueError:
        return bad_request([("", "Invalid JSON payload received. Unexpected token.")])
    return record.body
