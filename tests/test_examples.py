"""The examples run as a user would run them: as scripts, against the embedded emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_quickstart_streams_from_the_emulator_without_a_key() -> None:
    result = _run("quickstart.py", "Say hello to the README")
    assert result.returncode == 0, result.stderr
    assert "using the local emulator" in result.stdout
    assert 'the last user message was "Say hello to the README"' in result.stdout
    assert "[finish: STOP" in result.stdout
    assert result.stderr == ""
