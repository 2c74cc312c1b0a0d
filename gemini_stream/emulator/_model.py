"""The built-in deterministic model: the chunks of its reply to a request, and pure helpers.

The same request to the same model always gives the same chunks, ``responseId`` and
``thoughtSignature`` included (all derive from a hash of the normalised request), so tests
can compute the exact reply with :func:`expected_text` or :func:`expected_response`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._catalogue import find_model
from ._compose import BLOCK_TRIGGER, UNSAFE_TRIGGER, Answer, Conversation, compose
from ._schema import normalise
from ._tokens import (
    IMAGE_OUTPUT_TOKENS,
    count_tokens,
    details,
    part_tokens,
    prompt_tokens,
    split_pieces,
)
from ._tokens import truncate as truncate_tokens

SAFETY_PREFIX_TOKENS = 12
"""How many answer tokens an ``emulator:unsafe`` reply delivers before it stops for SAFETY."""
_CATEGORIES = (
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)


def safety_ratings() -> list[dict[str, Any]]:
    """Ratings for a blocked prompt or reply: dangerous content rated HIGH and blocked."""
    ratings: list[dict[str, Any]] = [
        {"category": c, "probability": "NEGLIGIBLE"} for c in _CATEGORIES
    ]
    ratings[-1] = {"category": _CATEGORIES[-1], "probability": "HIGH", "blocked": True}
    return ratings


@dataclass
class _Plan:
    """One candidate's reply: parts per chunk, the terminal parts and their token costs."""

    units: list[list[dict[str, Any]]]
    costs: list[int]
    tail: list[dict[str, Any]] | None
    tail_cost: int
    finish: str
    thought_tokens: int
    media: str | None = None  # the modality of an inline image or audio answer


def _bare(model: str) -> str:
    return model.split("/", 1)[1] if model.startswith(("models/", "tunedModels/")) else model


class BuiltinModel:
    """The emulator's deterministic model.

    Args:
        chunk_tokens: how many tokens of text each streamed chunk carries (at least 1).

    Example:
        >>> request = {"contents": [{"parts": [{"text": "Hi"}]}]}
        >>> chunks = BuiltinModel(chunk_tokens=4).chunks(request, "gemini-2.5-flash")
        >>> chunks[-1]["candidates"][0]["finishReason"]
        'STOP'
    """

    def __init__(self, chunk_tokens: int = 8) -> None:
        if chunk_tokens < 1:
            raise ValueError(f"chunk_tokens must be at least 1, got {chunk_tokens}")
        self.chunk_tokens = chunk_tokens

    def chunks(self, request: Mapping[str, Any], model: str) -> list[dict[str, Any]]:
        """Return every chunk a stream of the reply carries, in order.

        Args:
            request: a ``GenerateContentRequest`` as JSON (camelCase or snake_case names).
            model: the model id, with or without the ``models/`` prefix.

        Raises:
            ValueError: the request does not match the v1beta schema.
        """
        return self.normalised_chunks(normalise(request), _bare(model))

    def normalised_chunks(self, request: Mapping[str, Any], model: str) -> list[dict[str, Any]]:
        """Like :meth:`chunks`, for a request already normalised and a bare model id."""
        conv = Conversation.read(request, model)
        prompt = prompt_tokens(request)
        head = {"modelVersion": model, "responseId": _response_id(conv)}
        tier = applied_tier(request)
        if BLOCK_TRIGGER in conv.last_user:
            feedback = {"blockReason": "SAFETY", "safetyRatings": safety_ratings()}
            usage = _usage(prompt, 0, 0, 0, tier=tier)
            return [{"promptFeedback": feedback, "usageMetadata": usage, **head}]
        config = request.get("generationConfig", {})
        count = max(1, int(config.get("candidateCount", 1)))
        answer = compose(request, conv, model)
        plans = [self._plan(answer, config, conv, model, c) for c in range(count)]
        rounds = max(len(p.units) for p in plans) + 1
        emitted = [0] * count
        thoughts = sum(p.thought_tokens for p in plans)
        chunks = []
        for i in range(rounds):
            candidates = []
            for c, plan in enumerate(plans):
                last = i == rounds - 1
                if not last and i >= len(plan.units):
                    continue
                parts = plan.tail if last else plan.units[i]
                emitted[c] += plan.tail_cost if last else plan.costs[i]
                candidate: dict[str, Any] = {}
                if parts is not None:
                    candidate["content"] = {"parts": parts, "role": "model"}
                if last:
                    candidate["finishReason"] = plan.finish
                candidate["index"] = c
                if last and plan.finish == "SAFETY":
                    candidate["safetyRatings"] = safety_ratings()
                candidates.append(candidate)
            media = next((p.media for p in plans if p.media), None) if i == rounds - 1 else None
            usage = _usage(prompt, sum(emitted), thoughts, count if media else 0, media, tier=tier)
            chunks.append({"candidates": candidates, "usageMetadata": usage, **head})
        return chunks

    def _plan(
        self, answer: Answer, config: Mapping[str, Any], conv: Conversation, model: str, index: int
    ) -> _Plan:
        """Lay out candidate ``index``'s reply: thoughts, answer parts and limits applied."""
        thinking = config.get("thinkingConfig", {})
        thinks = _thinks(model, thinking)
        include = thinks and bool(thinking.get("includeThoughts"))
        units: list[list[dict[str, Any]]] = []
        costs: list[int] = []
        if include:
            for piece in split_pieces(answer.thought, self.chunk_tokens):
                units.append([{"text": piece, "thought": True}])
                costs.append(0)
        thought_tokens = count_tokens(answer.thought) if thinks else 0
        # Gemini 3 signs the first function call always, and the first answer part when
        # thoughts are returned.
        signature = {"thoughtSignature": base64.b64encode(conv.digest("signature")).decode()}
        if answer.calls:
            for j, call in enumerate(answer.calls):
                units.append([{"functionCall": call, **(signature if j == 0 else {})}])
                costs.append(part_tokens({"functionCall": call})[1])
            return _Plan(units, costs, [{"text": ""}], 0, "STOP", thought_tokens)
        text = answer.text if index == 0 else f"Candidate {index}: {answer.text}"
        text, finish = _limit(text, config, unsafe=UNSAFE_TRIGGER in conv.last_user)
        parts: list[dict[str, Any]] = [{"text": p} for p in split_pieces(text, self.chunk_tokens)]
        part_costs = [count_tokens(p["text"]) for p in parts]
        if answer.image is not None and finish == "STOP":
            parts.append({"inlineData": answer.image})
            part_costs.append(IMAGE_OUTPUT_TOKENS)
        if include:  # the signature rides on the first answer part, an empty one if need be
            parts[:1] = [{**(parts[0] if parts else {"text": ""}), **signature}]
            part_costs[:1] = part_costs[:1] or [0]
        units.extend([p] for p in parts)
        costs.extend(part_costs)
        if finish == "SAFETY":
            return _Plan(units, costs, None, 0, finish, thought_tokens)
        if not parts:  # nothing to say: the terminal chunk carries an empty text part
            return _Plan(units, costs, [{"text": ""}], 0, finish, thought_tokens)
        blob = parts[-1].get("inlineData")
        media = None
        if blob is not None:
            media = "AUDIO" if str(blob.get("mimeType", "")).startswith("audio/") else "IMAGE"
        return _Plan(units, costs, units.pop(), costs.pop(), finish, thought_tokens, media)


def _thinks(model: str, thinking_config: Mapping[str, Any]) -> bool:
    entry = find_model(f"models/{model}") or {}
    return bool(entry.get("thinking")) and thinking_config.get("thinkingBudget", -1) != 0


def _limit(text: str, config: Mapping[str, Any], *, unsafe: bool) -> tuple[str, str]:
    """Apply ``stopSequences``, ``maxOutputTokens`` and the SAFETY trigger to answer text."""
    finish = "STOP"
    stops = [s for s in config.get("stopSequences", []) if s and s in text]
    if stops:
        text = text[: min(text.index(s) for s in stops)]
    limit = config.get("maxOutputTokens")
    if limit is not None and count_tokens(text) > int(limit):
        text, finish = truncate_tokens(text, int(limit)), "MAX_TOKENS"
    if unsafe:
        text, finish = truncate_tokens(text, SAFETY_PREFIX_TOKENS), "SAFETY"
    return text, finish


def _usage(
    prompt: Mapping[str, int],
    candidates: int,
    thoughts: int,
    images: int,
    modality: str | None = None,
    *,
    tier: str = "standard",
) -> dict[str, Any]:
    total = sum(prompt.values())
    usage: dict[str, Any] = {"promptTokenCount": total}
    if candidates:
        usage["candidatesTokenCount"] = candidates
    usage["totalTokenCount"] = total + candidates + thoughts
    usage["promptTokensDetails"] = details(prompt)
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    if images:  # inline answers (images, or speech), each IMAGE_OUTPUT_TOKENS
        image_tokens = images * IMAGE_OUTPUT_TOKENS
        usage["candidatesTokensDetails"] = details(
            {"TEXT": candidates - image_tokens, modality or "IMAGE": image_tokens}
        )
    usage["serviceTier"] = tier  # last, as the live API writes it (lower case)
    return usage


def applied_tier(request: Mapping[str, Any]) -> str:
    """The service tier a reply reports (in ``usageMetadata`` and the
    ``x-gemini-service-tier`` header): the one the request asked for, ``standard`` when it
    asked for none or ``unspecified``."""
    asked = request.get("serviceTier")
    tier = asked.lower() if isinstance(asked, str) else ""
    return tier if tier in ("flex", "priority") else "standard"


def _response_id(conv: Conversation) -> str:
    raw = base64.b64encode(conv.digest("response-id")).decode()
    return "".join(ch for ch in raw if ch.isalnum())[:23]


def _mergeable(previous: Mapping[str, Any], part: Mapping[str, Any]) -> bool:
    plain = set(part) <= {"text", "thought"}
    return plain and "text" in previous and previous.get("thought") == part.get("thought")


def merge_chunks(chunks: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Fold streamed chunks into the one response ``generateContent`` returns.

    Adjacent text parts of the same kind (thought or answer) are joined unless the later one
    carries a ``thoughtSignature``; empty text parts are dropped when the candidate has other
    parts; ``finishReason``, ``safetyRatings`` and usage come from the last chunk.
    """
    merged: dict[int, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for chunk in chunks:
        for candidate in chunk.get("candidates", []):
            into = merged.setdefault(candidate.get("index", 0), {})
            for part in candidate.get("content", {}).get("parts", []):
                parts = into.setdefault("parts", [])
                if parts and _mergeable(parts[-1], part):
                    parts[-1] = {**parts[-1], "text": parts[-1]["text"] + part["text"]}
                else:
                    parts.append(dict(part))
            into.update({k: v for k, v in candidate.items() if k not in ("content", "index")})
        top.update({k: v for k, v in chunk.items() if k != "candidates"})
    candidates = []
    for index, into in sorted(merged.items()):
        parts = into.pop("parts", None)
        head: dict[str, Any] = {}
        if parts is not None:
            kept = [p for p in parts if p != {"text": ""}]
            head["content"] = {"parts": kept or parts[:1], "role": "model"}
        if "finishReason" in into:
            head["finishReason"] = into.pop("finishReason")
        candidates.append({**head, "index": index, **into})
    response = {"candidates": candidates} if candidates else {}
    return {**response, **top}


def expected_response(
    request: Mapping[str, Any], model: str = "gemini-2.5-flash"
) -> dict[str, Any]:
    """Return the exact body ``generateContent`` answers to ``request`` (as a dict).

    Chunking does not change the merged result, so this holds for any ``chunk_tokens``.

    Args:
        request: a ``GenerateContentRequest`` as JSON (camelCase or snake_case names).
        model: the model id, with or without the ``models/`` prefix.

    Raises:
        ValueError: the request does not match the v1beta schema.
    """
    return merge_chunks(BuiltinModel().chunks(request, model))


def expected_text(request: Mapping[str, Any], model: str = "gemini-2.5-flash") -> str:
    """Return the full answer text (thoughts excluded) of candidate 0 for ``request``.

    This is what joining the ``text`` of every non-thought part of every streamed chunk
    gives, whatever the chunk size or pacing; ``""`` for a blocked prompt or function calls.

    Example:
        >>> expected_text({"contents": [{"parts": [{"text": "Hi"}]}]}, "gemini-2.0-flash")[:38]
        'I am the gemini-stream emulator runnin'

    Raises:
        ValueError: the request does not match the v1beta schema.
    """
    parts = [
        part
        for chunk in BuiltinModel().chunks(request, model)
        for candidate in chunk.get("candidates", [])
        if candidate.get("index", 0) == 0
        for part in candidate.get("content", {}).get("parts", [])
    ]
    return "".join(p.get("text", "") for p in parts if not p.get("thought"))
