"""The emulator's ``embedContent`` and ``batchEmbedContents``, with deterministic vectors.

A vector is a hashed bag of features (character trigrams and words of the text, a digest of
each media part, the task type and the title's words), so the same input always gets the same
vector and inputs sharing words get close ones. Each feature adds +-1 to one of the 128 values
of every block of 128, so a shorter vector is the start of the longer one (as with the real
models' Matryoshka training). 3,072 values unless ``outputDimensionality`` asks for 128-3,072;
``gemini-embedding-2`` normalises the vector it returns, ``gemini-embedding-001`` normalises
only the full 3,072 (its truncated vectors are shorter than 1, as the API documents).

Errors, with Google's body: more than 100 requests in a batch (the API's own message), a
``model`` inside the batch that is not the URL's, an out-of-range ``outputDimensionality``,
an unknown ``taskType``, ``taskType`` sent to ``gemini-embedding-2`` (it takes the task as a
text prefix), an unknown field, an input without anything to embed. Only the first message
was captured from the API; the others are the emulator's own wording.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from typing import Any

from ._errors import ErrorReply, bad_request, invalid_argument

__all__ = ("MAX_BATCH", "embed_reply")

MAX_BATCH = 100
DEFAULT_DIMENSIONS = 3072
MIN_DIMENSIONS = 128
_BLOCK = 128
_BLOCKS = DEFAULT_DIMENSIONS // _BLOCK
TASK_TYPES = frozenset(
    {
        "TASK_TYPE_UNSPECIFIED",
        "RETRIEVAL_QUERY",
        "RETRIEVAL_DOCUMENT",
        "SEMANTIC_SIMILARITY",
        "CLASSIFICATION",
        "CLUSTERING",
        "QUESTION_ANSWERING",
        "FACT_VERIFICATION",
        "CODE_RETRIEVAL_QUERY",
    }
)
# Models that take the task as a prefix of the text, and normalise truncated vectors.
_PREFIX_MODELS = re.compile(r"gemini-embedding-2(?:-\d+)?")
_FIELDS = {
    "model": "model",
    "content": "content",
    "taskType": "taskType",
    "task_type": "taskType",
    "title": "title",
    "outputDimensionality": "outputDimensionality",
    "output_dimensionality": "outputDimensionality",
}
_WORD = re.compile(r"\w+")


def embed_reply(body: Any, model_id: str, rpc: str) -> ErrorReply:
    """Answer one ``embedContent`` or ``batchEmbedContents`` body: ``(status, body, headers)``."""
    if not isinstance(body, dict):
        return bad_request([("", "Invalid JSON payload received. Expected an object.")])
    if rpc == "embedContent":
        vector = _embed(body, model_id, "", batch=False)
        if isinstance(vector, tuple):
            return vector
        return 200, {"embedding": {"values": vector}}, {}
    unknown = set(body) - {"requests"}
    if unknown:
        return _unknown_field(sorted(unknown)[0], "")
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        return invalid_argument("* BatchEmbedContentsRequest.requests: requests is not specified\n")
    if len(requests) > MAX_BATCH:
        return invalid_argument(
            "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
        )
    embeddings = []
    for i, request in enumerate(requests):
        vector = _embed(request, model_id, f"requests[{i}]", batch=True)
        if isinstance(vector, tuple):
            return vector
        embeddings.append({"values": vector})
    return 200, {"embeddings": embeddings}, {}


def _unknown_field(name: str, where: str) -> ErrorReply:
    at = f" at '{where}'" if where else ""
    text = f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'
    return bad_request([(where, text)])


def _embed(request: Any, model_id: str, where: str, *, batch: bool) -> list[float] | ErrorReply:
    """One request's vector, or the error it gets."""
    if not isinstance(request, dict):
        return bad_request([(where, f"Invalid value at '{where}': expected an object")])
    fields: dict[str, Any] = {}
    for key, value in request.items():
        name = _FIELDS.get(key)
        if name is None:
            return _unknown_field(key, where)
        fields[name] = value
    field = f"* BatchEmbedContentsRequest.{where}." if batch else "* EmbedContentRequest."
    model = fields.get("model")
    if batch and model is None:
        return invalid_argument(f"{field}model: model is not specified\n")
    if model is not None and model != f"models/{model_id}":
        return invalid_argument(
            f"{field}model: the model {model!r} of the request is not the model of the batch "
            f"(models/{model_id})\n"
        )
    prefixed = _PREFIX_MODELS.fullmatch(model_id) is not None
    task = fields.get("taskType")
    if task is not None and task not in TASK_TYPES:
        path = f"{where}.task_type" if where else "task_type"
        text = (
            f"Invalid value at '{path}' "
            f'(type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "{task}"'
        )
        return bad_request([(path, text)])
    if task is not None and prefixed:
        return invalid_argument(
            f"{field}task_type: task_type is not supported by models/{model_id}; put the task "
            "in the text instead (e.g. 'task: search result | query: ...')\n"
        )
    title = fields.get("title")
    if title is not None and task != "RETRIEVAL_DOCUMENT":
        return invalid_argument(f"{field}title: title is only valid with RETRIEVAL_DOCUMENT\n")
    dims = fields.get("outputDimensionality", DEFAULT_DIMENSIONS)
    if isinstance(dims, bool) or not isinstance(dims, int):
        path = f"{where}.output_dimensionality" if where else "output_dimensionality"
        return bad_request([(path, f"Invalid value at '{path}' (TYPE_INT32), {dims!r}")])
    if not MIN_DIMENSIONS <= dims <= DEFAULT_DIMENSIONS:
        return invalid_argument(
            f"{field}output_dimensionality: output_dimensionality must be between "
            f"{MIN_DIMENSIONS} and {DEFAULT_DIMENSIONS}, got {dims}\n"
        )
    features = _features(fields.get("content"), text_only=model_id == "gemini-embedding-001")
    if not features:
        return invalid_argument(f"{field}content: content has nothing to embed\n")
    if task is not None:
        features["\x02task:" + task] = 1.0
    for word in _WORD.findall(str(title or "").lower()):
        features["\x03title:" + word] = 0.5
    return vector(features, dims, normalise_truncated=prefixed)


def _features(content: Any, *, text_only: bool) -> dict[str, float]:
    """The weighted features of a ``Content``: all its parts make one embedding."""
    features: dict[str, float] = {}
    parts = content.get("parts") if isinstance(content, dict) else None
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, dict):
            continue
        text = part.get("text")
        if isinstance(text, str):
            _add_text(features, text)
            continue
        if text_only:
            continue  # "Only the parts.text fields will be counted" (gemini-embedding-001)
        blob = part.get("inlineData") or part.get("inline_data") or part.get("fileData")
        blob = blob or part.get("file_data")
        if isinstance(blob, dict):
            digest = hashlib.sha256(repr(sorted(blob.items())).encode()).hexdigest()
            features["\x01media:" + digest] = 4.0
    return features


def _add_text(features: dict[str, float], text: str) -> None:
    words = _WORD.findall(text.lower())
    for word in words:
        features[word] = features.get(word, 0.0) + 1.0
    joined = " " + " ".join(words) + " "
    for i in range(len(joined) - 2):
        gram = "\x04" + joined[i : i + 3]
        features[gram] = features.get(gram, 0.0) + 0.5


@functools.lru_cache(maxsize=65536)
def _slots(feature: str) -> bytes:
    """A feature's place in each block: one byte per block (low 7 bits: index; top: sign)."""
    return hashlib.blake2b(feature.encode(), digest_size=_BLOCKS).digest()


def vector(features: dict[str, float], dims: int, *, normalise_truncated: bool) -> list[float]:
    """The ``dims`` first values of the features' hashed vector, rounded as float32 prints."""
    blocks = _BLOCKS if not normalise_truncated else -(-dims // _BLOCK)
    values = [0.0] * (blocks * _BLOCK)
    for feature, weight in features.items():
        for block, byte in enumerate(_slots(feature)[:blocks]):
            index = block * _BLOCK + (byte & 0x7F)
            values[index] += weight if byte < 0x80 else -weight
    kept = values[:dims]
    norm = math.sqrt(math.fsum(v * v for v in (kept if normalise_truncated else values)))
    if norm == 0.0:
        norm = 1.0
    return [float(f"{v / norm:.8g}") for v in kept]
