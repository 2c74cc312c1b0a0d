"""Timeouts and RetryPolicy: defaults, validation that names the bad value, replace()."""

from __future__ import annotations

import dataclasses

import pytest

from gemini_stream._config import RetryPolicy, Timeouts


def test_timeout_defaults_are_finite_except_total() -> None:
    t = Timeouts()
    assert t.connect and t.first_chunk and t.idle
    assert t.total is None
    assert t.first_chunk >= 60, "thinking models can be silent for minutes"


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf")])
def test_timeouts_reject_non_positive_values_naming_them(bad: float) -> None:
    with pytest.raises(ValueError, match=r"Timeouts\.idle") as info:
        Timeouts(idle=bad)
    assert repr(bad) in str(info.value)


def test_timeouts_reject_wrong_types() -> None:
    with pytest.raises(TypeError, match="'10'"):
        Timeouts(connect="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="True"):
        Timeouts(connect=True)


def test_timeouts_are_frozen_and_keyword_only() -> None:
    t = Timeouts()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.idle = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Timeouts(1, 2)  # type: ignore[misc]


def test_timeouts_replace_changes_only_named_fields() -> None:
    t = Timeouts(idle=5).replace(first_chunk=900, total=None)
    assert (t.idle, t.first_chunk, t.total, t.connect) == (5, 900, None, Timeouts().connect)
    with pytest.raises(TypeError, match="bogus"):
        Timeouts().replace(bogus=1)
    with pytest.raises(ValueError, match="connect"):
        Timeouts().replace(connect=-2)


def test_retry_policy_defaults_retry_the_documented_statuses() -> None:
    p = RetryPolicy()
    assert p.max_attempts > 1
    assert p.retry_statuses == frozenset({408, 429, 500, 502, 503, 504})


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_attempts", 0), ("max_attempts", 1.5), ("initial_delay", -1), ("multiplier", 0.5)],
)
def test_retry_policy_rejects_bad_values_naming_them(field: str, value: object) -> None:
    with pytest.raises((ValueError, TypeError), match=field):
        RetryPolicy(**{field: value})  # type: ignore[arg-type]


def test_retry_policy_one_attempt_turns_retrying_off() -> None:
    assert RetryPolicy(max_attempts=1).max_attempts == 1
    assert RetryPolicy().replace(max_attempts=2).max_attempts == 2
