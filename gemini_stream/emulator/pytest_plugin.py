"""A pytest plugin with a ready-made emulator fixture for testing Gemini bots offline.

Enable it in a ``conftest.py``::

    pytest_plugins = ["gemini_stream.emulator.pytest_plugin"]

then ask for ``gemini_emulator`` in an async test. Override ``gemini_emulator_options`` to
pass constructor options (``chunk_delay``, ``api_keys``, ``fault``, ...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from ._emulator import Emulator


@pytest.fixture
def gemini_emulator_options() -> dict[str, Any]:
    """Keyword arguments for :class:`Emulator`; override this fixture to change them."""
    return {}


@pytest_asyncio.fixture
async def gemini_emulator(gemini_emulator_options: dict[str, Any]) -> AsyncIterator[Emulator]:
    """A running :class:`Emulator` on a free loopback port, closed after the test."""
    async with Emulator(**gemini_emulator_options) as emulator:
        yield emulator
