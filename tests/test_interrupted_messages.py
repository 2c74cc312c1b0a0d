"""A reply cut off mid-stream says so without aiohttp's internal parser code: the ``400`` in
``<TransferEncodingError: 400, ...>`` is not the reply's HTTP status (that was 200)."""

from __future__ import annotations

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"


@pytest.mark.parametrize("fault", [Fault(disconnect_after=2), Fault(disconnect_after=0)])
async def test_a_dropped_stream_names_no_http_status_it_did_not_get(fault: Fault) -> None:
    no_retry = gs.RetryPolicy(max_attempts=1)
    async with (
        Emulator(fault=fault) as emulator,
        gs.Client(base_url=emulator.url, api_key="k", retry=no_retry) as client,
    ):
        with pytest.raises(gs.StreamInterruptedError) as info:
            await client.stream(MODEL, "Tell me emulator:words=200").final_text()
    message = str(info.value)
    assert message.startswith("the connection dropped in the middle of the reply: ")
    assert "400" not in message and "message=" not in message
    # What happened is still there, in words: the chunked body ended short.
    assert "TransferEncodingError: Not enough data to satisfy transfer length header." in message


async def test_stream_many_says_it_the_same_way() -> None:
    no_retry = gs.RetryPolicy(max_attempts=1)
    async with (
        Emulator(fault=Fault(disconnect_after=2)) as emulator,
        gs.Client(base_url=emulator.url, api_key="k", retry=no_retry) as client,
    ):
        requests = [gs.Request(MODEL, "Tell me emulator:words=200")]
        async with client.stream_many(requests) as results:
            errors = [item.error async for item in results if item.kind == "error"]
    assert len(errors) == 1 and isinstance(errors[0], gs.StreamInterruptedError)
    assert "400" not in str(errors[0]) and "TransferEncodingError: Not enough" in str(errors[0])
