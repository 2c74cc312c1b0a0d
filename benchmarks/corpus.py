"""Deterministic Gemini-shaped SSE corpora and read splitters shared by the benchmarks.

Each stream is what ``streamGenerateContent?alt=sse`` sends: ``data: `` + one
GenerateContentResponse JSON in Google's single-line style (``": "`` after keys, ``,`` with no
space, raw UTF-8, ``\\u003c``/``\\u003e`` escapes) + ``\\r\\n\\r\\n`` per event, cumulative
``usageMetadata`` on every event and ``"finishReason": "STOP"`` on the last one.

    >>> from benchmarks.corpus import CORPORA, split_reads, payloads
    >>> reads = split_reads(CORPORA["chat"], "random")
    >>> len(payloads(CORPORA["chat"]))
    200
"""

from __future__ import annotations

import json
import random
import string

__all__ = ("CORPORA", "make_stream", "payloads", "split_reads")

# Words mixing ASCII, 2-, 3- and 4-byte UTF-8, and characters Google escapes in JSON.
_WORDS = (
    "the", "model", "streams", "text", "in", "small", "pieces", "Warsaw", "lies", "on",
    "Vistula", "Łazienki", "café", "naïve", "Straße", "日本語", "東京", "😀", "🚀", "€",
    "a<b", "x>y", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "para\n\n",
    "1,234", "{json}", "[list]", "—", "…", "x", "of", "and", "river", "capital",
)  # fmt: skip

_MODEL = "gemini-2.5-flash"
_ID_ALPHABET = string.ascii_letters + string.digits


def _text(rng: random.Random, n_chars: int) -> str:
    pieces: list[str] = []
    size = 0
    while size < n_chars:
        word = rng.choice(_WORDS)
        pieces.append(word)
        pieces.append(" ")
        size += len(word) + 1
    return "".join(pieces)[:n_chars]


def _json_str(text: str) -> str:
    # Google writes raw UTF-8 but escapes the HTML-sensitive characters.
    encoded = json.dumps(text, ensure_ascii=False)
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def make_stream(n_events: int, min_chars: int, max_chars: int, *, seed: int = 0) -> bytes:
    """Build a Gemini-shaped SSE stream of ``n_events`` text chunks.

    Args:
        n_events: number of events (at least 1).
        min_chars: smallest text length per chunk, in characters.
        max_chars: largest text length per chunk, in characters.
        seed: seed for the deterministic generator.

    Returns:
        The whole body as bytes, each event ``data: {json}\\r\\n\\r\\n``.
    """
    if n_events < 1:
        raise ValueError(f"n_events must be >= 1, got {n_events}")
    rng = random.Random(seed)
    response_id = "".join(rng.choice(_ID_ALPHABET) for _ in range(23))
    prompt_tokens = rng.randint(5, 500)
    thoughts_tokens = rng.randint(0, 200)
    candidates_tokens = 0
    out: list[str] = []
    for i in range(n_events):
        text = _text(rng, rng.randint(min_chars, max_chars))
        candidates_tokens += max(1, len(text) // 4)
        total = prompt_tokens + candidates_tokens + thoughts_tokens
        finish = '"finishReason": "STOP",' if i == n_events - 1 else ""
        out.append(
            'data: {"candidates": [{"content": {"parts": [{"text": '
            f'{_json_str(text)}}}],"role": "model"}},{finish}"index": 0}}],'
            f'"usageMetadata": {{"promptTokenCount": {prompt_tokens},'
            f'"candidatesTokenCount": {candidates_tokens},"totalTokenCount": {total},'
            f'"promptTokensDetails": [{{"modality": "TEXT","tokenCount": {prompt_tokens}}}],'
            f'"thoughtsTokenCount": {thoughts_tokens}}},'
            f'"modelVersion": "{_MODEL}","responseId": "{response_id}"}}\r\n\r\n'
        )
    return "".join(out).encode()


def split_reads(data: bytes, mode: str, *, seed: int = 0) -> list[bytes]:
    """Cut a stream into the reads a socket might deliver.

    Args:
        data: the whole stream.
        mode: ``"event"`` (one event per read), ``"random"`` (random reads of 1-3 KB) or
            ``"byte"`` (1-byte reads; slice ``data`` first for large corpora).
        seed: seed for the ``"random"`` mode.

    Returns:
        The reads, in order; their concatenation is ``data``.
    """
    if mode == "event":
        parts = data.split(b"\r\n\r\n")
        reads = [part + b"\r\n\r\n" for part in parts[:-1]]
        if parts[-1]:
            reads.append(parts[-1])
        return reads
    if mode == "random":
        rng = random.Random(seed)
        reads = []
        pos = 0
        while pos < len(data):
            step = rng.randint(1024, 3072)
            reads.append(data[pos : pos + step])
            pos += step
        return reads
    if mode == "byte":
        return [data[i : i + 1] for i in range(len(data))]
    raise ValueError(f"unknown read mode {mode!r}; expected 'event', 'random' or 'byte'")


def payloads(data: bytes) -> list[bytes]:
    """Return the JSON payloads of a corpus (for decode-only baselines).

    Args:
        data: a stream built by :func:`make_stream`.

    Returns:
        One ``bytes`` JSON document per event, without ``data: `` and the blank line.
    """
    return [part[6:] for part in data.split(b"\r\n\r\n") if part]


# Declared for type checkers and linters; the value comes from __getattr__ on first access.
CORPORA: dict[str, bytes]

_SPECS = {"chat": (200, 20, 400), "long": (20_000, 20, 400), "tiny": (20_000, 1, 5)}
_cache: dict[str, bytes] = {}


def _build_corpora() -> dict[str, bytes]:
    if not _cache:
        for name, (n, lo, hi) in _SPECS.items():
            _cache[name] = make_stream(n, lo, hi)
    return _cache


def __getattr__(name: str) -> dict[str, bytes]:
    # CORPORA is built on first use (PEP 562) so importing this module stays instant.
    if name == "CORPORA":
        return _build_corpora()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
