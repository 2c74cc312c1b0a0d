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


def test_bot_keeps_each_users_chat_across_a_restart(tmp_path: Path) -> None:
    result = _run("bot.py", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "[ada] I am the gemini-stream emulator" in result.stdout
    # After the restart the bot loaded ada's saved chat: the model saw her first turn.
    assert "[ada, after a restart] I am the gemini-stream emulator" in result.stdout
    assert "I saw 2 user turns and 1 model turn" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ada.json", "grace.json", "linus.json"]


def test_batch_job_summarises_every_document_in_order() -> None:
    result = _run("batch.py", "30")
    assert result.returncode == 0, result.stderr
    assert "30 summaries, 0 failures" in result.stdout
    assert "first: I am the gemini-stream emulator" in result.stdout
