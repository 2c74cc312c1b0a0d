"""The backoff schedule, server delays and the testing switch."""

from __future__ import annotations

import time

import pytest

from gemini_stream._config import RetryPolicy
from gemini_stream._errors import (
    APIConnectionError,
    BadRequestError,
    RateLimitError,
    ServiceUnavailableError,
)
from gemini_stream._http import retry as _retry


def test_parse_retry_after_reads_seconds_and_dates() -> None:
    assert _retry.parse_retry_after("30") == 30.0
    assert _retry.parse_retry_after(None) is None
    assert _retry.parse_retry_after("soon") is None
    now = time.time()
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 100))
    assert _retry.parse_retry_after(date, now=now) == pytest.approx(100, abs=1.5)


def test_backoff_uses_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(initial_delay=1, multiplier=2, max_delay=5)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 5), (10, 5)]:
        delays = [_retry.backoff_delay(policy, attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # not stuck at zero


def test_server_delay_wins_but_is_capped() -> None:
    policy = RetryPolicy(max_delay=10)
    assert _retry.backoff_delay(policy, 1, server_delay=3) == 3
    assert _retry.backoff_delay(policy, 1, server_delay=47) == 10


async def test_retrying_retries_transient_errors_then_succeeds() -> None:
    _retry.set_testing(True)
    try:
        failures = [ServiceUnavailableError("busy", code=503), APIConnectionError("reset")]
        calls: list[float | None] = []

        async def attempt(left: float | None) -> str:
            calls.append(left)
            if failures:
                raise failures.pop(0)
            return "ok"

        assert await _retry.retrying(RetryPolicy(max_attempts=3), None, attempt) == "ok"
        assert len(calls) == 3
    finally:
        _retry.set_testing(False)


async def test_retrying_gives_up_after_max_attempts_with_the_last_error() -> None:
    _retry.set_testing(True)
    try:
        count = 0

        async def attempt(left: float | None) -> str:
            nonlocal count
            count += 1
            raise RateLimitError(f"slow down {count}", code=429)

        with pytest.raises(RateLimitError, match="slow down 2"):
            await _retry.retrying(RetryPolicy(max_attempts=2), None, attempt)
        assert count == 2
    finally:
        _retry.set_testing(False)


async def test_retrying_never_retries_a_bad_request() -> None:
    count = 0

    async def attempt(left: float | None) -> str:
        nonlocal count
        count += 1
        raise BadRequestError("bad", code=400)

    with pytest.raises(BadRequestError):
        await _retry.retrying(RetryPolicy(), None, attempt)
    assert count == 1


async def test_retrying_stops_when_reset_forbids_another_attempt() -> None:
    _retry.set_testing(True)
    try:
        count = 0

        async def attempt(left: float | None) -> str:
            nonlocal count
            count += 1
            raise APIConnectionError("reset")

        with pytest.raises(APIConnectionError):
            await _retry.retrying(RetryPolicy(), None, attempt, reset=lambda: False)
        assert count == 1
    finally:
        _retry.set_testing(False)


async def test_retrying_does_not_sleep_past_the_total_budget() -> None:
    count = 0

    async def attempt(left: float | None) -> str:
        nonlocal count
        count += 1
        error = RateLimitError("slow down", code=429)
        error.retry_delay = 50.0
        raise error

    # The server asks for 50 s, which cannot fit in a 1 s budget: give up at once.
    with pytest.raises(RateLimitError):
        await _retry.retrying(RetryPolicy(max_delay=60), 1.0, attempt)
    assert count == 1


async def test_retrying_continues_after_a_first_attempt_the_caller_made() -> None:
    _retry.set_testing(True)
    try:
        calls: list[float | None] = []

        async def attempt(left: float | None) -> str:
            calls.append(left)
            raise ServiceUnavailableError("still busy", code=503)

        first = ServiceUnavailableError("busy", code=503)
        with pytest.raises(ServiceUnavailableError, match="still busy"):
            await _retry.retrying(RetryPolicy(max_attempts=3), None, attempt, failed=first)
        assert len(calls) == 2  # the caller's attempt counts as the first of three

        calls.clear()
        not_retryable = BadRequestError("bad", code=400)
        with pytest.raises(BadRequestError) as raised:
            await _retry.retrying(RetryPolicy(), None, attempt, failed=not_retryable)
        assert raised.value is not_retryable and calls == []
    finally:
        _retry.set_testing(False)
