"""Why a reply has no text: the ``BlockedError`` built from a blocked or stopped response."""

from __future__ import annotations

from .._errors import BlockedError
from .._wire.response import GenerateContentResponse

__all__ = ("blocked_error", "stopped_reason")


def stopped_reason(response: GenerateContentResponse) -> str | None:
    reason = response.finish_reason
    return reason if reason not in (None, "STOP", "MAX_TOKENS") else None


def blocked_error(response: GenerateContentResponse, reason: str) -> BlockedError:
    feedback = response.prompt_feedback
    prompt = feedback is not None and feedback.block_reason is not None
    ratings: tuple[object, ...] = ()
    if feedback is not None and feedback.safety_ratings:
        ratings = tuple(feedback.safety_ratings)
    elif response.candidates and response.candidates[0].safety_ratings:
        ratings = tuple(response.candidates[0].safety_ratings)
    # Name the category that tripped the filter first: that is what the caller must act on.
    blocked = [r for r in ratings if getattr(r, "blocked", None)]
    others = [r for r in ratings if not getattr(r, "blocked", None)]
    what = "the prompt was blocked" if prompt else "the reply was stopped"
    if not prompt and not response.text:
        what += " before any text"
    message = f"{what} ({reason})"
    if blocked:
        message += ": " + ", ".join(
            f"{getattr(r, 'category', '?')} rated {getattr(r, 'probability', '?')}" for r in blocked
        )
    if others:
        label = "other ratings" if blocked else "ratings"
        message += f"; {label}: " + ", ".join(
            f"{getattr(r, 'category', '?')}={getattr(r, 'probability', '?')}" for r in others
        )
    if not ratings:
        message += "; the server gave no safety ratings"
    detail = response.candidates[0].finish_message if response.candidates else None
    if detail:
        message += f" ({detail})"
    error = BlockedError(message, reason=reason, ratings=ratings)
    error.partial = response
    return error
