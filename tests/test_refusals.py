"""Bad input is refused at the call, naming the bad value (issue 19): request Structs built
directly, the config values, ``Part.from_bytes``, ``Chat.loads`` and the SSE ``retry`` field."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gemini_stream as gs
from gemini_stream import sse
from gemini_stream.emulator import Emulator
from gemini_stream.types import (
    FunctionCallingConfig,
    GenerationConfig,
    LatLng,
    Part,
    RetrievalConfig,
    SafetySetting,
    Schema,
    ThinkingConfig,
    ToolConfig,
)

MODEL = "gemini-2.5-flash"

# -- request Structs built directly ---------------------------------------------------------

_BAD_CONFIGS: list[tuple[Any, type[Exception], str]] = [
    (GenerationConfig(temperature="hot"), TypeError, "'hot'"),  # type: ignore[arg-type]
    (GenerationConfig(temperature=math.nan), ValueError, "nan"),
    (GenerationConfig(temperature=math.inf), ValueError, "inf"),
    (GenerationConfig(temperature=-0.5), ValueError, "-0.5"),
    (GenerationConfig(temperature=7.0), ValueError, "7.0"),
    (GenerationConfig(top_p=1.5), ValueError, "1.5"),
    (GenerationConfig(top_k=0), ValueError, "top_k"),
    (GenerationConfig(candidate_count=0), ValueError, "candidate_count"),
    (GenerationConfig(max_output_tokens=-1), ValueError, "max_output_tokens"),
    (GenerationConfig(max_output_tokens=2**40), ValueError, str(2**40)),
    (GenerationConfig(presence_penalty=-math.inf), ValueError, "-inf"),
    (GenerationConfig(stop_sequences="END"), TypeError, "'END'"),  # type: ignore[arg-type]
    (GenerationConfig(thinking_config=ThinkingConfig(thinking_budget=-7)), ValueError, "-7"),
    (
        GenerationConfig(thinking_config={"thinking_budgt": 5}),  # type: ignore[arg-type]
        ValueError,
        "'thinking_budgt'",
    ),
    (GenerationConfig(stop_sequences=[object()]), TypeError, "stop_sequences[0]"),
    (
        GenerationConfig(response_schema=Schema(type="NUMBER", minimum=math.nan)),
        ValueError,
        "minimum",
    ),
]


@pytest.mark.parametrize(("config", "error", "shown"), _BAD_CONFIGS)
async def test_a_generation_config_built_directly_is_checked_before_sending(
    client: gs.Client, emulator: Emulator, config: Any, error: type[Exception], shown: str
) -> None:
    with pytest.raises(error, match=r"(?i)config") as info:
        await client.generate(MODEL, "Hi", config=config)
    assert shown in str(info.value)
    with pytest.raises(error):
        client.stream(MODEL, "Hi", config=config)
    with pytest.raises(error):
        client.chat(MODEL, config=config)
    assert emulator.records == []


@pytest.mark.parametrize(
    "config",
    [
        {"temperature": math.nan},
        {"temperature": 3},
        {"top_p": -0.1},
        {"top_k": 0},
        {"thinking_config": ThinkingConfig(thinking_budget="many")},  # type: ignore[arg-type]
    ],
)
def test_the_dict_form_gets_the_same_checks(config: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError), match="config"):
        gs.Request(MODEL, "Hi", config=config)


def test_other_request_structs_built_directly_are_checked() -> None:
    with pytest.raises(TypeError, match="threshold"):
        gs.Request(
            MODEL,
            "Hi",
            safety_settings=[SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold=3)],  # type: ignore[arg-type]
        )
    calling = FunctionCallingConfig(mode=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mode"):
        gs.Request(MODEL, "Hi", tool_config=ToolConfig(function_calling_config=calling))
    far = ToolConfig(retrieval_config=RetrievalConfig(lat_lng=LatLng(latitude=91.0, longitude=0)))
    with pytest.raises(ValueError, match=r"latitude.*91"):
        gs.Request(MODEL, "Hi", tool_config=far)
    with pytest.raises(ValueError, match="nan"):
        gs.Request(MODEL, "Hi", config={"response_json_schema": {"minimum": math.nan}})


def test_valid_structs_pass_unchanged() -> None:
    config = GenerationConfig(
        temperature=2, top_p=1.0, top_k=40, candidate_count=1, seed=-5, presence_penalty=-1.5,
        thinking_config=ThinkingConfig(thinking_budget=-1, include_thoughts=True),
        response_schema=Schema(type="NUMBER", minimum=0, maximum=1),
    )  # fmt: skip
    assert gs.Request(MODEL, "Hi", config=config).wire.generation_config == config


# -- RetryPolicy, Timeouts, RateLimit --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "shown"),
    [
        ({"retry_statuses": "429"}, TypeError, "'429'"),
        ({"retry_statuses": 429}, TypeError, "429"),
        ({"retry_statuses": b"\x01"}, TypeError, "retry_statuses"),
        ({"retry_statuses": None}, TypeError, "None"),
        ({"retry_statuses": ["429"]}, TypeError, "'429'"),
        ({"retry_statuses": [429.0]}, TypeError, "429.0"),
        ({"retry_statuses": [True]}, TypeError, "True"),
        ({"retry_statuses": [[429]]}, TypeError, "[429]"),
        ({"retry_statuses": {429, 9999}}, ValueError, "9999"),
        ({"max_attempts": 2.5}, ValueError, "2.5"),
        ({"max_attempts": 0}, ValueError, "0"),
        ({"initial_delay": math.nan}, ValueError, "nan"),
        ({"max_delay": math.inf}, ValueError, "inf"),
        ({"multiplier": 0.5}, ValueError, "0.5"),
        ({"max_delay": "60"}, TypeError, "'60'"),
    ],
)
def test_retry_policy_checks_every_field(
    kwargs: dict[str, Any], error: type[Exception], shown: str
) -> None:
    with pytest.raises(error, match=f"RetryPolicy.{next(iter(kwargs))}") as info:
        gs.RetryPolicy(**kwargs)
    assert shown in str(info.value)


def test_retry_statuses_take_any_collection_of_ints() -> None:
    assert gs.RetryPolicy(retry_statuses=[503, 429]).retry_statuses == {429, 503}
    assert gs.RetryPolicy(retry_statuses=(s for s in (500,))).retry_statuses == {500}
    assert gs.RetryPolicy(retry_statuses=()).retry_statuses == frozenset()


@pytest.mark.parametrize(
    ("cls", "kwargs", "error"),
    [
        (gs.Timeouts, {"connect": -1}, ValueError),
        (gs.Timeouts, {"first_chunk": math.inf}, ValueError),
        (gs.Timeouts, {"total": "5"}, TypeError),
        (gs.RateLimit, {"requests": "15"}, ValueError),
        (gs.RateLimit, {"tokens": 0}, ValueError),
        (gs.RateLimit, {"concurrent": 2.0}, ValueError),
        (gs.RateLimit, {"per": math.nan}, ValueError),
        (gs.RateLimit, {"per": [60]}, TypeError),
    ],
)
def test_timeouts_and_rate_limits_check_every_field(
    cls: type[Any], kwargs: dict[str, Any], error: type[Exception]
) -> None:
    name, value = next(iter(kwargs.items()))
    with pytest.raises(error, match=f"{cls.__name__}.{name}") as info:
        cls(**kwargs)
    assert repr(value) in str(info.value)


# -- Part.from_bytes ------------------------------------------------------------------------


def test_from_bytes_refuses_text() -> None:
    with pytest.raises(TypeError, match=r"str 'hello'.*encode.*Part\.from_text"):
        Part.from_bytes("hello", "text/plain")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        Part.from_bytes(42, "image/png")  # type: ignore[arg-type]
    assert Part.from_bytes(bytearray(b"ab"), "image/png").inline_data.data == b"ab"  # type: ignore[union-attr]


def test_from_bytes_above_the_inline_limit_points_to_the_files_api() -> None:
    data = bytes(15_000_001)  # 20,000,004 bytes once base64-encoded
    with pytest.raises(ValueError, match=r"15\.0 MB.*Files API.*prepare_part"):
        Part.from_bytes(data, "video/mp4")
    assert Part.from_bytes(bytes(14_999_999), "video/mp4").inline_data is not None


# -- Chat.loads -----------------------------------------------------------------------------

# What Chat.dumps wrote before saved chats named their format (kept byte for byte).
_SAVED_BEFORE_FORMAT = (
    b'{"model":"gemini-2.5-flash","systemInstruction":{"parts":[{"text":"Be brief"}]},'
    b'"config":{"temperature":0.5},"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT",'
    b'"threshold":"BLOCK_NONE"}],"history":[{"role":"user","parts":[{"text":"Hi"}]},'
    b'{"role":"model","parts":[{"text":"Hello","thoughtSignature":"AQJzaWc="}]}]}'
)


def _offline_client() -> gs.Client:
    return gs.Client(base_url="http://127.0.0.1:9", api_key="k")


def test_dumps_names_its_format_and_version() -> None:
    data = _offline_client().chat(MODEL).dumps()
    assert data.startswith(b'{"format":"gemini-stream/chat","version":1,')
    assert gs.Chat.loads(_offline_client(), data).model == MODEL


def test_chats_saved_before_the_format_name_still_load() -> None:
    chat = gs.Chat.loads(_offline_client(), _SAVED_BEFORE_FORMAT)
    assert chat.model == MODEL and chat.config == GenerationConfig(temperature=0.5)
    assert chat.history[1].parts[0].thought_signature == b"\x01\x02sig"  # type: ignore[index]
    assert gs.Chat.loads(_offline_client(), b'{"model":"m"}').history == []


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        # google-genai's chat history: a list of Content dicts.
        (b'[{"role": "user", "parts": [{"text": "Hi"}]}]', "array"),
        # Another schema that happens to have a model and a history.
        (b'{"model": "gemini-2.5-flash", "history": [], "messages": []}', "messages"),
        (b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}', "messages"),
        (b'{"format": "langchain/chat", "model": "m"}', "langchain/chat"),
        (b'{"format": "gemini-stream/chat", "version": "1", "model": "m"}', "'1'"),
        (b'{"a": 1}', "a"),
        (b'"chat"', "str"),
        (b"{", "JSON"),
    ],
)
def test_loads_refuses_foreign_json(data: bytes, shown: str) -> None:
    with pytest.raises(ValueError, match="not a saved chat") as info:
        gs.Chat.loads(_offline_client(), data)
    assert shown in str(info.value)


def test_loads_refuses_a_newer_format_version() -> None:
    data = b'{"format":"gemini-stream/chat","version":2,"model":"m"}'
    with pytest.raises(ValueError, match="version 2"):
        gs.Chat.loads(_offline_client(), data)


# -- SSE retry field ------------------------------------------------------------------------


def _retry_after(line: bytes) -> int | None:
    decoder = sse.SSEDecoder()
    (event,) = decoder.feed(b"retry: 5\n" + line + b"\ndata: x\n\n")
    return event.retry


def test_a_huge_all_digit_retry_is_clamped_not_an_error() -> None:
    assert _retry_after(b"retry: " + b"9" * 5000) == sse.MAX_RETRY_MS
    assert _retry_after(b"retry: " + b"0" * 5000 + b"7") == 7
    assert _retry_after(b"retry: " + b"1" * 11) == sse.MAX_RETRY_MS
    assert _retry_after(b"retry: " + str(sse.MAX_RETRY_MS).encode()) == sse.MAX_RETRY_MS


_LONG_DIGITS = st.builds(
    lambda digit, count, tail: digit * count + tail,
    st.sampled_from([b"0", b"1", b"9"]),
    st.integers(4000, 6000),
    st.sampled_from([b"", b"7", b"x"]),
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | _LONG_DIGITS)
def test_any_retry_value_is_taken_or_ignored_never_raised(value: bytes) -> None:
    value = value.replace(b"\r", b"").replace(b"\n", b"")
    got = _retry_after(b"retry:" + value)
    digits = value[1:] if value.startswith(b" ") else value
    if digits and all(48 <= c <= 57 for c in digits):  # ASCII digits only, as WHATWG says
        assert got == min(Decimal(digits.decode()), sse.MAX_RETRY_MS)  # no digit limit
    else:
        assert got == 5


async def test_the_async_reader_shares_the_retry_rule() -> None:
    async def chunks() -> Any:
        yield b"retry: " + b"8" * 10_000 + b"\r\ndata: a\r\n\r\n"

    events = [event async for event in sse.aiter_events(chunks())]
    assert [e.retry for e in events] == [sse.MAX_RETRY_MS]
    data = sse.DataDecoder()
    assert data.feed(b"retry: " + b"8" * 10_000 + b"\r\ndata: a\r\n\r\n") == [bytearray(b"a")]
