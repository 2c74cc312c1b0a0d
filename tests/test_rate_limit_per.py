"""``RateLimit(requests=, tokens=, per=, requests_per_day=)``: names that say what they
mean, the old ones deprecated, and the requests-per-day limit of the in-process limiter."""

from __future__ import annotations

import warnings

import pytest

import gemini_stream as gs
from gemini_stream._limits.days import DayCount

from .test_ratelimit import FakeClock, admit_times


def test_requests_and_tokens_are_counted_per_per_seconds() -> None:
    limit = gs.RateLimit(requests=100, tokens=5_000, per=5, requests_per_day=1_000)
    assert (limit.requests, limit.tokens, limit.per, limit.requests_per_day) == (
        100,
        5_000,
        5,
        1_000,
    )
    assert repr(limit) == (
        "RateLimit(requests=100, tokens=5000, per=5, requests_per_day=1000, concurrent=None)"
    )
    assert gs.RateLimit().per == 60.0
    assert limit.replace(per=10) == gs.RateLimit(
        requests=100, tokens=5_000, per=10, requests_per_day=1_000
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"requests_per_minute": 100}, {"requests": 100}),
        ({"tokens_per_minute": 9}, {"tokens": 9}),
        ({"window": 5}, {"per": 5}),
        ({"requests_per_minute": 100, "window": 5}, {"requests": 100, "per": 5}),
    ],
)
def test_the_old_names_still_work_with_a_deprecation_warning(
    old: dict[str, float], new: dict[str, float]
) -> None:
    with pytest.warns(DeprecationWarning, match="is deprecated: use RateLimit") as caught:
        limit = gs.RateLimit(**old)  # type: ignore[arg-type]
    assert limit == gs.RateLimit(**new)  # type: ignore[arg-type]
    assert caught[0].filename == __file__  # the warning points at the caller
    with pytest.warns(DeprecationWarning, match="deprecated"):
        assert gs.RateLimit().replace(**old) == gs.RateLimit(**new)  # type: ignore[arg-type]


def test_the_old_attribute_names_read_with_a_warning() -> None:
    limit = gs.RateLimit(requests=3, tokens=4, per=5)
    with pytest.warns(DeprecationWarning, match="requests_per_minute"):
        assert limit.requests_per_minute == 3
    with pytest.warns(DeprecationWarning, match="tokens_per_minute"):
        assert limit.tokens_per_minute == 4
    with pytest.warns(DeprecationWarning, match="window"):
        assert limit.window == 5


def test_old_and_new_names_together_or_unknown_names_are_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(TypeError, match="requests= or requests_per_minute="):
            gs.RateLimit(requests=5, requests_per_minute=5)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="per= or window="):
            gs.RateLimit(per=5, window=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'rpm'"):
        gs.RateLimit(rpm=5)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="requests_per_day"):
        gs.RateLimit(requests_per_day=0)
    with pytest.raises(TypeError):
        gs.RateLimit(10)  # type: ignore[misc]


async def test_requests_per_day_slide_over_a_day_in_minute_steps() -> None:
    clock = FakeClock()
    limiter = gs.InProcessLimiter(gs.RateLimit(requests_per_day=3), clock=clock, sleep=clock.sleep)
    # 1000 s is in minute 16 (960-1020): its three requests leave at 1020 + a day.
    assert await admit_times(limiter, clock, [1, 1, 1, 1]) == [0, 0, 0, 20 + 86_400]


async def test_requests_per_day_on_top_of_requests_per_window() -> None:
    clock = FakeClock()
    limit = gs.RateLimit(requests=2, per=60, requests_per_day=5)
    limiter = gs.InProcessLimiter(limit, clock=clock, sleep=clock.sleep)
    times = await admit_times(limiter, clock, [1] * 6)
    # Two a minute, five a day: the sixth waits for the first minute's requests to leave.
    assert times == [0, 0, 60, 60, 120, 20 + 86_400]


def test_a_day_count_keeps_one_counter_a_minute() -> None:
    day = DayCount()
    for second in range(0, 3_600 * 48, 7):  # two days of a request every 7 seconds
        day.add(float(second))
    assert day.count(3_600 * 48) <= 86_400 // 7 + 60 // 7 + 1
    assert len(day._steps) <= 1_441
