"""Wire types of a ``generateContent`` reply (one SSE chunk has the same shape)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, overload

from .._input.structured import parse_json
from .base import Wire
from .content import Blob, Content, FunctionCall, Part, parts_text
from .enums import FinishReason
from .grounding import GroundingMetadata

__all__ = (
    "Candidate",
    "CitationMetadata",
    "CitationSource",
    "GenerateContentResponse",
    "LogprobsCandidate",
    "LogprobsResult",
    "ModalityTokenCount",
    "ModelStatus",
    "PromptFeedback",
    "SafetyRating",
    "TopCandidates",
    "UrlContextMetadata",
    "UrlMetadata",
    "UsageMetadata",
)

# Finish reasons meaning a filter stopped the candidate, as opposed to a normal or length stop.
_BLOCKING_FINISH_REASONS = frozenset(
    {
        FinishReason.SAFETY,
        FinishReason.RECITATION,
        FinishReason.BLOCKLIST,
        FinishReason.PROHIBITED_CONTENT,
        FinishReason.SPII,
        FinishReason.IMAGE_SAFETY,
        FinishReason.IMAGE_PROHIBITED_CONTENT,
        FinishReason.IMAGE_RECITATION,
    }
)


class SafetyRating(Wire, frozen=True, kw_only=True):
    """How likely a text is to fall in one harm category, and whether that blocked it."""

    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


class PromptFeedback(Wire, frozen=True, kw_only=True):
    """Why the prompt was blocked; present only then (and then there are no candidates)."""

    block_reason: str | None = None
    safety_ratings: list[SafetyRating] | None = None


class CitationSource(Wire, frozen=True, kw_only=True):
    """A source the answer recites; indices are offsets into the candidate's text."""

    start_index: int | None = None
    end_index: int | None = None
    uri: str | None = None
    license: str | None = None


class CitationMetadata(Wire, frozen=True, kw_only=True):
    """The sources a candidate recites."""

    citation_sources: list[CitationSource] | None = None


class LogprobsCandidate(Wire, frozen=True, kw_only=True):
    """One token with its log probability."""

    token: str | None = None
    token_id: int | None = None
    log_probability: float | None = None


class TopCandidates(Wire, frozen=True, kw_only=True):
    """The most likely tokens at one decoding step, best first."""

    candidates: list[LogprobsCandidate] | None = None


class LogprobsResult(Wire, frozen=True, kw_only=True):
    """Log probabilities of the chosen tokens and of the top alternatives at each step."""

    top_candidates: list[TopCandidates] | None = None
    chosen_candidates: list[LogprobsCandidate] | None = None
    log_probability_sum: float | None = None


class UrlMetadata(Wire, frozen=True, kw_only=True):
    """The retrieval status of one URL read by the URL-context tool."""

    retrieved_url: str | None = None
    url_retrieval_status: str | None = None


class UrlContextMetadata(Wire, frozen=True, kw_only=True):
    """What the URL-context tool retrieved."""

    url_metadata: list[UrlMetadata] | None = None


class Candidate(Wire, frozen=True, kw_only=True):
    """One generated answer. In a stream, ``content`` holds only the parts new in this chunk.

    ``content`` may be absent (blocked candidate, malformed function call); ``index`` is absent
    on some older models and means 0 then.
    """

    content: Content | None = None
    finish_reason: str | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: CitationMetadata | None = None
    token_count: int | None = None
    grounding_metadata: GroundingMetadata | None = None
    avg_logprobs: float | None = None
    logprobs_result: LogprobsResult | None = None
    url_context_metadata: UrlContextMetadata | None = None


class ModalityTokenCount(Wire, frozen=True, kw_only=True):
    """Tokens of one modality (``TEXT``, ``IMAGE``, ...)."""

    modality: str | None = None
    token_count: int | None = None


class UsageMetadata(Wire, frozen=True, kw_only=True):
    """Token counts. In a stream they are cumulative: the last chunk's counts are the totals.

    Zero counts are omitted by the server and read as ``None``.
    """

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    candidates_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    service_tier: str | None = None


class ModelStatus(Wire, frozen=True, kw_only=True):
    """The lifecycle stage of the model that answered (e.g. a retirement notice)."""

    model_stage: str | None = None
    retirement_time: str | None = None
    message: str | None = None


_NO_PARTS: Sequence[Part] = ()
_T = TypeVar("_T")


class GenerateContentResponse(Wire, frozen=True, kw_only=True):
    """A whole reply, or one chunk of a streamed reply.

    The properties read the first candidate and never raise for a missing candidate, content
    or part: ``text`` is then ``""``, ``function_calls`` is ``[]``.

    Example:
        >>> reply = GenerateContentResponse()
        >>> reply.text, reply.blocked
        ('', False)
    """

    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    model_status: ModelStatus | None = None

    @property
    def parts(self) -> Sequence[Part]:
        """The parts of the first candidate (empty when there is none)."""
        candidates = self.candidates
        if not candidates:
            return _NO_PARTS
        content = candidates[0].content
        return _NO_PARTS if content is None else content.parts

    @property
    def text(self) -> str:
        """The first candidate's text, thought summaries left out (``""`` when there is none)."""
        parts = self.parts
        if len(parts) == 1:
            # The usual streamed chunk has one part; skip the join.
            part = parts[0]
            return "" if part.thought else part.text or ""
        return parts_text(parts)

    @property
    def thoughts(self) -> str:
        """The first candidate's thought-summary text (with ``include_thoughts=True``)."""
        return parts_text(self.parts, thought=True)

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls of the first candidate, in order."""
        return [p.function_call for p in self.parts if p.function_call is not None]

    @property
    def inline_data(self) -> list[Blob]:
        """The media the first candidate generated (images, speech), in order; ``.save(path)``
        writes one to disk."""
        return [p.inline_data for p in self.parts if p.inline_data is not None and not p.thought]

    @property
    def images(self) -> list[Blob]:
        """The images the first candidate generated (``response_modalities`` with IMAGE).

        Example:
            >>> reply.images[0].save("cat.png")
        """
        return [b for b in self.inline_data if (b.mime_type or "").startswith("image/")]

    @property
    def finish_reason(self) -> str | None:
        """Why the first candidate stopped; ``None`` while it is still streaming."""
        candidates = self.candidates
        return candidates[0].finish_reason if candidates else None

    @property
    def usage(self) -> UsageMetadata | None:
        """The token counts (``usage_metadata``)."""
        return self.usage_metadata

    @property
    def block_reason(self) -> str | None:
        """Why the prompt or the first candidate was blocked, or ``None`` if it was not.

        This is ``prompt_feedback.block_reason`` when the prompt was blocked, otherwise the
        first candidate's finish reason when a filter stopped it (``SAFETY``, ``RECITATION``,
        ``BLOCKLIST``, ``PROHIBITED_CONTENT``, ``SPII``, ``IMAGE_SAFETY``, ...).
        """
        feedback = self.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            return feedback.block_reason
        reason = self.finish_reason
        return reason if reason in _BLOCKING_FINISH_REASONS else None

    @property
    def blocked(self) -> bool:
        """Whether the prompt or the first candidate was blocked (see ``block_reason``)."""
        return self.block_reason is not None

    @overload
    def parsed(self, type_: type[_T]) -> _T: ...
    @overload
    def parsed(self, type_: Any = None) -> Any: ...
    def parsed(self, type_: Any = None) -> Any:
        """Decode the reply's text (structured output) as JSON into ``type_``.

        Args:
            type_: a msgspec Struct, a dataclass, ``list[X]`` or any type msgspec decodes;
                ``None`` gives plain JSON values (dicts, lists, ...).

        Raises:
            ParseError: the text is not JSON or does not conform to ``type_`` (the message
                names the type and shows the start of the text).

        Example:
            >>> reply = await client.generate(model, "...", config={"response_schema": Recipe})
            >>> recipe = reply.parsed(Recipe)
        """
        return parse_json(self.text, type_)
