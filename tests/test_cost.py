"""Cost estimates: the arithmetic over usageMetadata, tiers, modalities and model lookup."""

from __future__ import annotations

import pytest

import gemini_stream as gs
from gemini_stream.types import ModalityTokenCount, UsageMetadata


def _usage(**counts: object) -> UsageMetadata:
    return UsageMetadata(**counts)  # type: ignore[arg-type]


def test_plain_text_reply_on_flash() -> None:
    usage = _usage(prompt_token_count=1_000_000, candidates_token_count=200_000)
    cost = gs.estimate_cost(usage, "gemini-2.5-flash")
    assert cost.model == "gemini-2.5-flash"
    assert cost.input == pytest.approx(0.30)
    assert cost.output == pytest.approx(0.50)  # 0.2M x $2.50
    assert (cost.cached, cost.thinking) == (0.0, 0.0)
    assert cost.total == pytest.approx(0.80)
    assert cost.prices_date == "2026-03" and cost.currency == "USD"
    assert str(cost) == "$0.800000 (gemini-2.5-flash, prices of 2026-03, estimate)"


def test_thinking_is_billed_as_output_and_cache_hits_at_the_cache_price() -> None:
    usage = _usage(
        prompt_token_count=10_000,  # includes the 8,000 cached tokens
        cached_content_token_count=8_000,
        candidates_token_count=500,
        thoughts_token_count=1_500,
        tool_use_prompt_token_count=1_000,
    )
    cost = gs.estimate_cost(usage, "gemini-2.5-flash")
    assert cost.input == pytest.approx((2_000 + 1_000) * 0.30e-6)
    assert cost.cached == pytest.approx(8_000 * 0.03e-6)
    assert cost.output == pytest.approx(500 * 2.50e-6)
    assert cost.thinking == pytest.approx(1_500 * 2.50e-6)
    assert cost.total == pytest.approx(cost.input + cost.cached + cost.output + cost.thinking)


def test_audio_input_has_its_own_price() -> None:
    usage = _usage(
        prompt_token_count=3_000,
        prompt_tokens_details=[
            ModalityTokenCount(modality="TEXT", token_count=1_000),
            ModalityTokenCount(modality="AUDIO", token_count=2_000),
        ],
        cached_content_token_count=500,
        cache_tokens_details=[ModalityTokenCount(modality="AUDIO", token_count=500)],
    )
    cost = gs.estimate_cost(usage, "gemini-2.5-flash")
    assert cost.input == pytest.approx(1_000 * 0.30e-6 + 1_500 * 1.00e-6)
    assert cost.cached == pytest.approx(500 * 0.10e-6)


def test_long_prompts_use_the_upper_tier() -> None:
    short = _usage(prompt_token_count=200_000, candidates_token_count=1_000)
    long = _usage(prompt_token_count=200_001, candidates_token_count=1_000)
    assert gs.estimate_cost(short, "gemini-2.5-pro").input == pytest.approx(0.25)
    assert gs.estimate_cost(short, "gemini-2.5-pro").output == pytest.approx(0.01)
    assert gs.estimate_cost(long, "gemini-2.5-pro").input == pytest.approx(200_001 * 2.50e-6)
    assert gs.estimate_cost(long, "gemini-2.5-pro").output == pytest.approx(0.015)
    flat = gs.estimate_cost(long, "gemini-2.5-flash")  # no tiers on Flash
    assert flat.input == pytest.approx(200_001 * 0.30e-6)


def test_generated_image_tokens_have_their_own_price() -> None:
    usage = _usage(
        prompt_token_count=10,
        candidates_token_count=1_300,
        candidates_tokens_details=[
            ModalityTokenCount(modality="TEXT", token_count=10),
            ModalityTokenCount(modality="IMAGE", token_count=1_290),
        ],
    )
    cost = gs.estimate_cost(usage, "gemini-2.5-flash-image")
    assert cost.output == pytest.approx(10 * 2.50e-6 + 1_290 * 30e-6)  # about $0.039 an image


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash"),
        ("gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("publishers/google/models/gemini-3-pro-preview", "gemini-3-pro-preview"),
    ],
)
def test_versioned_names_use_their_model_s_prices(name: str, entry: str) -> None:
    assert gs.estimate_cost(_usage(), name).model == entry


@pytest.mark.parametrize("name", ["gemini-9-ultra", "gemini-2.5-flash-native-audio", "gpt-4o"])
def test_unknown_models_are_a_clear_error(name: str) -> None:
    with pytest.raises(ValueError, match=rf"no price known for model '{name}'.*gemini-2\.5-flash"):
        gs.estimate_cost(_usage(prompt_token_count=1), name)


def test_a_reply_carries_its_model_and_custom_tables_work() -> None:
    reply = gs.GenerateContentResponse(
        usage_metadata=_usage(prompt_token_count=100, candidates_token_count=10),
        model_version="gemini-2.5-flash-lite",
    )
    assert gs.estimate_cost(reply).total == pytest.approx(100 * 0.10e-6 + 10 * 0.40e-6)
    mine = {**gs.PRICES, "my-tuned-model": gs.Price(input=1.0, output=2.0)}
    assert gs.estimate_cost(reply, "my-tuned-model", prices=mine).total == pytest.approx(120e-6)
    with pytest.raises(ValueError, match="which model"):
        gs.estimate_cost(_usage())
    with pytest.raises(TypeError):
        gs.PRICES["x"] = gs.Price(input=0, output=0)  # type: ignore[index]


async def test_an_emulator_reply_is_priced(client: gs.Client) -> None:
    reply = await client.generate("gemini-2.5-flash", "Hi")
    usage = reply.usage_metadata
    assert usage is not None
    cost = gs.estimate_cost(reply)
    expected = (usage.prompt_token_count or 0) * 0.30e-6 + (
        (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    ) * 2.50e-6
    assert cost.total == pytest.approx(expected)
