"""Wire types of request bodies: ``GenerateContentRequest`` and ``CountTokensRequest``."""

from __future__ import annotations

from .base import Wire
from .config import GenerationConfig, SafetySetting
from .content import Content
from .tools import Tool, ToolConfig

__all__ = ("CountTokensRequest", "GenerateContentRequest")


class GenerateContentRequest(Wire, frozen=True, kw_only=True):
    """The body of ``generateContent`` and ``streamGenerateContent``.

    ``model`` belongs in the URL; it is needed in the body only inside a ``CountTokensRequest``
    (as ``"models/<id>"``). ``cached_content`` names a cache (``"cachedContents/<id>"``).
    """

    model: str | None = None
    contents: list[Content]
    system_instruction: Content | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    generation_config: GenerationConfig | None = None
    cached_content: str | None = None
    service_tier: str | None = None


class CountTokensRequest(Wire, frozen=True, kw_only=True):
    """The body of ``countTokens``: either bare ``contents`` or a whole request, not both."""

    contents: list[Content] | None = None
    generate_content_request: GenerateContentRequest | None = None
