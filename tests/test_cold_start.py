"""A program that streams loads what the stream needs, not the rest of the package (issue 26).

Cold start (import + client + first chunk) is measured by benchmarks/bench_coldstart.py; here
the modules a fresh interpreter has loaded after streaming one reply are checked, and the API
resources the client now makes on first use behave as attributes did.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from asyncio.subprocess import PIPE

import pytest

import gemini_stream as gs
from gemini_stream._chat.tools import DEFAULT_TOOL_TIMEOUT
from gemini_stream._fanout.run import DEFAULT_CONCURRENCY
from gemini_stream.emulator import Emulator

# Loaded by none of: import gemini_stream, gs.Client(...), client.stream(...) to its end.
NOT_FOR_A_STREAM = (
    "anyio",
    "difflib",
    "gemini_stream._http.auth",
    "gemini_stream._batches",
    "gemini_stream._caches",
    "gemini_stream._chat",
    "gemini_stream._cost",
    "gemini_stream._embed",
    # the fan-out itself (the client's stream_many/generate_many signatures are in
    # _fanout.methods, which imports nothing at run time)
    "gemini_stream._fanout.items",
    "gemini_stream._fanout.jobs",
    "gemini_stream._fanout.progress",
    "gemini_stream._fanout.reads",
    "gemini_stream._fanout.request",
    "gemini_stream._fanout.results",
    "gemini_stream._fanout.run",
    "gemini_stream._interactions",
    "gemini_stream._limits.admission",
    "gemini_stream._limits.limiter",
    "gemini_stream._media",
    "gemini_stream._models",
)

_STREAM_ONE = """
import asyncio, sys
import gemini_stream as gs

async def main():
    async with gs.Client(base_url=sys.argv[1], api_key="k") as client:
        text = "".join([c.text async for c in client.stream("gemini-2.5-flash", "Hi")])
        assert text, "no text"

asyncio.run(main())
print(" ".join(sorted(sys.modules)))
"""


async def test_streaming_one_reply_loads_only_the_stream_path(emulator: Emulator) -> None:
    # The emulator runs in this test's event loop: the child is awaited, not waited for.
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _STREAM_ONE, emulator.url, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(child.communicate(), 50)
    assert child.returncode == 0, err.decode()
    loaded = out.decode().split()
    assert "gemini_stream._stream.chunk_stream" in loaded
    extra = [m for m in loaded if m.startswith(NOT_FOR_A_STREAM)]
    assert extra == []


async def test_the_api_resources_are_made_once_on_first_use(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        assert client.files is client.files
        for name in ("models", "images", "embed", "caches", "batches"):
            assert getattr(client, name) is getattr(client, name)
        assert (await client.models.get("gemini-2.5-flash")).name == "models/gemini-2.5-flash"
        with pytest.raises(AttributeError, match="'Client' object has no attribute 'filez'"):
            client.filez  # noqa: B018


def test_the_defaults_written_in_the_client_are_the_modules_own() -> None:
    # Written out in Client's signatures so that importing it loads neither module.
    parameters = inspect.signature(gs.Client.stream_many).parameters
    assert parameters["concurrency"].default == DEFAULT_CONCURRENCY
    parameters = inspect.signature(gs.Client.generate_many).parameters
    assert parameters["concurrency"].default == DEFAULT_CONCURRENCY
    assert inspect.signature(gs.Client.chat).parameters["tool_timeout"].default == (
        DEFAULT_TOOL_TIMEOUT
    )
