"""The docs as a newcomer reads them: the pytest sample of docs/testing.md runs as written in
a project with no pytest configuration, and the landing page opens with code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^```python\n(# (\S+)\n.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_pytest_sample_runs_as_written(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    files = {match.group(2): match.group(1) for match in _BLOCK.finditer(text)}
    assert {"conftest.py", "test_bot.py"} <= set(files)
    for name in ("conftest.py", "test_bot.py"):
        (tmp_path / name).write_text(files[name], encoding="utf-8")
    # A project of its own: no pyproject.toml, so pytest-asyncio is in its default strict mode.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_bot.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_landing_page_shows_code_in_its_first_screen() -> None:
    lines = (ROOT / "docs" / "index.md").read_text(encoding="utf-8").splitlines()
    first = lines.index("```python")
    assert first < 10
    assert "client.stream(" in "\n".join(lines[first : first + 15])
