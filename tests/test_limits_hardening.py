"""Limits under hostile input: 429 delays, fan-out progress, and the limiter's token estimate."""

from __future__ import annotations

import asyncio
import json
import logging
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
        self.status = 429  # or 503, which may carry a delay too
        self.statuses: list[int] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.limited > 0:
            self.limited -= 1
            self.statuses.append(self.status)
            error: dict[str, object] = {
                "code": self.status,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED" if self.status == 429 else "UNAVAILABLE",
            }
            if self.retry_delay is not None:
                error["details"] = [
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": self.retry_delay,
                    }
                ]
            headers = {} if self.retry_after is None else {"Retry-After": self.retry_after}
            return web.json_response({"error": error}, status=self.status, headers=headers)
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
    limiter = gs.InProcessLimiter(gs.RateLimit(requests=100))
    async with gs.Client(base_url=emulator.url, api_key="k", retry=policy, rate_limit=limiter) as c:
        first, other = await asyncio.wait_for(
            asyncio.gather(c.stream(MODEL, "Hi").final_text(), c.generate(MODEL, "other")), 10
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


# -- the token estimate never under-counts -----------------------------------------------------


class RecordingLimiter:
    """A limiter that lets everything through and records each request's token estimate."""

    def __init__(self) -> None:
        self.inner = gs.InProcessLimiter()
        self.estimates: list[int] = []

    async def acquire(self, tokens: int) -> gs.Lease:
        self.estimates.append(tokens)
        return await self.inner.acquire(tokens)

    def penalize(self, seconds: float) -> None:
        self.inner.penalize(seconds)


_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
_CODE = """def f(x: list[int]) -> dict[str, int]:
    return {k: v for k, v in zip("abc", x) if v % 2 == 0 and not (k == "b" or v < -1)}
"""
_TEXTS = {
    "a letter": "x",
    "hello": "Hello, world!",
    "english": "The quick brown fox jumps over the lazy dog. ",
    "long words": "internationalization incomprehensibilities ",
    "single letters": "a b c d e f g h i j ",
    "digits": "3 14 159 2653 58979 323846 ",
    "punctuation": "!?.,;:-()[]{}<>'\"/\\|@#$%^&*+=~` ",
    "code": _CODE,
    "json": '{"a": [1, 2, {"b": null}], "c": "d"} ',
    "cjk": "日本語のテキストです。中文文本。한국어 텍스트. ",
    "emoji": "😀👍🏽🎉👨‍👩‍👧 ❤️ ",
    "cyrillic": "Съешь же ещё этих мягких французских булок. ",
    "arabic": "نص عربي قصير، مع علامات ترقيم. ",
    "devanagari": "यह एक छोटा हिंदी वाक्य है। ",
    "mixed symbols": "a\u00d7b\u00f7c\u2260d\u00b1e\u00a7f ",  # times, divide, not equal, ...
    "newlines and tabs": "line\n\tindented\r\n\n",
    "url": "https://example.com/a/b?c=1&d=2#e ",
    "base64-ish": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789+/== ",
}


def get_weather(city: str, unit: str = "celsius", days: int = 1) -> dict[str, object]:
    """Look up the weather forecast for a city.

    Args:
        city: the city's name, e.g. "Kraków".
        unit: "celsius" or "fahrenheit".
        days: how many days ahead, 1 to 7.
    """
    return {}


WEATHER = gs.declare_function(get_weather)
_TOOLS = {
    "function_declarations": [
        {
            "name": "book_flight",
            "description": "Book a flight; returns the booking's id.",
            "parameters": {
                "type": "OBJECT",
                "properties": {
                    "from": {"type": "STRING", "description": "IATA code, e.g. WAW"},
                    "to": {"type": "STRING"},
                    "seats": {"type": "INTEGER", "minimum": 1, "maximum": 9},
                    "classes": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["Y", "J"]}},
                },
                "required": ["from", "to"],
            },
        },
        {"name": "noop"},
    ]
}


_FILES = "https://generativelanguage.googleapis.com/v1beta/files"


def _history(turns: int) -> list[gs.types.Content]:
    history = []
    for n in range(turns):
        history.append(gs.types.Content(role="user", parts=[gs.Part.from_text(f"Question {n}?")]))
        history.append(
            gs.types.Content(role="model", parts=[gs.Part.from_text(f"Answer {n}: {n * 7}.")])
        )
    history.append(
        gs.types.Content(
            role="model", parts=[gs.Part.from_function_call("get_weather", {"city": "Oslo"})]
        )
    )
    history.append(
        gs.types.Content(
            role="user",
            parts=[gs.Part.from_function_response("get_weather", {"output": {"t": -3.5}})],
        )
    )
    history.append(gs.types.Content(role="user", parts=[gs.Part.from_text("And tomorrow?")]))
    return history


def _prompts() -> dict[str, dict[str, object]]:
    """Requests as keyword arguments of ``client.generate``, by name."""
    prompts: dict[str, dict[str, object]] = {}
    for name, text in _TEXTS.items():
        for repeat in (1, 7, 300):
            prompts[f"{name} x{repeat}"] = {"contents": text * repeat}
    prompts["history"] = {"contents": _history(3)}
    prompts["long history"] = {"contents": _history(60)}
    prompts["system instruction"] = {
        "contents": "Hi",
        "system_instruction": "You are terse. Answer in one word; never use emoji. " * 5,
    }
    prompts["tools (dicts)"] = {"contents": "Book me a flight", "tools": _TOOLS}
    prompts["tools (a function)"] = {"contents": "Weather?", "tools": WEATHER}
    prompts["tools + history + system"] = {
        "contents": _history(5),
        "tools": [WEATHER, _TOOLS],
        "system_instruction": "Use the tools.",
    }
    prompts["tiny image"] = {"contents": [gs.Part.from_bytes(_PNG_1X1, "image/png"), "What?"]}
    prompts["three tiny images"] = {
        "contents": [gs.Part.from_bytes(_PNG_1X1, "image/png")] * 3 + ["Compare."]
    }
    prompts["a 40 KB photo"] = {
        "contents": [gs.Part.from_bytes(bytes(range(256)) * 160, "image/jpeg"), "Describe."]
    }
    prompts["audio"] = {
        "contents": [gs.Part.from_bytes(b"RIFF" + bytes(3000), "audio/wav"), "Transcribe."]
    }
    prompts["a pdf"] = {
        "contents": [gs.Part.from_bytes(b"%PDF-1.4\n" + bytes(500), "application/pdf"), "Sum up"]
    }
    prompts["file references"] = {
        "contents": [
            gs.Part.from_uri(
                "https://generativelanguage.googleapis.com/v1beta/files/a", "video/mp4"
            ),
            gs.Part.from_uri(
                "https://generativelanguage.googleapis.com/v1beta/files/b", "image/png"
            ),
            "What happens?",
        ]
    }
    return prompts


PROMPTS = _prompts()


async def test_the_token_estimate_never_under_counts_the_servers_count(
    emulator: Emulator,
) -> None:
    recording = RecordingLimiter()
    ratios: dict[str, float] = {}
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=recording) as client:
        for name, kwargs in PROMPTS.items():
            reply = await client.generate(MODEL, **kwargs)  # type: ignore[arg-type]
            usage = reply.usage_metadata
            assert usage is not None and usage.prompt_token_count, name
            counted = await client.count_tokens(MODEL, kwargs["contents"])  # type: ignore[arg-type]
            if "tools" not in kwargs and "system_instruction" not in kwargs:
                assert counted.total_tokens == usage.prompt_token_count, name
            estimate = recording.estimates[-1]
            ratios[name] = estimate / usage.prompt_token_count
    under = {name: ratio for name, ratio in ratios.items() if ratio < 1}
    assert not under, under
    long = {name: ratio for name, ratio in ratios.items() if "x300" in name}
    print(
        f"over-count on long texts {min(long.values()):.2f}-{max(long.values()):.2f}x, "
        f"all prompts {min(ratios.values()):.2f}-{max(ratios.values()):.2f}x"
    )
    for name, ratio in sorted(ratios.items(), key=lambda item: item[1]):
        print(f"  {ratio:6.2f}  {name}")


@pytest.mark.parametrize(("retry_delay", "retry_after"), [(None, "7"), ("7s", None)])
async def test_a_503s_delay_is_kept_and_waited_for_like_a_429s(
    start_server: Start,
    retry_delay: str | None,
    retry_after: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await start_server(retry_delay, retry_after)
    server.status = 503
    once = gs.RetryPolicy(max_attempts=1)
    async with gs.Client("k", base_url=server.url, retry=once) as client:
        with pytest.raises(gs.ServiceUnavailableError) as caught:
            await client.generate(MODEL, "Hi")
    assert caught.value.retry_delay == 7.0
    server.limited = 1
    caplog.set_level(logging.INFO, logger="gemini_stream")
    async with gs.Client("k", base_url=server.url) as client:  # waits skipped in tests
        assert (await client.generate(MODEL, "Hi")).text == "ok"
    assert "retrying in 7.00s" in caplog.text  # not the jittered backoff of up to 1 s
