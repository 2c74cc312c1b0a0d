"""Every subcommand of ``gemini-stream`` describes itself and each option, and each option
works when given; ``ask`` says on stderr when the answer is not whole (exit status 3)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream.cli import main
from gemini_stream.cli.commands import _parser
from gemini_stream.cli.ending import incomplete_reason
from gemini_stream.types import GenerateContentResponse


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)


def _subparsers(parser: argparse.ArgumentParser, path: str) -> dict[str, argparse.ArgumentParser]:
    found = {path: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_subparsers(sub, f"{path} {name}"))
    return found


COMMANDS = _subparsers(_parser(), "gemini-stream")


def test_every_command_is_found() -> None:
    assert set(COMMANDS) == {
        "gemini-stream",
        *(
            f"gemini-stream {c}"
            for c in ("ask", "chat", "demo", "models", "batch", "emulator", "live")
        ),
        *(f"gemini-stream batch {a}" for a in ("submit", "status", "results")),
    }


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_a_description_and_help_for_each_option(path: str) -> None:
    parser = COMMANDS[path]
    assert parser.description, f"{path} has no description"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"{path}: {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("command", ["ask", "chat", "demo", "models", "batch"])
def test_help_shows_the_description(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    description = COMMANDS[f"gemini-stream {command}"].description or ""
    assert " ".join(description.split()[:4]) in " ".join(out.split())


def test_the_exit_statuses_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 a whole answer; 1 an error; 2 bad usage; 3 no whole answer" in out


def test_ask_system_and_model_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["ask", "--emulator", "-m", "gemini-2.5-pro", "-s", "Be brief.", "Hi"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "running gemini-2.5-pro" in out
    assert 'The system instruction was "Be brief."' in out


def test_ask_max_tokens_cuts_the_reply_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--max-tokens", "3", "Tell me a story"]) == 3
    out, err = capsys.readouterr()
    assert out.strip()  # what arrived is still printed
    assert "the reply was cut off (MAX_TOKENS: the output token limit was reached)" in err


def test_ask_rejects_a_bad_max_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--max-tokens", "-1", "x"]) == 2
    assert "expected a positive whole number, got '-1'" in capsys.readouterr().err


def test_a_reply_stopped_for_safety_says_why_and_exits_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "Tell me emulator:unsafe"]) == 3
    err = capsys.readouterr().err
    assert "the reply was cut off (SAFETY: a safety filter stopped it: " in err
    assert "HARM_CATEGORY_DANGEROUS_CONTENT rated HIGH" in err


def test_a_blocked_prompt_says_why_and_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Tell me emulator:block-prompt"]) == 3
    err = capsys.readouterr().err
    assert "the prompt was blocked (SAFETY: HARM_CATEGORY_DANGEROUS_CONTENT rated HIGH)" in err


def _response(data: object) -> GenerateContentResponse:
    return msgspec.json.decode(msgspec.json.encode(data), type=GenerateContentResponse)


@pytest.mark.parametrize(
    ("finish", "said"),
    [
        ("RECITATION", "(RECITATION: it was reciting a source too closely)"),
        ("OTHER", "(OTHER: the model stopped before the end)"),
        ("SOMETHING_NEW", "(SOMETHING_NEW: the model stopped before the end)"),
        (None, "the reply ended without a finish reason"),
    ],
)
def test_any_finish_but_stop_is_an_incomplete_answer(finish: str | None, said: str) -> None:
    candidate = {"content": {"parts": [{"text": "Partly"}]}}
    if finish is not None:
        candidate["finishReason"] = finish  # type: ignore[assignment]
    reply = _response({"candidates": [candidate]})
    reason = incomplete_reason(reply)
    assert reason is not None and said in reason
    whole = _response({"candidates": [{**candidate, "finishReason": "STOP"}]})
    assert incomplete_reason(whole) is None


def _run(argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "gemini_stream", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_ask_dash_strips_the_trailing_newline() -> None:
    result = _run(["ask", "-"], "Piped question\n")  # as `echo Piped question |` sends it
    assert result.returncode == 0, result.stderr
    assert 'the last user message was "Piped question".' in result.stdout


def test_a_cut_off_reply_in_a_pipe_exits_3_with_the_reason_on_stderr() -> None:
    result = _run(["ask", "-"], "Tell me emulator:unsafe\n")
    assert result.returncode == 3
    assert result.stdout.startswith("I am the gemini-stream emulator")
    assert "gemini-stream: the reply was cut off (SAFETY" in result.stderr


def test_thoughts_in_a_pipe_flow_as_one_paragraph_on_stderr() -> None:
    result = _run(["ask", "--thoughts", "-"], "Why?\n")
    assert result.returncode == 0, result.stderr
    # The emulator's summary arrives in fragments ("**Planning the reply*", "*\n\nThe ...",
    # " turn and ..."): they are joined as written, not one line each.
    assert (
        "**Planning the reply**\n\nThe conversation has 1 user turn and 0 model turns; "
        "I will answer with plain text.\n"
    ) in result.stderr
    assert "Planning" not in result.stdout and result.stdout.startswith("I am the")


def test_demo_ends_with_a_sample_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "-n", "3", "--emulator", "-m", "gemini-2.5-pro"]) == 0
    out = capsys.readouterr().out
    summary, _, sample = out.partition("sample answer (chat 0 of 3, asked: ")
    assert "3 of 3 chats answered" in summary and "tokens:" in summary
    assert sample.startswith("'Tell me about rivers, chat 0. emulator:words=60'):\n")
    assert "I am the gemini-stream emulator running gemini-2.5-pro" in " ".join(sample.split())


def test_models_takes_the_common_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--emulator", "-m", "gemini-2.5-pro"]) == 0
    assert "gemini-2.5-flash" in capsys.readouterr().out


def test_batch_submit_takes_its_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text('"Hi"\n')
    argv = ["batch", "submit", str(path), "--emulator", "-m", "gemini-2.5-pro", "--name", "mine"]
    assert main([*argv, "--wait", "--timeout", "60", "--poll", "0.01"]) == 0
    name, result = capsys.readouterr().out.splitlines()
    assert name.startswith("batches/")
    assert "running gemini-2.5-pro" in result
    assert main([*argv, "--timeout", "soon"]) == 2
    assert "argument --timeout: invalid float value: 'soon'" in capsys.readouterr().err


def test_the_emulators_own_options_are_described() -> None:
    from gemini_stream.emulator._cli import _parser as emulator_parser

    parser = emulator_parser("gemini-stream emulator")
    assert parser.description
    for action in parser._actions:
        assert action.help, f"emulator {action.option_strings} has no help"


async def test_gemini_stream_emulator_takes_the_emulators_options() -> None:
    argv = ["-m", "gemini_stream", "emulator", "--port", "0", "--host", "127.0.0.1"]
    argv += ["--api-key", "only-this", "--fault", "status=503; times=1", "--chunk-tokens", "2"]
    argv += ["--max-records", "1", "--rpm-limit", "100", "--burst"]
    run = await asyncio.create_subprocess_exec(
        sys.executable, *argv, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert run.stdout is not None
        first = (await asyncio.wait_for(run.stdout.readline(), 30)).decode()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), first
        no_retry = gs.RetryPolicy(max_attempts=1)
        async with gs.Client(base_url=url, api_key="another", retry=no_retry) as wrong:
            with pytest.raises(gs.APIError, match="API key not valid"):
                await wrong.generate("gemini-2.5-flash", "Hi")
        async with gs.Client(base_url=url, api_key="only-this", retry=no_retry) as client:
            with pytest.raises(gs.ServiceUnavailableError):  # --fault, once
                await client.generate("gemini-2.5-flash", "Hi")
            chunks = [c async for c in client.stream("gemini-2.5-flash", "Hi there")]
        assert len(chunks) > 20  # --chunk-tokens 2: many small chunks
    finally:
        run.terminate()
        await asyncio.wait_for(run.communicate(), 30)
