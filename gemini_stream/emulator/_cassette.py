"""Cassettes: one recorded HTTP exchange per JSON file, written by record mode, read by replay.

A cassette holds no credential: the request's query loses ``key``, the API key survives only
as its fingerprint, and the response loses hop-by-hop headers and cookies. Body bytes are kept
exactly (as text when they are UTF-8, else base64), so a replayed stream is byte-identical.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "gemini-stream-cassette/1"
_NAME = re.compile(r"^(\d+)-.*\.json$")
# Never stored nor passed back: per-connection headers (RFC 9110 7.6.1), lengths and encodings
# the replaying server recomputes, and anything that carries a credential.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-encoding",
    }
)
SECRET_HEADERS = frozenset(
    {"set-cookie", "set-cookie2", "cookie", "authorization", "x-goog-api-key"}
)
SECRET_QUERY = frozenset({"key", "access_token"})


@dataclass
class Chunk:
    """One piece of a response body as it arrived: ``at`` seconds after the headers."""

    at: float
    data: bytes


@dataclass
class Cassette:
    """One exchange: the request that matched it and the response to play back.

    Attributes:
        method: the request method.
        path: the URL path (no query).
        query: the query parameters without secrets (``key``).
        body: the request body bytes (``b""`` when there was none).
        status: the response status.
        headers: the response headers without hop-by-hop ones and secrets.
        headers_after: seconds from the request to the response headers.
        chunks: the body as it arrived, with each piece's time after the headers.
        end: ``"complete"``, or ``"disconnect"`` when the upstream cut the body short.
        api_key: the fingerprint of the key the request carried, if any.
        name: the file the cassette was read from or written to.
    """

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    headers_after: float = 0.0
    chunks: list[Chunk] = field(default_factory=list)
    end: str = "complete"
    api_key: str | None = None
    name: str = ""

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...], Any]:
        """What a request must equal to replay this cassette (see :func:`request_key`)."""
        return request_key(self.method, self.path, self.query, self.body)

    def to_json(self) -> dict[str, Any]:
        """The cassette as the JSON object its file holds."""
        request: dict[str, Any] = {"method": self.method, "path": self.path, "query": self.query}
        if self.api_key is not None:
            request["api_key"] = self.api_key
        request.update(_body_fields(self.body))
        response = {
            "status": self.status,
            "headers": self.headers,
            "headers_after": round(self.headers_after, 4),
            "chunks": [{"at": round(c.at, 4), **_bytes_field(c.data)} for c in self.chunks],
            "end": self.end,
        }
        return {"format": FORMAT, "request": request, "response": response}

    @classmethod
    def from_json(cls, data: Any, name: str) -> Cassette:
        """Read a cassette file's object; ``ValueError`` names the file and the problem."""
        try:
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
            request, response = data["request"], data["response"]
            end = response.get("end", "complete")
            if end not in ("complete", "disconnect"):
                raise ValueError(f"end is {end!r}, expected 'complete' or 'disconnect'")
            return cls(
                method=str(request["method"]).upper(),
                path=str(request["path"]),
                query={str(k): str(v) for k, v in request.get("query", {}).items()},
                body=_read_body(request),
                status=int(response["status"]),
                headers={str(k): str(v) for k, v in response.get("headers", {}).items()},
                headers_after=float(response.get("headers_after", 0.0)),
                chunks=[Chunk(float(c["at"]), _read_bytes(c)) for c in response["chunks"]],
                end=end,
                api_key=request.get("api_key"),
                name=name,
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ValueError(f"cassette {name} is not valid: {problem}") from None


def request_key(
    method: str, path: str, query: Mapping[str, str], body: bytes
) -> tuple[str, str, tuple[tuple[str, str], ...], Any]:
    """The matching key: method, path, the query without secrets, and the body.

    A JSON body compares by value (key order and spacing do not matter); any other body
    compares byte for byte.
    """
    kept = tuple(sorted((k, v) for k, v in query.items() if k not in SECRET_QUERY))
    return method.upper(), path, kept, _canonical(body)


def _canonical(body: bytes) -> Any:
    if not body:
        return b""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def public_query(query: Mapping[str, str]) -> dict[str, str]:
    """The query parameters a cassette may hold: every one but the secrets."""
    return {k: v for k, v in query.items() if k not in SECRET_QUERY}


def public_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Response headers a cassette may hold and a replay may send (repeats joined by ``, ``)."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in HOP_BY_HOP or name.lower() in SECRET_HEADERS:
            continue
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _body_fields(body: bytes) -> dict[str, Any]:
    """A request body as ``body`` (JSON, readable), ``body_text`` or ``body_base64``."""
    if not body:
        return {}
    try:
        return {"body": json.loads(body)}
    except ValueError:
        return {f"body_{k}": v for k, v in _bytes_field(body).items()}


def _read_body(request: Mapping[str, Any]) -> bytes:
    if "body" in request:
        return json.dumps(request["body"]).encode()  # matched by value, not bytes
    if "body_text" in request:
        return str(request["body_text"]).encode()
    if "body_base64" in request:
        return base64.b64decode(request["body_base64"], validate=True)
    return b""


def _bytes_field(data: bytes) -> dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def _read_bytes(chunk: Mapping[str, Any]) -> bytes:
    if "text" in chunk:
        return str(chunk["text"]).encode("utf-8")
    return base64.b64decode(chunk["base64"], validate=True)


def file_name(seq: int, method: str, path: str) -> str:
    """``0003-POST-gemini-2.5-flash-streamGenerateContent.json``: order, method, what."""
    tail = path.rstrip("/").rsplit("/", 1)[-1] or "root"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.")[:80] or "request"
    return f"{seq:04d}-{method.upper()}-{slug}.json"


def sequence(name: str) -> int | None:
    """The order number a cassette's file name starts with, ``None`` for other files."""
    match = _NAME.match(name)
    return int(match.group(1)) if match else None


def load(directory: Path) -> list[Cassette]:
    """Every cassette in ``directory``, in recorded order (the number its name starts with)."""
    named = [(sequence(p.name), p) for p in directory.iterdir() if p.is_file()]
    ordered = sorted((n, p.name, p) for n, p in named if n is not None)
    cassettes = []
    for *_, path in ordered:
        try:
            data = json.loads(path.read_bytes())
        except ValueError as exc:
            raise ValueError(f"cassette {path} is not valid JSON: {exc}") from None
        cassettes.append(Cassette.from_json(data, str(path)))
    return cassettes


def save(directory: Path, seq: int, cassette: Cassette) -> Path:
    """Write ``cassette`` as file number ``seq`` (atomically: a reader never sees half of it)."""
    path = directory / file_name(seq, cassette.method, cassette.path)
    text = json.dumps(cassette.to_json(), indent=2, ensure_ascii=False) + "\n"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    cassette.name = str(path)
    return path
