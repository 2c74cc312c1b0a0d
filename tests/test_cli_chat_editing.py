"""``gemini-stream chat`` as a newcomer meets it, in a pseudo-terminal: line editing and
history, Ctrl-C at the prompt, /load and /save mistakes, a blocked prompt, an unknown model,
and thought summaries rendered as one flowing paragraph."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.test_cli_chat import Terminal


def _terminal(*options: str) -> Terminal:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["TERM"] = "xterm-256color"
    return Terminal([sys.executable, "-m", "gemini_stream", "chat", *options], env)


LEFT, UP = "\x1b[D", "\x1b[A"


def test_arrow_keys_edit_the_line_and_recall_history() -> None:
    terminal = _terminal()
    terminal.expect("you> ")
    terminal.type(f"I have two dgs{LEFT}{LEFT}o\r")  # fix the typo with the left arrow
    terminal.expect(r'last user message was "I have two dogs"')
    terminal.expect("you> ")
    terminal.type(f"{UP}\r")  # the up arrow brings the line back
    terminal.expect(
        r'I saw 2 user turns and 1 model turn\. The first user message was "I have '
        r'two dogs" and the last user message was "I have two dogs"'
    )
    terminal.type("/quit\r")
    assert terminal.wait() == 0


def test_ctrl_c_at_the_prompt_says_how_to_leave_and_the_chat_goes_on() -> None:
    terminal = _terminal()
    terminal.expect("you> ")
    terminal.type("half a line")
    # Once the line shows, readline is waiting for keys (a signal that lands before it starts
    # waiting is seen only at the next key: CPython's readline, at any prompt).
    terminal.expect("half a line")
    terminal.type("\x03")
    terminal.expect(r"to leave, type /quit or press Ctrl-D")
    terminal.expect("you> ")
    terminal.type("Still here?\r")
    terminal.expect(r'I saw 1 user turn and 0 model turns.*last user message was "Still here\?"')
    terminal.expect("you> ")
    terminal.type("\x04")
    assert terminal.wait() == 0


def test_load_and_save_mistakes_keep_the_conversation(tmp_path: Path) -> None:
    terminal = _terminal()
    terminal.expect("you> ")
    terminal.type("Remember the word lantern.\r")
    terminal.expect(r"I saw 1 user turn")
    terminal.expect("you> ")

    terminal.type("/load /no/such/chat.json\r")
    terminal.expect(r"cannot load '/no/such/chat.json': .*No such file.*the chat goes on")
    not_a_chat = tmp_path / "notes.json"
    not_a_chat.write_text('{"hello": [1, 2')
    terminal.type(f"/load {not_a_chat}\r")
    terminal.expect(r"cannot load '.*notes.json': not a saved chat")
    terminal.type(f"/save {tmp_path / 'missing-dir' / 'chat.json'}\r")
    terminal.expect(r"cannot save to '.*missing-dir/chat.json': .*No such file")
    terminal.expect("you> ")

    terminal.type("What was the word?\r")  # the first turns are still there
    terminal.expect(r'I saw 2 user turns and 1 model turn.*first user message was "Remember')
    terminal.type("/quit\r")
    assert terminal.wait() == 0


def test_a_blocked_prompt_says_it_was_blocked_and_why() -> None:
    terminal = _terminal()
    terminal.expect("you> ")
    terminal.type("Something emulator:block-prompt\r")
    terminal.expect(
        r"the prompt was blocked \(SAFETY: HARM_CATEGORY_DANGEROUS_CONTENT rated HIGH\); "
        r"the exchange was not added to the history"
    )
    terminal.type("Hello\r")
    terminal.expect(r"I saw 1 user turn and 0 model turns")
    terminal.type("/quit\r")
    assert terminal.wait() == 0


def test_an_unknown_model_is_refused_before_the_first_prompt() -> None:
    terminal = _terminal("-m", "gemini-9-imaginary")
    screen = terminal.expect(r"error: unknown model 'gemini-9-imaginary'.*")
    assert "you> " not in screen
    assert terminal.wait() == 1


@pytest.mark.parametrize("options", [["--thoughts", "-s", "Be kind."]])
def test_thoughts_flow_dimmed_and_their_markdown_is_whole(options: list[str]) -> None:
    terminal = _terminal(*options)
    terminal.expect("you> ")
    terminal.type("Why?\r")
    screen = terminal.expect(r'The system instruction was "Be kind\."')
    # "**Planning the reply*" + "*\n\nThe ..." arrive as two fragments: rendered together as
    # bold Markdown, not as literal asterisks, and the summary flows as one paragraph.
    assert "Planning the reply" in screen and "**" not in screen
    flowing = "The conversation has 1 user turn and 0 model turns; I will answer with plain text."
    assert flowing in screen
    terminal.type("/quit\r")
    assert terminal.wait() == 0
