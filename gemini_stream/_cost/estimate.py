"""Estimates what a reply cost from its ``usageMetadata`` and the shipped price table.

The API returns token counts, never prices; this multiplies them by the table in ``prices``
(dated, see ``PRICES_DATE``). Thinking tokens are billed as output; ``promptTokenCount``
already includes cached tokens, which are billed at the cache price instead; tool-use prompt
tokens are billed as input. It is an estimate: free-tier, batch, Flex/Priority and Vertex AI
prices differ, and cache storage is billed apart (``estimate_cache_storage``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .._wire.candidate import ModalityTokenCount, UsageMetadata
from .._wire.response import GenerateContentResponse
from .prices import LONG_PROMPT, PRICES, PRICES_DATE, Price

__all__ = ("Cost", "estimate_cost", "lookup")

# Dated or versioned names of a listed model: "-001", "-preview-09-2025", "-exp-03-25".
_VERSION_SUFFIX = re.compile(r"-(?:\d{3}|preview|exp|latest)(?:-[0-9-]+)?")
_PER_TOKEN = 1e-6


@dataclass(frozen=True, kw_only=True)
class Cost:
    """An estimated price of one reply, in USD.

    Attributes:
        model: the price-table entry used.
        input: uncached prompt tokens (tool-use prompt tokens included).
        cached: prompt tokens served from a context cache.
        output: response tokens other than thinking.
        thinking: thinking tokens (billed at the output price).
        total: the sum.
        prices_date: when the price table was taken from Google's pricing page.
    """

    model: str
    input: float
    cached: float
    output: float
    thinking: float
    total: float
    prices_date: str = PRICES_DATE
    currency: str = "USD"

    def __str__(self) -> str:
        return f"${self.total:.6f} ({self.model}, prices of {self.prices_date}, estimate)"


def lookup(model: str, prices: Mapping[str, Price]) -> tuple[str, Price]:
    """The table's name and ``Price`` for ``model`` (dated versions use their model's)."""
    name = model.removeprefix("models/").removeprefix("publishers/google/models/")
    if name in prices:
        return name, prices[name]
    for known in sorted(prices, key=len, reverse=True):
        if name.startswith(known) and _VERSION_SUFFIX.fullmatch(name[len(known) :]):
            return known, prices[known]
    raise ValueError(
        f"no price known for model {model!r} (table of {PRICES_DATE}); known models: "
        + ", ".join(sorted(prices))
    )


def _modality(details: Sequence[ModalityTokenCount] | None, modality: str) -> int:
    return sum(d.token_count or 0 for d in details or () if d.modality == modality)


def estimate_cost(
    usage: UsageMetadata | GenerateContentResponse,
    model: str | None = None,
    *,
    prices: Mapping[str, Price] | None = None,
) -> Cost:
    """Estimate the price of a reply from its token counts (USD, Standard tier).

    Args:
        usage: a reply (its ``usage_metadata`` and ``model_version`` are used) or a
            ``UsageMetadata``.
        model: the model that answered; defaults to the reply's ``model_version``. Dated
            versions (``gemini-2.5-flash-preview-09-2025``) use their model's prices.
        prices: your own table (``{"model": gs.Price(...)}``) instead of the shipped one.

    Raises:
        ValueError: the model is not in the table (the message lists the known ones), or
            no model was given for a bare ``UsageMetadata``.

    Example:
        >>> reply = await client.generate("gemini-2.5-flash", "Hello")
        >>> gs.estimate_cost(reply).total
    """
    if isinstance(usage, GenerateContentResponse):
        model = model or usage.model_version
        usage = usage.usage_metadata or UsageMetadata()
    if not isinstance(usage, UsageMetadata):
        raise TypeError(f"expected a reply or its UsageMetadata, got {type(usage).__name__}")
    if not model:
        raise ValueError("which model answered? pass model='gemini-2.5-flash' or similar")
    name, price = lookup(model, PRICES if prices is None else prices)
    prompt = usage.prompt_token_count or 0
    if price.long_context is not None and prompt > LONG_PROMPT:
        price = price.long_context
    cached = usage.cached_content_token_count or 0
    cached_audio = _modality(usage.cache_tokens_details, "AUDIO")
    audio = max(_modality(usage.prompt_tokens_details, "AUDIO") - cached_audio, 0)
    plain = max(prompt - cached - audio, 0) + (usage.tool_use_prompt_token_count or 0)
    input_cost = plain * price.input + audio * (price.input_audio or price.input)
    cache_price = price.input if price.cached is None else price.cached
    cached_cost = (cached - cached_audio) * cache_price + cached_audio * (
        price.cached_audio or cache_price
    )
    candidates = usage.candidates_token_count or 0
    image = _modality(usage.candidates_tokens_details, "IMAGE") if price.output_image else 0
    output_cost = (candidates - image) * price.output + image * (price.output_image or 0.0)
    thinking_cost = (usage.thoughts_token_count or 0) * price.output
    parts = [c * _PER_TOKEN for c in (input_cost, cached_cost, output_cost, thinking_cost)]
    return Cost(
        model=name,
        input=parts[0],
        cached=parts[1],
        output=parts[2],
        thinking=parts[3],
        total=sum(parts),
    )
