"""The unary calls of ``client.interactions``: ``create`` (also in the background), ``get``,
``cancel``, ``delete`` and ``wait``, over loopback against a purpose-built server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

import gemini_stream as gs
import gemini_stream.interactions as gsi
from tests._interactions_server import (
    E1_REQUEST,
    E1_RESPONSE,
    E3_UNARY,
    E4_REQUEST,
    E4_STREAM,
    InteractionsServer,
)

DR = "deep-research-preview-04-2026"


@pytest.fixture
async def server() -> AsyncIterator[InteractionsServer]:
    server = InteractionsServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(server: InteractionsServer) -> AsyncIterator[gs.Client]:
    async with gs.Client("test-key", base_url=server.url) as client:
        yield client


async def test_create_returns_the_whole_interaction(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.unary = json.loads(E1_RESPONSE)
    interaction = await client.interactions.create("gemini-3-flash-preview", "Hello, how are you?")
    assert server.requests[0].body == E1_REQUEST
    assert (
        interaction.id == "v1_ChdPU0F4YWFtNkFwS2kxZThQZ05lbXdROBIXT1NBeGFhbTZBcEtpMWU4UGdOZW13UTg"
    )
    assert interaction.status == "completed" and interaction.done
    assert interaction.text.startswith("Hello! I'm functioning perfectly")
    assert interaction.usage is not None and interaction.usage.total_tokens == 49
    server.unary = json.loads(E3_UNARY)
    calls = (await client.interactions.create("gemini-3-flash-preview", "Weather?")).function_calls
    assert [(c.id, c.arguments) for c in calls] == [("gth23981", {"location": "Boston, MA"})]


async def test_create_with_a_429_first_is_retried(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.unary = json.loads(E1_RESPONSE)
    server.fail = [(429, '{"error":{"code":"resource_exhausted","message":"slow"}}')]
    assert (await client.interactions.create("m", "Hi")).status == "completed"
    assert len(server.requests) == 2


async def test_background_create_then_wait_until_done(
    server: InteractionsServer, client: gs.Client
) -> None:
    running = {"id": "v1_dr123", "status": "in_progress", "object": "interaction", "agent": DR}
    done = running | {
        "status": "completed",
        "steps": [
            {"type": "user_input", "content": [{"type": "text", "text": E4_REQUEST["input"]}]},
            {"type": "model_output", "content": [{"type": "text", "text": "# TPUs"}]},
        ],
    }
    server.unary = running
    server.store(done)
    fields = {"agent_config": E4_REQUEST["agent_config"]}
    started = await client.interactions.create(
        agent=DR, input=E4_REQUEST["input"], background=True, **fields
    )
    assert started.status == "in_progress" and not started.done
    assert server.requests[0].body == {k: v for k, v in E4_REQUEST.items() if k != "stream"}
    server.polls = [running, running | {"status": "queued"}, running]
    finished = await asyncio.wait_for(client.interactions.wait("v1_dr123", timeout=600), 10)
    assert finished.status == "completed" and finished.text == "# TPUs"
    assert isinstance(finished.steps[0], gsi.UserInputStep)
    gets = server.requests[1:]
    assert len(gets) == 4 and {(g.method, g.path) for g in gets} == {
        ("GET", "/v1beta/interactions/v1_dr123")
    }


async def test_wait_gives_up_at_its_timeout(server: InteractionsServer, client: gs.Client) -> None:
    running = {"id": "v1_slow", "status": "in_progress"}
    server.store(running)
    with pytest.raises(gs.TotalTimeoutError, match="still 'in_progress'") as info:
        await asyncio.wait_for(client.interactions.wait("v1_slow", timeout=4), 10)
    assert isinstance(info.value.partial, gs.Interaction)
    assert info.value.partial.status == "in_progress"
    # Polls 1 s apart, growing 1.5x: 0, 1, 2.5, 4 (the waits are skipped in tests).
    assert len(server.requests) == 4
    with pytest.raises(ValueError, match="-1"):
        await client.interactions.wait("v1_slow", timeout=-1)


async def test_get_cancel_delete(server: InteractionsServer, client: gs.Client) -> None:
    server.store(json.loads(E1_RESPONSE) | {"id": "v1_a"})
    assert (await client.interactions.get("v1_a")).text.startswith("Hello!")
    cancelled = await client.interactions.cancel("v1_dr123")
    assert cancelled.status == "cancelled" and cancelled.agent == DR
    assert await client.interactions.delete("v1_a") is None
    get, cancel, delete = server.requests
    assert (get.method, get.path) == ("GET", "/v1beta/interactions/v1_a")
    assert (cancel.method, cancel.path) == ("POST", "/v1beta/interactions/v1_dr123/cancel")
    assert (delete.method, delete.path) == ("DELETE", "/v1beta/interactions/v1_a")


async def test_an_unknown_id_is_not_found_with_the_interactions_code(
    server: InteractionsServer, client: gs.Client
) -> None:
    with pytest.raises(gs.NotFoundError, match="no such interaction") as info:
        await client.interactions.get("v1_gone")
    assert info.value.status == "not_found"
    with pytest.raises(TypeError, match="non-empty string"):
        await client.interactions.get("")
    with pytest.raises(TypeError, match="background"):
        await client.interactions.create("m", "Hi", background="yes")
    assert len(server.requests) == 1


async def test_a_vertex_ai_client_refuses_interactions_before_sending() -> None:
    async with gs.Client("k", vertexai=True) as client:  # express mode: no request made here
        with pytest.raises(ValueError, match="Vertex AI"):
            client.interactions.stream("m", "Hi")
        with pytest.raises(ValueError, match="Vertex AI"):
            await client.interactions.get("v1_x")


class _Lease:
    def __init__(self, log: list[object]) -> None:
        self.log = log

    def sent(self) -> None:
        self.log.append("sent")

    def release(self, tokens: int | None = None) -> None:
        self.log.append(("release", tokens))


class _RecordingLimiter:
    def __init__(self) -> None:
        self.log: list[object] = []

    async def acquire(self, tokens: int) -> _Lease:
        self.log.append(("acquire", tokens > 0))
        return _Lease(self.log)

    def penalize(self, seconds: float) -> None:
        self.log.append(("penalize", seconds))


async def test_creates_wait_for_the_clients_rate_limiter(server: InteractionsServer) -> None:
    limiter = _RecordingLimiter()
    async with gs.Client("k", base_url=server.url, rate_limit=limiter) as client:  # type: ignore[arg-type]
        server.unary = json.loads(E1_RESPONSE)
        await client.interactions.create("m", "Hi")
        assert limiter.log == [("acquire", True), "sent", ("release", None)]
        limiter.log.clear()
        server.serve(E4_STREAM)
        server.cuts = [4]
        await client.interactions.stream(agent=DR, input="Research").final()
        # One hold for the create; the resume is no new generation request.
        assert limiter.log == [("acquire", True), "sent", ("release", None)]
        limiter.log.clear()
        await client.interactions.stream(agent=DR, input="Research").final()
        assert limiter.log == [("acquire", True), "sent", ("release", 428865)]
        limiter.log.clear()
        await client.interactions.get("v1_dr123")
        assert limiter.log == []  # reads do not count
        server.fail = [(429, '{"error":{"code":"resource_exhausted","message":"slow"}}')]
        await client.interactions.create("m", "Hi")
        assert ("penalize", 0.0) in limiter.log
