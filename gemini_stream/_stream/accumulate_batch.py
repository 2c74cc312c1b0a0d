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

from .._wire.candidate import Candidate, UsageMetadata
from .._wire.content import Content, Part
from .._wire.response import GenerateContentResponse
from .accumulate import accumulate

__all__ = ("accumulate_batch", "join_tail", "latest_usage", "surely_finished", "take_chunks")

_UNSET: object = object()  # no chunk read yet


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

    A run's chunks share one candidate index and thought flag and carry no prompt feedback
    or model status (the server sends those on the first chunk, if at all); a chunk with a
    finish reason is the last of its run.
    """
    texts: list[str] = []
    append = texts.append
    index = thought = _UNSET
    for chunk in chunks[start:] if start else chunks:
        plain = _plain_text(chunk)
        if plain is None:
            break
        candidate, part, text = plain
        # Usually the very objects of the run's first chunk (None, a small int): no compare.
        if part.thought is not thought or candidate.index is not index:
            if index is _UNSET:
                index, thought = candidate.index, part.thought
            elif candidate.index != index or bool(part.thought) is not bool(thought):
                break
        append(text)
        if candidate.finish_reason is not None:
            break
    return start + len(texts), texts


def _joined(
    chunks: Sequence[GenerateContentResponse], start: int, end: int, texts: list[str]
) -> GenerateContentResponse:
    """One chunk equivalent to the text run ``chunks[start:end]``, whose texts are ``texts``."""
    run = chunks[start:end]
    first = run[0].candidates[0]  # type: ignore[index]
    last = run[-1]
    # Latest wins, as in accumulate(). The server repeats these on every chunk, so the last
    # one has them; a run has no prompt feedback or model status (see _text_run). Vertex AI's
    # create_time and the Gemini API's turn_token are on every chunk too, and a candidate's
    # score only on its last: they are read from the run's last chunk alone (looking further
    # back would cost a loop per run on the Gemini API, which sends neither time nor score).
    role = last.candidates[0].content.role  # type: ignore[index, union-attr]
    usage, version, response_id = last.usage_metadata, last.model_version, last.response_id
    if role is None or usage is None or version is None or response_id is None:
        for chunk in reversed(run):
            if role is None:
                role = chunk.candidates[0].content.role  # type: ignore[index, union-attr]
            if usage is None:
                usage = chunk.usage_metadata
            if version is None:
                version = chunk.model_version
            if response_id is None:
                response_id = chunk.response_id
    part = Part(text="".join(texts), thought=first.content.parts[0].thought)  # type: ignore[union-attr]
    last_candidate = last.candidates[0]  # type: ignore[index]
    candidate = Candidate(
        content=Content(role=role, parts=[part]),
        finish_reason=last_candidate.finish_reason,
        index=first.index,
        score=last_candidate.score,
    )
    return GenerateContentResponse(
        candidates=[candidate],
        usage_metadata=usage,
        model_version=version,
        response_id=response_id,
        create_time=last.create_time,
        turn_token=last.turn_token,
    )


def _plain_text(chunk: GenerateContentResponse) -> tuple[Candidate, Part, str] | None:
    """The candidate, part and text of a plain text delta (one candidate with one part that has
    text and nothing else a fold would keep), else ``None``. The checks are written out, and
    the shape is checked by unpacking rather than with ``len()``: this runs once per chunk."""
    try:
        (candidate,) = chunk.candidates  # type: ignore[misc]
        (part,) = candidate.content.parts  # type: ignore[union-attr]
    except (TypeError, ValueError, AttributeError):
        return None  # no candidates or content, or more than one of either
    if (
        part.text is None
        or chunk.prompt_feedback is not None
        or chunk.model_status is not None
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
        return None
    return candidate, part, part.text


def take_chunks(
    unfolded: list[GenerateContentResponse],
    texts: list[str],
    batch: Sequence[GenerateContentResponse],
) -> None:
    """Append ``batch`` to ``unfolded`` (a stream's chunks not folded yet, oldest first),
    holding a run of plain text deltas as the run's last chunk and its texts.

    While ``texts`` is not empty, ``unfolded[-1]`` is a plain text delta and ``texts`` the
    texts of the run it ends (its own last); a delta that continues the run replaces it and
    adds its text, so a stream held open mid-reply keeps one chunk and a few strings rather
    than a chunk per event (about 1 KB each). ``join_tail`` makes the run one chunk, as
    ``_joined`` would from all of it: a delta continues a run only when it has every field
    ``_joined`` would otherwise look for in the chunks before it.
    """
    for chunk in batch:
        plain = _plain_text(chunk)
        if plain is not None and texts:
            candidate, part, text = plain
            tail = unfolded[-1].candidates[0]  # type: ignore[index]
            if (
                tail.finish_reason is None
                and part.thought is tail.content.parts[0].thought  # type: ignore[union-attr]
                and candidate.index == tail.index
                and chunk.usage_metadata is not None
                and chunk.model_version is not None
                and chunk.response_id is not None
                and candidate.content.role is not None  # type: ignore[union-attr]
            ):
                unfolded[-1] = chunk
                texts.append(text)
                continue
        if len(texts) > 1:
            unfolded[-1] = join_tail(unfolded, texts)
        texts.clear()
        unfolded.append(chunk)
        if plain is not None:
            texts.append(plain[2])


def join_tail(
    unfolded: Sequence[GenerateContentResponse], texts: list[str]
) -> GenerateContentResponse:
    """``unfolded[-1]`` with the texts of the run it ends (``take_chunks``) as one chunk."""
    return _joined(unfolded, len(unfolded) - 1, len(unfolded), texts)


# What the fold of ``chunks`` into ``snapshot`` would say, read without folding: a stream asks
# these at its end, and a reply nobody reads is then never folded.


def latest_usage(
    snapshot: GenerateContentResponse | None, chunks: Sequence[GenerateContentResponse]
) -> UsageMetadata | None:
    """The ``usage_metadata`` of the fold (the latest chunk that has one wins)."""
    for chunk in reversed(chunks):
        if chunk.usage_metadata is not None:
            return chunk.usage_metadata
    return None if snapshot is None else snapshot.usage_metadata


def surely_finished(
    snapshot: GenerateContentResponse | None, chunks: Sequence[GenerateContentResponse]
) -> bool:
    """True when the fold surely has a ``finish_reason``: the last chunk with candidates has
    one, with a finish reason, for the reply's first candidate. False: fold and look."""
    last = next((chunk for chunk in reversed(chunks) if chunk.candidates), None)
    if last is None or len(last.candidates) != 1:  # type: ignore[arg-type]
        return False
    candidate = last.candidates[0]  # type: ignore[index]
    if candidate.finish_reason is None:
        return False
    # The reply's first candidate is the first index that arrived.
    if snapshot is not None and snapshot.candidates:
        first = snapshot.candidates[0]
    else:
        first = next(chunk for chunk in chunks if chunk.candidates).candidates[0]  # type: ignore[index]
    return (candidate.index or 0) == (first.index or 0)
