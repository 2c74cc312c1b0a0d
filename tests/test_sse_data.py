"""DataDecoder, the data-only fast path: Gemini's wire shapes, non-SSE text, ``flush()``."""

from __future__ import annotations

import msgspec
import pytest

from gemini_stream.sse import DataDecoder, EventTooLargeError
from tests.test_sse_reference import data_payloads, reference_events, two_way_splits

# Wire-format section 8.4 A: plain text, CRLF framing, Google's ": " JSON style.
GEMINI_A = (
    b'data: {"candidates": [{"content": {"parts": [{"text": '
    b'"Warsaw is the capital of Poland. It lies on"}],'
    b'"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 12,'
    b'"candidatesTokenCount": 10,"totalTokenCount": 52,'
    b'"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],"thoughtsTokenCount": 30},'
    b'"modelVersion": "gemini-2.5-flash","responseId": "4SawaZC7Oojp7M8P7KjSyAc"}\r\n\r\n'
    b'data: {"candidates": [{"content": {"parts": [{"text": '
    b'" the Vistula river. \xc5\x81azienki \\u003cb\\u003e"}],'
    b'"role": "model"},"finishReason": "STOP","index": 0}],'
    b'"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 15,'
    b'"totalTokenCount": 57,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],'
    b'"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-flash",'
    b'"responseId": "4SawaZC7Oojp7M8P7KjSyAc"}\r\n\r\n'
)
# 8.4 B: parallel function calls with a thought signature, then an empty closing part.
GEMINI_B = (
    b'data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "sum",'
    b'"args": {"b": 3,"a": 2},"id": "3ae8iwca"},'
    b'"thoughtSignature": "EukBCuYBAb4+9vt/vx==dk="}],"role": "model"},"index": 0}],'
    b'"usageMetadata": {"promptTokenCount": 161,"candidatesTokenCount": 16,'
    b'"totalTokenCount": 222,"thoughtsTokenCount": 45},'
    b'"modelVersion": "gemini-3-flash-preview","responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}\r\n\r\n'
    b'data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "sum",'
    b'"args": {"a": 4,"b": 5},"id": "up3kf30e"}}],"role": "model"},"index": 0}],'
    b'"usageMetadata": {"promptTokenCount": 161,"candidatesTokenCount": 32,'
    b'"totalTokenCount": 238},"modelVersion": "gemini-3-flash-preview",'
    b'"responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}\r\n\r\n'
    b'data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},'
    b'"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 161,'
    b'"candidatesTokenCount": 32,"totalTokenCount": 238},'
    b'"modelVersion": "gemini-3-flash-preview","responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}\r\n\r\n'
)
# 8.4 C: an error after partial output, written raw (no "data:") after the HTTP 200.
GEMINI_C_EVENT = (
    b'data: {"candidates": [{"content": {"parts": [{"text": "Okay"}],"role": "model"}}]'
    b',"usageMetadata": {"promptTokenCount": 3},"modelVersion": "gemini-2.0-flash"}\r\n\r\n'
)
GEMINI_C_ERROR = (
    b"{\n"
    b'  "error": {\n'
    b'    "code": 503,\n'
    b'    "message": "The model is overloaded. Please try again later.",\n'
    b'    "status": "UNAVAILABLE"\n'
    b"  }\n"
    b"}\n"
)


def _json_payloads(stream: bytes) -> list[bytes]:
    return [part[6:] for part in stream.split(b"\r\n\r\n") if part]


@pytest.mark.parametrize("stream", [GEMINI_A, GEMINI_B], ids=["A-text", "B-function-calls"])
def test_gemini_stream_every_split(stream: bytes) -> None:
    expected = _json_payloads(stream)
    assert [e.data.encode() for e in reference_events(stream)] == expected
    for chunks in two_way_splits(stream):
        assert data_payloads(chunks) == (expected, b""), chunks


def test_payloads_decode_with_msgspec_without_copying() -> None:
    decoder = DataDecoder()
    payloads = decoder.feed(GEMINI_A)
    decoded = [msgspec.json.decode(p) for p in payloads]
    assert decoded[1]["candidates"][0]["content"]["parts"][0]["text"].endswith("Łazienki <b>")
    assert decoded[1]["candidates"][0]["finishReason"] == "STOP"


@pytest.mark.parametrize("tail", [b"", b"\n", b"\r\n\r\n"], ids=["closes", "newline", "blank-line"])
def test_raw_error_after_200_is_returned_by_flush(tail: bytes) -> None:
    error = GEMINI_C_ERROR + tail
    stream = GEMINI_C_EVENT + error
    for chunks in two_way_splits(stream):
        payloads, rest = data_payloads(chunks)
        assert payloads == _json_payloads(GEMINI_C_EVENT)
        assert msgspec.json.decode(rest)["error"]["code"] == 503
        assert rest.rstrip() == GEMINI_C_ERROR.rstrip()


def test_raw_error_with_crlf_lines_keeps_its_bytes() -> None:
    error = GEMINI_C_ERROR.replace(b"\n", b"\r\n")
    assert data_payloads([GEMINI_C_EVENT, error]) == (_json_payloads(GEMINI_C_EVENT), error)


def test_flush_is_empty_on_a_clean_end_and_resets() -> None:
    decoder = DataDecoder()
    decoder.feed(GEMINI_A)
    assert decoder.flush() == b""
    assert decoder.feed(b"data: 1\r\n") == []
    assert decoder.flush() == b"data: 1\r\n"
    assert decoder.flush() == b""
    assert decoder.feed(b"\xef\xbb\xbfdata: 2\r\n\r\n") == [b"2"]


def test_spec_shapes_give_the_same_data() -> None:
    stream = (
        b"data:no-space\n\n"
        b"data: two\r\ndata: lines\r\n\r\n"
        b": comment\rid: 1\revent: update\rretry: 10\rdata:  spaced\r\r"
        b"data\n\n"
        b'data: {"a":\ndata: 1}\n\n'
    )
    expected = [b"no-space", b"two\nlines", b" spaced", b"", b'{"a":\n1}']
    assert [e.data.encode() for e in reference_events(stream)] == expected
    for chunks in two_way_splits(stream):
        assert data_payloads(chunks) == (expected, b""), chunks


def test_unknown_fields_are_kept_in_order_then_the_unfinished_block() -> None:
    stream = b"foo: 1\r\ndata: a\r\n\r\n: skipped\r\nbar\r\nid: 3\r\n\r\n[1,\r\n2]\r\ndata: b\r\n"
    for chunks in two_way_splits(stream):
        assert data_payloads(chunks) == ([b"a"], b"foo: 1\r\nbar\r\n[1,\r\n2]\r\ndata: b\r\n")


def test_invalid_utf8_passes_through_undecoded() -> None:
    assert data_payloads([b"data: \xff\xe2\x82\r\n\r\n"]) == ([b"\xff\xe2\x82"], b"")


def test_kept_text_is_bounded() -> None:
    decoder = DataDecoder(max_event_bytes=100)
    decoder.feed(b"x" * 60 + b"\n\n")
    with pytest.raises(EventTooLargeError, match="non-SSE text kept for flush"):
        decoder.feed(b"y" * 60 + b"\n\n")


def test_unterminated_raw_text_is_bounded() -> None:
    decoder = DataDecoder(max_event_bytes=100)
    assert decoder.feed(b"data: {}\r\n\r\n") == [b"{}"]
    with pytest.raises(EventTooLargeError, match="reached 101 bytes, over max_event_bytes=100"):
        decoder.feed(b"{\n" + b" " * 99)
