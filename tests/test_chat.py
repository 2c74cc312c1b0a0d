"""Chat against the emulator: history sent and committed, the commit policy, serialised sends,
signatures echoed byte for byte, rewind/fork, and saving a chat."""

from __future__ import annotations

import base64
import gc

import anyio
import pytest

import gemini_stream as gs
from gemini_stream.emulator import (
    BLOCK_TRIGGER,
    UNSAFE_TRIGGER,
    Emulator,
    Fault,
    ScriptedReply,
    expected_text,
)

MODEL = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"
LONG = "Tell me a long story emulator:words=80"


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    # Paced replies, so a long one is still being written when a test closes it early.
    return {"chunk_delay": 0.002}


def _roles(chat: gs.Chat) -> list[str | None]:
    return [turn.role for turn in chat.history]


def _chunk(text: str, finish: str | None = None) -> dict[str, object]:
    candidate: dict[str, object] = {
        "content": {"parts": [{"text": text}], "role": "model"},
        "index": 0,
    }
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 3}}


# -- history -----------------------------------------------------------------------------------


async def test_every_message_carries_the_whole_history(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL, system_instruction="Be brief")
    async for _ in chat.stream("I have two dogs in my house."):
        pass
    await chat.send("And one cat.")
    reply = await chat.send("How many paws are in my house?")
    assert (
        'I saw 3 user turns and 2 model turns. The first user message was "I have two dogs in '
        'my house." and the last user message was "How many paws are in my house?". The '
        'system instruction was "Be brief".'
    ) in reply.text
    body = emulator.records[-1].body
    assert reply.text == expected_text(body, MODEL)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief"}]}
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user", "model", "user"]
    assert _roles(chat) == ["user", "model"] * 3
    assert chat.history[-1].text == reply.text


async def test_a_reply_is_committed_as_one_merged_model_turn(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    stream = chat.stream(LONG)
    chunks = [chunk async for chunk in stream]
    assert len(chunks) > 5
    assert stream.committed
    user, model = chat.history
    assert user == gs.Content.user(LONG)
    assert model.role == "model"
    assert len(model.parts) == 1
    assert model.text == "".join(c.text for c in chunks) == stream.response.text


async def test_content_less_and_usage_only_chunks_never_evict_a_turn(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.script(
        ScriptedReply(
            [
                _chunk("Hel"),
                {"usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3}},
                {"candidates": [{"index": 0}], "usageMetadata": {"promptTokenCount": 3}},
                _chunk("lo", finish="STOP"),
            ]
        )
    )
    chat = client.chat(MODEL)
    reply = await chat.send("Hi")
    assert reply.text == "Hello"
    assert chat.history == [gs.Content.user("Hi"), gs.Content.model("Hello")]


async def test_history_setter_rewind_and_fork(client: gs.Client, emulator: Emulator) -> None:
    chat = client.chat(MODEL, history=[gs.Content.user("A"), gs.Content.model("B")])
    snapshot = chat.history
    snapshot.append(gs.Content.user("not committed"))  # a copy: the chat is unchanged
    assert len(chat.history) == 2
    await chat.send("C")
    twin = chat.fork()
    removed = chat.rewind()
    assert [t.role for t in removed] == ["user", "model"] and removed[0].text == "C"
    assert len(chat.history) == 2 and len(twin.history) == 4
    reply = await twin.send("D")
    assert "I saw 3 user turns and 2 model turns" in reply.text
    assert len(chat.history) == 2  # the fork's history is its own
    chat.history = []
    assert chat.rewind() == []
    reply = await chat.send("E")
    assert "I saw 1 user turn and 0 model turns" in reply.text


async def test_per_message_config_is_merged_over_the_chats(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL, config={"temperature": 0.2, "max_output_tokens": 100})
    await chat.send("Hi", config={"max_output_tokens": 5, "stop_sequences": ["zzz"]})
    assert emulator.records[-1].body["generationConfig"] == {
        "maxOutputTokens": 5,
        "stopSequences": ["zzz"],
        "temperature": 0.2,
    }
    await chat.send("Again")
    assert emulator.records[-1].body["generationConfig"] == {
        "maxOutputTokens": 100,
        "temperature": 0.2,
    }


@pytest.mark.parametrize(
    "message",
    [gs.Content.model("I am the model"), [gs.Content.user("a"), gs.Content.user("b")]],
)
async def test_a_message_must_be_one_user_turn(client: gs.Client, message: object) -> None:
    chat = client.chat(MODEL)
    with pytest.raises(ValueError, match="a chat message is one user turn"):
        chat.stream(message)  # type: ignore[arg-type]


def test_bad_chat_settings_fail_before_sending() -> None:
    client = gs.Client(base_url="http://127.0.0.1:9", api_key="k")
    with pytest.raises(ValueError, match="invalid model name"):
        client.chat("Gemini Flash")
    with pytest.raises(ValueError, match="max_function_rounds must be at least 1"):
        client.chat(MODEL, max_function_rounds=0)
    with pytest.raises(ValueError, match="unknown field 'temprature'"):
        client.chat(MODEL, config={"temprature": 1})


# -- the commit policy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(disconnect_after=3), gs.StreamInterruptedError),
        (Fault(error_after=3, error_status=500), gs.ServerError),
    ],
)
async def test_a_broken_reply_leaves_history_unchanged_until_committed(
    client: gs.Client, emulator: Emulator, fault: Fault, error: type[Exception]
) -> None:
    chat = client.chat(MODEL)
    await chat.send("First")
    emulator.script(fault)
    stream = chat.stream(LONG)
    received = ""
    with pytest.raises(error) as caught:
        async for chunk in stream:
            received += chunk.text
    assert received and caught.value.partial.text == received  # type: ignore[attr-defined]
    assert len(chat.history) == 2 and not stream.committed
    assert stream.turns[-1] == gs.Content.model(received)
    await stream.commit()
    assert stream.committed
    assert chat.history[2:] == [gs.Content.user(LONG), gs.Content.model(received)]
    await stream.commit()  # once only
    assert len(chat.history) == 4


async def test_send_raises_with_the_partial_reply_and_commits_nothing(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL)
    emulator.script(Fault(disconnect_after=2))
    with pytest.raises(gs.StreamInterruptedError) as caught:
        await chat.send(LONG)
    assert caught.value.partial is not None and caught.value.partial.text
    assert chat.history == []
    assert "I saw 1 user turn" in (await chat.send("Again")).text


async def test_break_and_aclose_abandon_the_reply(client: gs.Client, emulator: Emulator) -> None:
    chat = client.chat(MODEL)
    async with chat.stream(LONG) as stream:
        async for _ in stream:
            break
    assert chat.history == [] and not stream.committed
    record = await emulator.wait_for_disconnect()
    assert record.disconnected_at is not None
    stream = chat.stream(LONG)
    await stream.__anext__()
    await stream.aclose()
    await stream.aclose()  # idempotent
    assert chat.history == []
    with anyio.fail_after(10):  # a guard against a chat left locked, not a timing check
        await chat.send("Next")
    assert len(chat.history) == 2


async def test_a_stream_dropped_half_read_frees_the_chat(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL)
    stream = chat.stream(LONG)
    await stream.__anext__()
    del stream
    gc.collect()
    chat.stream("never iterated")  # dropped at once, never took the chat
    with anyio.fail_after(10):
        reply = await chat.send("Next")
    assert "I saw 1 user turn" in reply.text
    assert chat.history[0] == gs.Content.user("Next")
    assert emulator.records[0].disconnected_at is not None


async def test_a_reply_left_open_by_the_same_task_is_abandoned(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL)
    stream = chat.stream(LONG)
    async for _ in stream:
        break  # the stream is still referenced: it is not dropped
    with anyio.fail_after(10):  # waiting on this very task's reply would never end
        reply = await chat.send("Next")
    assert "I saw 1 user turn" in reply.text
    assert not stream.committed and len(chat.history) == 2
    assert emulator.records[0].disconnected_at is not None
    with pytest.raises(gs.StreamConsumedError):
        async for _ in stream:
            pass


async def test_a_cancelled_reply_leaves_history_unchanged(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    got_one = anyio.Event()

    async def read() -> None:
        async for _ in chat.stream(LONG):
            got_one.set()

    async with anyio.create_task_group() as group:
        group.start_soon(read)
        await got_one.wait()
        group.cancel_scope.cancel()
    assert chat.history == []
    with anyio.fail_after(10):
        await chat.send("Next")
    assert len(chat.history) == 2


async def test_a_blocked_prompt_is_reported_and_not_committed(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    await chat.send("Hello")
    stream = chat.stream(f"Say {BLOCK_TRIGGER}")
    with pytest.raises(gs.BlockedError) as caught:
        await stream.final_text()
    assert caught.value.reason == "SAFETY"
    assert not stream.committed and len(chat.history) == 2
    with pytest.raises(gs.BlockedError, match="blocked"):
        await chat.send(f"Again {BLOCK_TRIGGER}")
    assert len(chat.history) == 2


async def test_a_reply_stopped_for_safety_keeps_what_was_said(client: gs.Client) -> None:
    chat = client.chat(MODEL)
    reply = await chat.send(f"Tell me {UNSAFE_TRIGGER}")
    assert reply.blocked and reply.finish_reason == "SAFETY" and reply.text
    assert chat.history[-1] == gs.Content.model(reply.text)


# -- thought signatures ---------------------------------------------------------------------


async def test_signatures_are_echoed_byte_for_byte(client: gs.Client, emulator: Emulator) -> None:
    chat = client.chat(GEMINI_3, config={"include_thoughts": True})
    first = await chat.send("Think, then answer")
    signed = [p for p in first.parts if p.thought_signature]
    assert len(signed) == 1 and first.thoughts
    assert emulator.records[-1].body["contents"] == [
        {"role": "user", "parts": [{"text": "Think, then answer"}]}
    ]
    await chat.send("And again")
    model_turn = emulator.records[-1].body["contents"][1]
    echoed = [p for p in model_turn["parts"] if "thoughtSignature" in p]
    assert echoed == [
        {
            **({"text": signed[0].text} if signed[0].text is not None else {}),
            "thoughtSignature": base64.b64encode(signed[0].thought_signature).decode(),
        }
    ]
    thoughts = [p for p in model_turn["parts"] if p.get("thought")]
    assert thoughts and thoughts[0]["text"] == first.thoughts


# -- one message at a time per chat, chats in parallel ------------------------------------------


async def test_sends_on_one_chat_wait_for_the_reply_before(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL)
    replies: dict[str, str] = {}
    first_chunk = anyio.Event()

    async def first() -> None:
        stream = chat.stream(LONG)
        async for _ in stream:
            first_chunk.set()
        replies["first"] = stream.response.text

    async def second() -> None:
        await first_chunk.wait()
        replies["second"] = (await chat.send("Second")).text

    with anyio.fail_after(20):
        async with anyio.create_task_group() as group:
            group.start_soon(first)
            group.start_soon(second)
    one, two = emulator.records
    assert two.started_at >= one.ended_at  # the second was sent after the first reply ended
    assert (
        'I saw 2 user turns and 1 model turn. The first user message was "Tell me'
        in (replies["second"])
    )
    assert [t.text for t in chat.history] == [LONG, replies["first"], "Second", replies["second"]]


async def test_two_chats_stream_at_the_same_time(client: gs.Client, emulator: Emulator) -> None:
    one, two = client.chat(MODEL), client.chat(MODEL)
    a, b = one.stream(LONG), two.stream(LONG)
    with anyio.fail_after(10):  # interleaved in one task: would hang if they shared a lock
        await a.__anext__()
        await b.__anext__()
        await a.final_response()
        await b.final_response()
    assert a.committed and b.committed
    assert len(one.history) == len(two.history) == 2


# -- persistence ----------------------------------------------------------------------------


async def test_dumps_and_loads_round_trip_with_signatures(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(
        GEMINI_3,
        system_instruction="Be brief",
        config={"include_thoughts": True, "temperature": 0.5},
        tools=[{"code_execution": {}}],
        safety_settings={"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE"},
        max_function_rounds=3,
    )
    await chat.send("Think, then answer")
    data = chat.dumps()
    assert isinstance(data, bytes) and b"thoughtSignature" in data
    restored = gs.Chat.loads(client, data)
    assert restored.history == chat.history
    assert restored.config == chat.config and restored.max_function_rounds == 3
    assert restored.system_instruction == chat.system_instruction
    await chat.send("Next")
    original = emulator.records[-1].body
    await restored.send("Next")
    assert emulator.records[-1].body == original
    assert gs.Chat.loads(client, data.decode()).history == chat.history[:2]


def test_loads_refuses_other_data() -> None:
    client = gs.Client(base_url="http://127.0.0.1:9", api_key="k")
    with pytest.raises(ValueError, match="not a saved chat"):
        gs.Chat.loads(client, b"[1, 2]")
    with pytest.raises(ValueError, match="not a saved chat"):
        gs.Chat.loads(client, b'{"format": "other", "model": "m"}')


async def test_a_stream_closed_while_it_waits_for_the_chat_sends_nothing(
    client: gs.Client, emulator: Emulator
) -> None:
    chat = client.chat(MODEL)
    first = chat.stream(LONG)
    await first.__anext__()
    second = chat.stream("Second")
    result: list[object] = []

    async def read_second() -> None:
        result.extend([chunk async for chunk in second])

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(read_second)
            await anyio.wait_all_tasks_blocked()
            assert chat._lock.statistics().tasks_waiting == 1  # the second is waiting
            await second.aclose()  # closed while waiting for the first reply
            await first.final_response()
    assert result == [] and len(emulator.records) == 1
    assert [t.text for t in chat.history] == [LONG, first.response.text]


async def test_a_finished_reply_with_nothing_to_send_back_is_not_committed(
    client: gs.Client, emulator: Emulator
) -> None:
    malformed = {"finishReason": "MALFORMED_FUNCTION_CALL", "index": 0, "finishMessage": "bad"}
    emulator.script(ScriptedReply([{"candidates": [malformed]}]))
    chat = client.chat(MODEL)
    stream = chat.stream("Hi")
    reply = await stream.final_response()
    assert reply.finish_reason == "MALFORMED_FUNCTION_CALL"
    assert not stream.committed and chat.history == []
