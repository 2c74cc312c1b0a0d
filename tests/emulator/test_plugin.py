"""The pytest plugin's fixtures, used the way a user's conftest would use them."""

from __future__ import annotations

import pytest

from gemini_stream.emulator import Emulator

from ._helpers import post, stream_url, user


@pytest.fixture
def gemini_emulator_options():
    return {"api_keys": ["only-this-key"], "chunk_tokens": 2}


async def test_fixture_takes_the_options(gemini_emulator, session):
    assert isinstance(gemini_emulator, Emulator)
    assert gemini_emulator.url.startswith("http://127.0.0.1:")
    status, *_ = await post(
        session, stream_url(gemini_emulator), user("hi"), {"x-goog-api-key": "only-this-key"}
    )
    assert status == 200
    status, *_ = await post(session, stream_url(gemini_emulator), user("hi"))
    assert status == 400
    assert gemini_emulator.model.chunk_tokens == 2


def test_public_names():
    import gemini_stream.emulator as emulator

    assert list(emulator.__all__) == sorted(emulator.__all__)
    public = {n for n in dir(emulator) if not n.startswith("_")} - {"annotations", "pytest_plugin"}
    assert set(emulator.__all__) == public


def test_api_keys_must_be_a_collection():
    with pytest.raises(TypeError, match="not the string 'secret'"):
        Emulator(api_keys="secret")
