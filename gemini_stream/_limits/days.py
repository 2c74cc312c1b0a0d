"""Requests per day: a sliding 24 hours counted in one-minute steps, in bounded memory."""

from __future__ import annotations

import math
from collections import deque

from .._config import DAY

STEP = 60.0  # seconds per step: a day is 1,440 counters, however many requests it holds


class DayCount:
    """The requests of the last day, as a count per minute.

    A request counted in minute ``m`` leaves the day at the end of minute ``m`` plus 24 hours,
    up to a minute later than its own moment would: the count never runs ahead of the API's.
    """

    __slots__ = ("_steps", "_total")

    def __init__(self) -> None:
        self._steps: deque[list[int]] = deque()  # [minute number, requests], oldest first
        self._total = 0

    def add(self, at: float) -> None:
        """Count one request made at ``at`` (seconds on the limiter's clock)."""
        minute = math.floor(at / STEP)
        steps = self._steps
        if steps and steps[-1][0] >= minute:
            steps[-1][1] += 1
        else:
            steps.append([minute, 1])
        self._total += 1

    def count(self, now: float) -> int:
        """Requests counted in the day up to ``now``."""
        self._expire(now)
        return self._total

    def room_at(self, now: float, limit: int) -> float:
        """When the day has room for one more request under ``limit`` (``now``: it has)."""
        self._expire(now)
        need = self._total - limit + 1
        for minute, requests in self._steps:
            if need <= 0:
                break
            need -= requests
            if need <= 0:
                return (minute + 1) * STEP + DAY
        return now

    def _expire(self, now: float) -> None:
        steps = self._steps
        while steps and (steps[0][0] + 1) * STEP + DAY <= now:
            self._total -= steps.popleft()[1]
