"""The price table behind ``gs.estimate_cost``: USD per 1M tokens, Gemini Developer API.

Standard (paid, non-batch) tier, as Google published it on
https://ai.google.dev/gemini-api/docs/pricing in March 2026. Prices change and differ on
Vertex AI, in the Batch API and under Flex/Priority service tiers: treat every figure as an
estimate and check the page before relying on it. Context-cache *storage* is priced per
hour (``Price.cache_storage``, see ``estimate_cache_storage``); grounding requests are billed
separately and are not covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ("PRICES", "PRICES_DATE", "PRICES_SOURCE", "Price")

PRICES_DATE = "2026-03"
PRICES_SOURCE = "https://ai.google.dev/gemini-api/docs/pricing (Standard tier)"
LONG_PROMPT = 200_000
"""Prompts above this many tokens are billed at a model's ``long_context`` prices."""


@dataclass(frozen=True, kw_only=True)
class Price:
    """USD per 1M tokens for one model.

    Attributes:
        input: prompt tokens (text, image, video; audio too unless ``input_audio`` is set).
        output: response tokens, thinking included.
        cached: prompt tokens served from a context cache (``None``: no caching discount).
        input_audio: audio prompt tokens, where they cost more.
        cached_audio: cached audio prompt tokens.
        output_image: generated-image tokens (image models).
        long_context: the prices for prompts above 200k tokens, where they differ.
        cache_storage: keeping a context cache, USD per 1M cached tokens per hour
            (``None``: the model has no explicit caching price).
    """

    input: float
    output: float
    cached: float | None = None
    input_audio: float | None = None
    cached_audio: float | None = None
    output_image: float | None = None
    long_context: Price | None = None
    cache_storage: float | None = None


_TABLE: dict[str, Price] = {
    "gemini-3-pro-preview": Price(
        input=2.00,
        output=12.00,
        cached=0.20,
        long_context=Price(input=4.00, output=18.00, cached=0.40),
        cache_storage=4.50,
    ),
    "gemini-3-flash-preview": Price(
        input=0.50,
        output=3.00,
        cached=0.05,
        input_audio=1.00,
        cached_audio=0.10,
        cache_storage=1.00,
    ),
    "gemini-3-pro-image-preview": Price(input=2.00, output=12.00, output_image=120.00),
    "gemini-2.5-pro": Price(
        input=1.25,
        output=10.00,
        cached=0.125,
        long_context=Price(input=2.50, output=15.00, cached=0.25),
        cache_storage=4.50,
    ),
    "gemini-2.5-flash": Price(
        input=0.30,
        output=2.50,
        cached=0.03,
        input_audio=1.00,
        cached_audio=0.10,
        cache_storage=1.00,
    ),
    "gemini-2.5-flash-lite": Price(
        input=0.10,
        output=0.40,
        cached=0.01,
        input_audio=0.30,
        cached_audio=0.03,
        cache_storage=1.00,
    ),
    "gemini-2.5-flash-image": Price(input=0.30, output=2.50, output_image=30.00),
    "gemini-2.5-flash-preview-tts": Price(input=0.50, output=10.00),
    "gemini-2.5-pro-preview-tts": Price(input=1.00, output=20.00),
    "gemini-2.0-flash": Price(
        input=0.10,
        output=0.40,
        cached=0.025,
        input_audio=0.70,
        cached_audio=0.175,
        cache_storage=1.00,
    ),
    "gemini-2.0-flash-lite": Price(input=0.075, output=0.30),
}
PRICES = MappingProxyType(_TABLE)
"""The shipped table, read-only; extend a copy: ``{**gs.PRICES, "my-model": gs.Price(...)}``."""
