"""Client construction, lifecycle, key handling, sessions, loops, and the non-streaming calls."""

from __future__ import annotations

import asyncio
import logging
import socket

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"
KEY = "AIzaSyTESTKEY-0123456789abcdefghijk"


def test_key_comes_from_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini-env")
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google-env")
    assert gs.Client("explicit")._endpoint.api_key == "explicit"
    assert gs.Client()._endpoint.api_key == "from-gemini-env"
    monkeypatch.delenv("GEMINI_API_KEY")
    assert gs.Client()._endpoint.api_key == "from-google-env"


def test_a_missing_key_is_a_clear_error_for_google(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="GEMINI_API_KEY"):
        gs.Client()
    gs.Client(base_url="http://127.0.0.1:9")  # a local server may not need one


def test_repr_masks_the_key() -> None:
    text = repr(gs.Client(KEY))
    assert KEY not in text
    assert "generativelanguage.googleapis.com" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"base_url": "ftp://example"}, "ftp://example"),
        ({"api_version": "beta one"}, "beta one"),
        ({"max_connections": 0}, "max_connections"),
        ({"timeouts": {"idle": 3}}, "timeouts"),
        ({"retry": 3}, "retry"),
        ({"session": "not a session"}, "not a session"),
        ({"max_event_bytes": -1}, "max_event_bytes"),
    ],
)
def test_bad_settings_are_rejected_naming_the_value(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        gs.Client(KEY, **kwargs)  # type: ignore[arg-type]


async def test_bad_input_is_rejected_before_anything_is_sent(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.raises(TypeError, match="42"):
        client.stream(MODEL, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="temprature"):
        client.stream(MODEL, "Hi", config={"temprature": 0.5})
    with pytest.raises(ValueError, match="model name"):
        client.stream("bad model", "Hi")
    with pytest.raises(TypeError, match="timeouts"):
        client.stream(MODEL, "Hi", timeouts=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page_size"):
        async for _ in client.models.list(page_size=0):
            pass
    assert emulator.records == []


async def test_the_key_never_appears_in_errors_or_logs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail_next(1, 503)
    caplog.set_level(logging.DEBUG)
    async with gs.Client(KEY, base_url=emulator.url) as client:
        await client.generate(MODEL, "Hi")
        with pytest.raises(gs.NotFoundError) as info:
            await client.generate("missing-model", "Hi")
    assert KEY not in str(info.value)
    assert KEY not in caplog.text
    assert "retrying" in caplog.text
    assert all("key" not in r.query for r in emulator.records)


async def test_a_borrowed_session_is_used_and_left_open(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with gs.Client("k", base_url=emulator.url, session=session) as client:
            assert await client.stream(MODEL, "Hi").final_text()
        assert not session.closed
        async with session.get(f"{emulator.url}/v1beta/models?key=k") as response:
            assert response.status == 200


async def test_the_owned_session_has_no_total_timeout_and_a_bounded_pool(
    client: gs.Client,
) -> None:
    await client.generate(MODEL, "Hi")
    session = await client._endpoint.transport.session()
    assert session.timeout.total is None  # aiohttp's default of 300 s would cut long streams
    assert session.connector is not None
    assert 100 < session.connector.limit < 100_000


async def test_using_a_closed_client_is_a_clear_error(emulator: Emulator) -> None:
    client = gs.Client("k", base_url=emulator.url)
    await client.generate(MODEL, "Hi")
    await client.aclose()
    await client.aclose()  # twice is fine
    assert client.closed
    with pytest.raises(gs.ClientClosedError, match="aclose"):
        client.stream(MODEL, "Hi")
    with pytest.raises(gs.ClientClosedError):
        await client.generate(MODEL, "Hi")


def test_a_client_built_outside_a_loop_works_under_two_asyncio_runs() -> None:
    async def serve_and_call(client: gs.Client, emulator: Emulator) -> str:
        return await client.stream(MODEL, "Hi").final_text()

    client = gs.Client("k", base_url="http://127.0.0.1:1")  # replaced below per run

    async def one_run() -> str:
        async with Emulator() as emulator:
            client._endpoint.root = f"{emulator.url}/v1beta/"
            return await serve_and_call(client, emulator)

    assert asyncio.run(one_run())
    assert asyncio.run(one_run())  # a new loop: the client makes a new session, no warnings
    asyncio.run(client.aclose())


async def test_count_tokens_matches_the_prompt_usage(client: gs.Client) -> None:
    counted = await client.count_tokens(MODEL, "How many tokens is this?")
    reply = await client.generate(MODEL, "How many tokens is this?")
    assert reply.usage is not None
    assert counted.total_tokens == reply.usage.prompt_token_count


async def test_get_model_and_list_models_over_every_page(
    client: gs.Client, emulator: Emulator
) -> None:
    model = await client.models.get("models/gemini-2.5-flash")
    assert model.name == "models/gemini-2.5-flash"
    assert model.input_token_limit
    names = [m.name async for m in client.models.list(page_size=2)]
    assert len(names) == len(set(names)) > 4
    assert "models/gemini-2.5-flash" in names
    pages = [r for r in emulator.records if r.path.endswith("/models")]
    assert len(pages) == -(-len(names) // 2)  # ceil: every page was fetched once


async def test_the_old_spellings_still_work_and_say_what_replaces_them(
    client: gs.Client,
) -> None:
    with pytest.warns(DeprecationWarning, match=r"get_model\(\) is deprecated.*models\.get\(\)"):
        model = await client.get_model(MODEL)
    assert model == await client.models.get(MODEL)
    with pytest.warns(DeprecationWarning, match=r"list_models\(\).*models\.list\(\)"):
        names = [m.name async for m in client.list_models(page_size=3)]
    assert names == [m.name async for m in client.models.list(page_size=3)]
    with pytest.warns(DeprecationWarning, match=r"generate_images\(\).*images\.generate\(\)"):
        old = await client.generate_images("imagen-4.0-generate-001", "a fox", number_of_images=2)
    assert old == await client.images.generate(
        "imagen-4.0-generate-001", "a fox", number_of_images=2
    )


async def test_the_client_defaults_can_be_replaced_and_are_checked(
    client: gs.Client, emulator: Emulator
) -> None:
    client.retry = gs.RetryPolicy(max_attempts=1)
    emulator.fail_next(1, 503)
    with pytest.raises(gs.ServiceUnavailableError):
        await client.generate(MODEL, "Hi")  # no second attempt under the new policy
    assert emulator.pending_script == 0
    with pytest.raises(TypeError, match=r"retry must be a gs\.RetryPolicy, got 3"):
        client.retry = 3  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"timeouts must be a gs\.Timeouts, got None"):
        client.timeouts = None  # type: ignore[assignment]
    client.timeouts = gs.Timeouts(first_chunk=12.5)
    assert client.timeouts.first_chunk == 12.5


async def test_generate_returns_the_whole_reply(client: gs.Client) -> None:
    reply = await client.generate(MODEL, "Hello there", system_instruction="Be brief")
    assert reply.finish_reason == "STOP"
    assert "Hello there" in reply.text


async def test_base_url_from_the_environment_points_a_program_at_the_emulator(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("GEMINI_BASE_URL", emulator.url)
    async with gs.Client() as client:  # no key needed for a server of one's own
        assert emulator.url in repr(client)
        with pytest.raises(gs.PermissionDeniedError):
            await client.generate(MODEL, "Hi")  # the emulator, like Google, wants a key


async def test_proxy_settings_from_the_environment_are_honoured(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port where nothing listens: the "proxy" is down
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    retry = gs.RetryPolicy(max_attempts=1)
    async with gs.Client("k", base_url=emulator.url, retry=retry) as client:
        with pytest.raises(gs.APIConnectionError):
            await client.generate(MODEL, "Hi")  # went to the proxy, which is down
    assert emulator.records == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with gs.Client("k", base_url=emulator.url, retry=retry) as client:
        assert (await client.generate(MODEL, "Hi")).text  # NO_PROXY: straight to the server
