"""The ``gemini-stream`` command: ask, chat, demo, models and emulator.

A user of the library like any other: it goes through the client, its chats and fan-out, and
the emulator's public names.

May import: _client, _errors, _chat, _fanout, _batches, types, emulator (its public names).
"""

from __future__ import annotations

from .commands import main as main

__all__ = ("main",)
