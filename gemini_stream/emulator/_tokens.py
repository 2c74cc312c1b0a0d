"""The emulator's deterministic tokeniser, used for usage metadata and ``countTokens`` alike.

A token is a run of one to four word characters (``\\w``, so letters, digits and ``_`` in any
script) or a single character that is neither a word character nor whitespace; whitespace
costs nothing. ``"Hello, world!"`` is ``Hell o , worl d !`` = 6 tokens. Media parts
(``inlineData``, ``fileData``) cost a flat 258 tokens each, like a small image on the real
API; function calls and responses cost the tokens of their name plus their compact JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MEDIA_TOKENS = 258
IMAGE_OUTPUT_TOKENS = 1290
_TOKEN = re.compile(r"\w{1,4}|[^\w\s]")


def count_tokens(text: str) -> int:
    """Count the tokens of ``text`` with the emulator's tokeniser."""
    return len(_TOKEN.findall(text))


def token_ends(text: str) -> list[int]:
    """Return the end offset of every token in ``text``."""
    return [match.end() for match in _TOKEN.finditer(text)]


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` after its first ``limit`` tokens (whitespace after the last one dropped)."""
    ends = token_ends(text)
    if len(ends) <= limit:
        return text
    return text[: ends[limit - 1]] if limit > 0 else ""


def split_pieces(text: str, tokens_per_piece: int) -> list[str]:
    """Split ``text`` into pieces of ``tokens_per_piece`` (>= 1) tokens that join back to it.

    Whitespace before a token travels with it; trailing whitespace joins the last piece.
    """
    if not text:
        return []
    cuts = token_ends(text)[tokens_per_piece - 1 : -1 : tokens_per_piece]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _modality(mime_type: str) -> str:
    major = mime_type.split("/", 1)[0].upper()
    return major if major in ("IMAGE", "AUDIO", "VIDEO") else "DOCUMENT"


def part_tokens(part: Mapping[str, Any]) -> tuple[str, int]:
    """Return ``(modality, tokens)`` for one normalised part."""
    for key in ("inlineData", "fileData"):
        if key in part:
            return _modality(str(part[key].get("mimeType", ""))), MEDIA_TOKENS
    for key, payload in (("functionCall", "args"), ("functionResponse", "response")):
        if key in part:
            item = part[key]
            name = count_tokens(str(item.get("name", "")))
            return "TEXT", name + count_tokens(_compact(item.get(payload, {})))
    text = part.get("text") or part.get("executableCode", {}).get("code", "")
    text = text or part.get("codeExecutionResult", {}).get("output", "")
    return "TEXT", count_tokens(str(text))


def prompt_tokens(request: Mapping[str, Any]) -> dict[str, int]:
    """Count a normalised request's prompt tokens per modality (``TEXT`` first).

    Counts ``systemInstruction``, ``contents`` and the function declarations of ``tools``
    (as compact JSON), which is what ``promptTokenCount`` covers.
    """
    totals: dict[str, int] = {"TEXT": 0}
    contents: list[Any] = list(request.get("contents", []))
    if "systemInstruction" in request:
        contents.append(request["systemInstruction"])
    for content in contents:
        for part in content.get("parts", []):
            modality, tokens = part_tokens(part)
            totals[modality] = totals.get(modality, 0) + tokens
    declarations = [
        d for tool in request.get("tools", []) for d in tool.get("functionDeclarations", [])
    ]
    if declarations:
        totals["TEXT"] += count_tokens(_compact(declarations))
    return totals


def details(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """Render per-modality counts as ``[{"modality": ..., "tokenCount": ...}]``, zeros dropped."""
    return [{"modality": m, "tokenCount": n} for m, n in counts.items() if n]
