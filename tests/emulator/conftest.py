"""Fixtures for the emulator tests: the plugin's emulator fixture and a plain aiohttp session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from gemini_stream.emulator.pytest_plugin import gemini_emulator, gemini_emulator_options

__all__ = ("gemini_emulator", "gemini_emulator_options")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session
