"""``gemini-stream live``: a text-mode Live API session, driven through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "gemini_stream", "live", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_live_answers_each_line_in_one_session() -> None:
    done = _run("--system", "Be brief", stdin="Hello\n\nAgain\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2  # the empty line is skipped
    assert lines[0].startswith(
        "I am the gemini-stream emulator running gemini-3.1-flash-live-preview. I saw 1 user turn"
    )
    assert 'I saw 2 user turns and 1 model turn. The first user message was "Hello"' in lines[1]
    assert lines[1].endswith('The system instruction was "Be brief".')
    assert "Live session with gemini-3.1-flash-live-preview" in done.stderr


def test_live_reports_a_model_that_is_not_a_live_model() -> None:
    done = _run("--model", "gemini-2.5-flash", stdin="Hello\n")
    assert done.returncode == 1
    assert "not supported for bidiGenerateContent" in done.stderr
