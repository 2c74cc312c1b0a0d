"""The emulator's Interactions runs over time: background, resume by event_id, cancel, delete,
stream faults and the stream limit (E4's pattern)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from gemini_stream.emulator import FAULT_HEADER, Emulator, Fault

from .test_interactions import KEY, MODEL, create, get, ix_url, names, parse_sse, read_body

AGENT = "deep-research-preview-04-2026"
PROMPT = {"model": MODEL, "input": "Tell me a story. emulator:words=40", "stream": True}


async def raw_stream(
    session: aiohttp.ClientSession, emulator: Emulator, body: Any, headers: Any = KEY
) -> bytes:
    async with session.post(ix_url(emulator), json=body, headers=headers) as response:
        assert response.status == 200
        return await read_body(response)


async def resume(
    session: aiohttp.ClientSession,
    emulator: Emulator,
    ix_id: str,
    last: str | None,
    headers: Any = KEY,
) -> bytes:
    query = "?stream=true" + (f"&last_event_id={last}" if last else "")
    async with session.get(ix_url(emulator, f"/{ix_id}{query}"), headers=headers) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/event-stream"
        return await read_body(response)


async def poll(session: aiohttp.ClientSession, emulator: Emulator, ix_id: str) -> dict[str, Any]:
    async def until_done() -> dict[str, Any]:
        while True:
            _, body = await get(session, emulator, ix_id)
            if body["status"] != "in_progress":
                return body
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(until_done(), 10)


async def test_a_get_stream_replays_the_create_stream_byte_for_byte(gemini_emulator, session):
    original = await raw_stream(session, gemini_emulator, PROMPT)
    ix_id = parse_sse(original)[0][1]["interaction"]["id"]
    assert await resume(session, gemini_emulator, ix_id, None) == original


@pytest.mark.parametrize("limit_kind", ["fault", "server"])
async def test_a_stream_cut_at_every_event_resumes_to_the_same_events(limit_kind, session):
    async with Emulator(chunk_tokens=16) as emulator:
        whole = parse_sse(await raw_stream(session, emulator, PROMPT))
        json_events = [e for e in whole if e[0] != "done"]
        assert whole[-1] == ("done", "[DONE]")
        for cut in range(len(json_events) + 1):
            if limit_kind == "fault":
                headers = {**KEY, FAULT_HEADER: f"close-after={cut}"}
                first = parse_sse(await raw_stream(session, emulator, PROMPT, headers))
            elif cut:
                emulator.interactions.stream_event_limit = cut
                first = parse_sse(await raw_stream(session, emulator, PROMPT))
            else:
                continue
            assert len(first) == min(cut, len(json_events))  # ends cleanly, no "done"
            if not first:
                continue  # nothing seen: no id to resume with (a client would create again)
            ix_id = first[0][1]["interaction"]["id"]
            seen = list(first)
            emulator.interactions.stream_event_limit = None
            while seen[-1][0] != "done":
                last = seen[-1][1]["event_id"]
                seen += parse_sse(await resume(session, emulator, ix_id, last))
            renamed = [(n, _without_ids(d)) for n, d in seen]
            assert renamed == [(n, _without_ids(d)) for n, d in whole]
            ids = [d["event_id"] for n, d in seen if n != "done"]
            assert len(ids) == len(set(ids))  # every event once


def _without_ids(data: Any) -> Any:
    """An event with the parts that differ between two runs of one request blanked: the
    interaction id and the timestamps."""
    if isinstance(data, str):
        return data
    inner = data.get("interaction", {}).get("id") or data.get("interaction_id")
    data = json.loads(json.dumps(data).replace(inner, "ID")) if inner else data
    for key in ("created", "updated"):
        if key in data.get("interaction", {}):
            data["interaction"][key] = "TIME"
    return data


async def test_a_server_stream_limit_ends_every_stream_without_done(session):
    async with Emulator(interaction_stream_limit=4) as emulator:
        first = parse_sse(await raw_stream(session, emulator, PROMPT))
        assert len(first) == 4 and "done" not in names(first)
        ix_id = first[0][1]["interaction"]["id"]
        second = parse_sse(await resume(session, emulator, ix_id, first[-1][1]["event_id"]))
        assert len(second) == 4
        assert second[0][1]["event_id"] != first[-1][1]["event_id"]


async def test_disconnect_after_n_events_cuts_the_connection(gemini_emulator, session):
    headers = {**KEY, FAULT_HEADER: "disconnect-after=3"}
    events = parse_sse(await raw_stream(session, gemini_emulator, PROMPT, headers))
    assert names(events) == ["interaction.created", "interaction.status_update", "step.start"]
    record = gemini_emulator.records[-1]
    await record.wait_done()
    assert record.closed_by_server and record.events_written == 3
    # A foreground run goes on without its client: the rest is there to resume.
    ix_id = events[0][1]["interaction"]["id"]
    rest = parse_sse(await resume(session, gemini_emulator, ix_id, events[-1][1]["event_id"]))
    assert names(rest)[-2:] == ["interaction.completed", "done"]


async def test_no_done_ends_after_the_completion(gemini_emulator, session):
    headers = {**KEY, FAULT_HEADER: "no-done"}
    events = parse_sse(await raw_stream(session, gemini_emulator, PROMPT, headers))
    assert names(events)[-1] == "interaction.completed"
    assert Fault.parse("no-done") == Fault(no_done=True)
    assert Fault.parse("no-done=false") == Fault()


async def test_an_unknown_last_event_id_is_refused(gemini_emulator, session):
    events = parse_sse(await raw_stream(session, gemini_emulator, PROMPT))
    ix_id = events[0][1]["interaction"]["id"]
    status, error = await get(session, gemini_emulator, ix_id, "?stream=true&last_event_id=evt-zzz")
    assert status == 400
    assert error["error"]["code"] == "invalid_request" and "evt-zzz" in error["error"]["message"]


async def test_background_returns_at_once_and_completes_over_time(session):
    async with Emulator(background_duration=0.3) as emulator:
        body = {"model": MODEL, "input": "Research this.", "background": True}
        status, created = await create(session, emulator, body)
        assert status == 200
        assert set(created) == {"created", "id", "model", "object", "status", "updated"}
        assert created["status"] == "in_progress"
        done = await poll(session, emulator, created["id"])
        assert done["status"] == "completed"
        assert [s["type"] for s in done["steps"]] == ["user_input", "model_output"]
        assert emulator.interactions.resource(created["id"]) == done


async def test_e4_background_agent_stream_dropped_then_resumed(session):
    async with Emulator(background_duration=2.0) as emulator:
        body = {
            "agent": AGENT,
            "input": "Research the history of Google TPUs.",
            "background": True,
            "stream": True,
            "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
        }
        headers = {**KEY, FAULT_HEADER: "disconnect-after=4"}
        first = parse_sse(await raw_stream(session, emulator, body, headers))
        assert names(first) == [
            "interaction.created",
            "interaction.status_update",
            "step.start",
            "step.delta",
        ]
        created = first[0][1]["interaction"]
        assert list(created) == ["id", "status", "object", "agent"] and created["agent"] == AGENT
        assert first[2][1]["step"] == {"type": "thought"}
        assert first[3][1]["delta"]["type"] == "thought_summary"
        assert list(first[3][1]["delta"]["content"]) == ["text", "type"]
        _, polled = await get(session, emulator, created["id"], "?stream=false")
        assert polled["status"] == "in_progress"
        rest = parse_sse(await resume(session, emulator, created["id"], first[-1][1]["event_id"]))
        assert rest[0][0] in ("step.delta", "step.stop")
        assert names(rest)[-2:] == ["interaction.completed", "done"]
        completed = rest[-2][1]["interaction"]
        assert completed["status"] == "completed" and completed["agent"] == AGENT
        seen = [d["event_id"] for n, d in first + rest if n != "done"]
        assert seen == [eid for eid, _ in emulator.interactions.get(created["id"]).log]


async def test_cancel_a_running_background_interaction(session):
    async with Emulator(background_duration=30) as emulator:
        body = {"model": MODEL, "input": "slow", "background": True}
        _, created = await create(session, emulator, body)
        async with session.post(
            ix_url(emulator, f"/{created['id']}/cancel"), headers=KEY
        ) as response:
            assert response.status == 200
            cancelled = json.loads(await response.read())
        assert cancelled["status"] == "cancelled" and cancelled["id"] == created["id"]
        assert cancelled["object"] == "interaction" and cancelled["model"] == MODEL
        _, got = await get(session, emulator, created["id"])
        assert got["status"] == "cancelled"
        replay = parse_sse(
            await asyncio.wait_for(resume(session, emulator, created["id"], None), 10)
        )
        assert names(replay)[-2:] == ["interaction.completed", "done"]
        assert replay[-2][1]["interaction"]["status"] == "cancelled"
        async with session.post(
            ix_url(emulator, f"/{created['id']}/cancel"), headers=KEY
        ) as response:
            assert response.status == 400  # no longer running
            assert "cancelled" in json.loads(await response.read())["error"]["message"]


async def test_a_follow_up_to_a_running_interaction_is_refused(session):
    async with Emulator(background_duration=30) as emulator:
        _, created = await create(
            session, emulator, {"model": MODEL, "input": "x", "background": True}
        )
        status, error = await create(
            session,
            emulator,
            {"model": MODEL, "input": "y", "previous_interaction_id": created["id"]},
        )
        assert status == 400 and "still running" in error["error"]["message"]


async def test_cancel_applies_only_to_background_runs(gemini_emulator, session):
    _, created = await create(session, gemini_emulator, {"model": MODEL, "input": "x"})
    async with session.post(
        ix_url(gemini_emulator, f"/{created['id']}/cancel"), headers=KEY
    ) as response:
        assert response.status == 400
        assert (
            "not a background interaction" in json.loads(await response.read())["error"]["message"]
        )


async def test_delete_forgets_the_interaction(session):
    async with Emulator(background_duration=30) as emulator:
        _, done = await create(session, emulator, {"model": MODEL, "input": "x"})
        _, running = await create(
            session, emulator, {"model": MODEL, "input": "x", "background": True}
        )
        for ix_id in (done["id"], running["id"]):
            async with session.delete(ix_url(emulator, f"/{ix_id}"), headers=KEY) as response:
                assert response.status == 200
                assert await response.read() == b""
            status, _ = await get(session, emulator, ix_id)
            assert status == 404
        assert emulator.interactions.interactions == {}
        assert not emulator.interactions.tasks
        assert emulator.records[-2].rpc == "interactions.delete"


async def test_no_list_endpoint(gemini_emulator, session):
    async with session.get(ix_url(gemini_emulator), headers=KEY) as response:
        assert response.status == 404


async def test_a_paced_foreground_stream_is_followed_live(session):
    async with Emulator(chunk_delay=0.05) as emulator:
        async with session.post(ix_url(emulator), json=PROMPT, headers=KEY) as response:
            head = await response.content.readuntil(b"\n\n")
            ix_id = json.loads(head.split(b"data: ")[1])["interaction"]["id"]
            assert emulator.interactions.get(ix_id).status == "in_progress"
            rest = await response.read()
        events = parse_sse(head + rest)
        assert names(events)[-1] == "done"
        assert emulator.interactions.get(ix_id).status == "completed"


async def test_deleting_a_running_interaction_ends_the_streams_following_it(session):
    async with Emulator(background_duration=30) as emulator:
        body = {"model": MODEL, "input": "x", "background": True, "stream": True}
        async with session.post(ix_url(emulator), json=body, headers=KEY) as response:
            head = await response.content.readuntil(b"\n\n")
            ix_id = json.loads(head.split(b"data: ")[1])["interaction"]["id"]
            async with session.delete(ix_url(emulator, f"/{ix_id}"), headers=KEY) as deleted:
                assert deleted.status == 200
            rest = parse_sse(head + await asyncio.wait_for(response.read(), 10))
        assert names(rest)[-2:] == ["interaction.completed", "done"]
        assert rest[-2][1]["interaction"]["status"] == "cancelled"


async def test_queued_faults_answer_interactions_requests_in_order(gemini_emulator, session):
    gemini_emulator.fail_next(1, 503)
    status, error = await create(session, gemini_emulator, PROMPT)
    assert (status, error["error"]["code"]) == (503, "unavailable")
    assert gemini_emulator.pending_script == 0
    status, events = await create(session, gemini_emulator, PROMPT)
    assert status == 200 and names(events)[-1] == "done"
    headers = {**KEY, FAULT_HEADER: "boom=1"}
    status, error = await create(session, gemini_emulator, PROMPT, headers)
    assert status == 400 and "unknown fault 'boom'" in error["error"]["message"]


async def test_an_error_event_on_a_resumed_stream_fails_only_that_connection(
    gemini_emulator, session
):
    events = parse_sse(await raw_stream(session, gemini_emulator, PROMPT))
    ix_id = events[0][1]["interaction"]["id"]
    headers = {**KEY, FAULT_HEADER: "error-event-after=2; error-status=503"}
    broken = parse_sse(await resume(session, gemini_emulator, ix_id, None, headers))
    assert names(broken) == ["interaction.created", "interaction.status_update", "error", "done"]
    assert broken[2][1]["error"]["code"] == "unavailable"
    _, got = await get(session, gemini_emulator, ix_id)
    assert got["status"] == "completed"


async def test_the_rate_limit_covers_interactions_creates(session):
    async with Emulator(rpm_limit=1) as emulator:
        status, _ = await create(session, emulator, {"model": MODEL, "input": "x"})
        assert status == 200
        async with session.post(
            ix_url(emulator), json={"model": MODEL, "input": "x"}, headers=KEY
        ) as response:
            assert response.status == 429
            assert int(response.headers["Retry-After"]) > 0
            error = json.loads(await response.read())
        assert error["error"]["code"] == "resource_exhausted"


def test_the_command_line_takes_the_interactions_options():
    from gemini_stream.emulator._cli import _parser

    args = _parser().parse_args(["--background-duration", "2.5", "--interaction-stream-limit", "7"])
    assert (args.background_duration, args.interaction_stream_limit) == (2.5, 7)
    with pytest.raises(ValueError, match="interaction_stream_limit"):
        Emulator(interaction_stream_limit=0)
    with pytest.raises(ValueError, match="background_duration"):
        Emulator(background_duration=-1)


async def test_burst_writes_the_same_stream(session):
    async with Emulator(burst=True) as emulator:
        raw = await raw_stream(session, emulator, PROMPT)
        events = parse_sse(raw)
        assert names(events)[-2:] == ["interaction.completed", "done"]
        record = emulator.records[-1]
        await record.wait_done()
        assert record.events_written == len(events) - 1  # "done" is no event
        ix_id = events[0][1]["interaction"]["id"]
        assert await resume(session, emulator, ix_id, None) == raw
        after = await resume(session, emulator, ix_id, events[2][1]["event_id"])
        assert parse_sse(after) == events[3:]
