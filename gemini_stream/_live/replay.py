"""What a live session must send again after a reconnection: the client frames the server
has not confirmed (``ReplayLog``), bounded in bytes."""

from __future__ import annotations

from collections import deque

__all__ = ("DEFAULT_MAX_REPLAY_BYTES", "Entry", "ReplayLog")

DEFAULT_MAX_REPLAY_BYTES = 8 * 1024 * 1024
"""About four minutes of 16 kHz microphone audio (base64) since the last resumption point."""


class Entry:
    """One client frame: the connection it was last sent on, and its index there."""

    __slots__ = ("conn", "frame", "index")

    def __init__(self, frame: bytes) -> None:
        self.frame = frame
        self.conn = -1  # not sent yet
        self.index = -1


class ReplayLog:
    """The frames sent since the last resumption handle, oldest first.

    A handle covers the frames the server had consumed when it made it; those leave the log
    (``covered``). Past ``max_bytes`` the oldest frames are dropped and ``lost`` is true
    until a handle covers the dropped ones: resuming then would lose input.
    """

    __slots__ = ("_lost_at", "entries", "max_bytes", "size")

    def __init__(self, max_bytes: int = DEFAULT_MAX_REPLAY_BYTES) -> None:
        self.entries: deque[Entry] = deque()
        self.size = 0
        self.max_bytes = max_bytes
        self._lost_at: Entry | None = None

    @property
    def lost(self) -> bool:
        """Whether frames a resumption would need were dropped for space."""
        return self._lost_at is not None

    def add(self, frame: bytes) -> Entry:
        entry = Entry(frame)
        self.entries.append(entry)
        self.size += len(frame)
        while self.size > self.max_bytes and len(self.entries) > 1:
            dropped = self.entries.popleft()
            self.size -= len(dropped.frame)
            self._lost_at = dropped
        return entry

    def covered(self, conn: int, index: int | None) -> None:
        """Drop the frames a new handle covers: those of connection ``conn`` up to
        ``index`` (``None``: every frame already sent on it)."""
        entries = self.entries
        while entries:
            entry = entries[0]
            if entry.conn != conn or (index is not None and entry.index > index):
                break
            entries.popleft()
            self.size -= len(entry.frame)
        lost = self._lost_at
        if lost is not None and lost.conn == conn and (index is None or lost.index <= index):
            self._lost_at = None
