"""Property tests: any chunking of any stream decodes like the whole stream and the reference."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_sse_reference import (
    data_payloads,
    reference_events,
    reference_flush,
    sse_events,
)

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NAMES = st.sampled_from(
    [b"data", b"data", b"data", b"event", b"id", b"retry", b"", b"foo", b"dat", b"Data", b"{"]
)
_VALUE_ATOMS = st.sampled_from(
    [b"a", b" ", b":", b"1", b"42", b"\x00", b"\xc3\xa9", b"\xe2\x80\xa8", b"\xc2\x85", b"{}"]
)
_RAW_ATOMS = st.sampled_from([b"\xff", b"\xe2\x82", b"\xef\xbb\xbf", b"\r", b"\n", b"\r\n"])
_ENDINGS = st.sampled_from([b"\n", b"\r", b"\r\n"])


@st.composite
def _line(draw: st.DrawFn, *, raw: bool) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return b""  # a blank line inside a block
    if kind == 1:
        return b":" + draw(st.binary(max_size=4) if raw else st.just(b" comment"))
    atoms = st.one_of(_VALUE_ATOMS, _RAW_ATOMS) if raw else _VALUE_ATOMS
    value = b"".join(draw(st.lists(atoms, max_size=5)))
    if kind < 6:
        return b"data: " + value  # the shape the fast path is built for
    name = draw(_NAMES)
    separator = draw(st.sampled_from([b":", b": ", b":  ", b""]))
    return name + separator + value


@st.composite
def _stream(draw: st.DrawFn, *, raw: bool) -> bytes:
    """Blocks of lines each closed by a blank line; one line-ending style, with exceptions."""
    bom = draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf"]))
    style = draw(_ENDINGS)

    def ending() -> bytes:
        return style if draw(st.integers(0, 4)) else draw(_ENDINGS)

    out = [bom]
    for block in draw(st.lists(st.lists(_line(raw=raw), max_size=4), max_size=6)):
        out += [line + ending() for line in block]
        out.append(ending())
    out.append(draw(st.sampled_from([b"", b"", b"data: unterminated", b"\r", b"{\n}"])))
    return b"".join(out)


@st.composite
def _gemini_like(draw: st.DrawFn, *, raw: bool) -> bytes:
    """Mostly ``data: X\\r\\n\\r\\n``, with the odd other ending, line or multi-line event."""
    atoms = st.one_of(_VALUE_ATOMS, _RAW_ATOMS) if raw else _VALUE_ATOMS
    endings = st.sampled_from([b"\r\n"] * 8 + [b"\n", b"\r"])
    out = []
    for _ in range(draw(st.integers(0, 6))):
        for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
            value = b"".join(draw(st.lists(atoms, max_size=4)))
            out.append(draw(st.sampled_from([b"data: "] * 6 + [b"data:", b": c", b"x: "])))
            out += [value, draw(endings)]
        out.append(draw(endings))
    return b"".join(out)


@st.composite
def _chunked(draw: st.DrawFn, *, raw: bool) -> tuple[bytes, list[bytes]]:
    stream = draw(st.one_of(_stream(raw=raw), _gemini_like(raw=raw)))
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    bounds = [0, *cuts, len(stream)]
    return stream, [stream[a:b] for a, b in itertools.pairwise(bounds)]


@_SETTINGS
@given(_chunked(raw=True))
def test_spec_path_any_chunking_equals_reference(case: tuple[bytes, list[bytes]]) -> None:
    stream, chunks = case
    expected = reference_events(stream)
    assert sse_events([stream]) == expected
    assert sse_events(chunks) == expected


@_SETTINGS
@given(_chunked(raw=True))
def test_fast_path_any_chunking_equals_one_chunk(case: tuple[bytes, list[bytes]]) -> None:
    stream, chunks = case
    whole = data_payloads([stream])
    assert data_payloads(chunks) == whole
    assert whole[1] == reference_flush(stream)


@_SETTINGS
@given(_chunked(raw=False))
def test_fast_path_payloads_equal_spec_data(case: tuple[bytes, list[bytes]]) -> None:
    stream, chunks = case
    expected = [event.data.encode() for event in reference_events(stream)]
    payloads, rest = data_payloads(chunks)
    assert payloads == expected
    assert rest == reference_flush(stream)


@_SETTINGS
@given(st.binary(max_size=64), st.lists(st.integers(0, 64), max_size=6))
def test_arbitrary_bytes_any_chunking(stream: bytes, cuts: list[int]) -> None:
    bounds = [0, *sorted(min(c, len(stream)) for c in cuts), len(stream)]
    chunks = [stream[a:b] for a, b in itertools.pairwise(bounds)]
    assert sse_events(chunks) == reference_events(stream)
    assert data_payloads(chunks) == data_payloads([stream])
