"""The ``gemini-stream`` command: ask, chat, demo, models, batch and emulator.

A user of the library like any other: it goes through the client, its chats and fan-out, and
the emulator's public names.

May import: _version, _config, _limits, _client, _errors, _chat, _fanout, _batches, types, emulator.
"""

from __future__ import annotations

from .commands import main as main

__all__ = ("main",)
