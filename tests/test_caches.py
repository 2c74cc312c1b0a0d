"""``client.caches`` and ``cached_content=`` against the emulator: the cache's life cycle,
refusals before sending, chats sharing one cache, and what cached tokens cost."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import msgspec
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

MODEL = "gemini-2.5-flash"
RULES = "You are the support bot of the Acme toaster company. Be kind and brief. " * 10
GONE = "CachedContent not found"


@pytest.fixture
def gemini_emulator_options() -> dict[str, Any]:
    return {"cache_min_tokens": 64}


def _wire(emulator: Emulator, rpc: str) -> list[Any]:
    return [r for r in emulator.records if r.rpc == rpc]


async def test_create_sends_the_prefix_and_returns_the_resource(
    client: gs.Client, emulator: Emulator
) -> None:
    before = datetime.now(timezone.utc)
    cache = await client.caches.create(
        MODEL,
        system_instruction=RULES,
        contents=["Our toasters: T1, T2 and the T3 deluxe."],
        ttl=300,
        display_name="acme-support",
    )
    (record,) = _wire(emulator, "cachedContents.create")
    assert (record.method, record.path) == ("POST", "/v1beta/cachedContents")
    assert record.body == {
        "displayName": "acme-support",
        "model": "models/gemini-2.5-flash",
        "systemInstruction": {"parts": [{"text": RULES}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Our toasters: T1, T2 and the T3 deluxe."}]}
        ],
        "ttl": "300s",
    }
    assert isinstance(cache, gs.CachedContent)
    assert cache.name is not None and cache.name.startswith("cachedContents/")
    assert (cache.model, cache.display_name) == ("models/gemini-2.5-flash", "acme-support")
    stored = emulator.caches.caches[cache.name.removeprefix("cachedContents/")]
    assert cache.token_count == stored.total_tokens > 64
    assert cache.usage_metadata == gs.types.CachedContentUsageMetadata(
        total_token_count=stored.total_tokens
    )
    assert cache.system_instruction is None and cache.contents is None  # input only
    expires = cache.expires_at
    assert expires is not None and expires.tzinfo is not None
    after = datetime.now(timezone.utc)
    assert before + timedelta(seconds=299) <= expires <= after + timedelta(seconds=301)


async def test_get_list_update_delete(client: gs.Client, emulator: Emulator) -> None:
    made = [
        await client.caches.create(MODEL, system_instruction=RULES, display_name=f"c{i}")
        for i in range(5)
    ]
    got = await client.caches.get(made[2])
    assert got == made[2]
    assert await client.caches.get(made[2].name.removeprefix("cachedContents/")) == got  # type: ignore[union-attr]
    listed = [c async for c in client.caches.list(page_size=2)]
    assert [c.display_name for c in listed] == ["c0", "c1", "c2", "c3", "c4"]
    pages = _wire(emulator, "cachedContents.list")
    assert [r.query.get("pageSize") for r in pages] == ["2", "2", "2"]
    assert "pageToken" not in pages[0].query and all("pageToken" in r.query for r in pages[1:])

    longer = await client.caches.update(made[0], ttl=timedelta(hours=2))
    patch = _wire(emulator, "cachedContents.patch")[-1]
    assert (patch.method, patch.body, dict(patch.query)) == ("PATCH", {"ttl": "7200s"}, {})
    assert longer.name == made[0].name and longer.create_time == made[0].create_time
    assert longer.expires_at is not None and made[0].expires_at is not None
    assert longer.expires_at - made[0].expires_at > timedelta(minutes=59)
    when = datetime(2099, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    pinned = await client.caches.update(made[0], expire_time=when)
    assert _wire(emulator, "cachedContents.patch")[-1].body == {
        "expireTime": "2099-01-02T03:04:05Z"
    }
    assert pinned.expires_at == when

    await client.caches.delete(made[1])
    assert _wire(emulator, "cachedContents.delete")[-1].method == "DELETE"
    with pytest.raises(gs.PermissionDeniedError, match=GONE):
        await client.caches.get(made[1])
    assert [c.display_name async for c in client.caches.list()] == ["c0", "c2", "c3", "c4"]


async def test_a_cache_expires_and_then_is_gone_for_every_call(
    client: gs.Client, emulator: Emulator
) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES, ttl=60)
    reply = await client.generate(MODEL, "Hi", cached_content=cache)
    assert reply.usage_metadata is not None
    assert reply.usage_metadata.cached_content_token_count == cache.token_count
    emulator.caches.advance(61)
    with pytest.raises(gs.PermissionDeniedError, match=GONE):
        await client.generate(MODEL, "Hi again", cached_content=cache)
    with pytest.raises(gs.PermissionDeniedError, match=GONE):
        await client.caches.get(cache)
    with pytest.raises(gs.PermissionDeniedError, match=GONE):
        await client.caches.update(cache, ttl=60)
    assert [c async for c in client.caches.list()] == []


async def test_async_with_deletes_the_cache_on_exit(client: gs.Client, emulator: Emulator) -> None:
    async with client.caches.create(MODEL, system_instruction=RULES) as cache:
        assert cache.name is not None
        reply = await client.generate(MODEL, "Hi", cached_content=cache)
        assert RULES.strip() in reply.text
        assert len(emulator.caches.caches) == 1
    assert emulator.caches.caches == {}
    deletes = _wire(emulator, "cachedContents.delete")
    assert [(r.path, r.status) for r in deletes] == [(f"/v1beta/{cache.name}", 200)]


async def test_async_with_deletes_on_an_error_and_tolerates_a_cache_already_gone(
    client: gs.Client, emulator: Emulator
) -> None:
    with pytest.raises(KeyError):
        async with client.caches.create(MODEL, system_instruction=RULES):
            raise KeyError("boom")
    assert emulator.caches.caches == {}
    async with client.caches.create(MODEL, system_instruction=RULES) as cache:
        await client.caches.delete(cache)
    async with client.caches.create(MODEL, system_instruction=RULES, ttl=5):
        emulator.caches.advance(6)
    assert emulator.caches.caches == {}


async def test_async_with_deletes_when_the_block_is_cancelled(
    client: gs.Client, emulator: Emulator
) -> None:
    entered = asyncio.Event()

    async def hold() -> None:
        async with client.caches.create(MODEL, system_instruction=RULES):
            entered.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(hold())
    await asyncio.wait_for(entered.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert emulator.caches.caches == {}
    # A cancel scope stays cancelled (every later await would be cancelled too): the delete
    # on exit is shielded from it.
    with anyio.CancelScope() as scope:
        async with client.caches.create(MODEL, system_instruction=RULES):
            scope.cancel()
            await anyio.sleep(3600)
    assert scope.cancelled_caught
    assert emulator.caches.caches == {}
    assert [r.status for r in _wire(emulator, "cachedContents.delete")] == [200, 200]


async def test_a_creation_is_used_once(client: gs.Client) -> None:
    creation = client.caches.create(MODEL, system_instruction=RULES)
    await creation
    with pytest.raises(RuntimeError, match="already awaited"):
        await creation


async def test_generate_and_stream_use_the_cache(client: gs.Client, emulator: Emulator) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES)
    reply = await client.generate(MODEL, "Does the T3 toast bagels?", cached_content=cache)
    assert f'The system instruction was "{RULES.strip()}' in reply.text
    usage = reply.usage_metadata
    assert usage is not None and usage.prompt_token_count is not None
    assert usage.cached_content_token_count == cache.token_count
    assert usage.prompt_token_count > cache.token_count  # the cached part is included
    assert usage.cache_tokens_details == [
        gs.types.ModalityTokenCount(modality="TEXT", token_count=cache.token_count)
    ]
    chunks = [c async for c in client.stream(MODEL, "And the T2?", cached_content=cache.name)]
    assert chunks[-1].usage_metadata is not None
    assert chunks[-1].usage_metadata.cached_content_token_count == cache.token_count
    bodies = [
        r.body for r in emulator.records if r.rpc in ("generateContent", "streamGenerateContent")
    ]
    assert [b["cachedContent"] for b in bodies] == [cache.name, cache.name]
    assert all("systemInstruction" not in b and "tools" not in b for b in bodies)


async def test_what_the_api_would_refuse_is_refused_before_sending(
    client: gs.Client, emulator: Emulator
) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES)
    emulator.records.clear()
    declaration = {"name": "lookup", "description": "Find a toaster"}
    repeats: list[tuple[str, dict[str, Any]]] = [
        ("system_instruction", {"system_instruction": "Be brief"}),
        ("tools", {"tools": [declaration]}),
        ("tool_config", {"tool_config": {"function_calling_config": {"mode": "ANY"}}}),
    ]
    for field, extra in repeats:
        for value in (cache, cache.name):
            with pytest.raises(ValueError, match=f"^{field} cannot be sent with cached_content"):
                await client.generate(MODEL, "Hi", cached_content=value, **extra)
            with pytest.raises(ValueError, match=f"^{field} cannot be sent"):
                client.stream(MODEL, "Hi", cached_content=value, **extra)
            with pytest.raises(ValueError, match=f"^{field} cannot be sent"):
                gs.Request(MODEL, "Hi", cached_content=value, **extra)
    with pytest.raises(ValueError, match=r"made for 'models/gemini-2\.5-flash'.*'gemini-2\.5-pro'"):
        await client.generate("gemini-2.5-pro", "Hi", cached_content=cache)
    with pytest.raises(ValueError, match="system_instruction cannot be sent"):
        client.chat(MODEL, cached_content=cache, system_instruction="Be brief")
    with pytest.raises(ValueError, match="tools cannot be sent"):
        client.chat(MODEL, cached_content=cache, tools=[declaration])
    with pytest.raises(ValueError, match="made for"):
        client.chat("gemini-2.5-pro", cached_content=cache)
    with pytest.raises(ValueError, match="invalid cache name 'caches/x y'"):
        await client.generate(MODEL, "Hi", cached_content="caches/x y")
    with pytest.raises(TypeError, match=r"cached_content must be a gs\.CachedContent"):
        await client.generate(MODEL, "Hi", cached_content=42)  # type: ignore[arg-type]
    assert emulator.records == []


@pytest.mark.parametrize(
    ("arguments", "error", "text"),
    [
        ({"ttl": 0}, ValueError, "ttl must be a positive, finite duration, got 0"),
        ({"ttl": -5.0}, ValueError, "got -5.0"),
        ({"ttl": math.nan}, ValueError, "got nan"),
        ({"ttl": timedelta(0)}, ValueError, "got datetime.timedelta\\(0\\)"),
        ({"ttl": "300s"}, TypeError, "ttl must be seconds .* got str '300s'"),
        ({"ttl": True}, TypeError, "got bool True"),
        ({"expire_time": datetime(2099, 1, 1)}, ValueError, "naive datetime.datetime\\(2099"),
        ({"expire_time": "2099-01-01"}, TypeError, "expire_time must be a datetime"),
        (
            {"ttl": 60, "expire_time": datetime(2099, 1, 1, tzinfo=timezone.utc)},
            ValueError,
            "give ttl or expire_time, not both",
        ),
        ({"display_name": "x" * 129}, ValueError, "display_name has 129 characters"),
    ],
)
async def test_bad_cache_arguments_are_refused_naming_the_value(
    client: gs.Client,
    emulator: Emulator,
    arguments: dict[str, Any],
    error: type[Exception],
    text: str,
) -> None:
    with pytest.raises(error, match=text):
        client.caches.create(MODEL, system_instruction=RULES, **arguments)
    if "display_name" not in arguments:
        with pytest.raises(error, match=text):
            await client.caches.update("cachedContents/abc", **arguments)
    assert emulator.records == []


async def test_other_refusals_before_sending(client: gs.Client, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="nothing to cache"):
        client.caches.create(MODEL)
    with pytest.raises(ValueError, match="give ttl= or expire_time="):
        await client.caches.update("cachedContents/abc")
    with pytest.raises(ValueError, match="invalid cache name 'files/abc'"):
        await client.caches.get("files/abc")
    with pytest.raises(ValueError, match="page_size must be a positive int"):
        [c async for c in client.caches.list(page_size=0)]
    with pytest.raises(ValueError, match="invalid model name"):
        client.caches.create("Gemini Flash", system_instruction=RULES)
    assert emulator.records == []


async def test_a_cache_under_the_minimum_is_the_apis_400(client: gs.Client) -> None:
    with pytest.raises(gs.BadRequestError, match="Cached content is too small") as caught:
        await client.caches.create(MODEL, contents="Just a few words")
    assert caught.value.status == "INVALID_ARGUMENT"


async def test_one_hundred_chats_share_one_cache(client: gs.Client, emulator: Emulator) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES, ttl=600)
    chats = [client.chat(MODEL, cached_content=cache) for _ in range(100)]

    async def converse(index: int, chat: gs.Chat) -> list[gs.GenerateContentResponse]:
        first = await chat.send(f"I am customer {index}; my T{index % 3 + 1} is broken.")
        second = await chat.send(f"Customer {index} again: any news?")
        return [first, second]

    replies = await asyncio.wait_for(
        asyncio.gather(*(converse(i, chat) for i, chat in enumerate(chats))), 60
    )
    for index, (chat, (first, second)) in enumerate(zip(chats, replies, strict=True)):
        assert len(chat.history) == 4
        assert (
            chat.history[0].parts[0].text
            == f"I am customer {index}; my T{index % 3 + 1} is broken."
        )
        assert "I saw 2 user turns and 1 model turn" in second.text
        assert f'The first user message was "I am customer {index};' in second.text
        assert f'The system instruction was "{RULES.strip()}' in first.text
        for reply in (first, second):
            assert reply.usage_metadata is not None
            assert reply.usage_metadata.cached_content_token_count == cache.token_count
    requests = [r.body for r in emulator.records if r.rpc == "streamGenerateContent"]
    assert len(requests) == 200
    assert {r["cachedContent"] for r in requests} == {cache.name}
    assert not any("systemInstruction" in r or "tools" in r for r in requests)
    assert len(emulator.caches.caches) == 1


async def test_a_chat_runs_python_functions_the_cache_declares(
    client: gs.Client, emulator: Emulator
) -> None:
    calls: list[str] = []

    def stock(model: str) -> dict[str, int]:
        """How many toasters of a model are in stock."""
        calls.append(model)
        return {"count": 7}

    cache = await client.caches.create(MODEL, system_instruction=RULES, tools=[stock])
    create = _wire(emulator, "cachedContents.create")[0].body
    assert create["tools"][0]["functionDeclarations"][0]["name"] == "stock"
    chat = client.chat(MODEL, cached_content=cache, tools=[stock])
    reply = await chat.send("Please check stock for the T3")
    assert calls and 'The function stock returned {"count": 7}' in reply.text
    requests = [r.body for r in emulator.records if r.rpc == "streamGenerateContent"]
    assert len(requests) == 2 and not any("tools" in r for r in requests)


async def test_a_saved_chat_keeps_its_cache(client: gs.Client) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES)
    chat = client.chat(MODEL, cached_content=cache)
    await chat.send("Hello")
    restored = gs.Chat.loads(client, chat.dumps())
    assert restored.cached_content == cache.name
    reply = await restored.send("Hello again")
    assert reply.usage_metadata is not None
    assert reply.usage_metadata.cached_content_token_count == cache.token_count


async def test_the_cost_of_cached_tokens_and_of_storage(client: gs.Client) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES, ttl=timedelta(hours=2))
    reply = await client.generate(MODEL, "Hi", cached_content=cache)
    usage = reply.usage_metadata
    assert usage is not None and usage.prompt_token_count is not None
    cost = gs.estimate_cost(reply)
    assert cost.cached == pytest.approx(cache.token_count * 0.03e-6)  # gemini-2.5-flash
    fresh = usage.prompt_token_count - cache.token_count
    assert cost.input == pytest.approx(fresh * 0.30e-6)
    # Storage: $1.00 per 1M tokens per hour on gemini-2.5-flash, for the cache's two hours.
    assert gs.estimate_cache_storage(cache) == pytest.approx(cache.token_count * 1e-6 * 2)
    assert gs.estimate_cache_storage(1_000_000, hours=0.5, model="gemini-2.5-pro") == (
        pytest.approx(2.25)
    )
    with pytest.raises(ValueError, match="no cache storage price known"):
        gs.estimate_cache_storage(1000, hours=1, model="gemini-2.0-flash-lite")
    with pytest.raises(ValueError, match="pass hours="):
        gs.estimate_cache_storage(1000, model=MODEL)


def test_a_real_cache_resource_decodes_and_keeps_every_field() -> None:
    # The shape of a create reply captured from the real API (pydantic-ai's cassettes, 2026):
    # an empty displayName, and expireTime with nanoseconds.
    body = {
        "name": "cachedContents/7lf5him5ev4iemi1yjv2gwli5bhpz3yidzejwllo",
        "displayName": "",
        "model": "models/gemini-2.5-flash",
        "createTime": "2026-05-28T14:45:17.041985Z",
        "updateTime": "2026-05-28T14:45:17.041985Z",
        "expireTime": "2026-05-28T14:47:16.701652823Z",
        "usageMetadata": {"totalTokenCount": 3512},
    }
    cache = msgspec.json.decode(json.dumps(body), type=gs.CachedContent)
    assert cache.expires_at == datetime(2026, 5, 28, 14, 47, 16, 701652, tzinfo=timezone.utc)
    assert cache.token_count == 3512
    assert json.loads(msgspec.json.encode(cache)) == body
    offset = msgspec.structs.replace(cache, expire_time="2026-05-28T16:47:16+02:00")
    assert offset.expires_at == datetime(2026, 5, 28, 14, 47, 16, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="not an RFC 3339 timestamp: 'tomorrow'"):
        _ = msgspec.structs.replace(cache, expire_time="tomorrow").expires_at


async def test_a_cache_of_an_uploaded_file(client: gs.Client, emulator: Emulator) -> None:
    file = await client.files.upload(b"%PDF-1.7\n" + b"x" * 2000, mime_type="application/pdf")
    async with client.caches.create(
        MODEL, contents=[file.part(), "This is the Acme T3 manual."], system_instruction=RULES
    ) as cache:
        create = _wire(emulator, "cachedContents.create")[0].body
        assert create["contents"][0]["parts"][0] == {
            "fileData": {"mimeType": "application/pdf", "fileUri": file.uri}
        }
        reply = await client.generate(MODEL, "Summarise the manual", cached_content=cache)
        assert 'The first user message was "This is the Acme T3 manual."' in reply.text
        usage = reply.usage_metadata
        assert usage is not None and usage.cache_tokens_details is not None
        assert {d.modality for d in usage.cache_tokens_details} == {"TEXT", "DOCUMENT"}
    await client.files.delete(file)
    with pytest.raises(gs.PermissionDeniedError, match="File"):
        await client.caches.create(MODEL, contents=[file.part()], system_instruction=RULES)
    assert emulator.caches.caches == {}


async def test_generate_many_shares_a_cache(client: gs.Client, emulator: Emulator) -> None:
    cache = await client.caches.create(MODEL, system_instruction=RULES)
    requests = [gs.Request(MODEL, f"Question {i}", cached_content=cache) for i in range(20)]
    replies = await client.generate_many(requests, concurrency=8)
    assert all(f'the last user message was "Question {i}"' in r.text for i, r in enumerate(replies))
    for reply in replies:
        assert reply.usage_metadata is not None
        assert reply.usage_metadata.cached_content_token_count == cache.token_count
    bodies = [r.body for r in emulator.records if r.rpc == "streamGenerateContent"]
    assert len(bodies) == 20 and {b["cachedContent"] for b in bodies} == {cache.name}
