"""The docs build's check (``.ci/check_site.py``, run by ``.ci/run`` after ``mkdocs build
--strict``) tells a rendered API page with code-block examples from one with block quotes.

The build itself needs the ``docs`` extra, which CI installs in one of its two environments;
this test runs in both, on small pages shaped like what mkdocstrings writes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check_site() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_site", ROOT / ".ci" / "check_site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_site = _check_site()

# What mkdocstrings writes for an ``Examples:`` section (pygments' pycon lexer) ...
GOOD = (
    '<div class="highlight"><pre><span></span><code>'
    '<span class="gp">&gt;&gt;&gt; </span><span class="n">reply</span>\n'
    '<span class="gp">&gt;&gt;&gt; </span><span class="nb">print</span>(reply.text)'
    "</code></pre></div>\n"
)
# ... and for an ``Example:`` taken for an admonition: Markdown reads ">>>" as block quotes.
BAD = (
    '<div class="admonition example"><p class="admonition-title">Example</p>'
    "<blockquote><blockquote><blockquote><p>reply = await client.generate(...)</p>"
    "</blockquote></blockquote></blockquote></div>\n"
)


def test_code_block_examples_pass() -> None:
    assert check_site.problems(GOOD * 10) == []


def test_block_quoted_examples_fail() -> None:
    found = check_site.problems(GOOD * 10 + BAD)
    assert found == ["3 block quotes (an example rendered as Markdown?)"]


def test_an_example_line_outside_code_fails() -> None:
    found = check_site.problems(GOOD * 10 + "<p>&gt;&gt;&gt; chat.dumps()</p>")
    assert found == ["a '>>>' example line outside a code block: '>>> chat.dumps()'"]


def test_a_page_that_lost_its_examples_fails() -> None:
    assert check_site.problems(GOOD) == ["only 2 '>>>' lines in code blocks, expected more"]


def test_the_script_reads_the_built_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "api" / "index.html"
    page.parent.mkdir()
    page.write_text(GOOD * 10, encoding="utf-8")
    assert check_site.main([str(tmp_path)]) == 0
    page.write_text(BAD, encoding="utf-8")
    assert check_site.main([str(tmp_path)]) == 1
    assert "block quotes" in capsys.readouterr().err


def test_ci_builds_the_docs_strictly_without_quiet_and_checks_them() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    builds = [line.strip() for line in run.splitlines() if 'mkdocs" build' in line]
    assert builds == ['"$venv/bin/mkdocs" build --strict --site-dir "$site"']
    assert '"$venv/bin/python" .ci/check_site.py "$site"' in run


def test_mkdocs_uses_the_examples_extension() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/_ext/griffe_examples.py:ExampleSections" in config
