"""``client.with_options(...)``: a light view of a client with other defaults, sharing its
session, rate limiter and credentials, against the emulator on loopback."""

from __future__ import annotations

from typing import Any

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"


def _last(emulator: Emulator, rpc: str = "generateContent") -> Any:
    return [r for r in emulator.records if r.rpc == rpc][-1]


async def test_a_view_shares_the_clients_connections(client: gs.Client, emulator: Emulator) -> None:
    view = client.with_options(headers={"x-tenant": "a"})
    await client.generate(MODEL, "Hi")
    await view.generate(MODEL, "Hi")
    async with view.stream(MODEL, "Hi") as stream:
        await stream.final_text()
    # One keep-alive connection served all three: the view has no session of its own.
    assert emulator.open_connections == 1
    assert len(emulator.records) == 3


async def test_a_view_shares_the_rate_limiter(emulator: Emulator) -> None:
    limiter = gs.InProcessLimiter(gs.RateLimit(requests=100))
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=limiter) as client:
        view = client.with_options(timeouts=gs.Timeouts(idle=30))
        await client.generate(MODEL, "Hi")
        await view.generate(MODEL, "Hi")
        async for _ in view.stream(MODEL, "Hi"):
            pass
        assert limiter.usage()[0] == 3


async def test_overrides_apply_to_the_view_only(client: gs.Client, emulator: Emulator) -> None:
    patient = gs.Timeouts(first_chunk=600)
    view = client.with_options(
        timeouts=patient, headers={"X-Tenant": "acme"}, extra_query={"quotaUser": "u1"}
    )
    assert view.timeouts == patient and client.timeouts != patient
    await view.generate(MODEL, "Hi")
    seen = _last(emulator)
    assert seen.headers["x-tenant"] == "acme" and seen.query == {"quotaUser": "u1"}
    assert seen.api_key == seen.fingerprint("test-key")
    await client.generate(MODEL, "Hi")
    plain = _last(emulator)
    assert "x-tenant" not in plain.headers and plain.query == {}
    # The client's own setters do not reach into a view made before, nor the other way.
    view.timeouts = gs.Timeouts(idle=5)
    assert client.timeouts != view.timeouts


async def test_a_views_retry_policy_is_its_own(client: gs.Client, emulator: Emulator) -> None:
    once = client.with_options(retry=gs.RetryPolicy(max_attempts=1))
    emulator.fail_next(1, 503)
    with pytest.raises(gs.ServiceUnavailableError):
        await once.generate(MODEL, "Hi")
    emulator.fail_next(1, 503)
    reply = await client.generate(MODEL, "Hi")  # the client retries as before
    assert reply.text
    assert [r.status for r in emulator.records] == [503, 503, 200]


async def test_every_call_of_a_view_carries_its_settings(
    client: gs.Client, emulator: Emulator
) -> None:
    view = client.with_options(
        headers={"x-tenant": "acme"}, extra_body={"generationConfig": {"seed": 3}}
    )
    chat = view.chat(MODEL)
    await chat.send("Hi")
    assert _last(emulator, "streamGenerateContent").headers["x-tenant"] == "acme"
    assert _last(emulator, "streamGenerateContent").body["generationConfig"] == {"seed": 3}
    await view.count_tokens(MODEL, "Hi")
    counted = _last(emulator, "countTokens")
    assert counted.headers["x-tenant"] == "acme"
    assert "generationConfig" not in counted.body  # extra_body goes to generation only
    await view.models.get(MODEL)
    assert _last(emulator, "get").headers["x-tenant"] == "acme"
    replies = await view.generate_many([gs.Request(MODEL, "a"), gs.Request(MODEL, "b")])
    assert len(replies) == 2
    fanned = [r for r in emulator.records if r.rpc == "streamGenerateContent"][-2:]
    assert all(r.headers["x-tenant"] == "acme" for r in fanned)
    assert all(r.body["generationConfig"] == {"seed": 3} for r in fanned)


async def test_views_of_views_add_up(client: gs.Client, emulator: Emulator) -> None:
    view = client.with_options(headers={"x-a": "1"}, extra_body={"generationConfig": {"seed": 1}})
    inner = view.with_options(
        headers={"x-b": "2"}, service_tier="flex", extra_body={"generationConfig": {"topK": 2}}
    )
    await inner.generate(MODEL, "Hi", extra_body={"generationConfig": {"seed": 9}})
    seen = _last(emulator)
    assert seen.headers["x-a"] == "1" and seen.headers["x-b"] == "2"
    assert seen.body["generationConfig"] == {"seed": 9, "topK": 2}  # the call's value wins
    assert seen.body["serviceTier"] == "flex"
    await view.generate(MODEL, "Hi")
    assert "x-b" not in _last(emulator).headers
    assert "serviceTier" not in _last(emulator).body


async def test_a_view_has_nothing_to_close(client: gs.Client) -> None:
    async with client.with_options(headers={"x-a": "1"}) as view:
        await view.generate(MODEL, "Hi")
    await view.aclose()
    assert not client.closed and not view.closed
    assert (await client.generate(MODEL, "Hi")).text  # the client goes on
    assert (await view.generate(MODEL, "Hi")).text  # and so does the view


async def test_closing_the_client_ends_its_views(emulator: Emulator) -> None:
    client = gs.Client(base_url=emulator.url, api_key="k")
    view = client.with_options(timeouts=gs.Timeouts(idle=30))
    await view.generate(MODEL, "Hi")
    await client.aclose()
    assert view.closed
    with pytest.raises(gs.ClientClosedError):
        await view.generate(MODEL, "Hi")
    with pytest.raises(gs.ClientClosedError):
        view.stream(MODEL, "Hi")


async def test_bad_values_are_refused_before_anything_is_sent(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.raises(TypeError, match=r"timeouts must be a gs\.Timeouts"):
        client.with_options(timeouts=30)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="headers may not set 'authorization'"):
        client.with_options(headers={"Authorization": "Bearer other"})
    with pytest.raises(ValueError, match="CR, LF"):
        client.with_options(headers={"x-a": "1\nx-b: 2"})
    assert emulator.records == []
