"""Shared fixtures: the emulator (from the package's pytest plugin) and a client bound to it.

The core client tests also run on uvloop (when installed), since paced streams are dominated by
the event loop and users do swap it in: see ``pytest_asyncio_loop_factories`` below.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

pytest_plugins = ["gemini_stream.emulator.pytest_plugin"]

# Test modules whose every test runs once on asyncio's loop and once on uvloop's.
_BOTH_LOOPS = {
    "test_client",
    "test_interactions_emulator",
    "test_interactions_stream",
    "test_stream",
    "test_stream_errors",
}


def _loop_factories() -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    factories: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
        "asyncio": asyncio.new_event_loop
    }
    try:
        import uvloop
    except ImportError:  # not on every platform (Windows)
        return factories
    factories["uvloop"] = uvloop.new_event_loop
    return factories


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    factories = _loop_factories()
    if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in _BOTH_LOOPS:
        return factories
    return {"asyncio": factories["asyncio"]}


@pytest.fixture(autouse=True)
def _no_backoff_sleeps() -> Iterator[None]:
    """Retries happen as in production, but without waiting between attempts."""
    gs.set_testing(True)
    yield
    gs.set_testing(False)


@pytest.fixture
async def emulator(gemini_emulator: Emulator) -> Emulator:
    return gemini_emulator


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[gs.Client]:
    async with gs.Client(base_url=emulator.url, api_key="test-key") as c:
        yield c
