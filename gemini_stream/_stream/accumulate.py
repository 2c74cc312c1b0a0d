"""The pure fold that merges streamed chunks into one ``GenerateContentResponse``.

``snapshot = accumulate(snapshot, chunk)`` is called once per chunk. Inputs are never
mutated; the result shares unchanged objects with them.

Merge rules (wire-format section 8.2):

* Parts are appended per candidate ``index``; candidates with different indexes stay apart.
* Adjacent *plain* text parts with the same ``thought`` flag are concatenated. A part is plain
  when it has ``text`` and nothing else but ``thought``. A part carrying a
  ``thought_signature``, a function call or any other data is kept as its own part, exactly as
  it came: text after a signed part does not merge into it, and the signed part does not merge
  into the text before it, so a signature always stays on the part (and the text) it came on.
  An empty-text part with a signature is kept for the same reason; an empty text part with
  nothing else is dropped, unless it is a candidate's only part.
* The pieces of a function call whose arguments Vertex AI streams (``partial_args``,
  ``will_continue``) fold into the call they continue: one call with whole ``args``
  (``partial_args.py``). Other function calls are kept as they came.
* ``usage_metadata`` (cumulative on the wire, never summed), ``finish_reason``,
  ``finish_message``, ``model_version``, ``response_id``, ``create_time``, ``turn_token``,
  ``prompt_feedback``, safety ratings, ``score`` and grounding metadata come from the latest
  chunk that has them. Citation sources and log probabilities are appended.

Cost: concatenating a growing text run on every chunk would copy the whole reply each time
(quadratic). Instead, while a candidate streams, a run is kept as one part up to
``_SMALL_RUN`` characters and beyond that as a few adjacent parts whose lengths at least halve
from one to the next (a binary-counter scheme: O(log n) parts, each character copied
O(log n) times). The chunk carrying the candidate's ``finish_reason`` joins each run into one
part, once. So a finished reply, and any reply shorter than ``_SMALL_RUN`` at every point, has
each run in exactly one part; a long reply read mid-stream (or cut off) may show a run split
in a few parts, with the same ``.text``; ``consolidate`` joins them. Per chunk the fold costs
O(number of parts + candidates), amortised O(log n) per character.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TypeVar

from msgspec.structs import replace

from .._wire.candidate import Candidate, CitationMetadata, LogprobsResult
from .._wire.content import Content, Part
from .._wire.response import GenerateContentResponse
from .partial_args import append_call, is_streamed_call

__all__ = ("accumulate", "consolidate")

_T = TypeVar("_T")

# Runs up to this many characters are re-joined on every chunk: a bounded copy that keeps the
# snapshots of ordinary replies in one part per run.
_SMALL_RUN = 8192
_EMPTY = GenerateContentResponse()


def _latest(new: _T | None, old: _T | None) -> _T | None:
    return old if new is None else new


def _plain(part: Part) -> bool:
    """Whether ``part`` is bare text (optionally a thought) that may merge with its neighbours."""
    return (
        part.text is not None
        and part.thought_signature is None
        and part.function_call is None
        and part.inline_data is None
        and part.file_data is None
        and part.function_response is None
        and part.executable_code is None
        and part.code_execution_result is None
        and part.tool_call is None
        and part.tool_response is None
        and part.audio_transcription is None
        and part.video_metadata is None
        and part.media_resolution is None
        and part.part_metadata is None
    )


def _mergeable(a: Part, b: Part) -> bool:
    return bool(a.thought) is bool(b.thought) and _plain(a) and _plain(b)


# The part the last merge produced, plain by construction. Streams merge into it on the next
# chunk, so remembering it skips a 14-field check per chunk. The strong reference keeps its id
# from being reused; a stale or racing value only costs a cache miss.
_last_merged: Part | None = None


def _append(parts: list[Part], part: Part) -> None:
    """Append ``part`` to ``parts`` (a fresh list), merging text runs as the docstring says.

    Adjacent mergeable parts in ``parts`` are always pieces of one run (longest first), so
    walking back stops at the first piece that is too long or of another kind.
    """
    global _last_merged
    if not parts or not _plain(part):
        call = part.function_call
        if call is not None and is_streamed_call(call):
            append_call(parts, part, call)  # Vertex AI's streamed arguments
        else:
            parts.append(part)
        return
    text = part.text or ""
    if not text:
        # An empty unsigned text part (often the last chunk's) carries nothing: drop it
        # rather than leave ``{"text": ""}`` in the turn sent back as history.
        return
    thought = bool(part.thought)
    first = part
    while parts:
        last = parts[-1]
        last_text = last.text
        if last_text is None or (len(last_text) > _SMALL_RUN and len(last_text) > 2 * len(text)):
            break
        if bool(last.thought) is not thought or (last is not _last_merged and not _plain(last)):
            break
        text = last_text + text
        parts.pop()
        first = last
    if first is not part:
        # The run keeps the flag as its first piece spelled it (None or False).
        part = _last_merged = Part(text=text, thought=first.thought)
    parts.append(part)


def _join_runs(parts: list[Part]) -> list[Part]:
    """Join every run of mergeable parts into one part; ``parts`` itself when there is none."""
    if not any(_mergeable(a, b) for a, b in pairwise(parts)):
        return parts
    out: list[Part] = []
    run: list[Part] = []
    for part in parts:
        if run and not _mergeable(run[-1], part):
            out.append(_join(run))
            run = []
        run.append(part)
    out.append(_join(run))
    return out


def _join(run: list[Part]) -> Part:
    if len(run) == 1:
        return run[0]
    return Part(text="".join(p.text or "" for p in run), thought=run[0].thought)


def _fold_content(old: Content | None, new: Content | None, final: bool) -> Content | None:
    if new is None or not new.parts:
        content = old if old is not None else new
    else:
        parts = list(old.parts) if old is not None else []
        for part in new.parts:
            _append(parts, part)
        role = new.role if new.role is not None or old is None else old.role
        content = Content(role=role, parts=parts)
    if final and content is not None:
        joined = _join_runs(content.parts)
        if joined is not content.parts:
            content = Content(role=content.role, parts=joined)
    return content


def _merge_citations(
    old: CitationMetadata | None, new: CitationMetadata | None
) -> CitationMetadata | None:
    if old is None or not old.citation_sources:
        return _latest(new, old)
    if new is None or not new.citation_sources:
        return old
    # Chunks may repeat a source already reported; keep each once, in order.
    sources = list(old.citation_sources)
    sources.extend(s for s in new.citation_sources if s not in old.citation_sources)
    return CitationMetadata(citation_sources=sources)


def _merge_logprobs(
    old: LogprobsResult | None, new: LogprobsResult | None
) -> LogprobsResult | None:
    if old is None or new is None:
        return _latest(new, old)
    total = old.log_probability_sum
    if new.log_probability_sum is not None:
        total = new.log_probability_sum + (total or 0.0)
    return LogprobsResult(
        top_candidates=[*(old.top_candidates or ()), *(new.top_candidates or ())] or None,
        chosen_candidates=[*(old.chosen_candidates or ()), *(new.chosen_candidates or ())] or None,
        log_probability_sum=total,
    )


def _fold_candidate(old: Candidate | None, new: Candidate) -> Candidate:
    final = new.finish_reason is not None
    if old is None:
        content = _fold_content(None, new.content, final)
        return new if content is new.content else replace(new, content=content)
    content = _fold_content(old.content, new.content, final)
    if (
        new.safety_ratings is None
        and new.citation_metadata is None
        and new.grounding_metadata is None
        and new.logprobs_result is None
        and new.url_context_metadata is None
        and new.token_count is None
        and new.avg_logprobs is None
        and new.finish_message is None
        and new.score is None
    ):
        # The usual chunk: new parts, perhaps the finish reason, nothing else to merge.
        if final:
            return replace(old, content=content, finish_reason=new.finish_reason)
        return replace(old, content=content)
    return Candidate(
        content=content,
        finish_reason=_latest(new.finish_reason, old.finish_reason),
        finish_message=_latest(new.finish_message, old.finish_message),
        index=_latest(new.index, old.index),
        safety_ratings=_latest(new.safety_ratings, old.safety_ratings),
        citation_metadata=_merge_citations(old.citation_metadata, new.citation_metadata),
        token_count=_latest(new.token_count, old.token_count),
        grounding_metadata=_latest(new.grounding_metadata, old.grounding_metadata),
        avg_logprobs=_latest(new.avg_logprobs, old.avg_logprobs),
        logprobs_result=_merge_logprobs(old.logprobs_result, new.logprobs_result),
        url_context_metadata=_latest(new.url_context_metadata, old.url_context_metadata),
        score=_latest(new.score, old.score),
    )


def _fold_candidates(
    old: list[Candidate] | None, new: list[Candidate] | None
) -> list[Candidate] | None:
    if not new:
        return old
    if old and len(old) == 1 and len(new) == 1 and (old[0].index or 0) == (new[0].index or 0):
        return [_fold_candidate(old[0], new[0])]
    out = list(old) if old else []
    for candidate in new:
        index = candidate.index or 0
        for pos, existing in enumerate(out):
            if (existing.index or 0) == index:
                out[pos] = _fold_candidate(existing, candidate)
                break
        else:
            out.append(_fold_candidate(None, candidate))
    return out


def accumulate(
    snapshot: GenerateContentResponse | None, chunk: GenerateContentResponse
) -> GenerateContentResponse:
    """Merge one streamed ``chunk`` into ``snapshot`` (None before the first chunk).

    Args:
        snapshot: the result of the previous call, or None.
        chunk: the next chunk of the same stream.

    Returns:
        A new response holding everything received so far; neither argument is modified.

    Example:
        >>> snapshot = None
        >>> for chunk in chunks:  # doctest: +SKIP
        ...     snapshot = accumulate(snapshot, chunk)
    """
    if snapshot is None:
        snapshot = _EMPTY
    # Inline "latest wins" rather than _latest(): this runs once per chunk.
    usage = chunk.usage_metadata
    feedback = chunk.prompt_feedback
    version = chunk.model_version
    response_id = chunk.response_id
    status = chunk.model_status
    created = chunk.create_time
    token = chunk.turn_token
    return GenerateContentResponse(
        candidates=_fold_candidates(snapshot.candidates, chunk.candidates),
        prompt_feedback=snapshot.prompt_feedback if feedback is None else feedback,
        usage_metadata=snapshot.usage_metadata if usage is None else usage,
        model_version=snapshot.model_version if version is None else version,
        response_id=snapshot.response_id if response_id is None else response_id,
        model_status=snapshot.model_status if status is None else status,
        create_time=snapshot.create_time if created is None else created,
        turn_token=snapshot.turn_token if token is None else token,
    )


def consolidate(snapshot: GenerateContentResponse) -> GenerateContentResponse:
    """Return ``snapshot`` with every text run in one part (e.g. for a reply cut off mid-stream).

    ``accumulate`` already does this for each candidate when its ``finish_reason`` arrives; the
    result is ``snapshot`` itself when there is nothing to join.
    """
    candidates = snapshot.candidates or []
    out = [_consolidated(c) for c in candidates]
    if all(a is b for a, b in zip(out, candidates, strict=True)):
        return snapshot
    return replace(snapshot, candidates=out)


def _consolidated(candidate: Candidate) -> Candidate:
    content = _fold_content(candidate.content, None, final=True)
    return candidate if content is candidate.content else replace(candidate, content=content)
