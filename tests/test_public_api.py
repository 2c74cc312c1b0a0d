"""The public façade: ``__all__`` lists exactly the public names, and nothing private leaks."""

from __future__ import annotations

import inspect
import subprocess
import sys

import gemini_stream as gs


def test_all_matches_public_names() -> None:
    # Submodules imported as a side effect are reachable but are not part of __all__.
    public = {
        name
        for name in dir(gs)
        if not name.startswith("_") and not inspect.ismodule(getattr(gs, name))
    }
    assert set(gs.__all__) == (public - {"annotations"}) | {"__version__"}


def test_all_is_a_sorted_tuple() -> None:
    assert isinstance(gs.__all__, tuple)
    assert list(gs.__all__) == sorted(gs.__all__)


def test_every_error_is_a_gemini_error() -> None:
    for name in gs.__all__:
        obj = getattr(gs, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, gs.GeminiError), name


def test_import_is_light_until_the_client_is_used() -> None:
    # aiohttp costs ~0.1 s to import; the types, the SSE reader and `--help` do not need it.
    code = (
        "import sys, gemini_stream as gs, gemini_stream.types, gemini_stream.sse\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported too early'\n"
        "assert gs.Client.__name__ == 'Client' and 'aiohttp' in sys.modules\n"
        "from gemini_stream import Chat, ChunkStream\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
