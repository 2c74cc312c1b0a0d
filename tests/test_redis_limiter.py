"""``RedisLimiter`` on its own: its keys, its failure policy, its input checks, and a client
sending through it (each test with a private redis-server; the shared contract is in
test_limiter_contract.py, several processes in test_redis_processes.py)."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from redis.asyncio import Redis

import gemini_stream as gs
from gemini_stream._limits import redis_limiter
from gemini_stream.emulator import Emulator

from ._redis_server import RedisServer, running_redis

LIMIT = gs.RateLimit(requests=100, tokens=100_000)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server for the test."""
    with running_redis() as server:
        yield server


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A plain client on the test's server, to look at what the limiter stored."""
    async with Redis.from_url(redis_server.url, decode_responses=True) as client:
        yield client


async def test_keys_hold_a_fingerprint_of_the_key_and_the_model(
    redis_server: RedisServer, raw: Redis
) -> None:
    secret = "AIzaSy-very-secret-key"
    async with gs.RedisLimiter(
        redis_server.url, LIMIT, key=secret, model="models/gemini-2.5-flash"
    ) as limiter:
        lease = await limiter.acquire(10)
        lease.sent()
        lease.release(4)
        limiter.penalize(30)
        assert await limiter.usage() == (1, 4)
        assert secret not in repr(limiter)
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:16]
    assert limiter.namespace == f"gemini-stream:{{{fingerprint}:gemini-2.5-flash}}"
    keys = sorted(await raw.keys("*"))
    assert keys == sorted(f"{limiter.namespace}:{name}" for name in ("log", "tok", "sum", "pause"))
    for key in keys:
        assert secret not in key
        assert 0 < await raw.ttl(key) <= 120  # nothing outlives the quota's use for long


async def test_the_default_key_is_the_api_key_from_the_environment(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "env-key")
    async with gs.RedisLimiter(redis_server.url, LIMIT) as from_env:
        pass
    async with gs.RedisLimiter(redis_server.url, LIMIT, key="env-key") as named:
        assert from_env.namespace == named.namespace
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="key="):
        gs.RedisLimiter(redis_server.url, LIMIT)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"limit": {"requests": 5}}, TypeError, "gs.RateLimit"),
        ({"on_unavailable": "ignore"}, ValueError, "'ignore'"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": "1"}, ValueError, "timeout"),
        ({"key": ""}, ValueError, "key"),
        ({"model": "a{b}"}, ValueError, "model"),
        ({"prefix": ""}, ValueError, "prefix"),
    ],
)
def test_bad_arguments_are_refused_at_once(
    arguments: dict[str, object], error: type[Exception], match: str
) -> None:
    options: dict[str, object] = {"key": "k", **arguments}
    limit = options.pop("limit", LIMIT)
    with pytest.raises(error, match=match):
        gs.RedisLimiter("redis://127.0.0.1:1/0", limit, **options)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="redis:// URL"):
        gs.RedisLimiter(6379, LIMIT, key="k")  # type: ignore[arg-type]


async def test_redis_away_fails_closed_by_default(tmp_path: object) -> None:
    async with (
        gs.RedisLimiter("unix:///nonexistent/redis.sock", LIMIT, key="k") as limiter,
        Emulator() as emulator,
        gs.Client(api_key="k", base_url=emulator.url, rate_limit=limiter) as client,
    ):
        with anyio.fail_after(10), pytest.raises(gs.LimiterUnavailableError, match="not sent"):
            await client.generate("gemini-2.5-flash", "Hello")
        assert emulator.records == []  # nothing went out
        assert limiter.in_flight == 0


async def test_a_hung_redis_times_out_instead_of_hanging(redis_server: RedisServer) -> None:
    async with gs.RedisLimiter(redis_server.url, LIMIT, key="k", timeout=0.3) as limiter:
        (await limiter.acquire(1)).release()
        redis_server.freeze()
        try:
            with anyio.fail_after(10), pytest.raises(gs.LimiterUnavailableError, match=r"0\.3s"):
                await limiter.acquire(1)
        finally:
            redis_server.thaw()
        (await limiter.acquire(1)).release()  # and it works again


async def test_falling_back_to_the_process_and_back(
    redis_server: RedisServer, raw: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    limit = gs.RateLimit(requests=3, per=60)
    async with gs.RedisLimiter(
        redis_server.url, limit, key="k", on_unavailable="local", timeout=0.3
    ) as limiter:
        (await limiter.acquire(1)).release()
        redis_server.freeze()
        try:
            with anyio.fail_after(10), caplog.at_level(logging.WARNING, "gemini_stream"):
                (await limiter.acquire(1)).release()
                (await limiter.acquire(1)).release()
            assert limiter.falling_back
            assert "using the fallback limiter" in caplog.text
            # The fallback keeps the limit in this process: three, then a wait.
            (await limiter.acquire(1)).release()
            with anyio.move_on_after(0.3) as scope:
                await limiter.acquire(1)
            assert scope.cancelled_caught
        finally:
            redis_server.thaw()
        await anyio.sleep(redis_limiter.RETRY_REDIS)
        with anyio.fail_after(10), caplog.at_level(logging.WARNING, "gemini_stream"):
            (await limiter.acquire(1)).release()
        assert not limiter.falling_back
        assert "Redis answers again" in caplog.text
        # The one before, this one, and maybe the admission asked for as Redis froze: it ran
        # when Redis woke up, unanswered; it counts a request that was not sent, erring on
        # the side of waiting, until it leaves the window.
        assert (await limiter.usage())[0] in (2, 3)


async def test_a_limiter_of_your_own_as_the_fallback() -> None:
    fallback = gs.InProcessLimiter(gs.RateLimit(requests=1))
    limiter = gs.RedisLimiter(
        "unix:///nonexistent/redis.sock", LIMIT, key="k", on_unavailable=fallback
    )
    async with limiter:
        with anyio.fail_after(10):
            lease = await limiter.acquire(1)
        assert fallback.in_flight == 1
        lease.release()
        limiter.penalize(0.5)  # a 429 reaches the fallback too


async def test_a_restarted_redis_gets_the_script_again(redis_server: RedisServer) -> None:
    async with gs.RedisLimiter(redis_server.url, LIMIT, key="k") as limiter:
        (await limiter.acquire(1)).release()
        redis_server.kill()
        redis_server.start()  # empty: no script cached, no window
        with anyio.fail_after(10):
            lease = await limiter.acquire(5)
        lease.release()
        assert await limiter.usage() == (1, 5)


async def test_a_client_of_yours_is_used_and_left_open(redis_server: RedisServer) -> None:
    async with Redis.from_url(redis_server.url) as mine:
        async with gs.RedisLimiter(mine, LIMIT, key="k") as limiter:
            (await limiter.acquire(1)).release()
        assert await mine.ping()


async def test_a_client_sends_through_it_and_a_429_reaches_redis(
    redis_server: RedisServer, raw: Redis
) -> None:
    async with (
        gs.RedisLimiter(redis_server.url, LIMIT, key="k") as limiter,
        Emulator() as emulator,
        gs.Client(
            api_key="k",
            base_url=emulator.url,
            rate_limit=limiter,
            retry=gs.RetryPolicy(max_attempts=1),
        ) as client,
    ):
        reply = await client.generate("gemini-2.5-flash", "Hello there")
        tokens = reply.usage_metadata.prompt_token_count if reply.usage_metadata else None
        assert tokens and await limiter.usage() == (1, tokens)  # corrected from usage
        emulator.fail_next(1, 429, retry_after=20)
        with pytest.raises(gs.RateLimitError):
            await client.generate("gemini-2.5-flash", "Hello again")
        await limiter.usage()  # a round trip: what the 429 said has reached Redis
        assert 15 < await raw.pttl(f"{limiter.namespace}:pause") / 1000 <= 21


def test_importing_the_package_does_not_import_redis() -> None:
    code = "import sys, gemini_stream as gs; gs.RedisLimiter; print('redis' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_without_the_redis_package_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r"gemini-stream\[redis\]"):
        gs.RedisLimiter("redis://127.0.0.1:1/0", LIMIT, key="k")
