"""Wire types of grounding metadata: the sources a grounded answer cites and where."""

from __future__ import annotations

from typing import Any

from .base import Wire

__all__ = (
    "CustomMetadata",
    "GroundingChunk",
    "GroundingMetadata",
    "GroundingSupport",
    "MapsChunk",
    "RetrievalMetadata",
    "RetrievedContext",
    "SearchEntryPoint",
    "Segment",
    "StringList",
    "WebChunk",
)


class SearchEntryPoint(Wire, frozen=True, kw_only=True):
    """The Google Search suggestion widget to show with a grounded answer."""

    rendered_content: str | None = None
    sdk_blob: bytes | None = None


class WebChunk(Wire, frozen=True, kw_only=True):
    """A web page used as a source."""

    uri: str | None = None
    title: str | None = None
    domain: str | None = None


class StringList(Wire, frozen=True, kw_only=True):
    """A list of strings, as a ``CustomMetadata`` value."""

    values: list[str] | None = None


class CustomMetadata(Wire, frozen=True, kw_only=True):
    """One key of a File Search document's metadata, with one kind of value."""

    key: str | None = None
    string_value: str | None = None
    string_list_value: StringList | None = None
    numeric_value: float | None = None


class RetrievedContext(Wire, frozen=True, kw_only=True):
    """A retrieved document used as a source (File Search and retrieval tools); File Search
    adds the document's ``custom_metadata``."""

    uri: str | None = None
    title: str | None = None
    text: str | None = None
    file_search_store: str | None = None
    custom_metadata: list[CustomMetadata] | None = None


class MapsChunk(Wire, frozen=True, kw_only=True):
    """A Google Maps place used as a source."""

    uri: str | None = None
    title: str | None = None
    text: str | None = None
    place_id: str | None = None


class GroundingChunk(Wire, frozen=True, kw_only=True):
    """One source; exactly one field is set. ``image`` is kept as raw JSON."""

    web: WebChunk | None = None
    retrieved_context: RetrievedContext | None = None
    maps: MapsChunk | None = None
    image: dict[str, Any] | None = None


class Segment(Wire, frozen=True, kw_only=True):
    """A span of the answer; indices are byte offsets into the part's UTF-8 text."""

    part_index: int | None = None
    start_index: int | None = None
    end_index: int | None = None
    text: str | None = None


class GroundingSupport(Wire, frozen=True, kw_only=True):
    """Links an answer segment to the ``grounding_chunks`` that support it."""

    segment: Segment | None = None
    grounding_chunk_indices: list[int] | None = None
    confidence_scores: list[float] | None = None


class RetrievalMetadata(Wire, frozen=True, kw_only=True):
    """Scores of the legacy dynamic retrieval."""

    google_search_dynamic_retrieval_score: float | None = None


class GroundingMetadata(Wire, frozen=True, kw_only=True):
    """What grounded a candidate: queries run, sources, and which text each source supports."""

    web_search_queries: list[str] | None = None
    image_search_queries: list[str] | None = None
    search_entry_point: SearchEntryPoint | None = None
    grounding_chunks: list[GroundingChunk] | None = None
    grounding_supports: list[GroundingSupport] | None = None
    retrieval_metadata: RetrievalMetadata | None = None
    google_maps_widget_context_token: str | None = None
