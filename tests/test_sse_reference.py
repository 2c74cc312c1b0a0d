"""A deliberately naive WHATWG event-stream reference, the chunk feeders, and checks of both.

The reference decodes the whole stream to ``str`` at once and walks it character by character,
the way the standard is written, so it shares no code or trick with ``gemini_stream.sse``.
Other SSE test modules import the helpers from here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from gemini_stream.sse import MAX_RETRY_MS, DataDecoder, ServerSentEvent, SSEDecoder

_KNOWN = ("data", "event", "id", "retry")


def _lines(text: str) -> tuple[list[str], str]:
    """Split into complete lines (CRLF, LF or CR) and the unterminated rest."""
    lines: list[str] = []
    pos = 0
    current: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == "\r" or char == "\n":
            lines.append("".join(current))
            current = []
            pos += 2 if text[pos : pos + 2] == "\r\n" else 1
        else:
            current.append(char)
            pos += 1
    return lines, "".join(current)


def reference_events(stream: bytes) -> list[ServerSentEvent]:
    """Events per the WHATWG "event stream interpretation" section, from the whole stream."""
    text = stream.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines, _unterminated = _lines(text)
    events: list[ServerSentEvent] = []
    data, event_type = "", ""
    last_id: str | None = None
    retry: int | None = None
    for line in lines:
        if line == "":
            if data == "":
                event_type = ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            events.append(ServerSentEvent(event_type or "message", data, last_id, retry))
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
        else:
            field, value = line, ""
        if field == "event":
            event_type = value
        elif field == "data":
            data += value + "\n"
        elif field == "id":
            if "\0" not in value:
                last_id = value
        elif field == "retry" and value != "" and all(c in "0123456789" for c in value):
            retry = min(int(value), MAX_RETRY_MS)  # our documented cap; the spec has none
    return events


def reference_flush(stream: bytes) -> bytes:
    """What ``DataDecoder.flush()`` must return: unknown-field lines, then the unfinished block."""
    if stream.startswith(b"\xef\xbb\xbf"):
        stream = stream[3:]
    raw_lines = stream.splitlines(keepends=True)
    # The block after the last blank line is unterminated, unless the stream ends on one.
    last_blank = -1
    for index, raw in enumerate(raw_lines):
        if raw in (b"\r", b"\n", b"\r\n"):
            last_blank = index
    junk = bytearray()
    for raw in raw_lines[: last_blank + 1]:
        content = raw.rstrip(b"\r\n")
        if not content or content.startswith(b":"):
            continue
        name = content.partition(b":")[0]
        if name.decode("utf-8", "replace") not in _KNOWN:
            junk += raw
    return bytes(junk) + b"".join(raw_lines[last_blank + 1 :])


def sse_events(chunks: Iterable[bytes], **kwargs: int) -> list[ServerSentEvent]:
    """Feed chunks to a fresh ``SSEDecoder``, then flush."""
    decoder = SSEDecoder(**kwargs)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


def data_payloads(chunks: Iterable[bytes], **kwargs: int) -> tuple[list[bytes], bytes]:
    """Feed chunks to a fresh ``DataDecoder``; payloads copied as bytes, and ``flush()``."""
    decoder = DataDecoder(**kwargs)
    payloads: list[bytes] = []
    for chunk in chunks:
        payloads += [bytes(p) for p in decoder.feed(chunk)]
    return payloads, decoder.flush()


def two_way_splits(stream: bytes) -> Iterable[list[bytes]]:
    """The stream cut in two at every byte position (both ends included)."""
    for i in range(len(stream) + 1):
        yield [stream[:i], stream[i:]]


def test_reference_follows_the_standard_examples() -> None:
    stream = (
        b": test stream\n\ndata: first event\nid: 1\n\n"
        b"data:second event\nid\n\ndata:  third event\n\n"
    )
    assert reference_events(stream) == [
        ServerSentEvent("message", "first event", "1"),
        ServerSentEvent("message", "second event", ""),
        ServerSentEvent("message", " third event", ""),
    ]


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"data: x\r\n\r\n", b""),
        (b"data: x\r\n", b"data: x\r\n"),
        (b"{\n}\n\ndata: x\n\n{\n", b"{\n}\n{\n"),
        (b"foo: 1\r: c\revent: e\rid: 2\rretry: 3\r\r", b"foo: 1\r"),
    ],
)
def test_reference_flush(stream: bytes, expected: bytes) -> None:
    assert reference_flush(stream) == expected


def test_feeders_match_the_reference_on_a_small_stream() -> None:
    stream = b"data: a\r\n\r\nevent: x\ndata: b\n\n"
    assert sse_events([stream]) == reference_events(stream)
    assert data_payloads([stream]) == ([b"a", b"b"], b"")
