"""``open_client``: the real API when a key is set, otherwise a client on an embedded emulator."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from .._client import Client
from ._emulator import Emulator

if TYPE_CHECKING:
    from .._config import RateLimit
    from .._limits.limiter import Limiter


@contextlib.asynccontextmanager
async def open_client(
    *,
    force_emulator: bool = False,
    announce: Callable[[str], object] | None = print,
    rate_limit: RateLimit | Limiter | None = None,
    **emulator_options: Any,
) -> AsyncIterator[Client]:
    """Open a ``Client`` for the real API, or for an emulator started in this process.

    With ``GEMINI_API_KEY`` (or ``GOOGLE_API_KEY``) set and ``force_emulator`` false, this is
    ``gs.Client()``. Otherwise an ``Emulator(**emulator_options)`` starts on a free loopback
    port for the duration of the block, and ``announce`` is told so in one line; the client
    keeps ``rate_limit`` either way. Demos, the
    command line and the examples use it so that they run anywhere, key or not.

    Example:
        >>> async with open_client(chunk_delay=0.02) as client:
        ...     print(await client.stream("gemini-2.5-flash", "Hi").final_text())
    """
    has_key = bool(os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY"))
    if has_key and not force_emulator:
        async with Client(rate_limit=rate_limit) as client:
            yield client
        return
    async with Emulator(**emulator_options) as emulator:
        if announce is not None:
            reason = "emulator forced" if has_key else "no GEMINI_API_KEY set"
            announce(f"{reason}: using the local emulator at {emulator.url}")
        async with Client(
            base_url=emulator.url, api_key="emulator", rate_limit=rate_limit
        ) as client:
            yield client
