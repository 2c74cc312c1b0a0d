"""Wire types of what a reply holds besides its content: candidates, safety ratings,
citations, log-probabilities, URL-context results and token usage (with Vertex AI's extras)."""

from __future__ import annotations

from .base import Wire
from .content import Content
from .grounding import GroundingMetadata

__all__ = (
    "BillableUsage",
    "Candidate",
    "CitationMetadata",
    "CitationSource",
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


class SafetyRating(Wire, frozen=True, kw_only=True):
    """How likely a text is to fall in one harm category, and whether that blocked it."""

    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


class PromptFeedback(Wire, frozen=True, kw_only=True):
    """Why the prompt was blocked; present only then (and then there are no candidates).

    ``block_reason_message`` (Vertex AI) explains the block in words.
    """

    block_reason: str | None = None
    safety_ratings: list[SafetyRating] | None = None
    block_reason_message: str | None = None


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
    on some older models and means 0 then. ``score`` (Vertex AI) is the candidate's overall
    log-likelihood score.
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
    score: float | None = None


class ModalityTokenCount(Wire, frozen=True, kw_only=True):
    """Tokens of one modality (``TEXT``, ``IMAGE``, ...)."""

    modality: str | None = None
    token_count: int | None = None


class BillableUsage(Wire, frozen=True, kw_only=True):
    """Vertex AI's (deprecated) billable usage: characters, images and media seconds."""

    text_count: int | None = None
    image_count: int | None = None
    video_duration_seconds: int | None = None
    audio_duration_seconds: int | None = None


class UsageMetadata(Wire, frozen=True, kw_only=True):
    """Token counts. In a stream they are cumulative: the last chunk's counts are the totals.

    Zero counts are omitted by the server and read as ``None``. Vertex AI adds
    ``traffic_type`` (``ON_DEMAND``, ``PROVISIONED_THROUGHPUT``, ...) and the billable usage
    of the prompt and of the cached content.
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
    traffic_type: str | None = None
    billable_prompt_usage: BillableUsage | None = None
    billable_cached_content_usage: BillableUsage | None = None


class ModelStatus(Wire, frozen=True, kw_only=True):
    """The lifecycle stage of the model that answered (e.g. a retirement notice)."""

    model_stage: str | None = None
    retirement_time: str | None = None
    message: str | None = None
