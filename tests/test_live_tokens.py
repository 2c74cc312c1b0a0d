"""Ephemeral tokens: ``client.live.create_token`` mints one, ``Client(ephemeral_token=...)``
opens live sessions with it on the Constrained method; uses, expiry and locked setups are
enforced by the emulator as the reference describes."""

from __future__ import annotations

import datetime

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-3.1-flash-live-preview"
TEXT = {"response_modalities": ["TEXT"]}


async def hello(client: gs.Client, **options: object) -> str:
    async with client.live.connect(MODEL, config=TEXT, **options) as session:  # type: ignore[arg-type]
        await session.send_text("Hello")
        return "".join([t async for t in session.text_stream()])


async def test_a_minted_token_opens_a_constrained_session(
    client: gs.Client, emulator: Emulator
) -> None:
    token = await client.live.create_token(uses=1, expire_time=600)
    assert token.name.startswith("auth_tokens/") and token.uses == 1
    assert token.name not in repr(token)  # a credential never shows in a log line
    mint = emulator.records[-1]
    assert (mint.method, mint.path) == ("POST", "/v1alpha/auth_tokens")
    assert mint.body is not None and mint.body["uses"] == 1 and "expireTime" in mint.body
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        text = await hello(browser)
    assert text.startswith(f"I am the gemini-stream emulator running {MODEL}.")
    record = emulator.records[-1]
    assert record.path.endswith("v1beta.GenerativeService.BidiGenerateContentConstrained")
    assert "x-goog-api-key" not in record.headers  # the token travels as Authorization: Token
    assert record.headers["authorization"].startswith("Token ")


async def test_a_token_starts_only_as_many_sessions_as_its_uses(
    client: gs.Client, emulator: Emulator
) -> None:
    token = await client.live.create_token(uses=1)
    emulator.live.drop_next(3)  # the session must resume, with a handle, on the same token
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        async with browser.live.connect(MODEL, config=TEXT) as session:
            await session.send_text("Hello")
            async for _ in session.text_stream():
                pass
            assert session.reconnects == 1  # resuming did not use the token up
        with pytest.raises(gs.AuthenticationError, match="no uses left") as info:
            await hello(browser)
    assert info.value.close_code == 1007


async def test_an_expired_token_is_refused(client: gs.Client, emulator: Emulator) -> None:
    token = await client.live.create_token(expire_time=60)
    emulator.live.advance(61)
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        with pytest.raises(gs.AuthenticationError, match="expired"):
            await hello(browser)


async def test_new_sessions_end_at_new_session_expire_time(
    client: gs.Client, emulator: Emulator
) -> None:
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=30)
    token = await client.live.create_token(uses=0, new_session_expire_time=later)
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        assert await hello(browser)
        emulator.live.advance(31)
        with pytest.raises(gs.AuthenticationError, match="new sessions"):
            await hello(browser)


async def test_a_locked_setup_overrides_the_clients(client: gs.Client, emulator: Emulator) -> None:
    token = await client.live.create_token(
        model=MODEL, config=TEXT, system_instruction="Speak like a pirate"
    )
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        text = await hello(browser, system_instruction="Be plain")
    assert text.endswith('The system instruction was "Speak like a pirate".')


async def test_lock_fields_override_only_those_fields(
    client: gs.Client, emulator: Emulator
) -> None:
    token = await client.live.create_token(
        model=MODEL, config=TEXT, system_instruction="Speak like a pirate",
        lock_fields=["generation_config.response_modalities"],
    )  # fmt: skip
    assert emulator.records[-1].body["fieldMask"] == "generation_config.response_modalities"
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        text = await hello(browser, system_instruction="Be plain")
    assert text.endswith('The system instruction was "Be plain".')


async def test_the_api_versions_are_configurable(client: gs.Client, emulator: Emulator) -> None:
    token = await client.live.create_token(api_version="v1beta")
    assert emulator.records[-1].path == "/v1beta/auth_tokens"
    async with gs.Client(base_url=emulator.url, ephemeral_token=token.name) as browser:
        assert await hello(browser, api_version="v1alpha")
    assert ".v1alpha.GenerativeService.BidiGenerateContentConstrained" in emulator.records[-1].path


async def test_an_unknown_token_is_refused(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, ephemeral_token="auth_tokens/nope") as browser:
        with pytest.raises(gs.AuthenticationError, match="token"):
            await hello(browser)


def test_bad_token_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        gs.Client(api_key="k", ephemeral_token="auth_tokens/x")
    with pytest.raises(ValueError, match="auth_tokens/"):
        gs.Client(ephemeral_token="AIza-not-a-token")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"uses": -1}, "uses"),
        ({"expire_time": 21 * 3600}, "20 hours"),
        ({"expire_time": datetime.datetime(2030, 1, 1)}, "timezone-aware"),
        ({"lock_fields": ["model"]}, "needs a setup"),
        ({"api_version": "beta"}, "api_version"),
    ],
)
async def test_bad_mint_arguments_are_refused_before_sending(
    client: gs.Client, emulator: Emulator, kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await client.live.create_token(**kwargs)  # type: ignore[arg-type]
    assert not emulator.records
