"""A chat reply kept open and unread (a stream held in a variable after ``break``) makes the
next message from another task fail with ``ChatBusyError`` naming that reply, after
``chat.abandoned_after`` seconds; a reply being read, even slowly, is waited for."""

from __future__ import annotations

import anyio
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"


@pytest.fixture
async def client():
    async with (
        Emulator(chunk_delay=0.001) as emulator,
        gs.Client(base_url=emulator.url, api_key="k") as client,
    ):
        yield client


async def test_a_reply_kept_after_break_is_named_after_a_bounded_wait(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    chat.abandoned_after = 0.3
    kept: list[gs.ChatStream] = []
    errors: list[gs.ChatBusyError] = []
    held, checked = anyio.Event(), anyio.Event()

    async def reader() -> None:
        stream = chat.stream("Tell me a long story emulator:words=3000")
        async for _ in stream:
            break
        kept.append(stream)  # the mistake: the stream stays open, holding the chat
        held.set()
        await checked.wait()  # this task lives on, busy elsewhere

    async def second() -> None:
        await held.wait()
        with pytest.raises(gs.ChatBusyError) as info:
            await chat.send("Are you there?")
        errors.append(info.value)
        checked.set()

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            tg.start_soon(reader, name="story-reader")
            tg.start_soon(second)
    message = str(errors[0])
    assert "nobody has read it for 0.3s" in message
    assert f"{kept[0]!r}" in message and "<ChatStream gemini-2.5-flash open" in message
    assert "the reply to 'Tell me a long story emulator:words=3000'" in message
    assert "read by task 'story-reader'" in message
    assert "await stream.aclose()" in message
    assert chat.history == []  # nothing was sent for the second message

    await kept[0].aclose()  # closing it frees the chat
    with anyio.fail_after(20):
        reply = await chat.send("Are you there now?")
    assert 'last user message was "Are you there now?"' in reply.text


async def test_a_reply_read_slowly_is_waited_for(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    chat.abandoned_after = 1.0
    first_chunk = anyio.Event()

    async def slow_reader() -> None:
        async with chat.stream("Tell me emulator:words=100") as stream:
            async for _ in stream:
                first_chunk.set()
                await anyio.sleep(0.1)  # some 15 chunks: longer than abandoned_after in all

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(slow_reader)
            await first_chunk.wait()
            reply = await chat.send("And then?")
    assert "I saw 2 user turns and 1 model turn" in reply.text
    assert len(chat.history) == 4


async def test_the_same_task_sending_again_closes_its_own_kept_reply(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    stream = chat.stream("Tell me emulator:words=3000")
    async for _ in stream:
        break
    with anyio.fail_after(20):
        reply = await chat.send("Next")  # no wait: this task cannot be reading the other
    assert "I saw 1 user turn" in reply.text


def test_abandoned_after_is_checked() -> None:
    chat = gs.Client(base_url="http://127.0.0.1:9", api_key="k").chat(MODEL)
    assert chat.abandoned_after == 60.0
    chat.abandoned_after = None
    assert chat.abandoned_after is None
    with pytest.raises(ValueError, match="abandoned_after must be above 0 and finite, got 0"):
        chat.abandoned_after = 0
    with pytest.raises(TypeError, match="abandoned_after must be seconds or None, got '5'"):
        chat.abandoned_after = "5"  # type: ignore[assignment]
    assert chat.fork().abandoned_after is None


async def test_a_task_that_reuses_a_finished_tasks_id_does_not_take_its_reply(
    client: gs.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task that kept a reply open has ended; a new task may reuse its memory, so its
    ``id()`` (anyio's task id). Here every task is given the same id, as such reuse does: the
    new task is still another task, so it waits and gets ``ChatBusyError`` and the kept
    reply stays open, instead of being closed as that task's own abandoned reply."""
    import asyncio
    from types import SimpleNamespace

    monkeypatch.setattr(anyio, "get_current_task", lambda: SimpleNamespace(id=1, name="t"))
    chat = client.chat(MODEL)
    chat.abandoned_after = 0.3
    kept: list[gs.ChatStream] = []

    async def reader() -> None:
        stream = chat.stream("Tell me a long story emulator:words=3000")
        async for _ in stream:
            break
        kept.append(stream)  # the stream stays open after this task ends

    await asyncio.wait_for(asyncio.ensure_future(reader()), 20)
    with pytest.raises(gs.ChatBusyError):
        await asyncio.wait_for(asyncio.ensure_future(chat.send("Are you there?")), 20)
    assert (await asyncio.wait_for(kept[0].__anext__(), 20)).text  # it still streams
    assert chat.history == []  # nothing was sent for the second message
    await kept[0].aclose()
