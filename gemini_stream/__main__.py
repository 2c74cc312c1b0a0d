"""``python -m gemini_stream``: the same as the ``gemini-stream`` command."""

from __future__ import annotations

from .cli.commands import main

if __name__ == "__main__":
    raise SystemExit(main())
