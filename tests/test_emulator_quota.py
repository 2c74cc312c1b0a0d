"""The emulator's per-key quota: prompt tokens per window too, and a window of any length."""

from __future__ import annotations

import anyio
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

PROMPT = "worker 3 request 117 please answer briefly"  # 12 prompt tokens


async def test_tokens_per_window_then_429() -> None:
    async with (
        Emulator(tpm_limit=30) as emulator,
        gs.Client(api_key="k", base_url=emulator.url, retry=gs.RetryPolicy(max_attempts=1)) as c,
    ):
        reply = await c.generate("gemini-2.5-flash", PROMPT)
        assert reply.usage_metadata and reply.usage_metadata.prompt_token_count == 12
        await c.generate("gemini-2.5-flash", PROMPT)  # 24 of 30
        with pytest.raises(gs.RateLimitError) as refused:
            await c.generate("gemini-2.5-flash", PROMPT)  # 36 would be over
        assert refused.value.retry_delay is not None and 0 < refused.value.retry_delay <= 60
    assert [record.status for record in emulator.records] == [200, 200, 429]


async def test_a_short_window_frees_the_quota_after_it() -> None:
    async with (
        Emulator(rpm_limit=1, quota_window=0.3) as emulator,
        gs.Client(api_key="k", base_url=emulator.url, retry=gs.RetryPolicy(max_attempts=1)) as c,
    ):
        await c.generate("gemini-2.5-flash", "Hello")
        with pytest.raises(gs.RateLimitError) as refused:
            await c.generate("gemini-2.5-flash", "Hello")
        assert refused.value.retry_delay is not None and refused.value.retry_delay <= 0.3
        await anyio.sleep(0.35)
        await c.generate("gemini-2.5-flash", "Hello")


def test_the_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="quota_window"):
        Emulator(quota_window=0)
