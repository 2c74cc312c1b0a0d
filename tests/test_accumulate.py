"""The chunk fold: text runs, thoughts, signed parts, function calls, several candidates,
latest-wins metadata, purity, and the cost bound on long replies."""

from __future__ import annotations

import math
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from gemini_stream._http.codec import decode_chunk
from gemini_stream._stream.accumulate import _SMALL_RUN, accumulate, consolidate
from gemini_stream.types import (
    Candidate,
    CitationMetadata,
    CitationSource,
    Content,
    FunctionCall,
    GenerateContentResponse,
    GroundingMetadata,
    LogprobsCandidate,
    LogprobsResult,
    Part,
    PromptFeedback,
    SafetyRating,
    UsageMetadata,
)
from tests.test_codec import D_PROMPT_BLOCKED, SIGNATURE, STREAM_A, STREAM_B


def _chunk(
    *parts: Part,
    index: int | None = 0,
    finish: str | None = None,
    usage: int | None = None,
    **candidate: Any,
) -> GenerateContentResponse:
    content = Content(role="model", parts=list(parts)) if parts else None
    return GenerateContentResponse(
        candidates=[Candidate(content=content, index=index, finish_reason=finish, **candidate)],
        usage_metadata=None if usage is None else UsageMetadata(total_token_count=usage),
        model_version="gemini-test",
        response_id="r1",
    )


def _fold(chunks: list[GenerateContentResponse]) -> GenerateContentResponse:
    snapshot: GenerateContentResponse | None = None
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)
    assert snapshot is not None
    return snapshot


def _parts(response: GenerateContentResponse, index: int = 0) -> list[Part]:
    assert response.candidates is not None
    content = response.candidates[index].content
    assert content is not None
    return content.parts


def test_stream_a() -> None:
    final = _fold([decode_chunk(p) for p in STREAM_A])
    assert _parts(final) == [
        Part(text="Warsaw is the capital of Poland. It lies on the Vistula river.")
    ]
    assert final.finish_reason == "STOP"
    assert final.usage is not None
    assert (final.usage.candidates_token_count, final.usage.total_token_count) == (15, 57)
    assert final.response_id == "4SawaZC7Oojp7M8P7KjSyAc"
    assert final.model_version == "gemini-2.5-flash"
    assert final.candidates is not None
    assert final.candidates[0].content is not None
    assert final.candidates[0].content.role == "model"


def test_stream_b_keeps_calls_and_signature_and_drops_the_empty_text() -> None:
    chunks = [decode_chunk(p) for p in STREAM_B]
    final = _fold(chunks)
    first, second = _parts(final)
    assert first.thought_signature == SIGNATURE
    assert first.function_call == FunctionCall(id="3ae8iwca", name="sum", args={"b": 3, "a": 2})
    assert second.thought_signature is None
    assert second.function_call == FunctionCall(id="up3kf30e", name="sum", args={"a": 4, "b": 5})
    assert [c.id for c in final.function_calls] == ["3ae8iwca", "up3kf30e"]
    assert final.usage is not None
    assert final.usage.total_token_count == 238
    assert final.finish_reason == "STOP"


def test_thoughts_then_signed_text_then_function_call() -> None:
    final = _fold(
        [
            _chunk(Part(text="**Plan**\n\n", thought=True)),
            _chunk(Part(text="I will", thought=True)),
            _chunk(Part(text=" call f.", thought=True)),
            _chunk(Part(text="Sure", thought_signature=b"s1")),
            _chunk(Part(text=", calling")),
            _chunk(Part(text=" f.")),
            _chunk(Part(function_call=FunctionCall(name="f", args={}))),
            _chunk(Part(text="")),
            _chunk(Part(text="", thought_signature=b"s2"), finish="STOP"),
        ]
    )
    assert _parts(final) == [
        Part(text="**Plan**\n\nI will call f.", thought=True),
        Part(text="Sure", thought_signature=b"s1"),
        Part(text=", calling f."),
        Part(function_call=FunctionCall(name="f", args={})),
        Part(text="", thought_signature=b"s2"),
    ]
    assert final.text == "Sure, calling f."
    assert final.thoughts == "**Plan**\n\nI will call f."


def test_signed_part_does_not_absorb_or_join_neighbours() -> None:
    final = _fold(
        [
            _chunk(Part(text="before ")),
            _chunk(Part(text="signed", thought_signature=b"sig")),
            _chunk(Part(text=" after"), finish="STOP"),
        ]
    )
    assert _parts(final) == [
        Part(text="before "),
        Part(text="signed", thought_signature=b"sig"),
        Part(text=" after"),
    ]


def test_thought_and_answer_runs_stay_apart() -> None:
    final = _fold(
        [
            _chunk(Part(text="a", thought=True), Part(text="b", thought=True)),
            _chunk(Part(text="c"), Part(text="d", thought=False)),
            _chunk(Part(text="e", thought=True), finish="STOP"),
        ]
    )
    assert _parts(final) == [
        Part(text="ab", thought=True),
        Part(text="cd"),
        Part(text="e", thought=True),
    ]


def test_parts_with_other_data_are_kept_as_they_came() -> None:
    image = Part.from_bytes(b"\x89PNG", "image/png")
    meta = Part(text="x", part_metadata={"k": 1})
    final = _fold([_chunk(Part(text="a")), _chunk(image, meta), _chunk(Part(text="b"))])
    assert _parts(final) == [Part(text="a"), image, meta, Part(text="b")]


def test_an_only_empty_part_is_kept() -> None:
    final = _fold([_chunk(Part(text=""), finish="STOP")])
    assert _parts(final) == [Part(text="")]
    final = _fold([_chunk(Part(text="")), _chunk(Part(text="hi"), finish="STOP")])
    assert _parts(final) == [Part(text="hi")]


def test_candidates_with_several_indexes_stay_separate() -> None:
    final = _fold(
        [
            GenerateContentResponse(
                candidates=[
                    Candidate(content=Content.model("A1"), index=0),
                    Candidate(content=Content.model("B1"), index=1),
                ]
            ),
            _chunk(Part(text="B2"), index=1),
            _chunk(Part(text="A2"), index=0, finish="STOP"),
            _chunk(Part(text="C1"), index=2),
            _chunk(Part(text="B3"), index=1, finish="MAX_TOKENS"),
        ]
    )
    assert final.candidates is not None
    assert [c.index for c in final.candidates] == [0, 1, 2]
    assert [c.content.text for c in final.candidates if c.content] == ["A1A2", "B1B2B3", "C1"]
    assert [c.finish_reason for c in final.candidates] == ["STOP", "MAX_TOKENS", None]
    assert final.text == "A1A2"


def test_missing_index_means_zero() -> None:
    final = _fold([_chunk(Part(text="a"), index=None), _chunk(Part(text="b"), index=0)])
    assert final.candidates is not None
    assert len(final.candidates) == 1
    assert final.text == "ab"


def test_latest_metadata_wins_and_usage_is_never_summed() -> None:
    rating = [SafetyRating(category="HARM_CATEGORY_HARASSMENT", probability="LOW")]
    grounding = GroundingMetadata(web_search_queries=["q"])
    final = _fold(
        [
            _chunk(Part(text="a"), usage=10),
            _chunk(Part(text="b"), usage=20, safety_ratings=rating),
            _chunk(
                Part(text="c"),
                usage=30,
                finish="STOP",
                finish_message="done",
                grounding_metadata=grounding,
                token_count=3,
                avg_logprobs=-0.5,
            ),
        ]
    )
    assert final.usage == UsageMetadata(total_token_count=30)
    assert final.candidates is not None
    candidate = final.candidates[0]
    assert candidate.safety_ratings == rating
    assert candidate.grounding_metadata == grounding
    assert (candidate.finish_reason, candidate.finish_message) == ("STOP", "done")
    assert (candidate.token_count, candidate.avg_logprobs) == (3, -0.5)
    assert final.text == "abc"


def test_content_less_final_chunk_keeps_the_text() -> None:
    final = _fold(
        [_chunk(Part(text="partial ")), _chunk(Part(text="text")), _chunk(finish="SAFETY")]
    )
    assert _parts(final) == [Part(text="partial text")]
    assert final.finish_reason == "SAFETY"
    assert final.blocked


def test_prompt_feedback_is_kept() -> None:
    final = _fold([decode_chunk(D_PROMPT_BLOCKED)])
    assert final.prompt_feedback == PromptFeedback(block_reason="PROHIBITED_CONTENT")
    assert final.blocked
    assert final.candidates is None
    later = accumulate(final, GenerateContentResponse(usage_metadata=UsageMetadata()))
    assert later.prompt_feedback == final.prompt_feedback


def test_citations_and_logprobs_are_appended() -> None:
    s1, s2 = CitationSource(uri="https://a", start_index=0), CitationSource(uri="https://b")
    lp1, lp2 = LogprobsCandidate(token="a"), LogprobsCandidate(token="b")
    final = _fold(
        [
            _chunk(
                Part(text="a"),
                citation_metadata=CitationMetadata(citation_sources=[s1]),
                logprobs_result=LogprobsResult(chosen_candidates=[lp1], log_probability_sum=-1.0),
            ),
            _chunk(
                Part(text="b"),
                citation_metadata=CitationMetadata(citation_sources=[s1, s2]),
                logprobs_result=LogprobsResult(chosen_candidates=[lp2], log_probability_sum=-2.0),
            ),
        ]
    )
    assert final.candidates is not None
    candidate = final.candidates[0]
    assert candidate.citation_metadata == CitationMetadata(citation_sources=[s1, s2])
    assert candidate.logprobs_result == LogprobsResult(
        chosen_candidates=[lp1, lp2], log_probability_sum=-3.0
    )


def test_accumulate_is_pure() -> None:
    chunks = [decode_chunk(p) for p in STREAM_A] + [_chunk(Part(text="x"), index=1)]
    before = [msgspec.json.encode(c) for c in chunks]
    snapshots = []
    snapshot = None
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)
        snapshots.append((snapshot, msgspec.json.encode(snapshot)))
    assert [msgspec.json.encode(c) for c in chunks] == before
    for snapshot, encoded in snapshots:
        assert msgspec.json.encode(snapshot) == encoded


def test_long_reply_stays_in_few_parts_and_is_joined_at_the_end() -> None:
    pieces = [f"piece {i:05d} " + "y" * (i % 300) for i in range(2000)]
    snapshot: GenerateContentResponse | None = None
    expected = ""
    max_parts = 0
    for i, piece in enumerate(pieces):
        snapshot = accumulate(snapshot, _chunk(Part(text=piece)))
        expected += piece
        if i % 97 == 0:
            assert snapshot.text == expected
        parts = _parts(snapshot)
        max_parts = max(max_parts, len(parts))
        # Every part but the last run piece is longer than the small-run limit.
        assert all(len(p.text or "") > _SMALL_RUN for p in parts[:-1])
    assert max_parts <= 2 * math.log2(len(expected) / _SMALL_RUN) + 2
    assert snapshot is not None
    final = accumulate(snapshot, _chunk(finish="STOP"))
    assert _parts(final) == [Part(text=expected)]
    assert _parts(consolidate(snapshot)) == [Part(text=expected)]


def test_short_replies_are_one_part_at_every_step() -> None:
    snapshot: GenerateContentResponse | None = None
    for i in range(100):
        snapshot = accumulate(snapshot, _chunk(Part(text=f"{i},")))
        assert len(_parts(snapshot)) == 1


def test_consolidate_returns_the_same_object_when_nothing_to_join() -> None:
    response = _chunk(Part(text="a"), Part(function_call=FunctionCall(name="f")))
    assert consolidate(response) is response
    assert consolidate(GenerateContentResponse()) == GenerateContentResponse()
    split = _chunk(Part(text="a"), Part(text="b"))
    assert _parts(consolidate(split)) == [Part(text="ab")]


# -- property: the fold agrees with a simple reference merge --------------------------------

_PARTS = st.one_of(
    st.builds(Part, text=st.text(max_size=5)),
    st.builds(Part, text=st.text(max_size=5), thought=st.just(True)),
    st.builds(Part, text=st.text(max_size=3), thought_signature=st.binary(min_size=1, max_size=3)),
    st.builds(Part, function_call=st.builds(FunctionCall, name=st.sampled_from(["f", "g"]))),
)


def _reference(parts: list[Part]) -> list[Part]:
    """Concatenate adjacent plain parts of one kind; drop empty plain parts after the first."""
    out: list[Part] = []
    for part in parts:
        plain = part.text is not None and part.thought_signature is None
        if plain and out and not part.text:
            continue
        last = out[-1] if out else None
        if (
            plain
            and last is not None
            and last.text is not None
            and last.thought_signature is None
            and bool(last.thought) == bool(part.thought)
        ):
            out[-1] = Part(text=last.text + (part.text or ""), thought=last.thought)
        else:
            out.append(part)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PARTS, min_size=1, max_size=3), min_size=1, max_size=12))
def test_fold_matches_the_reference(chunk_parts: list[list[Part]]) -> None:
    chunks = [_chunk(*parts) for parts in chunk_parts]
    chunks[-1] = _chunk(*chunk_parts[-1], finish="STOP")
    flat = [p for parts in chunk_parts for p in parts]
    expected = _reference(flat)
    snapshot: GenerateContentResponse | None = None
    for chunk in chunks:
        snapshot = accumulate(snapshot, chunk)
    assert snapshot is not None
    merged = _parts(snapshot)
    assert [(p.text, bool(p.thought), p.thought_signature, p.function_call) for p in merged] == [
        (p.text, bool(p.thought), p.thought_signature, p.function_call) for p in expected
    ]
    assert snapshot.text == "".join(p.text or "" for p in flat if not p.thought)
