"""The public façade: ``__all__`` lists exactly the public names, and nothing private leaks."""

from __future__ import annotations

import inspect

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
