"""``client.interactions.stream``: typed events over loopback from a purpose-built server
serving the reference transcripts, the assembled ``Interaction``, text helpers, errors,
closing, and resumption after a dropped or truncated stream."""

# ruff: noqa: E501 - wire payloads keep their lines whole

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import pytest

import gemini_stream as gs
import gemini_stream.interactions as gsi
from gemini_stream._interactions.events import decode_interaction
from tests._interactions_server import (
    E2_ASSEMBLED,
    E2_STREAM,
    E3_TURN1_STREAM,
    E3_TURN2_REQUEST,
    E3_TURN2_STREAM,
    E4_REQUEST,
    E4_STREAM,
    E5_HTTP_400,
    E5_STREAM,
    InteractionsServer,
    events_of,
    with_event_ids,
)

E2_INPUT = "Alice, Bob, and Carol each live in a different house on the same street: red, green, and blue. Alice does not live in the red house. Bob does not live in the green house. Carol does not live in the red or green house. Which house does each person live in?"
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


def dr_stream(client: gs.Client) -> gs.InteractionStream:
    fields = {k: v for k, v in E4_REQUEST.items() if k not in ("agent", "input", "stream")}
    return client.interactions.stream(agent=DR, input=E4_REQUEST["input"], **fields)


async def collect(stream: gs.InteractionStream) -> list[gs.InteractionEvent]:
    return [event async for event in stream]


def wire(events: list[gs.InteractionEvent]) -> list[tuple[str, str | None]]:
    return [(e.event_type, e.event_id) for e in events]


# -- a whole stream ---------------------------------------------------------------------------------


async def test_e2_streams_typed_events_and_assembles_the_interaction(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM)
    stream = client.interactions.stream(
        "gemini-3.8-flash", E2_INPUT, generation_config={"thinking_summaries": "auto"}
    )
    assert not server.requests  # nothing is sent before the stream is read
    events = await asyncio.wait_for(collect(stream), 10)
    assert [e.event_type for e in events] == [name for name, _ in events_of(E2_STREAM)]
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1beta/interactions")
    assert request.body == {
        "model": "gemini-3.8-flash",
        "input": E2_INPUT,
        "generation_config": {"thinking_summaries": "auto"},
        "stream": True,
    }
    assert stream.interaction == decode_interaction(E2_ASSEMBLED.encode())
    assert (await stream.final()).text.endswith("the answer to your question...")
    assert stream.interaction_id == "v1_xxx"


async def test_text_stream_and_thought_stream(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM)
    texts = [t async for t in client.interactions.stream("gemini-3.8-flash", E2_INPUT).text_stream]
    assert texts == ["Based on the clues provided, here", " is the answer to your question..."]
    server.serve(E4_STREAM)
    thoughts = [t async for t in dr_stream(client).thought_stream]
    assert thoughts == ["***Generating research plan***\n\n..."]


async def test_a_function_call_turn_and_the_turn_answering_it(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E3_TURN1_STREAM)
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    stream = client.interactions.stream(
        "gemini-3-flash-preview", "What is the weather in Paris right now?", tools=[tool]
    )
    interaction = await asyncio.wait_for(stream.final(), 10)
    assert interaction.status == "requires_action"  # not an error: calls to answer
    (call,) = interaction.function_calls
    assert call.arguments == {"location": "Paris, France"}
    server.serve(E3_TURN2_STREAM)
    result = gsi.FunctionResultStep(
        call_id=call.id,
        name=call.name,
        result=E3_TURN2_REQUEST["input"][0]["result"],  # type: ignore[index]
    )
    turn2 = client.interactions.stream(
        "gemini-3-flash-preview", [result], previous_interaction_id="v1_ChdGUVFJYXBXVUdLVEF4TjhQ..."
    )
    assert (await turn2.final()).text == "It's currently sunny in Paris, about 22°C."
    assert server.requests[-1].body == E3_TURN2_REQUEST


# -- errors -----------------------------------------------------------------------------------------


async def test_an_error_event_is_a_typed_error_with_the_partial_interaction(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E5_STREAM)
    seen: list[str] = []
    with pytest.raises(gs.ServerError) as info:
        async for event in client.interactions.stream("gemini-3-flash-preview", "Hi"):
            seen.append(event.event_type)
    assert seen == ["interaction.created"]
    error = info.value
    assert (error.code, error.status) == (504, "gateway_timeout")
    assert error.message == "Deadline expired before operation could complete."
    assert isinstance(error.partial, gs.Interaction)
    assert error.partial.id == "v1_..." and error.partial.status == "in_progress"
    assert len(server.requests) == 1  # not retried: the interaction exists server-side


async def test_a_failed_status_raises_after_the_completed_event(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(
        'event: interaction.created\ndata: {"interaction":{"id":"v1_f","status":"in_progress"},"event_type":"interaction.created"}\n\n'
        'event: interaction.completed\ndata: {"interaction":{"id":"v1_f","status":"failed","errors":[{"code":"internal","message":"boom"}]},"event_type":"interaction.completed"}\n\n'
    )
    seen: list[str] = []
    with pytest.raises(gs.InteractionFailedError, match="boom") as info:
        async for event in client.interactions.stream("m", "Hi"):
            seen.append(event.event_type)
    assert seen == ["interaction.created", "interaction.completed"]
    assert isinstance(info.value.partial, gs.Interaction) and info.value.partial.status == "failed"


async def test_incomplete_is_a_status_not_an_error(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM.replace('"status":"completed"', '"status":"incomplete"'))
    interaction = await client.interactions.stream("m", "Hi").final()
    assert interaction.status == "incomplete" and interaction.done


async def test_an_error_written_as_bare_json_after_the_200_is_raised(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.raw_errors = [3]
    seen = []
    with pytest.raises(gs.ServiceUnavailableError, match="overloaded") as info:
        async for event in dr_stream(client):
            seen.append(event.event_id)
    assert seen == ["evt-001", "evt-002", "evt-003"] and len(server.requests) == 1
    assert info.value.status == "unavailable"
    assert isinstance(info.value.partial, gs.Interaction) and info.value.partial.id == "v1_dr123"


async def test_429_and_503_before_the_stream_are_retried(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM)
    server.fail = [
        (429, '{"error":{"code":"resource_exhausted","message":"slow down"}}'),
        (503, '{"error":{"code":"unavailable","message":"overloaded"}}'),
    ]
    events = await asyncio.wait_for(collect(client.interactions.stream("m", "Hi")), 10)
    assert len(events) == 8 and len(server.requests) == 3


async def test_the_http_error_envelope_before_the_stream(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM)
    server.fail = [(400, E5_HTTP_400)]
    with pytest.raises(gs.BadRequestError, match="legacy Interactions API schema") as info:
        await client.interactions.stream("m", "Hi").final()
    assert info.value.status == "invalid_request"
    assert len(server.requests) == 1
    server.fail = [(503, '{"error":{"code":"unavailable","message":"down"}}')] * 4
    with pytest.raises(gs.ServiceUnavailableError, match="down"):
        await client.interactions.stream("m", "Hi").final()


async def test_bad_input_is_refused_before_sending(
    server: InteractionsServer, client: gs.Client
) -> None:
    with pytest.raises(TypeError, match="'sytem_instruction'"):
        client.interactions.stream("m", "Hi", sytem_instruction="x")
    with pytest.raises(ValueError, match="exactly one of model"):
        client.interactions.stream(input="Hi")
    assert not server.requests


# -- resumption ------------------------------------------------------------------------------------


async def test_a_dropped_stream_resumes_after_its_last_event_id(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.cuts = [4]  # the reference's drop: after evt-004
    events = await asyncio.wait_for(collect(dr_stream(client)), 10)
    assert wire(events) == [(n, f"evt-{i:03d}") for i, (n, _) in enumerate(events_of(E4_STREAM), 1)]
    create, resume = server.requests
    assert create.body == E4_REQUEST
    assert create.accept == resume.accept == "text/event-stream"
    assert (resume.method, resume.path) == ("GET", "/v1beta/interactions/v1_dr123")
    assert resume.query == {"stream": "true", "last_event_id": "evt-004"}


@pytest.mark.parametrize("transcript", ["E4", "E2 with event ids", "E3 with event ids"])
async def test_a_stream_cut_at_every_event_index_yields_the_same_events(
    server: InteractionsServer, client: gs.Client, transcript: str
) -> None:
    text = {
        "E4": E4_STREAM,
        "E2 with event ids": with_event_ids(E2_STREAM),
        "E3 with event ids": with_event_ids(E3_TURN1_STREAM),
    }[transcript]
    server.serve(text)
    uncut = await asyncio.wait_for(collect(client.interactions.stream("m", "Hi")), 10)
    whole = await client.interactions.stream("m", "Hi").final()
    count = len(events_of(text))
    assert len(uncut) == count
    for cut in range(1, count + 1):
        for fault in ("cuts", "ends"):  # the connection drops / the body ends cleanly
            setattr(server, fault, [cut])
            before = len(server.requests)
            stream = client.interactions.stream("m", "Hi")
            events = await asyncio.wait_for(collect(stream), 10)
            assert events == uncut, (fault, cut)
            assert stream.interaction == whole
            resumed = server.requests[before + 1 :]
            if cut < count:  # one extra request, after the last event seen
                (get,) = resumed
                assert get.query["last_event_id"] == uncut[cut - 1].event_id
            else:  # interaction.completed came: only [DONE] was missing
                assert not resumed


async def test_a_completed_interaction_needs_no_done_marker(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.no_done = [True]
    assert len(await asyncio.wait_for(collect(dr_stream(client)), 10)) == 9
    assert len(server.requests) == 1


async def test_repeated_drops_and_a_server_that_repeats_events(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    uncut = await collect(dr_stream(client))
    server.cuts = [2, 2, 1, 3]
    assert await asyncio.wait_for(collect(dr_stream(client)), 10) == uncut
    server.ignore_last_event_id = True  # resumes replay from the first event
    server.cuts = [5, 6]
    assert await asyncio.wait_for(collect(dr_stream(client)), 10) == uncut


async def test_resuming_is_bounded(server: InteractionsServer, client: gs.Client) -> None:
    server.serve(E4_STREAM)
    server.cuts = [3, 0, 0, 0, 0, 0]
    seen: list[str | None] = []
    client.retry = gs.RetryPolicy(max_attempts=3)
    with pytest.raises(gs.StreamInterruptedError, match="gave up after 2 reconnections") as info:
        async for event in dr_stream(client):
            seen.append(event.event_id)
    assert seen == ["evt-001", "evt-002", "evt-003"]
    assert len(server.requests) == 3  # the create and two resumes
    assert isinstance(info.value.partial, gs.Interaction) and info.value.partial.id == "v1_dr123"


async def test_without_event_ids_the_error_says_so_instead_of_guessing(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E2_STREAM)
    server.cuts = [5]
    seen = []
    with pytest.raises(gs.StreamInterruptedError, match="sent no event_id") as info:
        async for event in client.interactions.stream("m", "Hi"):
            seen.append(event)
    assert len(seen) == 5 and len(server.requests) == 1
    partial = info.value.partial
    assert isinstance(partial, gs.Interaction)
    assert partial.id == "v1_xxx" and partial.text == "Based on the clues provided, here"


async def test_a_drop_before_the_first_event_cannot_resume(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.cuts = [0]
    with pytest.raises(gs.StreamInterruptedError):
        await dr_stream(client).final()
    assert len(server.requests) == 1


async def test_an_idle_stream_resumes(server: InteractionsServer) -> None:
    server.serve(E4_STREAM)
    server.holds = [6]  # the first connection goes silent after evt-006
    timeouts = gs.Timeouts(idle=0.3)
    async with gs.Client("k", base_url=server.url, timeouts=timeouts) as client:
        events = await asyncio.wait_for(collect(dr_stream(client)), 10)
    assert [e.event_id for e in events] == [f"evt-{i:03d}" for i in range(1, 10)]
    assert server.requests[1].query["last_event_id"] == "evt-006"


async def test_explicit_resume_after_a_restart(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    stream = client.interactions.resume("v1_dr123", last_event_id="evt-004")
    events = await asyncio.wait_for(collect(stream), 10)
    assert [e.event_id for e in events] == [f"evt-{i:03d}" for i in range(5, 10)]
    assert stream.interaction.text.startswith("# The History of Google TPUs")
    assert stream.interaction.status == "completed" and stream.last_event_id == "evt-009"
    assert server.requests[0].query == {"stream": "true", "last_event_id": "evt-004"}
    # Without last_event_id: the whole run from its first event; dropped, it resumes too.
    server.cuts = [2]
    again = client.interactions.resume("v1_dr123")
    assert len(await asyncio.wait_for(collect(again), 10)) == 9
    assert server.requests[1].query == {"stream": "true"}
    assert server.requests[2].query == {"stream": "true", "last_event_id": "evt-002"}
    with pytest.raises(TypeError, match="non-empty string"):
        client.interactions.resume("")


# -- closing -----------------------------------------------------------------------------------------


async def test_break_closes_the_connection(server: InteractionsServer, client: gs.Client) -> None:
    server.serve(E4_STREAM)
    server.holds = [3, 5]
    gc.disable()  # the stream holds no reference cycle: dropping it closes it at once
    try:
        async for event in dr_stream(client):
            assert event.event_type == "interaction.created"
            break
        async for text in client.interactions.resume("v1_dr123").thought_stream:
            assert text.startswith("***Generating")
            break
    finally:
        gc.enable()
    for request in server.requests:
        await asyncio.wait_for(request.finished.wait(), 5)
        assert request.disconnected
    assert len(server.requests) == 2


async def test_leaving_async_with_closes_and_a_closed_stream_is_spent(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.holds = [3]
    async with dr_stream(client) as stream:
        first = await stream.__anext__()
        assert first.event_type == "interaction.created"
    (request,) = server.requests
    await asyncio.wait_for(request.finished.wait(), 5)
    assert request.disconnected
    await stream.aclose()  # twice is fine
    with pytest.raises(gs.StreamConsumedError):
        stream.__aiter__()
    assert stream.interaction.id == "v1_dr123"


async def test_aclose_of_the_client_wakes_a_reader_with_the_partial_interaction(
    server: InteractionsServer,
) -> None:
    server.serve(E4_STREAM)
    server.holds = [3]
    client = gs.Client("k", base_url=server.url)
    got: list[str | None] = []
    three = asyncio.Event()

    async def read() -> BaseException | None:
        try:
            async for event in dr_stream(client):
                got.append(event.event_id)
                if len(got) == 3:
                    three.set()
        except gs.GeminiError as exc:
            return exc
        return None

    reader = asyncio.create_task(read())
    await asyncio.wait_for(three.wait(), 10)
    await client.aclose()
    error = await asyncio.wait_for(reader, 5)
    assert isinstance(error, gs.ClientClosedError)
    assert isinstance(error.partial, gs.Interaction)
    assert error.partial.id == "v1_dr123" and isinstance(error.partial.steps[0], gsi.ThoughtStep)
    assert got == ["evt-001", "evt-002", "evt-003"]
    (request,) = server.requests  # no resumption after aclose()
    await asyncio.wait_for(request.finished.wait(), 5)
    assert request.disconnected


async def test_a_second_reader_is_refused(server: InteractionsServer, client: gs.Client) -> None:
    server.serve(E4_STREAM)
    server.holds = [1]
    stream = dr_stream(client)
    await stream.__anext__()
    first = asyncio.create_task(stream.__anext__())
    await asyncio.sleep(0.05)
    with pytest.raises(gs.ConcurrentReadError):
        await stream.__anext__()
    server.release.set()
    assert (await asyncio.wait_for(first, 5)).event_id == "evt-002"
    await stream.aclose()


async def test_cancelling_a_reader_closes_the_connection(
    server: InteractionsServer, client: gs.Client
) -> None:
    server.serve(E4_STREAM)
    server.holds = [2]
    stream = dr_stream(client)
    two = asyncio.Event()

    async def read() -> None:
        async for event in stream:
            if event.event_id == "evt-002":
                two.set()

    reader = asyncio.create_task(read())
    await asyncio.wait_for(two.wait(), 5)
    await asyncio.sleep(0.05)  # the reader waits for evt-003 now
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    await asyncio.wait_for(server.requests[0].finished.wait(), 5)
    assert server.requests[0].disconnected


async def test_a_reply_past_max_reply_bytes_ends_with_the_partial_interaction(
    server: InteractionsServer,
) -> None:
    server.serve(E4_STREAM)
    server.holds = [4]  # 667 bytes, then silence
    async with gs.Client("k", base_url=server.url, max_reply_bytes=300) as client:
        got = []
        with pytest.raises(gs.ReplyTooLargeError, match="max_reply_bytes=300") as info:
            async for event in dr_stream(client):
                got.append(event.event_id)
    # What came before the cap is handed out first (the reads may split the events anyhow).
    assert len(got) >= 2 and got == [f"evt-{i:03d}" for i in range(1, len(got) + 1)]
    assert isinstance(info.value.partial, gs.Interaction) and info.value.partial.id == "v1_dr123"
    assert len(server.requests) == 1  # not resumed: the cap is the caller's


async def test_total_timeout_covers_the_reconnections(server: InteractionsServer) -> None:
    server.serve(E4_STREAM)
    server.holds = [2, 2, 2, 2, 2, 2]  # every connection goes silent
    timeouts = gs.Timeouts(idle=0.2, total=0.5)
    async with gs.Client("k", base_url=server.url, timeouts=timeouts) as client:
        with pytest.raises(gs.GeminiTimeoutError) as info:
            await asyncio.wait_for(dr_stream(client).final(), 10)
    assert isinstance(info.value.partial, gs.Interaction)
    assert info.value.partial.id == "v1_dr123"
