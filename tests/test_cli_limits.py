"""``--rpm/--tpm/--rpd`` and ``--redis URL`` on the command line (a private redis-server)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from redis import Redis

from gemini_stream.cli import main

from ._redis_server import RedisServer, running_redis


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server for the test."""
    with running_redis() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)


def test_the_demo_shares_its_limit_through_redis(
    redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["demo", "--chats", "12", "--rpm", "1000", "--rpd", "5000", "--redis", redis_server.url]
    assert main(argv) == 0
    assert "12 of 12 chats answered" in capsys.readouterr().out
    fingerprint = hashlib.sha256(b"emulator").hexdigest()[:16]
    with Redis.from_url(redis_server.url, decode_responses=True) as raw:
        namespace = f"gemini-stream:{{{fingerprint}:gemini-2.5-flash}}"
        assert raw.zcard(f"{namespace}:log") == 12  # every chat went through the quota
        assert raw.hget(f"{namespace}:dayn", "total") == "12"


def test_ask_waits_for_a_redis_that_is_not_there_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["ask", "--emulator", "--redis", "unix:///nonexistent/redis.sock", "Hello"]
    assert main(argv) == 1
    assert "the rate limiter's Redis did not answer" in capsys.readouterr().err


def test_a_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--rpm", "0"]) == 2
    assert "expected a positive whole number, got '0'" in capsys.readouterr().err
