"""Limits under hostile input: 429 delays, fan-out progress, and the limiter's token estimate."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

import gemini_stream as gs
from gemini_stream._http import retry as _retry
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"
# Far above the bounds the tests wait for: a client honouring it would hang the test.
HOURS = 3600.0

# -- a 429's server delay never stalls a client past RetryPolicy.max_delay -------------------

# (RetryInfo.retryDelay in the body, Retry-After header): what a server or a proxy may send.
SERVER_DELAYS = [
    ("infs", None),
    ("nans", None),
    ("1e400s", None),
    ("-5s", None),
    ("1e12s", None),
    ("86400s", None),
    ("soon", None),
    (None, "inf"),
    (None, "nan"),
    (None, "-1"),
    (None, "9" * 400),
    (None, "99999999"),
    (None, "\u00b2"),  # str.isdigit() says yes, float() says no
    (None, "Fri, 31 Dec 9999 23:59:59 GMT"),
    (None, "Mon, 32 Jan 2020 00:00:00 GMT"),
    ("infs", "inf"),
    ("1e12s", "99999999"),
]

_REPLY = {
    "candidates": [
        {"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP"}
    ],
    "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1, "totalTokenCount": 3},
}


class RateLimitedServer:
    """Answers the first ``limited`` generation requests with a 429 carrying the given delay,
    then every later one with a reply (streamed or not, as asked)."""

    def __init__(self, retry_delay: str | None, retry_after: str | None) -> None:
        self.retry_delay = retry_delay
        self.retry_after = retry_after
        self.limited = 1
        self.statuses: list[int] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.limited > 0:
            self.limited -= 1
            self.statuses.append(429)
            error: dict[str, object] = {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
            if self.retry_delay is not None:
                error["details"] = [
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": self.retry_delay,
                    }
                ]
            headers = {} if self.retry_after is None else {"Retry-After": self.retry_after}
            return web.json_response({"error": error}, status=429, headers=headers)
        self.statuses.append(200)
        if request.path.endswith(":streamGenerateContent"):
            body = b"data: " + json.dumps(_REPLY).encode() + b"\r\n\r\n"
            return web.Response(body=body, content_type="text/event-stream")
        return web.json_response(_REPLY)


Start = Callable[[str | None, str | None], Awaitable[RateLimitedServer]]


@pytest.fixture
async def start_server() -> AsyncIterator[Start]:
    runners: list[web.AppRunner] = []

    async def start(retry_delay: str | None, retry_after: str | None) -> RateLimitedServer:
        server = RateLimitedServer(retry_delay, retry_after)
        app = web.Application()
        app.router.add_post("/v1beta/models/{name}", server.handle)
        runner = web.AppRunner(app)
        runners.append(runner)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return server

    yield start
    for runner in runners:
        await runner.cleanup()


def _finite_delay(error: gs.RateLimitError) -> bool:
    delay = error.retry_delay
    return delay is None or (math.isfinite(delay) and delay >= 0)


@pytest.mark.parametrize(("retry_delay", "retry_after"), SERVER_DELAYS)
async def test_a_429s_delay_never_stalls_a_rate_limited_client_past_max_delay(
    start_server: Start, retry_delay: str | None, retry_after: str | None
) -> None:
    server = await start_server(retry_delay, retry_after)
    gs.set_testing(False)  # real waits: the cap is what is under test
    policy = gs.RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.05)
    limiter = gs.InProcessLimiter(gs.RateLimit())  # no limits: only the 429 pause
    async with gs.Client(base_url=server.url, api_key="k", retry=policy, rate_limit=limiter) as c:
        # The 429 is retried after at most max_delay; the limiter's pause is no longer.
        reply = await asyncio.wait_for(c.generate(MODEL, "Hi"), 10)
        assert reply.text == "ok"
        # Another call through the same (paused) limiter goes too, and a stream.
        assert (await asyncio.wait_for(c.generate(MODEL, "again"), 10)).text == "ok"
        server.limited = 1
        text = await asyncio.wait_for(c.stream(MODEL, "Hi").final_text(), 10)
        assert text == "ok"
        assert (await asyncio.wait_for(c.generate(MODEL, "after"), 10)).text == "ok"
    assert server.statuses == [429, 200, 200, 429, 200, 200]
    assert limiter.in_flight == 0


@pytest.mark.parametrize(("retry_delay", "retry_after"), SERVER_DELAYS)
async def test_a_429_not_retried_leaves_a_finite_delay_and_no_long_pause(
    start_server: Start, retry_delay: str | None, retry_after: str | None
) -> None:
    server = await start_server(retry_delay, retry_after)
    gs.set_testing(False)
    policy = gs.RetryPolicy(max_attempts=1, max_delay=0.05)
    async with gs.Client(
        base_url=server.url, api_key="k", retry=policy, rate_limit=gs.RateLimit()
    ) as c:
        with pytest.raises(gs.RateLimitError) as raised:
            await asyncio.wait_for(c.generate(MODEL, "Hi"), 10)
        assert _finite_delay(raised.value), raised.value.retry_delay
        # The pause the 429 put on the client's limiter is over within max_delay.
        assert (await asyncio.wait_for(c.generate(MODEL, "next"), 10)).text == "ok"


async def test_the_emulators_hour_long_429_is_capped_too(emulator: Emulator) -> None:
    gs.set_testing(False)
    emulator.script(Fault(status=429, retry_after=HOURS))
    policy = gs.RetryPolicy(max_attempts=2, max_delay=0.05)
    limiter = gs.InProcessLimiter(gs.RateLimit(requests_per_minute=100))
    async with gs.Client(base_url=emulator.url, api_key="k", retry=policy, rate_limit=limiter) as c:
        async with asyncio.timeout(10):
            first, other = await asyncio.gather(
                c.stream(MODEL, "Hi").final_text(), c.generate(MODEL, "other")
            )
    assert first and other.text
    assert sorted(r.status for r in emulator.records) == [200, 200, 429]


@pytest.mark.parametrize(
    "value",
    [
        "inf",
        "-inf",
        "nan",
        "-1",
        "1e5",
        "9" * 400,
        "\u00b2",
        "\u0663",
        " 12 ",
        "",
        "0x10",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 +9999",
        "Mon, 32 Jan 2020 00:00:00 GMT",
        "Sun, 06 Nov 1994",
    ],
)
def test_parse_retry_after_never_raises_and_gives_finite_seconds(value: str) -> None:
    seconds = _retry.parse_retry_after(value)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@pytest.mark.parametrize("delay", [math.inf, -math.inf, math.nan, -3.0, 1e300])
def test_backoff_delay_is_finite_and_capped_whatever_the_server_said(delay: float) -> None:
    policy = gs.RetryPolicy(max_delay=2.0)
    wait = _retry.backoff_delay(policy, 1, server_delay=delay)
    assert 0.0 <= wait <= 2.0


@pytest.mark.parametrize("seconds", [math.inf, math.nan])
def test_the_limiter_refuses_a_pause_that_never_ends(seconds: float) -> None:
    limiter = gs.InProcessLimiter()
    with pytest.raises(ValueError, match=repr(seconds)):
        limiter.penalize(seconds)


# -- Progress.in_flight never exceeds the batch's concurrency --------------------------------


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_in_flight_never_exceeds_the_concurrency_of_stream_many(
    client: gs.Client, concurrency: int
) -> None:
    # A slow consumer: every worker finishes reading its replies long before the loop below
    # reaches their last chunks, and goes on to its next request meanwhile.
    seen: list[int] = []

    def sample(progress: gs.Progress) -> None:
        seen.append(progress.in_flight)

    requests = [gs.Request(MODEL, f"Tell me about the number {n}") for n in range(12)]
    async with client.stream_many(requests, concurrency=concurrency, progress=sample) as results:
        async for item in results:
            seen.append(results.progress.in_flight)
            for _ in range(5):
                await asyncio.sleep(0)
                seen.append(results.progress.in_flight)
            assert item.kind != "error", item.error
    progress = results.progress
    assert progress.done == progress.started == 12
    assert progress.in_flight == 0
    assert max(seen) <= concurrency, seen


async def test_in_flight_never_exceeds_the_concurrency_of_generate_many(client: gs.Client) -> None:
    seen: list[int] = []
    requests = [gs.Request(MODEL, f"Count to {n}") for n in range(10)]
    replies = await client.generate_many(
        requests, concurrency=2, progress=lambda p: seen.append(p.in_flight)
    )
    assert len(replies) == 10 and max(seen) <= 2 and seen[-1] == 0
