"""A pytest plugin with a ready-made emulator fixture for testing Gemini bots offline.

Enable it in a ``conftest.py``::

    pytest_plugins = ["gemini_stream.emulator.pytest_plugin"]

then ask for ``gemini_emulator`` in an async test. Override ``gemini_emulator_options`` to
pass constructor options (``chunk_delay``, ``api_keys``, ``fault``, ...).

A test marked ``@pytest.mark.gemini_cassette("cassettes/greeting")`` gets an emulator that
replays that folder of cassettes (relative to the test file), without waiting unless the
marker says ``speed=1``. Run pytest with ``--gemini-record=URL`` to record the marked tests'
folders from that API instead (the client's key is passed through, never saved).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from ._emulator import Emulator

_MARKER = "gemini_cassette"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--gemini-record",
        metavar="URL",
        default=None,
        help="record the folders of tests marked gemini_cassette from this API",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(directory, *, speed=0): the gemini_emulator fixture replays the cassettes "
        "in directory (relative to the test file); speed=1 keeps the recorded timing",
    )


@pytest.fixture
def gemini_emulator_options() -> dict[str, Any]:
    """Keyword arguments for :class:`Emulator`; override this fixture to change them."""
    return {}


def _cassette_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The replay (or record) options a ``gemini_cassette`` marker asks for, else ``{}``."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        return {}
    if len(marker.args) != 1 or set(marker.kwargs) - {"speed"}:
        raise TypeError(
            f"use @pytest.mark.{_MARKER}(directory, speed=...), got "
            f"args={marker.args!r} kwargs={marker.kwargs!r}"
        )
    directory = request.node.path.parent / marker.args[0]
    upstream = request.config.getoption("--gemini-record", None)
    if upstream:
        return {"record": directory, "upstream": upstream}
    return {"replay": directory, "replay_speed": marker.kwargs.get("speed", 0)}


@pytest_asyncio.fixture
async def gemini_emulator(
    request: pytest.FixtureRequest, gemini_emulator_options: dict[str, Any]
) -> AsyncIterator[Emulator]:
    """A running :class:`Emulator` on a free loopback port, closed after the test.

    Under a ``gemini_cassette`` marker it replays (or, with ``--gemini-record``, records)
    that folder of cassettes.
    """
    options = {**gemini_emulator_options, **_cassette_options(request)}
    async with Emulator(**options) as emulator:
        yield emulator
