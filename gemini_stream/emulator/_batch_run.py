"""Running one batch's requests: each answered as ``generateContent`` would answer it.

A request gets the same checks as an interactive call (schema, caches, safety settings,
file references) and the model's merged reply; a refused request gets an error object
(``{"code", "message", "status"}``) instead, and the batch goes on. A prompt whose last user
text holds :data:`BATCH_FAIL_TRIGGER` fails with a 429 RESOURCE_EXHAUSTED, as a request over
the batch quota does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._caches import with_cache_usage
from ._compose import request_problem
from ._embeddings import embed_reply
from ._enums import safety_problem
from ._errors import bad_request, error_body, invalid_argument
from ._model import merge_chunks
from ._schema import check_request

if TYPE_CHECKING:
    from ._caches import CacheStore
    from ._files import FileStore
    from ._model import BuiltinModel

__all__ = ("BATCH_FAIL_TRIGGER", "Outcome", "Runner", "parse_jsonl")

BATCH_FAIL_TRIGGER = "emulator:batch-fail"
"""A prompt holding this text fails inside a batch (a per-request 429 error)."""

Outcome = tuple["dict[str, Any] | None", "dict[str, Any] | None"]
"""``(response, None)`` for an answered request, ``(None, error)`` for a refused one."""


def _error(reply: tuple[int, dict[str, Any], dict[str, str]]) -> Outcome:
    error = dict(reply[1]["error"])
    return None, error


def _texts(body: dict[str, Any]) -> Iterator[str]:
    for content in body.get("contents", []):
        if isinstance(content, dict):
            for part in content.get("parts", []):
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    yield part["text"]


class Runner:
    """Answers the requests of batches with the emulator's model, caches and files."""

    def __init__(self, model: BuiltinModel, caches: CacheStore, files: FileStore) -> None:
        self.model = model
        self.caches = caches
        self.files = files

    def generate(self, raw: Any, model_id: str, base: str) -> Outcome:
        """Answer one ``GenerateContentRequest`` (as JSON) for ``model_id``."""
        if not isinstance(raw, dict):
            return _error(bad_request([("", "Invalid JSON payload received. Expected an object.")]))
        raw = {k: v for k, v in raw.items() if k != "model"}  # optional, the batch's model
        body, violations = check_request(raw, "GenerateContentRequest")
        if violations:
            return _error(bad_request(violations))
        body, cached, refused = self.caches.apply(body, model_id)
        if refused is not None:
            return _error(refused)
        if not body.get("contents"):
            message = "* GenerateContentRequest.contents: contents is not specified\n"
            return _error(invalid_argument(message))
        problem = safety_problem(body) or request_problem(body, model_id)
        if problem is not None:
            return _error(invalid_argument(problem))
        missing = self.files.check_references(body, base)
        if missing is not None:
            return None, dict((missing[1] or {})["error"])
        if any(BATCH_FAIL_TRIGGER in text for text in _texts(body)):
            message = "Resource has been exhausted (e.g. check quota)."
            return None, error_body(429, message)["error"]
        chunks = self.model.normalised_chunks(body, model_id)
        if cached is not None:
            chunks = with_cache_usage(chunks, cached)
        return merge_chunks(chunks), None

    def embed(self, raw: Any, model_id: str, base: str) -> Outcome:
        """Answer one ``EmbedContentRequest`` (as JSON) for ``model_id``."""
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if k != "model"}
        reply = embed_reply(raw, model_id, "embedContent")
        if reply[0] != 200:
            return _error(reply)
        return reply[1], None


def parse_jsonl(data: bytes) -> Iterator[tuple[str | None, Any, str | None]]:
    """The lines of an input file: ``(key, request, problem)``; blank lines are skipped."""
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield None, None, f"Invalid JSON on line {number} of the input file."
            continue
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
            yield None, None, f"Line {number} of the input file has no 'request' object."
            continue
        key = item.get("key")
        yield (None if key is None else str(key)), item["request"], None
