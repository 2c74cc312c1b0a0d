"""One contract, two limiters: ``InProcessLimiter`` and ``RedisLimiter`` behave alike.

Each test gets a ``Quota``: two handles on one quota (for the in-process limiter the same
object twice; for Redis two limiters on one key of a private redis-server, as two processes
would hold). The clock is real and the windows short; a time is only ever checked from
below (a limiter that waits too little fails; one that is slow does not).
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import anyio
import pytest

import gemini_stream as gs

from ._redis_server import RedisServer, running_redis


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server for the test."""
    with running_redis() as server:
        yield server


SLACK = 0.95  # Redis keeps times to 0.1 ms; a wait is checked against 95% of its length


@dataclass
class Quota:
    one: gs.Limiter
    other: gs.Limiter
    queued: Callable[[], Awaitable[int]]  # how many holders wait their turn

    async def settle(self) -> None:
        """Let what leases said reach the store (a round trip for Redis, nothing otherwise)."""
        if isinstance(self.one, gs.RedisLimiter):
            await self.one.usage()


QuotaMaker = Callable[[gs.RateLimit], Awaitable[Quota]]


@pytest.fixture(params=["in-process", "redis"])
async def make_quota(request: pytest.FixtureRequest) -> AsyncIterator[QuotaMaker]:
    opened: list[gs.RedisLimiter] = []

    async def make(limit: gs.RateLimit) -> Quota:
        if request.param == "in-process":
            limiter = gs.InProcessLimiter(limit)

            async def waiting() -> int:
                return limiter.waiting

            return Quota(limiter, limiter, waiting)
        server: RedisServer = request.getfixturevalue("redis_server")
        one = gs.RedisLimiter(server.url, limit, key="project-1")
        other = gs.RedisLimiter(server.url, limit, key="project-1")
        opened.extend((one, other))

        async def queued() -> int:
            from redis.asyncio import Redis

            async with Redis.from_url(server.url) as raw:
                return int(await raw.zcard(f"{one.namespace}:queue"))

        return Quota(one, other, queued)

    yield make
    for limiter in opened:
        await limiter.aclose()


async def take(limiter: gs.Limiter, tokens: int = 1, *, release: int | None = None) -> float:
    """Admit one request, send it, end it; return when it was admitted."""
    lease = await limiter.acquire(tokens)
    admitted = time.monotonic()
    lease.sent()
    lease.release(release)
    return admitted


async def test_requests_wait_for_the_window(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(requests=3, per=0.4))
    with anyio.fail_after(10):
        first = await take(quota.one)
        await take(quota.other)
        await take(quota.one)
        fourth = await take(quota.other)
    assert fourth - first >= 0.4 * SLACK


async def test_a_request_counts_from_when_it_was_sent(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(requests=1, per=0.4))
    with anyio.fail_after(10):
        lease = await quota.one.acquire(1)
        await anyio.sleep(0.2)  # the reply's headers take their time
        lease.sent()
        sent = time.monotonic()
        lease.release()
        second = await take(quota.other)
    assert second - sent >= 0.4 * SLACK


async def test_tokens_are_corrected_from_usage(make_quota: QuotaMaker) -> None:
    # Estimated at 80, the first request really had 10: 10 + 80 fit under 100 at once,
    # where the estimate alone would hold the second for the whole 60-second window.
    quota = await make_quota(gs.RateLimit(tokens=100, per=60))
    with anyio.fail_after(10):
        await take(quota.one, 80, release=10)
        await take(quota.other, 80)


async def test_tokens_wait_for_room(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(tokens=100, per=0.4))
    with anyio.fail_after(10):
        first = await take(quota.one, 70)
        second = await take(quota.other, 70)
    assert second - first >= 0.4 * SLACK


async def test_a_429_pauses_every_holder_of_the_quota(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(requests=100, per=60))
    with anyio.fail_after(10):
        await take(quota.one)
        paused = time.monotonic()
        quota.one.penalize(0.5)
        await quota.settle()
        after = await take(quota.other)
    assert after - paused >= 0.5 * SLACK


async def test_penalize_takes_only_finite_seconds(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit())
    for bad in (math.inf, math.nan):
        with pytest.raises(ValueError, match="finite"):
            quota.one.penalize(bad)
    with pytest.raises(TypeError, match="seconds"):
        quota.one.penalize("5")  # type: ignore[arg-type]


async def test_first_come_first_served_across_holders(make_quota: QuotaMaker) -> None:
    # A big request waits for room; small ones that came after it would fit at once, but
    # do not go first: the big one is not starved by a stream of small ones.
    quota = await make_quota(gs.RateLimit(tokens=100, per=0.3))
    admitted: dict[str, float] = {}

    async def request(limiter: gs.Limiter, tokens: int, name: str) -> None:
        admitted[name] = await take(limiter, tokens)

    with anyio.fail_after(10):
        first = await take(quota.one, 80)
        async with anyio.create_task_group() as group:
            group.start_soon(request, quota.other, 60, "big")
            while await quota.queued() < 1:  # noqa: ASYNC110 (a count in Redis)
                await anyio.sleep(0.005)
            for n in range(3):
                group.start_soon(request, quota.one, 10, f"small{n}")
    # The big one went when the 80 left the window; no small one went before that.
    assert admitted["big"] - first >= 0.3 * SLACK
    assert min(admitted[f"small{n}"] for n in range(3)) - first >= 0.3 * SLACK


async def test_requests_per_day(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(requests_per_day=2))
    with anyio.fail_after(10):
        await take(quota.one)
        await take(quota.other)
    with anyio.move_on_after(0.5) as scope:
        await take(quota.one)  # the day is full: this waits until tomorrow
    assert scope.cancelled_caught


async def test_a_waiter_that_gives_up_holds_no_one_back(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(requests=1, per=0.3))
    with anyio.fail_after(10):
        await take(quota.one)
    with anyio.move_on_after(0.05):
        await take(quota.other)  # waits for the window, then gives up
    # The quitter's place in the queue is gone: the next request goes when the window
    # frees, not after a dead waiter's ticket expires.
    with anyio.fail_after(2):
        await take(quota.one)


async def test_concurrent_counts_requests_in_flight(make_quota: QuotaMaker) -> None:
    quota = await make_quota(gs.RateLimit(concurrent=1))
    with anyio.fail_after(10):
        lease = await quota.one.acquire(1)
    with anyio.move_on_after(0.2) as scope:
        await quota.one.acquire(1)
    assert scope.cancelled_caught  # the first is still in flight
    lease.release()
    with anyio.fail_after(10):
        (await quota.one.acquire(1)).release()
