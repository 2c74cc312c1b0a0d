"""The Interactions API's shared wire values: the base Struct (snake_case), content blocks
and token usage."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ("Content", "IxWire", "ModalityTokens", "Usage")


class IxWire(
    msgspec.Struct,
    omit_defaults=True,
    frozen=True,
    gc=False,
    repr_omit_defaults=True,
):
    """Base of the Interactions wire types: snake_case names as on the wire (no renaming),
    unset fields omitted, immutable; unknown fields are ignored on decode.

    ``gc=False`` is safe: decoded values are trees (JSON has no cycles).
    """


class Content(IxWire, frozen=True, kw_only=True):
    """One content block (``type``: ``text``, ``image``, ``audio``, ``document``, ``video``,
    or a kind added later, kept with the fields known here).

    Example:
        >>> Content(type="text", text="What is in this picture?")
    """

    type: str = "text"
    text: str | None = None
    data: str | None = None
    uri: str | None = None
    mime_type: str | None = None
    annotations: list[Any] | None = None
    resolution: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


class ModalityTokens(IxWire, frozen=True, kw_only=True):
    """Tokens of one modality (``"text"``, ``"image"``, ...)."""

    modality: str | None = None
    tokens: int | None = None


class Usage(IxWire, frozen=True, kw_only=True):
    """Token usage of an interaction (every field optional)."""

    total_input_tokens: int | None = None
    total_output_tokens: int | None = None
    total_thought_tokens: int | None = None
    total_cached_tokens: int | None = None
    total_tool_use_tokens: int | None = None
    total_tokens: int | None = None
    input_tokens_by_modality: list[ModalityTokens] | None = None
    output_tokens_by_modality: list[ModalityTokens] | None = None
    cached_tokens_by_modality: list[ModalityTokens] | None = None
    tool_use_tokens_by_modality: list[ModalityTokens] | None = None
    grounding_tool_count: Any = None
