"""Closing and sharing streams: ``Client.aclose()`` wakes every reader, one stream read by two
tasks, peeking then iterating, a client under two event loops, a reset body read to its close,
and the library behaving the same under ``python -O`` (no ``assert`` on a user's path)."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import json
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault
from gemini_stream.emulator import expected_text as _expected_text

MODEL = "gemini-2.5-flash"
# Paced at 20 ms a chunk, this takes the server some thirty seconds to write.
ENDLESS = "Tell me a long story emulator:words=12000"
PACKAGE = Path(gs.__file__).resolve().parent


def expected_text(prompt: str) -> str:
    return _expected_text({"contents": [{"role": "user", "parts": [{"text": prompt}]}]})


@pytest.fixture
def gemini_emulator_options() -> dict[str, object]:
    return {"chunk_delay": 0.02}


# -- aclose() wakes every reader ---------------------------------------------------------------


async def _read(stream: AsyncIterator[gs.GenerateContentResponse], got: asyncio.Event) -> object:
    """Read ``stream`` until it fails; return what was seen and the error."""
    text = ""
    try:
        async for chunk in stream:
            text += chunk.text
            got.set()
    except gs.GeminiError as exc:
        return text, exc
    return text, None


async def test_aclose_wakes_every_reader_with_a_typed_error_and_the_partial_reply(
    emulator: Emulator,
) -> None:
    client = gs.Client("k", base_url=emulator.url)
    streams: list[AsyncIterator[gs.GenerateContentResponse]] = [
        client.stream(MODEL, ENDLESS),
        client.stream(MODEL, ENDLESS),
        client.chat(MODEL).stream(ENDLESS),
    ]
    events = [asyncio.Event() for _ in range(len(streams) + 1)]
    readers = [asyncio.create_task(_read(s, e)) for s, e in zip(streams, events[:-1], strict=True)]

    async def read_many() -> list[tuple[str, BaseException | None]]:
        texts = {0: "", 1: ""}
        errors: dict[int, BaseException | None] = {}
        async with client.stream_many([gs.Request(MODEL, ENDLESS)] * 2) as results:
            async for item in results:
                if item.kind == "chunk" and item.chunk is not None:
                    texts[item.index] += item.chunk.text
                    events[-1].set()
                else:
                    errors[item.index] = item.error
        return [(texts[i], errors.get(i)) for i in (0, 1)]

    many = asyncio.create_task(read_many())
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 10)
    await client.aclose()
    # The server would go on for seconds more: every reader is woken now, not at a timeout.
    outcomes = await asyncio.wait_for(asyncio.gather(*readers), 5)
    fanned = await asyncio.wait_for(many, 5)
    full = expected_text(ENDLESS)
    results = [*outcomes, *fanned]
    assert len(results) == 5
    for text, error in results:  # type: ignore[misc]
        assert isinstance(error, gs.ClientClosedError), error
        assert "aclose" in str(error)
        assert error.partial is not None
        assert error.partial.text.startswith(text)
        assert full.startswith(error.partial.text) and len(error.partial.text) < len(full)
    assert any(text for text, _ in results)  # type: ignore[misc]
    assert client.closed
    await emulator.wait_idle(5)  # the server saw every reader leave, and stopped writing
    assert all(record.disconnected for record in emulator.records)


async def test_aclose_wakes_a_reader_of_a_borrowed_session_and_leaves_the_session_open(
    emulator: Emulator,
) -> None:
    async with aiohttp.ClientSession() as session:
        client = gs.Client("k", base_url=emulator.url, session=session)
        got = asyncio.Event()
        reader = asyncio.create_task(_read(client.stream(MODEL, ENDLESS), got))
        await asyncio.wait_for(got.wait(), 10)
        await client.aclose()
        text, error = await asyncio.wait_for(reader, 5)  # type: ignore[misc]
        assert isinstance(error, gs.ClientClosedError)
        assert error.partial is not None and error.partial.text.startswith(text)
        assert not session.closed


async def test_aclose_wakes_a_reader_still_waiting_for_the_first_chunk(emulator: Emulator) -> None:
    emulator.script(Fault(first_delay=30))
    async with gs.Client("k", base_url=emulator.url) as client:
        stream = client.stream(MODEL, "Hi")
        reader = asyncio.create_task(_read(stream, asyncio.Event()))
        for _ in range(500):  # until the reply's headers came, and it waits for its events
            if stream._content is not None:
                break
            await asyncio.sleep(0.01)
    text, error = await asyncio.wait_for(reader, 5)  # type: ignore[misc]
    assert isinstance(error, gs.ClientClosedError)
    assert text == "" and error.partial == gs.GenerateContentResponse()


# -- one stream, two tasks ---------------------------------------------------------------------


async def _collect(stream: AsyncIterator[gs.GenerateContentResponse]) -> str:
    return "".join([chunk.text async for chunk in stream])


async def test_a_second_task_reading_a_stream_at_once_gets_a_clear_error(
    client: gs.Client,
) -> None:
    prompt = "Tell me emulator:words=60"
    stream = client.stream(MODEL, prompt)
    first = asyncio.create_task(_collect(stream))
    second = asyncio.create_task(_collect(stream))  # while the first waits for the reply
    with pytest.raises(gs.ConcurrentReadError, match="another task"):
        await asyncio.wait_for(second, 5)
    assert await asyncio.wait_for(first, 10) == expected_text(prompt)
    assert stream.response.finish_reason == "STOP"


async def test_a_second_task_reading_mid_stream_leaves_the_first_unharmed(
    client: gs.Client,
) -> None:
    prompt = "Tell me emulator:words=80"
    stream = client.stream(MODEL, prompt)
    three = asyncio.Event()
    seen: list[str] = []

    async def first() -> None:
        async for chunk in stream:
            seen.append(chunk.text)
            if len(seen) == 3:
                three.set()

    task = asyncio.create_task(first())
    await asyncio.wait_for(three.wait(), 10)  # the first task now waits on the socket
    with pytest.raises(gs.ConcurrentReadError):
        await anext(stream)
    await asyncio.wait_for(task, 10)
    assert "".join(seen) == expected_text(prompt) == stream.response.text


async def test_a_chat_stream_read_by_two_tasks_refuses_the_second(client: gs.Client) -> None:
    prompt = "Tell me emulator:words=60"
    chat = client.chat(MODEL)
    stream = chat.stream(prompt)
    first = asyncio.create_task(_collect(stream))
    second = asyncio.create_task(_collect(stream))
    with pytest.raises(gs.ConcurrentReadError):
        await asyncio.wait_for(second, 5)
    assert await asyncio.wait_for(first, 10) == expected_text(prompt)
    assert stream.committed and len(chat.history) == 2

    three = asyncio.Event()
    later = chat.stream(prompt)
    seen: list[str] = []

    async def read_later() -> None:
        async for chunk in later:
            seen.append(chunk.text)
            if len(seen) == 3:
                three.set()

    task = asyncio.create_task(read_later())
    await asyncio.wait_for(three.wait(), 10)
    with pytest.raises(gs.ConcurrentReadError):
        await anext(later)
    await asyncio.wait_for(task, 10)
    assert "".join(seen) == later.response.text and later.response.finish_reason == "STOP"
    assert later.committed and len(chat.history) == 4


# -- peek, then iterate ------------------------------------------------------------------------


def _event(text: str, finish: str | None = None) -> bytes:
    candidate: dict[str, object] = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish:
        candidate["finishReason"] = finish
    return b"data: " + json.dumps({"candidates": [candidate]}).encode() + b"\r\n\r\n"


@contextlib.asynccontextmanager
async def _raw_server(body: bytes, *, length: bool, end: str) -> AsyncIterator[str]:
    """A server that answers every request with ``body`` in one write: with a
    Content-Length, or (``length=False``) read to the connection's close; then it closes
    (``end="close"``) or resets the connection (``end="reset"``)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        size = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(size)
        framing = f"Content-Length: {len(body)}\r\n".encode() if length else b""
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + framing + b"\r\n" + body
        )
        await writer.drain()
        if end == "reset":
            await asyncio.sleep(0.05)  # the events arrive first, in their own read
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # an RST, not a FIN
        else:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


async def test_peeking_at_the_first_chunk_then_iterating_works_when_the_body_came_whole() -> None:
    body = _event("Hel") + _event("lo") + _event("!", "STOP")
    async with (
        _raw_server(body, length=True, end="close") as url,
        gs.Client("k", base_url=url) as client,
    ):
        stream = client.stream(MODEL, "Hi")
        first = await anext(aiter(stream))
        rest = [chunk.text async for chunk in stream]
        assert [first.text, *rest] == ["Hel", "lo", "!"]
        assert stream.response.text == "Hello!"
        with pytest.raises(gs.StreamConsumedError):
            aiter(stream)


@pytest.mark.parametrize(
    "gemini_emulator_options", [{"burst": True}, {"chunk_delay": 0.005}], ids=["burst", "paced"]
)
async def test_peeking_then_iterating_works_whatever_the_pacing(client: gs.Client) -> None:
    prompt = "Hi emulator:words=30"
    stream = client.stream(MODEL, prompt)
    first = await anext(aiter(stream))
    text = first.text + "".join([chunk.text async for chunk in stream])
    assert text == expected_text(prompt) == stream.response.text


# -- a body read to the connection's close, then reset -----------------------------------------


async def test_a_reset_in_a_body_without_length_or_chunking_is_an_interruption() -> None:
    async with (
        _raw_server(_event("Hel") + _event("lo"), length=False, end="reset") as url,
        gs.Client("k", base_url=url) as client,
    ):
        seen: list[str] = []
        with pytest.raises(gs.StreamInterruptedError) as info:
            async for chunk in client.stream(MODEL, "Hi"):
                seen.append(chunk.text)
        assert seen == ["Hel", "lo"]
        assert info.value.partial is not None and info.value.partial.text == "Hello"
        async with client.stream_many([gs.Request(MODEL, "Hi")] * 2) as results:
            errors = [item.error async for item in results if item.kind == "error"]
        assert [type(e) for e in errors] == [gs.StreamInterruptedError] * 2


async def test_a_body_read_to_a_clean_close_ends_as_before() -> None:
    whole = _event("Hel") + _event("lo", "STOP")
    async with (
        _raw_server(whole, length=False, end="close") as url,
        gs.Client("k", base_url=url) as client,
    ):
        assert await client.stream(MODEL, "Hi").final_text() == "Hello"
    async with (
        _raw_server(_event("Hel"), length=False, end="close") as url,
        gs.Client("k", base_url=url) as client,
    ):
        with pytest.raises(gs.IncompleteStreamError):
            await client.stream(MODEL, "Hi").final_text()


# -- one client, two event loops ---------------------------------------------------------------


@contextlib.contextmanager
def _emulator_in_a_thread() -> Iterator[tuple[str, asyncio.AbstractEventLoop, Emulator]]:
    """An emulator that outlives the caller's event loops, in a loop of its own."""
    started = threading.Event()
    box: dict[str, object] = {}

    async def serve() -> None:
        async with Emulator(chunk_delay=0.001) as emulator:
            stop = asyncio.Event()
            box.update(emulator=emulator, loop=asyncio.get_running_loop(), stop=stop)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    emulator, loop, stop = box["emulator"], box["loop"], box["stop"]
    assert isinstance(emulator, Emulator) and isinstance(loop, asyncio.AbstractEventLoop)
    assert isinstance(stop, asyncio.Event)
    try:
        yield emulator.url, loop, emulator
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


def _open_connections_drop_to_zero(loop: asyncio.AbstractEventLoop, emulator: Emulator) -> int:
    async def wait() -> int:
        for _ in range(200):  # up to 2 s for the server to see the client's sockets close
            if not emulator.open_connections:
                break
            await asyncio.sleep(0.01)
        return emulator.open_connections

    return asyncio.run_coroutine_threadsafe(wait(), loop).result(10)


def test_a_client_used_under_two_event_loops_leaves_no_socket_behind() -> None:
    with _emulator_in_a_thread() as (url, loop, emulator):
        client = gs.Client("k", base_url=url)

        async def several_at_once() -> list[str]:
            prompts = [f"Hi {i}" for i in range(4)]
            return await asyncio.gather(*(client.stream(MODEL, p).final_text() for p in prompts))

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert all(asyncio.run(several_at_once()))
            # The first loop is gone: its connections were closed with it, not left open.
            assert _open_connections_drop_to_zero(loop, emulator) == 0
            assert all(asyncio.run(several_at_once()))  # a new loop: the client still works
            assert _open_connections_drop_to_zero(loop, emulator) == 0
            asyncio.run(client.aclose())
            gc.collect()
        leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
        assert leaks == []


# -- no assert on a user's path ----------------------------------------------------------------


def test_the_package_has_no_assert_statements() -> None:
    # The emulator included: users run it in their own tests, where -O may be in force too.
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Assert):
                found.add((path.relative_to(PACKAGE).as_posix(), ast.unparse(node.test)))
    assert found == set()


_SCENARIO = textwrap.dedent(
    """
    import asyncio, sys
    import gemini_stream as gs
    from gemini_stream.emulator import Emulator

    def get_time(city: str) -> str:
        "The time in a city."
        return "12:00"

    async def main() -> None:
        async with Emulator(chunk_delay=0.002) as emulator, gs.Client(
            "k", base_url=emulator.url
        ) as client:
            print(await client.stream("gemini-2.5-flash", "Hi").final_text())
            chat = client.chat("gemini-3-flash-preview", tools=[get_time])
            reply = await chat.send("What is get_time?")
            print(reply.text, len(chat.history))
            requests = [gs.Request("gemini-2.5-flash", f"Hi {i}") for i in range(3)]
            replies = await client.generate_many(requests)
            print([r.text for r in replies])
            async with client.stream_many(requests) as results:
                print(sorted([i.kind async for i in results if i.kind != "chunk"]))
            stream = client.stream("gemini-2.5-flash", "Hi emulator:words=40")
            first = asyncio.ensure_future(stream.final_text())
            await asyncio.sleep(0)  # it starts, and waits for the reply
            try:
                await stream.__anext__()
            except gs.ConcurrentReadError as exc:
                print("refused:", type(exc).__name__)
            print(await first)
        print("optimize", sys.flags.optimize)

    asyncio.run(main())
    """
)


def test_the_library_behaves_the_same_under_python_dash_o() -> None:
    outputs = []
    for flags in ([], ["-O"]):
        done = subprocess.run(
            [sys.executable, *flags, "-W", "error", "-c", _SCENARIO],
            env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.replace("optimize 1", "optimize 0"))
    assert outputs[0] == outputs[1]
    assert "refused: ConcurrentReadError" in outputs[1]
