"""The ``gemini-stream`` command: ask, chat, demo, models and emulator."""

from __future__ import annotations

from .commands import main as main

__all__ = ("main",)
