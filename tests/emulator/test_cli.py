"""The command line: ``python -m gemini_stream.emulator`` prints its URL first and serves."""

from __future__ import annotations

import asyncio
import re
import socket
import sys

from gemini_stream.emulator import main

from ._helpers import post, split_sse, stream_url, user


class _Target:
    def __init__(self, base: str) -> None:
        self.url = base


async def test_cli_prints_its_url_and_serves(session):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gemini_stream.emulator",
        "--port",
        "0",
        "--chunk-delay",
        "0.001",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        match = re.fullmatch(
            r"Gemini API emulator listening on (http://127\.0\.0\.1:(\d+))\n", line
        )
        assert match, line
        assert int(match.group(2)) > 0
        hint = (await asyncio.wait_for(process.stdout.readline(), 5)).decode()
        assert hint.startswith("Point the client at it")
        status, _, body = await post(session, stream_url(_Target(match.group(1))), user("hi"))
        assert status == 200
        assert split_sse(body)
    finally:
        process.terminate()
        code = await asyncio.wait_for(process.wait(), 10)
    assert code == 0


def test_main_reports_a_busy_port(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert "cannot listen" in capsys.readouterr().err
