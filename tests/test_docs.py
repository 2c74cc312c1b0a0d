"""Every ```python sample in README.md and docs/ runs, against the emulator, so docs cannot rot.

Each sample runs in a fresh namespace holding what the prose around it assumes: ``gs``, a
running ``emulator``, a ``client`` bound to it, an aiohttp ``session``, and the ``url`` /
``body`` / ``headers`` of a streamed request, and a private Redis's ``redis_url`` when the
sample names it. ``GEMINI_BASE_URL`` and ``GEMINI_API_KEY`` point
plain ``gs.Client()`` calls at the emulator. A sample with top-level ``await`` runs as the body
of a coroutine; a whole program (``asyncio.run(main())``) runs in a worker thread. Test
functions a sample defines (``async def test_...(gemini_emulator)``) are then called.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

from ._redis_server import running_redis

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.DOTALL | re.MULTILINE)
_PROMPT = "Tell me about streams emulator:words=120"


def _samples() -> list[Any]:
    params = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            code = textwrap.dedent(match.group(2))
            params.append(pytest.param(code, id=f"{path.name}:{line}"))
    return params


async def _run(code: str, namespace: dict[str, Any]) -> None:
    if "asyncio.run(" in code:
        program = compile(code, "<sample>", "exec", dont_inherit=True)
        await asyncio.to_thread(exec, program, namespace)
    else:
        wrapped = "async def __sample__():\n" + textwrap.indent(code, "    ") + "\n    pass\n"
        # dont_inherit: this file's `from __future__ import annotations` must not leak in.
        exec(compile(wrapped, "<sample>", "exec", dont_inherit=True), namespace)
        await namespace["__sample__"]()
    for name, value in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(value):
            await value(namespace["emulator"])


@pytest.mark.parametrize("code", _samples())
async def test_sample_runs(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(running_redis()).url if "redis_url" in code else None
        await _run_sample(code, monkeypatch, redis_url)


async def _run_sample(code: str, monkeypatch: pytest.MonkeyPatch, redis_url: str | None) -> None:
    async with (
        Emulator(chunk_delay=0.002) as emulator,
        gs.Client(base_url=emulator.url, api_key="test") as client,
        aiohttp.ClientSession() as session,
    ):
        if "opentelemetry" in code:  # a sample sets the global tracer provider: for it only
            from opentelemetry import trace

            monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
            monkeypatch.setattr(trace._TRACER_PROVIDER_SET_ONCE, "_done", False)
        monkeypatch.setenv("GEMINI_BASE_URL", emulator.url)
        monkeypatch.setenv("GEMINI_API_KEY", "test")
        body = {"contents": [{"role": "user", "parts": [{"text": _PROMPT}]}]}
        namespace: dict[str, Any] = {
            "__name__": "__sample__",
            "asyncio": asyncio,
            "gs": gs,
            "pytest": pytest,
            "emulator": emulator,
            "client": client,
            "session": session,
            "prompt": _PROMPT,
            "url": f"{emulator.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            "body": body,
            "request_json": body,
            "headers": {"x-goog-api-key": "test"},
            "redis_url": redis_url,
        }
        await _run(code, namespace)
