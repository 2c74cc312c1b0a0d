"""Check the built docs site: the API reference renders docstring examples as code blocks.

Usage: python .ci/check_site.py SITE_DIR (what ``mkdocs build --site-dir SITE_DIR`` wrote).
Exits 1, naming the first offending text, when a ``>>>`` example line is outside a code block
(Markdown then shows it as nested block quotes), when the page has a block quote, or when the
page has fewer example blocks than the docstrings hold (a lost section).
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

MIN_EXAMPLES = 20  # the public docstrings hold some 70 examples; a handful would mean a loss


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.code_depth = 0
        self.blockquotes = 0
        self.in_code: list[str] = []  # example lines inside <code>
        self.loose: list[str] = []  # example lines outside any <code>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self.code_depth += 1
        elif tag == "blockquote":
            self.blockquotes += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        for line in data.splitlines():
            if line.lstrip().startswith(">>>"):
                (self.in_code if self.code_depth else self.loose).append(line.strip())


def problems(html: str) -> list[str]:
    """What is wrong with the API reference page ``html`` (empty when it is right)."""
    scan = _Scan()
    scan.feed(html)
    found = [f"a '>>>' example line outside a code block: {line!r}" for line in scan.loose[:3]]
    if scan.blockquotes:
        found.append(f"{scan.blockquotes} block quotes (an example rendered as Markdown?)")
    if len(scan.in_code) < MIN_EXAMPLES:
        found.append(f"only {len(scan.in_code)} '>>>' lines in code blocks, expected more")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    page = Path(argv[0]) / "api" / "index.html"
    found = problems(page.read_text(encoding="utf-8"))
    for problem in found:
        print(f"{page}: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
