"""``accumulate_batch``: folds the chunks of one socket read at once, as ``accumulate`` would.

When reads coalesce (many streams, a busy client), one read carries dozens of chunks, and
folding them one by one re-builds the reply's objects for each. Plain text deltas, the common
case, are instead joined in one step and folded as one chunk; anything else (function calls,
signatures, several candidates, citations, ...) falls back to folding chunk by chunk. The
result, consolidated, is the same either way (``tests/test_accumulate_batch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._accumulate import _plain, accumulate
from ._wire_content import Content, Part
from ._wire_response import Candidate, GenerateContentResponse

__all__ = ("accumulate_batch",)


def accumulate_batch(
    snapshot: GenerateContentResponse | None, chunks: Sequence[GenerateContentResponse]
) -> GenerateContentResponse | None:
    """Fold ``chunks`` into ``snapshot`` in order; ``snapshot`` itself when there are none."""
    if len(chunks) > 1:
        merged = _merge_text_deltas(chunks)
        if merged is not None:
            return accumulate(snapshot, merged)
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)
    return snapshot


def _text_part(chunk: GenerateContentResponse) -> tuple[Candidate, Part] | None:
    """The candidate and its one plain text part, when that is all ``chunk`` carries."""
    candidates = chunk.candidates
    if candidates is None or len(candidates) != 1:
        return None
    candidate = candidates[0]
    content = candidate.content
    if (
        content is None
        or len(content.parts) != 1
        or candidate.finish_message is not None
        or candidate.safety_ratings is not None
        or candidate.citation_metadata is not None
        or candidate.token_count is not None
        or candidate.grounding_metadata is not None
        or candidate.avg_logprobs is not None
        or candidate.logprobs_result is not None
        or candidate.url_context_metadata is not None
    ):
        return None
    part = content.parts[0]
    return (candidate, part) if _plain(part) else None


def _merge_text_deltas(
    chunks: Sequence[GenerateContentResponse],
) -> GenerateContentResponse | None:
    """One chunk equivalent to ``chunks`` when all are plain text deltas of one candidate."""
    texts: list[str] = []
    first: Part | None = None
    index = role = finish = None
    feedback = usage = version = response_id = status = None
    last = len(chunks) - 1
    for position, chunk in enumerate(chunks):
        found = _text_part(chunk)
        if found is None:
            return None
        candidate, part = found
        if first is None:
            first, index = part, candidate.index
        elif bool(part.thought) is not bool(first.thought) or candidate.index != index:
            return None
        if candidate.finish_reason is not None:
            if position != last:
                return None  # a finish before the end: fold chunk by chunk to keep its meaning
            finish = candidate.finish_reason
        texts.append(part.text or "")
        # Latest wins, as in accumulate(); the server repeats these on every chunk.
        content = candidate.content
        if content is not None and content.role is not None:
            role = content.role
        if chunk.prompt_feedback is not None:
            feedback = chunk.prompt_feedback
        if chunk.usage_metadata is not None:
            usage = chunk.usage_metadata
        if chunk.model_version is not None:
            version = chunk.model_version
        if chunk.response_id is not None:
            response_id = chunk.response_id
        if chunk.model_status is not None:
            status = chunk.model_status
    assert first is not None
    content = Content(role=role, parts=[Part(text="".join(texts), thought=first.thought)])
    return GenerateContentResponse(
        candidates=[Candidate(content=content, finish_reason=finish, index=index)],
        prompt_feedback=feedback,
        usage_metadata=usage,
        model_version=version,
        response_id=response_id,
        model_status=status,
    )
