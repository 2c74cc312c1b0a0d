"""A saved chat names the Python functions it had; restoring it without them warns which."""

from __future__ import annotations

import json
import warnings

import pytest

import gemini_stream as gs


def get_time(zone: str) -> str:
    """The time in a time zone."""
    return "12:00"


def get_weather(city: str) -> dict[str, object]:
    """Current weather in a city."""
    return {"city": city, "temp_c": 21}


def _client() -> gs.Client:
    return gs.Client(base_url="http://127.0.0.1:9", api_key="k")


def test_dumps_records_the_names_of_the_python_functions() -> None:
    chat = _client().chat("gemini-2.5-flash", tools=[get_time, get_weather])
    saved = json.loads(chat.dumps())
    assert saved["pythonFunctions"] == ["get_time", "get_weather"]
    assert "tools" not in saved  # the functions themselves are not saved


def test_loads_without_them_warns_which_are_missing() -> None:
    client = _client()
    data = client.chat("gemini-2.5-flash", tools=[get_time, get_weather]).dumps()
    with pytest.warns(UserWarning, match=r"'get_weather', not given to Chat.loads") as caught:
        restored = gs.Chat.loads(client, data, tools=[get_time])
    assert "'get_time'" not in str(caught[0].message)
    assert caught[0].filename == __file__  # it points at the caller's line
    assert list(restored._toolbox.functions) == ["get_time"]
    with pytest.warns(UserWarning, match=r"tool\(s\) 'get_time', 'get_weather', not given"):
        gs.Chat.loads(client, data)


def test_loads_with_them_or_without_any_is_silent() -> None:
    client = _client()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = client.chat("gemini-2.5-flash", tools=[get_time]).dumps()
        gs.Chat.loads(client, data, tools=[get_time, get_weather])
        plain = client.chat("gemini-2.5-flash").dumps()
        assert b"pythonFunctions" not in plain
        gs.Chat.loads(client, plain)
