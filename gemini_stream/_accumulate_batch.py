"""``accumulate_batch``: folds many chunks at once, as ``accumulate`` would one by one.

A stream folds the chunks it received a few dozen at a time, and folding them one by one
would rebuild the reply's objects for each. Instead, each run of plain text deltas (one
candidate, one text part, nothing else but usage and ids; the usual chunk) is joined in one
step and folded as one chunk. Anything else (function calls, signatures, several candidates,
citations, a switch from thoughts to text, ...) ends the run and is folded on its own. The
result, consolidated, is the same either way (``tests/test_accumulate_batch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._accumulate import accumulate
from ._wire_content import Content, Part
from ._wire_response import Candidate, GenerateContentResponse

__all__ = ("accumulate_batch",)


def accumulate_batch(
    snapshot: GenerateContentResponse | None, chunks: Sequence[GenerateContentResponse]
) -> GenerateContentResponse | None:
    """Fold ``chunks`` into ``snapshot`` in order; ``snapshot`` itself when there are none."""
    start, count = 0, len(chunks)
    while start < count:
        end, texts = _text_run(chunks, start)
        if end - start > 1:
            snapshot = accumulate(snapshot, _joined(chunks, start, end, texts))
        else:
            end = start + 1
            snapshot = accumulate(snapshot, chunks[start])
        start = end
    return snapshot


def _text_run(chunks: Sequence[GenerateContentResponse], start: int) -> tuple[int, list[str]]:
    """Where the run of plain text deltas that begins at ``start`` ends, and its texts.

    A run's chunks share one candidate index and thought flag; a chunk with a finish reason
    is the last of its run. The checks are written out: this runs once per chunk.
    """
    texts: list[str] = []
    key = None
    end = start
    for end in range(start, len(chunks)):  # noqa: B007 (the loop variable is the result)
        candidates = chunks[end].candidates
        if candidates is None or len(candidates) != 1:
            return end, texts
        candidate = candidates[0]
        content = candidate.content
        if content is None or len(content.parts) != 1:
            return end, texts
        part = content.parts[0]
        text = part.text
        if (
            text is None
            or candidate.finish_message is not None
            or candidate.safety_ratings is not None
            or candidate.citation_metadata is not None
            or candidate.token_count is not None
            or candidate.grounding_metadata is not None
            or candidate.avg_logprobs is not None
            or candidate.logprobs_result is not None
            or candidate.url_context_metadata is not None
            or part.thought_signature is not None
            or part.inline_data is not None
            or part.file_data is not None
            or part.function_call is not None
            or part.function_response is not None
            or part.executable_code is not None
            or part.code_execution_result is not None
            or part.tool_call is not None
            or part.tool_response is not None
            or part.audio_transcription is not None
            or part.video_metadata is not None
            or part.media_resolution is not None
            or part.part_metadata is not None
        ):
            return end, texts
        this = (candidate.index, bool(part.thought))
        if key is None:
            key = this
        elif this != key:
            return end, texts
        texts.append(text)
        if candidate.finish_reason is not None:
            return end + 1, texts
    return end + 1, texts


def _joined(
    chunks: Sequence[GenerateContentResponse], start: int, end: int, texts: list[str]
) -> GenerateContentResponse:
    """One chunk equivalent to the text run ``chunks[start:end]``, whose texts are ``texts``."""
    first = chunks[start].candidates[0]  # type: ignore[index]
    last = chunks[end - 1]
    # Latest wins, as in accumulate(). The server repeats all but the prompt feedback and
    # the model status on every chunk, so those are all this walk back usually looks for.
    role = feedback = usage = version = response_id = status = None
    for i in range(end - 1, start - 1, -1):
        chunk = chunks[i]
        if role is None:
            role = chunk.candidates[0].content.role  # type: ignore[index, union-attr]
        if usage is None:
            usage = chunk.usage_metadata
        if version is None:
            version = chunk.model_version
        if response_id is None:
            response_id = chunk.response_id
        if feedback is None:
            feedback = chunk.prompt_feedback
        if status is None:
            status = chunk.model_status
    part = Part(text="".join(texts), thought=first.content.parts[0].thought)  # type: ignore[union-attr]
    candidate = Candidate(
        content=Content(role=role, parts=[part]),
        finish_reason=last.candidates[0].finish_reason,  # type: ignore[index]
        index=first.index,
    )
    return GenerateContentResponse(
        candidates=[candidate],
        prompt_feedback=feedback,
        usage_metadata=usage,
        model_version=version,
        response_id=response_id,
        model_status=status,
    )
