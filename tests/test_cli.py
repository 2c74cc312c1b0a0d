"""The gemini-stream command, run as a user runs it: in-process and as a piped subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gemini_stream as gs
from gemini_stream.cli import main


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)


def test_ask_streams_plain_text_and_says_it_uses_the_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "Hello from a test"]) == 0
    out, err = capsys.readouterr()
    assert 'the last user message was "Hello from a test"' in out
    assert "using the local emulator" in err
    assert err.count("\n") == 1


def test_ask_with_a_json_schema_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    assert main(["ask", "--json-schema", str(path), "Where?"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out)["city"], str)


def test_ask_sends_an_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    assert main(["ask", "--image", str(image), "What is this?"]) == 0
    assert "What is this?" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "--bogus", "x"], "unrecognized arguments: --bogus"),
        (["ask", "--image", "/no/such.png", "x"], "cannot read image '/no/such.png'"),
        (["ask", "--image", "notes.txt", "x"], "does not look like an image"),
        (["ask", "--json-schema", "/no/schema.json", "x"], "cannot read schema file"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["ask", "   "], "the prompt is empty"),
        (["ask", "--model", "Bad Model", "x"], "invalid model name 'Bad Model'"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) != 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("gemini-stream: no ")]
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in err


def test_invalid_schema_json_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schema.json"
    path.write_text("{not json")
    assert main(["ask", "--json-schema", str(path), "x"]) == 2
    assert "invalid JSON" in capsys.readouterr().err


def test_models_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert "gemini-2.5-flash" in names


def test_ask_in_a_pipe_writes_only_the_answer_to_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "gemini_stream", "ask", "-"],
        input="Piped question",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("I am the gemini-stream emulator")
    assert "\x1b[" not in result.stdout  # no terminal escapes in a pipe
    assert 'the last user message was "Piped question"' in result.stdout


def test_demo_fans_out_chats_and_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--chats", "12"]) == 0
    out = capsys.readouterr().out
    assert "12 of 12 chats answered" in out
    assert "time to first chunk: p50" in out
    assert "tokens:" in out


def test_demo_rejects_a_bad_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--chats", "zero"]) == 2
    assert "expected a positive whole number, got 'zero'" in capsys.readouterr().err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"gemini-stream {gs.__version__}"


def test_emulator_takes_its_options_and_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: gemini-stream emulator") and "--port" in out
    # The README's own command, on a free port: it listens and says where.
    argv = [sys.executable, "-m", "gemini_stream", "emulator", "--port", "0"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        try:
            assert run.stdout is not None
            first = run.stdout.readline()
        finally:
            run.terminate()
        _, err = run.communicate(timeout=30)
    assert first.startswith("Gemini API emulator listening on http://127.0.0.1:"), first + err
