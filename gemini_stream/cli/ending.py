"""Why a streamed reply is not a whole answer: the one line the command prints on stderr."""

from __future__ import annotations

from collections.abc import Sequence

from ..types import GenerateContentResponse, SafetyRating

__all__ = ("EXPLANATIONS", "incomplete_reason")

EXPLANATIONS = {
    "MAX_TOKENS": "the output token limit was reached",
    "SAFETY": "a safety filter stopped it",
    "RECITATION": "it was reciting a source too closely",
    "LANGUAGE": "it was in an unsupported language",
    "BLOCKLIST": "it contained a blocked term",
    "PROHIBITED_CONTENT": "it contained prohibited content",
    "SPII": "it contained sensitive personal information",
    "MALFORMED_FUNCTION_CALL": "the model produced an invalid function call",
    "IMAGE_SAFETY": "a generated image was stopped by a safety filter",
    "UNEXPECTED_TOOL_CALL": "the model called a tool that was not offered",
    "TOO_MANY_TOOL_CALLS": "the model made too many tool calls",
}


def _ratings(ratings: Sequence[SafetyRating] | None) -> str:
    blocked = [r for r in ratings or () if r.blocked]
    return ", ".join(f"{r.category} rated {r.probability}" for r in blocked)


def incomplete_reason(response: GenerateContentResponse) -> str | None:
    """One line saying why ``response`` is not a whole answer, or ``None`` when it is.

    A blocked prompt, or a first candidate that ended for any reason but ``STOP``
    (``SAFETY``, ``RECITATION``, ``MAX_TOKENS``, ...), or that never ended.
    """
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        why = _ratings(feedback.safety_ratings)
        return f"the prompt was blocked ({feedback.block_reason}{': ' + why if why else ''})"
    if not response.candidates:
        return "the reply ended without an answer"
    candidate = response.candidates[0]
    reason = candidate.finish_reason
    if reason == "STOP":
        return None
    if reason is None:
        return "the reply ended without a finish reason"
    why = EXPLANATIONS.get(reason, "the model stopped before the end")
    if reason == "SAFETY" and (rated := _ratings(candidate.safety_ratings)):
        why += f": {rated}"
    line = f"the reply was cut off ({reason}: {why})"
    if candidate.finish_message:
        line += f"; {candidate.finish_message}"
    return line
