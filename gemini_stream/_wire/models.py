"""Wire types of the ``countTokens``, ``models.get`` and ``models.list`` replies."""

from __future__ import annotations

from .base import Wire
from .candidate import ModalityTokenCount

__all__ = ("ContentTokens", "CountTokensResponse", "ListModelsResponse", "Model")


class ContentTokens(Wire, frozen=True, kw_only=True):
    """The tokens of one turn: its role's, and each part's in order."""

    role_tokens: int | None = None
    part_tokens: list[int] | None = None


class CountTokensResponse(Wire, frozen=True, kw_only=True):
    """The token count of a prompt.

    The Gemini API may break it down by turn (``content_tokens``, one per content) and give
    the system instruction's (``system_instructions_tokens``); Vertex AI adds
    ``total_billable_characters``.
    """

    total_tokens: int | None = None
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    content_tokens: list[ContentTokens] | None = None
    system_instructions_tokens: ContentTokens | None = None
    total_billable_characters: int | None = None


class Model(Wire, frozen=True, kw_only=True):
    """A model's description and limits; ``name`` is ``"models/<id>"``.

    ``top_k`` is absent for models that do not support top-k sampling; ``thinking`` is true for
    thinking models.
    """

    name: str | None = None
    base_model_id: str | None = None
    version: str | None = None
    display_name: str | None = None
    description: str | None = None
    input_token_limit: int | None = None
    output_token_limit: int | None = None
    supported_generation_methods: list[str] | None = None
    temperature: float | None = None
    max_temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    thinking: bool | None = None


class ListModelsResponse(Wire, frozen=True, kw_only=True):
    """One page of models; ``next_page_token`` is absent on the last page."""

    models: list[Model] | None = None
    next_page_token: str | None = None
