"""The rate limiter: sliding-window scheduling on a fake clock, its hooks against the emulator."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

import gemini_stream as gs
from gemini_stream._limits import admission as _admission
from gemini_stream.emulator import Emulator, Fault
from gemini_stream.emulator import _faults as emulator_faults


class FakeClock:
    """A clock that only moves when the limiter sleeps (only the queue's head ever sleeps)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:  # stands in for the emulator's ``time`` module
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()


def limiter(clock: FakeClock, **limits: float) -> gs.InProcessLimiter:
    return gs.InProcessLimiter(gs.RateLimit(**limits), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


async def admit_times(lim: gs.InProcessLimiter, clock: FakeClock, sizes: list[int]) -> list[float]:
    times = []
    for size in sizes:
        lease = await lim.acquire(size)
        times.append(clock.now - 1000.0)
        lease.release()
    return times


# -- RateLimit -------------------------------------------------------------------------------


def test_rate_limit_is_a_frozen_checked_value() -> None:
    limit = gs.RateLimit(requests=10)
    assert limit.tokens is None and limit.per == 60.0
    assert limit.replace(concurrent=3).concurrent == 3
    with pytest.raises(AttributeError):
        limit.requests = 5  # type: ignore[misc]
    for bad in ({"requests": 0}, {"tokens": 1.5}, {"concurrent": True}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            gs.RateLimit(**bad)
    with pytest.raises(ValueError, match="per"):
        gs.RateLimit(per=0)
    with pytest.raises(TypeError):
        gs.RateLimit(10)  # type: ignore[call-arg]


def test_as_limiter_accepts_limits_and_limiters() -> None:
    assert _admission.as_limiter(None) is None
    made = _admission.as_limiter(gs.RateLimit(requests=1))
    assert isinstance(made, gs.InProcessLimiter)
    assert _admission.as_limiter(made) is made
    assert isinstance(made, gs.Limiter)
    with pytest.raises(TypeError, match="rate_limit"):
        _admission.as_limiter(60)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        gs.InProcessLimiter(60)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rate_limit"):
        gs.Client(api_key="k", rate_limit="60/min")  # type: ignore[arg-type]


# -- scheduling on a fake clock --------------------------------------------------------------


async def test_requests_per_minute_slide_over_the_window() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests=3)
    assert await admit_times(lim, clock, [1] * 7) == [0, 0, 0, 60, 60, 60, 120]
    assert lim.usage() == (1, 1)


async def test_a_shorter_window() -> None:
    clock = FakeClock()
    lim = limiter(clock, requests=2, per=1.5)
    assert await admit_times(lim, clock, [1] * 5) == [0, 0, 1.5, 1.5, 3.0]


async def test_tokens_per_minute_wait_for_room_and_are_corrected_by_usage() -> None:
    clock = FakeClock()
    lim = limiter(clock, tokens=100)
    first = await lim.acquire(60)
    assert clock.now == 1000.0
    first.release(10)  # the reply said the prompt was 10 tokens, not 60
    assert lim.usage() == (1, 10)
    second = await lim.acquire(80)  # 10 + 80 fits: no wait
    assert clock.now == 1000.0
    second.release()  # usage unknown: the estimate stands
    third = await lim.acquire(50)  # 90 + 50 does not fit until the first two leave
    assert clock.now == 1060.0
    third.release()
    assert lim.usage() == (1, 50)


async def test_a_request_bigger_than_the_budget_goes_alone() -> None:
    clock = FakeClock()
    lim = limiter(clock, tokens=100)
    assert await admit_times(lim, clock, [500, 1, 500]) == [0, 60, 120]


async def test_concurrent_caps_requests_in_flight() -> None:
    clock = FakeClock()
    lim = limiter(clock, concurrent=2)
    first, second = await lim.acquire(1), await lim.acquire(1)
    admitted: list[int] = []

    async def third() -> None:
        lease = await lim.acquire(1)
        admitted.append(lim.in_flight)
        lease.release()

    async with anyio.create_task_group() as group:
        group.start_soon(third)
        await anyio.wait_all_tasks_blocked()
        assert admitted == [] and lim.waiting == 1 and lim.in_flight == 2
        first.release()
        first.release()  # releasing twice counts once
    assert admitted == [2]
    second.release()
    assert lim.in_flight == 0 and clock.sleeps == []


async def test_penalize_pauses_every_waiter() -> None:
    clock = FakeClock()
    lim = limiter(clock)
    lim.penalize(7)
    times: list[float] = []

    async def one() -> None:
        (await lim.acquire(1)).release()
        times.append(clock.now - 1000.0)

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(one)
    assert times == [7, 7, 7]
    assert clock.sleeps == [7]  # only the head of the queue watched the clock


class ManualClock(FakeClock):
    """A fake clock whose sleepers wait until the test moves time on."""

    def __init__(self) -> None:
        super().__init__()
        self._moved = anyio.Event()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        until = self.now + seconds
        while self.now < until:
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()
        self._moved = anyio.Event()


async def test_waiters_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    lim = limiter(clock, concurrent=1)
    held = await lim.acquire(1)
    order: list[int] = []

    async def one(n: int) -> None:
        lease = await lim.acquire(1)
        order.append(n)
        await anyio.lowlevel.checkpoint()
        lease.release()

    async with anyio.create_task_group() as group:
        for n in range(5):
            group.start_soon(one, n)
            await anyio.wait_all_tasks_blocked()
        assert lim.waiting == 5
        held.release()
    assert order == [0, 1, 2, 3, 4]


async def test_a_big_request_is_not_starved_by_small_ones() -> None:
    clock = ManualClock()
    lim = limiter(clock, tokens=100)
    (await lim.acquire(90)).release()
    order: list[str] = []

    async def one(name: str, tokens: int) -> None:
        (await lim.acquire(tokens)).release()
        order.append(name)

    async with anyio.create_task_group() as group:
        for name, tokens in [("big", 50), ("small 1", 5), ("small 2", 5)]:
            group.start_soon(one, name, tokens)
            await anyio.wait_all_tasks_blocked()
        # The small ones would fit now, but they queue behind the big one.
        assert order == [] and lim.waiting == 3
        clock.advance(60)
    assert order == ["big", "small 1", "small 2"]
    assert lim.usage() == (3, 60)


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    clock = FakeClock()
    lim = limiter(clock, concurrent=1)
    held = await lim.acquire(1)
    done: list[str] = []
    head = anyio.CancelScope()

    async def wait(name: str) -> None:
        with head if name == "head" else anyio.CancelScope():
            (await lim.acquire(1)).release()
            done.append(name)

    async with anyio.create_task_group() as group:
        for name in ("head", "next"):
            group.start_soon(wait, name)
            await anyio.wait_all_tasks_blocked()
        assert lim.waiting == 2
        head.cancel()
        await anyio.wait_all_tasks_blocked()
        assert lim.waiting == 1
        held.release()
    assert done == ["next"] and lim.waiting == 0 and lim.in_flight == 0


async def test_admission_wait_counts_against_the_total_timeout() -> None:
    lim = gs.InProcessLimiter()
    lim.penalize(30)
    with pytest.raises(gs.TotalTimeoutError, match="rate limiter"):
        await _admission.admit(lim, b"{}", 0.05)
    lease, left = await _admission.admit(gs.InProcessLimiter(), b"x" * 400, 10.0)
    assert left is not None and 9.0 < left <= 10.0
    lease.release()


def test_the_token_estimate_counts_inline_media_by_size_not_base64() -> None:
    from gemini_stream._http.codec import encode_request
    from gemini_stream._input.request import build_request

    text = encode_request(build_request("word " * 20_000))
    # 20,000 words of four letters: at most a token each, and 3/4 more for each word that
    # may end in a part-filled token (tests/test_limits_hardening.py checks the bound).
    assert 20_000 <= _admission.estimate_tokens(text) <= 35_100
    photo = bytes(range(250)) * 4_000  # a 1 MB file
    request = encode_request(build_request([gs.Part.from_bytes(photo, "image/jpeg"), "What?"]))
    tokens = _admission.estimate_tokens(request)
    # One token per 160 bytes of the file (6,250) plus the rest of the JSON; the base64 size
    # over four would say 333,000.
    assert 6_250 < tokens < 6_350
    two = encode_request(build_request([gs.Part.from_bytes(photo, "image/jpeg")] * 2))
    assert 12_500 < _admission.estimate_tokens(two) < 12_600


# -- hooks, against the emulator -------------------------------------------------------------


def _prompt(n: int) -> str:
    return f"question number {n}"


async def test_client_keeps_the_rpm_the_emulator_enforces(monkeypatch) -> None:
    clock = FakeClock()
    # The emulator's per-key quota and the limiter watch the same (fake) minute.
    monkeypatch.setattr(emulator_faults, "time", clock)
    async with Emulator(rpm_limit=3) as emulator:
        lim = limiter(clock, requests=3)
        async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim) as client:
            replies = [await client.generate("gemini-2.5-flash", _prompt(n)) for n in range(4)]
            async with anyio.create_task_group() as group:
                for n in range(5):
                    group.start_soon(_stream_text, client, n)
        statuses = [record.status for record in emulator.records]
        assert statuses == [200] * 9  # no 429 was ever sent, so none could reach the caller
        assert all(reply.text for reply in replies)
        assert clock.now - 1000.0 >= 120.0  # nine requests at 3 a minute: three minutes

        # The control: without the limiter the same load meets the quota.
        no_retry = gs.RetryPolicy(max_attempts=1)
        async with gs.Client(base_url=emulator.url, api_key="other", retry=no_retry) as client:
            with pytest.raises(gs.RateLimitError):
                for n in range(4):
                    await client.generate("gemini-2.5-flash", _prompt(n))


async def _stream_text(client: gs.Client, n: int) -> str:
    return await client.stream("gemini-2.5-flash", _prompt(n)).final_text()


async def test_a_429_pauses_the_other_requests_too(emulator: Emulator) -> None:
    clock = FakeClock()
    lim = limiter(clock)
    penalized = anyio.Event()
    penalize = lim.penalize

    def spy(seconds: float) -> None:
        penalize(seconds)
        penalized.set()

    lim.penalize = spy  # type: ignore[method-assign]
    emulator.script(Fault(status=429, retry_after=7))
    admitted_at: dict[str, float] = {}

    async def request(name: str) -> None:
        if name == "other":
            await penalized.wait()  # an unrelated request, sent while the pause is on
        reply = await client.generate("gemini-2.5-flash", name)
        assert reply.text
        admitted_at[name] = clock.now - 1000.0

    client = gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim)
    async with client, anyio.create_task_group() as group:
        group.start_soon(request, "first")
        group.start_soon(request, "other")
    assert [r.status for r in emulator.records] == [429, 200, 200]
    assert admitted_at == {"first": 7.0, "other": 7.0}
    assert lim.in_flight == 0


async def test_streams_and_generates_record_real_prompt_tokens(emulator: Emulator) -> None:
    lim = gs.InProcessLimiter(gs.RateLimit(tokens=10_000))
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim) as client:
        reply = await client.generate("gemini-2.5-flash", "Hello, world!")
        stream = client.stream("gemini-2.5-flash", "Hello, world!")
        await stream.final_response()
        usage = stream.response.usage_metadata
        assert reply.usage_metadata is not None and usage is not None
        prompt = reply.usage_metadata.prompt_token_count
        assert prompt == usage.prompt_token_count == 6
        assert lim.usage() == (2, 2 * prompt)  # the byte-based estimates were replaced
        await client.count_tokens("gemini-2.5-flash", "Hello")  # not a generation call
        assert lim.usage()[0] == 2 and lim.in_flight == 0


async def test_a_stream_dropped_after_break_gives_its_slot_back(emulator: Emulator) -> None:
    lim = gs.InProcessLimiter(gs.RateLimit(concurrent=1))
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim) as client:
        async for _chunk in client.stream("gemini-2.5-flash", "a long one emulator:words=300"):
            assert lim.in_flight == 1
            break
        assert lim.in_flight == 0
        stream = client.stream("gemini-2.5-flash", "x", retry=gs.RetryPolicy(max_attempts=1))
        emulator.script(Fault(status=503))
        with pytest.raises(gs.ServiceUnavailableError):
            await stream.final_response()
        assert lim.in_flight == 0
        assert (await client.generate("gemini-2.5-flash", "y")).text
        assert lim.in_flight == 0
