"""SSEDecoder against the WHATWG rules: the standard's examples, fields, BOM, UTF-8, framing."""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

import gemini_stream.sse as sse
from gemini_stream.sse import ServerSentEvent as Event
from gemini_stream.sse import SSEDecoder
from tests.test_sse_reference import (
    data_payloads,
    reference_events,
    reference_flush,
    sse_events,
    two_way_splits,
)

# Written with LF; every fixture is also run with CR and CRLF line endings.
FIXTURES: dict[str, tuple[bytes, list[Event]]] = {
    # The examples of the WHATWG "event stream interpretation" section.
    "spec-three-messages": (
        b"data: This is the first message.\n\n"
        b"data: This is the second message, it\n"
        b"data: has two lines.\n\n"
        b"data: This is the third message.\n\n",
        [
            Event(data="This is the first message."),
            Event(data="This is the second message, it\nhas two lines."),
            Event(data="This is the third message."),
        ],
    ),
    "spec-event-types": (
        b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
        [Event("add", "73857293"), Event("remove", "2153"), Event("add", "113411")],
    ),
    "spec-stock": (b"data: YHOO\ndata: +2\ndata: 10\n\n", [Event(data="YHOO\n+2\n10")]),
    "spec-test-stream": (
        b": test stream\n\ndata: first event\nid: 1\n\n"
        b"data:second event\nid\n\ndata:  third event\n\n",
        [
            Event(data="first event", id="1"),
            Event(data="second event", id=""),
            Event(data=" third event", id=""),
        ],
    ),
    "spec-no-colon": (b"data\n\ndata\ndata\n\ndata:", [Event(data=""), Event(data="\n")]),
    "spec-one-space": (b"data:test\n\ndata: test\n\n", [Event(data="test"), Event(data="test")]),
    # The field rules one by one.
    "retry-digits-only": (
        b"retry: 1000\ndata: a\n\nretry: 1x\ndata: b\n\nretry:\ndata: c\n\n"
        b"retry: -5\nretry: \xd9\xa3\ndata: d\n\nretry: 20\n\ndata: e\n\n",
        [
            Event(data="a", retry=1000),
            Event(data="b", retry=1000),
            Event(data="c", retry=1000),
            Event(data="d", retry=1000),
            Event(data="e", retry=20),
        ],
    ),
    "id-persists-nul-ignored": (
        b"data: a\n\nid: 1\ndata: b\n\nid: 2\x003\ndata: c\n\nid: 4\n\ndata: d\n\nid\ndata: e\n\n",
        [
            Event(data="a"),
            Event(data="b", id="1"),
            Event(data="c", id="1"),
            Event(data="d", id="4"),
            Event(data="e", id=""),
        ],
    ),
    "event-type-resets": (
        b"event: lost\n\ndata: x\n\nevent: b\ndata: y\n\ndata: z\n\nevent:\ndata: w\n\n",
        [Event(data="x"), Event("b", "y"), Event(data="z"), Event(data="w")],
    ),
    "unknown-fields-and-comments": (
        b"foo: bar\ndata: a\n: comment\nDATA: no\n:data: no\n data: no\ndata : no\n\n",
        [Event(data="a")],
    ),
    "unicode-not-line-breaks": (
        "data: Łazienki 日本 😀 a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\n\n".encode(),
        [Event(data="Łazienki 日本 😀 a\u2028b\u2029c\x85d\x0be\x0cf\x1cg")],
    ),
    "empty-data-dispatches": (b"data:\n\ndata\n\n\n\n", [Event(data=""), Event(data="")]),
    "unterminated-dropped": (b"data: a\n\nid: 9\ndata: b\n", [Event(data="a")]),
    "colon-in-value": (b"data: a: b:c\n\n", [Event(data="a: b:c")]),
}


def _variants(stream: bytes) -> list[tuple[str, bytes]]:
    return [
        ("LF", stream),
        ("CR", stream.replace(b"\n", b"\r")),
        ("CRLF", stream.replace(b"\n", b"\r\n")),
    ]


CASES = [
    pytest.param(stream, expected, id=f"{name}-{ending}")
    for name, (lf_stream, expected) in FIXTURES.items()
    for ending, stream in _variants(lf_stream)
]


@pytest.mark.parametrize(("stream", "expected"), CASES)
def test_every_two_way_split(stream: bytes, expected: list[Event]) -> None:
    assert reference_events(stream) == expected  # the fixture itself is right
    for chunks in two_way_splits(stream):
        assert sse_events(chunks) == expected, chunks


@pytest.mark.parametrize(("stream", "expected"), CASES)
def test_every_two_way_split_fast_path(stream: bytes, expected: list[Event]) -> None:
    payloads = [event.data.encode() for event in expected]
    rest = reference_flush(stream)
    for chunks in two_way_splits(stream):
        assert data_payloads(chunks) == (payloads, rest), chunks


@pytest.mark.parametrize(("stream", "expected"), CASES)
def test_one_byte_chunks(stream: bytes, expected: list[Event]) -> None:
    chunks = [stream[i : i + 1] for i in range(len(stream))]
    assert sse_events(chunks) == expected
    assert data_payloads(chunks)[0] == [event.data.encode() for event in expected]


def test_cr_at_chunk_end_and_lf_at_next_start_are_one_line_ending() -> None:
    chunks = [b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]
    assert sse_events(chunks) == [Event(data="a\nb")]
    assert data_payloads(chunks) == ([b"a\nb"], b"")


def test_cr_ending_a_blank_line_dispatches_at_once() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r\r") == [Event(data="a")]
    assert decoder.feed(b"\ndata: b\r\n\r\n") == [Event(data="b")]


def test_events_returned_never_change() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\ndata: a\n\ndata: b")
    snapshot = list(events)
    decoder.feed(b"c\nid: 2\nevent: x\n\n")
    assert events == snapshot == [Event(data="a", id="1")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        events[0].data = "changed"  # type: ignore[misc]
    assert not hasattr(events[0], "__dict__")


def test_last_event_id_and_retry_properties() -> None:
    decoder = SSEDecoder()
    assert (decoder.last_event_id, decoder.retry) == (None, None)
    decoder.feed(b"id: 7\nretry: 300\ndata: x\n\n")
    assert (decoder.last_event_id, decoder.retry) == ("7", 300)


# --- BOM and UTF-8 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"\xef\xbb\xbfdata: a\n\n", [Event(data="a")]),
        (b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n", [Event(data="b")]),
        (b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: c\n\n", [Event(data="a"), Event(data="c")]),
        (b"data: \xef\xbb\xbfa\n\n", [Event(data="\ufeffa")]),
        (b"\xef\xbbdata: a\n\ndata: b\n\n", [Event(data="b")]),
        (b"\xef\xbb", []),
    ],
    ids=["stripped", "only-one", "only-at-start", "inside-a-value", "partial-bom", "bom-prefix"],
)
def test_bom(stream: bytes, expected: list[Event]) -> None:
    for chunks in [[stream], [stream[i : i + 1] for i in range(len(stream))]]:
        assert sse_events(chunks) == expected
        assert data_payloads(chunks)[0] == [event.data.encode() for event in expected]


def test_bom_is_skipped_again_after_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef\xbb\xbfdata: a\n\n") == [Event(data="a")]
    assert decoder.flush() == []
    assert decoder.feed(b"\xef\xbb\xbfdata: b\n\n") == [Event(data="b")]


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"data: \xff\xfe ok\n\n", Event(data="\ufffd\ufffd ok")),
        (b"data: \xe2\x82\ndata: \xe2\x82\xac\n\n", Event(data="\ufffd\n€")),
        (
            b"event: \xc3\nid: \xf0\x9f\ndata: \xed\xa0\x80\n\n",
            Event("\ufffd", "\ufffd" * 3, "\ufffd"),
        ),
    ],
)
def test_invalid_utf8_becomes_replacement_characters(stream: bytes, expected: Event) -> None:
    assert reference_events(stream) == [expected]
    for chunks in two_way_splits(stream):
        assert sse_events(chunks) == [expected]


def test_multibyte_character_split_across_chunks() -> None:
    stream = "data: é日😀\n\n".encode()
    for cut in range(6, 16):
        assert sse_events([stream[:cut], stream[cut:]]) == [Event(data="é日😀")]


# --- size cap ----------------------------------------------------------------------------------


def test_five_mib_event_in_small_chunks() -> None:
    text = ("Łazienki \\u003c日本\\n😀 " * 300_000).encode()[: 5 * 1024 * 1024]
    text = text.decode("utf-8", "ignore").encode()
    stream = b'data: {"text": "' + text + b'"}\r\n\r\ndata: {}\r\n\r\n'
    chunks = [stream[i : i + 4096] for i in range(0, len(stream), 4096)]
    events = sse_events(chunks)
    assert [len(e.data) for e in events] == [len(text.decode()) + 12, 2]
    assert events[0].data.encode() == b'{"text": "' + text + b'"}'
    assert data_payloads(chunks) == ([b'{"text": "' + text + b'"}', b"{}"], b"")


def test_long_line_under_the_cap_one_byte_at_a_time() -> None:
    # Quadratic rescanning would make this take minutes.
    stream = b"data: " + b"x" * 200_000 + b"\r\n\r\n"
    chunks = [stream[i : i + 1] for i in range(len(stream))]
    assert sse_events(chunks, max_event_bytes=200_008) == [Event(data="x" * 200_000)]
    assert data_payloads(chunks, max_event_bytes=200_008) == ([b"x" * 200_000], b"")


@pytest.mark.parametrize("decoder_type", [sse.SSEDecoder, sse.DataDecoder])
@pytest.mark.parametrize("chunk_size", [*range(1, 12), 997, 1003, 10_000])
def test_event_over_the_cap_raises(decoder_type: type[sse.SSEDecoder], chunk_size: int) -> None:
    # An event's size is its lines with their endings: "data: " + 992 + "\r\n" = 1000.
    fits = b"data: " + b"a" * 992 + b"\r\n\r\n"
    over = b"data: " + b"a" * 993 + b"\r\n\r\n"
    for stream, ok in [(fits * 3, True), (fits + over, False)]:
        decoder = decoder_type(max_event_bytes=1000)
        chunks = [stream[i : i + chunk_size] for i in range(0, len(stream), chunk_size)]
        if ok:
            assert sum(len(decoder.feed(chunk)) for chunk in chunks) == 3
            continue
        with pytest.raises(sse.EventTooLargeError) as info:
            sum(len(decoder.feed(chunk)) for chunk in chunks)
        assert info.value.limit == 1000
        assert info.value.size > 1000
        assert "max_event_bytes=1000" in str(info.value)
        assert f"{info.value.size} bytes" in str(info.value)
        assert isinstance(info.value, ValueError)


def test_unterminated_event_over_the_cap_raises_before_it_ends() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    decoder.feed(b"data: " + b"a" * 90)
    with pytest.raises(sse.EventTooLargeError, match="unterminated SSE event reached 106 bytes"):
        decoder.feed(b"b" * 10)


def test_blank_lines_and_comments_count_per_event() -> None:
    # Many small events in one chunk far larger than the cap are fine.
    stream = b": keep-alive\n" + b"data: 0123456789\n\n" * 1000
    assert len(sse_events([stream], max_event_bytes=40)) == 1000
    assert len(data_payloads([stream], max_event_bytes=40)[0]) == 1000


@pytest.mark.parametrize("value", [0, -1])
def test_max_event_bytes_must_be_positive(value: int) -> None:
    with pytest.raises(ValueError, match=f"max_event_bytes must be >= 1, got {value}"):
        SSEDecoder(max_event_bytes=value)


def test_default_cap_fits_a_multi_megabyte_image() -> None:
    assert sse.DEFAULT_MAX_EVENT_BYTES >= 32 * 1024 * 1024


# --- module hygiene ----------------------------------------------------------------------------


def test_sse_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(sse.__file__).read_text(encoding="utf-8"))
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in sse.py"
            modules.append(node.module or "")
        elif isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
    assert modules
    for module in modules:
        top = module.split(".")[0]
        assert top != "gemini_stream", module
        assert top == "__future__" or top in sys.stdlib_module_names, module


def test_public_names() -> None:
    assert set(sse.__all__) == {
        "DEFAULT_MAX_EVENT_BYTES",
        "DataDecoder",
        "EventIterator",
        "EventTooLargeError",
        "MAX_RETRY_MS",
        "SSEDecoder",
        "ServerSentEvent",
        "aiter_events",
    }
    assert Event() == Event("message", "", None, None)
