"""The Interactions API's wire types, the decoding of its event streams and the fold of
events into an ``Interaction``, checked against the reference transcripts E1-E5."""

# ruff: noqa: E501 - wire payloads keep their lines whole

from __future__ import annotations

import msgspec
import pytest

import gemini_stream as gs
import gemini_stream.interactions as gsi
from gemini_stream import sse
from gemini_stream._http.failures import error_from_body, status_error
from gemini_stream._interactions.events import decode_event, decode_interaction
from gemini_stream._interactions.fold import Fold
from gemini_stream._interactions.frames import EventReader
from gemini_stream._interactions.request import build_body
from tests._interactions_server import (
    E1_RESPONSE,
    E2_ASSEMBLED,
    E2_STREAM,
    E3_TURN1_STREAM,
    E3_TURN2_STREAM,
    E3_UNARY,
    E4_STREAM,
    E5_HTTP_400,
    E5_STREAM,
    events_of,
)


def read_all(body: bytes, *, pieces: list[bytes] | None = None) -> tuple[list[object], bool]:
    reader = EventReader()
    events: list[object] = []
    for piece in pieces if pieces is not None else [body]:
        got, error = reader.feed(piece)
        assert error is None
        events += got
    return events, reader.done


def fold(events: list[object]) -> gs.Interaction:
    f = Fold()
    for event in events:
        f.apply(event)  # type: ignore[arg-type]
    return f.interaction


def test_each_event_has_its_wire_event_type_and_event_id() -> None:
    events, done = read_all(E4_STREAM.encode())
    assert done
    assert [e.event_type for e in events] == [name for name, _ in events_of(E4_STREAM)]  # type: ignore[attr-defined]
    assert [e.event_id for e in events] == [f"evt-{i:03d}" for i in range(1, 10)]  # type: ignore[attr-defined]
    assert isinstance(events[0], gsi.InteractionCreatedEvent)
    assert isinstance(events[1], gsi.StatusUpdateEvent) and events[1].status == "in_progress"
    assert isinstance(events[3], gsi.StepDeltaEvent)
    assert isinstance(events[3].delta, gsi.ThoughtSummaryDelta)


def test_e2_folds_into_the_reference_assembled_interaction() -> None:
    events, done = read_all(E2_STREAM.encode())
    assert done and len(events) == 8
    interaction = fold(events)
    assert interaction == decode_interaction(E2_ASSEMBLED.encode())
    assert interaction.text == "Based on the clues provided, here is the answer to your question..."
    assert interaction.thoughts == "**Evaluating the clues**\n\nI'm considering..."
    thought = interaction.steps[0]
    assert isinstance(thought, gsi.ThoughtStep) and thought.signature == "EpoGCpcGAXLI2nx/..."
    assert interaction.usage is not None and interaction.usage.total_tokens == 530
    assert interaction.status == "completed" and interaction.model == "gemini-3.8-flash"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_stream_split_at_every_byte_gives_the_same_events(newline: str) -> None:
    body = E3_TURN1_STREAM.replace("\n", newline).encode()
    whole, _ = read_all(body)
    assert len(whole) == 9
    for cut in range(1, len(body)):
        split, done = read_all(body, pieces=[body[:cut], body[cut:]])
        assert split == whole and done, cut


ODD_SHAPES = [
    # data lines alone; several data lines; comments, id and retry lines; data before event;
    # extra blank lines; a BOM; a line of no SSE field; "data:" without its space.
    b'data: {"index":0,"event_type":"step.stop"}\n\ndata: {"index":1,"event_type":"step.stop"}\n\n',
    b'event: step.stop\ndata: {"index":0,\ndata: "event_type":"step.stop"}\n\n',
    b': keep-alive\n\nid: 7\nretry: 10\nevent: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n',
    b'data: {"index":0,"event_type":"step.stop"}\nevent: step.stop\n\n',
    b'event: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n\n\nevent: step.stop\ndata: {"index":2,"event_type":"step.stop"}\n\n',
    b'\xef\xbb\xbfevent: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n',
    b'event: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n{"error": 1}\n\nevent: step.stop\ndata:{"index":3,"event_type":"step.stop"}\n\n',
    E4_STREAM.encode(),
]


@pytest.mark.parametrize("body", ODD_SHAPES)
def test_every_shape_of_sse_gives_what_the_exact_decoder_gives(body: bytes) -> None:
    expected = [decode_event(p) for p in sse.DataDecoder().feed(body) if p != b"[DONE]"]
    assert expected
    for cut in range(len(body) + 1):
        for pieces in (
            [body[:cut], body[cut:]],
            [body[:cut], body[cut : cut + 3], body[cut + 3 :]],
        ):
            events, _ = read_all(body, pieces=pieces)
            assert events == expected, (cut, pieces)


ONE_EVENT_READS = [
    b'data: {"index":0,"event_type":"step.stop"}\n\n',
    b'event: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n',
    b'event: step.stop\ndata: {"index":0,\ndata: "event_type":"step.stop"}\n\n',
    b'event: step.stop\r\ndata: {"index":0,"event_type":"step.stop"}\n\n',
    b'id: 7\ndata: {"index":0,"event_type":"step.stop"}\n\n',
    b'data:{"index":0,"event_type":"step.stop"}\n\n',
    b"event: step.stop\n\n",
    b": keep-alive\n\n",
]


@pytest.mark.parametrize("read", ONE_EVENT_READS)
def test_a_read_of_one_event_gives_what_the_exact_decoder_gives(read: bytes) -> None:
    # Such a read skips the buffer (the usual read of a paced stream): odd shapes must not.
    expected = [decode_event(p) for p in sse.DataDecoder().feed(read * 3) if p != b"[DONE]"]
    events, _ = read_all(read * 3, pieces=[read, read, read])
    assert events == expected


def test_streamed_function_call_arguments_are_assembled_at_the_stop() -> None:
    events, _ = read_all(E3_TURN1_STREAM.encode())
    interaction = fold(events)
    assert interaction.status == "requires_action"
    (call,) = interaction.function_calls
    assert (call.id, call.name, call.arguments) == (
        "ktr5aysg",
        "get_weather",
        {"location": "Paris, France"},
    )
    assert interaction.usage is not None and interaction.usage.total_thought_tokens == 141
    # Mid-stream (arguments still partial) the call keeps the arguments of its step.start.
    partial = fold(
        [
            *events[:5],
            decode_event(
                b'{"index":1,"step":{"id":"k","type":"function_call","name":"f","arguments":{}},"event_type":"step.start"}'
            ),
            decode_event(
                b'{"index":1,"delta":{"arguments":"{\\"loc","type":"arguments_delta"},"event_type":"step.delta"}'
            ),
        ]
    )
    assert partial.function_calls[0].arguments == {}


def test_e3_turn2_and_e4_texts() -> None:
    events, _ = read_all(E3_TURN2_STREAM.encode())
    assert fold(events).text == "It's currently sunny in Paris, about 22°C."
    events, _ = read_all(E4_STREAM.encode())
    interaction = fold(events)
    assert interaction.id == "v1_dr123" and interaction.agent == "deep-research-preview-04-2026"
    assert interaction.text == "# The History of Google TPUs\n\n## Executive Summary\n\n..."
    assert interaction.thoughts == "***Generating research plan***\n\n..."
    assert interaction.usage is not None and interaction.usage.total_tokens == 1117031


def test_unary_bodies_decode_with_text_usage_and_calls() -> None:
    e1 = decode_interaction(E1_RESPONSE.encode())
    assert e1.text.startswith("Hello! I'm functioning perfectly")
    assert e1.usage is not None and e1.usage.total_tokens == 49
    assert e1.usage.input_tokens_by_modality == [gsi.ModalityTokens(modality="text", tokens=7)]
    e3 = decode_interaction(E3_UNARY.encode())
    assert e3.status == "requires_action" and e3.function_calls[0].arguments == {
        "location": "Boston, MA"
    }


def test_unknown_event_step_and_delta_kinds_are_kept_raw_and_not_fatal() -> None:
    body = (
        b'event: interaction.created\ndata: {"interaction":{"id":"v1_n","status":"in_progress"},"event_type":"interaction.created"}\n\n'
        b'event: interaction.brand_new\ndata: {"interaction_id":"v1_n","x":[1],"event_id":"e2","event_type":"interaction.brand_new"}\n\n'
        b'event: step.start\ndata: {"index":0,"step":{"type":"hologram","frames":3},"event_type":"step.start"}\n\n'
        b'event: step.delta\ndata: {"index":0,"delta":{"type":"hologram_frame","n":1},"event_type":"step.delta"}\n\n'
        b'event: step.start\ndata: {"index":1,"step":{"type":"model_output"},"event_type":"step.start"}\n\n'
        b'event: step.delta\ndata: {"index":1,"delta":{"type":"text","text":"ok"},"event_type":"step.delta"}\n\n'
    )
    events, _ = read_all(body)
    assert isinstance(events[1], gsi.UnknownEvent)
    assert events[1].event_type == "interaction.brand_new" and events[1].event_id == "e2"
    assert events[1].raw["x"] == [1]
    assert isinstance(events[2], gsi.StepStartEvent) and isinstance(events[2].step, gsi.UnknownStep)
    assert events[2].step.raw == {"type": "hologram", "frames": 3}
    assert isinstance(events[3], gsi.StepDeltaEvent) and isinstance(
        events[3].delta, gsi.UnknownDelta
    )
    assert events[3].delta.type == "hologram_frame"
    interaction = fold(events)
    assert interaction.text == "ok"
    assert interaction.steps[0] == gsi.UnknownStep(
        type="hologram", raw={"type": "hologram", "frames": 3}
    )
    body2 = b'{"id":"v1","status":"completed","steps":[{"type":"user_input","content":[{"type":"text","text":"hi"}]},{"type":"warp","x":1}]}'
    got = decode_interaction(body2)
    assert isinstance(got.steps[0], gsi.UserInputStep) and isinstance(got.steps[1], gsi.UnknownStep)


def test_a_malformed_event_is_a_decode_error_and_the_events_before_it_are_kept() -> None:
    reader = EventReader()
    events, error = reader.feed(
        b'data: {"index":0,"event_type":"step.stop"}\n\ndata: {"index":"zero","event_type":"step.stop"}\n\n'
    )
    assert len(events) == 1
    assert isinstance(error, gs.ResponseDecodeError) and "index" in str(error)


def test_deltas_apply_as_the_reference_says() -> None:
    def ev(payload: str) -> object:
        return decode_event(payload.encode())

    events = [
        ev(
            '{"index":0,"step":{"type":"model_output","content":[{"type":"text","text":"a"}]},"event_type":"step.start"}'
        ),
        ev('{"index":0,"delta":{"type":"text","text":"b"},"event_type":"step.delta"}'),
        ev(
            '{"index":0,"delta":{"type":"text_annotation_delta","annotations":[{"type":"url_citation","url":"u"}]},"event_type":"step.delta"}'
        ),
        ev(
            '{"index":0,"delta":{"type":"image","data":"AAAA","mime_type":"image/png"},"event_type":"step.delta"}'
        ),
        ev('{"index":0,"delta":{"type":"text","text":"c"},"event_type":"step.delta"}'),
        ev('{"index":1,"step":{"type":"thought","signature":""},"event_type":"step.start"}'),
        ev(
            '{"index":1,"delta":{"type":"thought_summary","content":{"type":"text","text":"one"}},"event_type":"step.delta"}'
        ),
        ev(
            '{"index":1,"delta":{"type":"thought_summary","content":{"type":"text","text":"two"}},"event_type":"step.delta"}'
        ),
        ev(
            '{"index":1,"delta":{"type":"thought_signature","signature":"SIG"},"event_type":"step.delta"}'
        ),
        ev('{"index":2,"step":{"type":"google_search_call","id":"s1"},"event_type":"step.start"}'),
        ev(
            '{"index":2,"delta":{"type":"google_search_call","arguments":{"queries":["q"]}},"event_type":"step.delta"}'
        ),
        ev(
            '{"index":3,"step":{"type":"function_call","id":"f1","name":"noargs","arguments":{}},"event_type":"step.start"}'
        ),
        ev(
            '{"index":3,"delta":{"type":"arguments_delta","arguments":""},"event_type":"step.delta"}'
        ),
    ]
    interaction = fold(events)
    out, thought, search, call = interaction.steps
    assert isinstance(out, gsi.ModelOutputStep)
    assert [(c.type, c.text) for c in out.content] == [
        ("text", "ab"),
        ("image", None),
        ("text", "c"),
    ]
    assert out.content[0].annotations == [{"type": "url_citation", "url": "u"}]
    assert out.content[1].data == "AAAA" and out.content[1].mime_type == "image/png"
    assert isinstance(thought, gsi.ThoughtStep) and thought.signature == "SIG"
    assert [c.text for c in thought.summary] == ["one", "two"]
    assert isinstance(search, gsi.GoogleSearchCallStep) and search.arguments == {"queries": ["q"]}
    assert search.id == "s1"
    assert isinstance(call, gsi.FunctionCallStep) and call.arguments == {}
    assert interaction.text == "abc"


def test_a_fold_gives_the_same_interaction_read_at_once_or_after_every_event() -> None:
    """Runs of deltas are applied at once; each step and block still gets its own pieces."""

    def ev(payload: str) -> object:
        return decode_event(payload.encode())

    def delta(index: int, **fields: str) -> object:
        event = {"index": index, "delta": fields, "event_type": "step.delta"}
        return decode_event(msgspec.json.encode(event))

    def text(index: int, piece: str) -> object:
        return delta(index, type="text", text=piece)

    def args(index: int, piece: str) -> object:
        return delta(index, type="arguments_delta", arguments=piece)

    events = [
        ev('{"index":0,"step":{"type":"model_output"},"event_type":"step.start"}'),
        ev('{"index":1,"step":{"type":"model_output"},"event_type":"step.start"}'),
        text(0, "a"),
        text(0, "b"),
        text(1, "x"),  # two steps' text interleaved in one run of deltas
        text(0, "c"),
        text(1, "y"),
        ev('{"index":1,"event_type":"step.stop"}'),
        ev(
            '{"index":0,"delta":{"type":"image","data":"AAAA","mime_type":"image/png"},"event_type":"step.delta"}'
        ),
        text(0, "d"),  # after the image: a new text block
        text(0, "e"),
        ev('{"index":0,"event_type":"step.stop"}'),
        ev(
            '{"index":2,"step":{"type":"function_call","id":"f","name":"g","arguments":{}},"event_type":"step.start"}'
        ),
        args(2, '{"k": '),
        args(2, '"v"'),
        args(2, "}"),
        text(3, "z"),  # a delta whose step.start never came
    ]
    at_once = fold(events)
    f = Fold()
    for event in events:
        f.apply(event)  # type: ignore[arg-type]
        f.interaction  # noqa: B018 - folds what came so far
    assert f.interaction == at_once
    first, second, call, late = at_once.steps
    assert [(c.type, c.text) for c in first.content] == [  # type: ignore[union-attr]
        ("text", "abc"),
        ("image", None),
        ("text", "de"),
    ]
    assert [c.text for c in second.content] == ["xy"]  # type: ignore[union-attr]
    assert isinstance(call, gsi.FunctionCallStep) and call.arguments == {"k": "v"}
    assert isinstance(late, gsi.ModelOutputStep) and late.text == "z"


def test_the_in_stream_error_event_and_the_interactions_error_envelope() -> None:
    events, done = read_all(E5_STREAM.encode())
    assert not done
    error_event = events[1]
    assert isinstance(error_event, gsi.InteractionErrorEvent)
    assert error_event.error.code == "gateway_timeout"
    f = Fold()
    for e in events:
        f.apply(e)  # type: ignore[arg-type]
    assert f.error == error_event.error
    # Before the stream: the Interactions envelope, code a string, mapped into the tree.
    error = status_error(E5_HTTP_400.encode(), code=400, reason="Bad Request", retry_after=None)
    assert isinstance(error, gs.BadRequestError)
    assert (error.code, error.status) == (400, "invalid_request")
    assert error.message.startswith("The legacy Interactions API schema")
    limited = status_error(
        b'{"error":{"code":"resource_exhausted","message":"slow down"}}',
        code=429,
        reason="",
        retry_after="7",
    )
    assert isinstance(limited, gs.RateLimitError) and limited.retry_delay == 7.0
    # Google's usual envelope still maps as before.
    usual = status_error(
        b'{"error":{"code":404,"message":"nope","status":"NOT_FOUND"}}',
        code=404,
        reason="",
        retry_after=None,
    )
    assert isinstance(usual, gs.NotFoundError) and usual.status == "NOT_FOUND"
    # Raw inside a 200 (no status): the string code stands for one.
    raw = error_from_body(b'{"error":{"code":"unavailable","message":"try later"}}')
    assert isinstance(raw, gs.ServiceUnavailableError) and raw.status == "unavailable"


# -- request bodies -------------------------------------------------------------------------------


def test_request_bodies_in_wire_shape() -> None:
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]
    body = build_body(
        "gemini-3-flash-preview",
        None,
        [
            gsi.FunctionResultStep(
                call_id="ktr5aysg",
                name="get_weather",
                result={"content": [{"type": "text", "text": "x"}]},
            )
        ],
        {
            "previous_interaction_id": "v1_prev",
            "tools": tools,
            "generation_config": {"thinking_level": "low"},
            "store": True,
        },
    )
    assert body == {
        "model": "gemini-3-flash-preview",
        "input": [
            {
                "type": "function_result",
                "call_id": "ktr5aysg",
                "result": {"content": [{"type": "text", "text": "x"}]},
                "name": "get_weather",
            }
        ],
        "previous_interaction_id": "v1_prev",
        "tools": tools,
        "generation_config": {"thinking_level": "low"},
        "store": True,
    }
    agent = build_body(
        None,
        "deep-research-preview-04-2026",
        "Research TPUs",
        {
            "background": True,
            "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
        },
    )
    assert agent["agent"] == "deep-research-preview-04-2026" and agent["background"] is True
    blocks = build_body(
        "m",
        None,
        [
            {"type": "text", "text": "What is this?"},
            gsi.Content(type="image", uri="https://x/y.png", mime_type="image/png"),
        ],
        {
            "system_instruction": "Be brief",
            "response_format": {"type": "text", "mime_type": "application/json"},
            "response_modalities": ["text"],
        },
    )
    assert blocks["input"][1] == {
        "type": "image",
        "uri": "https://x/y.png",
        "mime_type": "image/png",
    }
    assert blocks["response_format"] == {"type": "text", "mime_type": "application/json"}
    # Steps of an earlier interaction go back as they came, unknown kinds included.
    earlier = decode_interaction(
        b'{"steps":[{"type":"thought","signature":"S"},{"type":"warp","x":1}]}'
    )
    assert build_body("m", None, earlier.steps, {})["input"] == [
        {"type": "thought", "signature": "S"},
        {"type": "warp", "x": 1},
    ]


@pytest.mark.parametrize(
    ("args", "error", "named"),
    [
        ((None, None, "hi", {}), ValueError, "exactly one of model"),
        (("m", "a", "hi", {}), ValueError, "exactly one of model"),
        (("m", None, None, {}), TypeError, "input is required"),
        (("m", None, "", {}), ValueError, "empty string"),
        (("m", None, [42], {}), TypeError, "42"),
        (("m", None, [{"text": "no type"}], {}), ValueError, "no type"),
        (("m", None, "hi", {"stream": True}), TypeError, "'stream'"),
        (("m", None, "hi", {"sytem_instruction": "x"}), TypeError, "'sytem_instruction'"),
        (("m", None, "hi", {"system_instruction": ["x"]}), TypeError, "['x']"),
        (("m", None, "hi", {"generation_config": {"thinking_level": "max"}}), ValueError, "'max'"),
        (
            ("m", None, "hi", {"generation_config": {"thinking_summaries": "yes"}}),
            ValueError,
            "'yes'",
        ),
        (("m", None, "hi", {"tools": {"type": "function"}}), TypeError, "tools"),
        (("m", None, "hi", {"tools": ["get_weather"]}), TypeError, "'get_weather'"),
        (("m", None, "hi", {"store": "no"}), TypeError, "'no'"),
        (("m", None, "hi", {"background": True, "store": False}), ValueError, "store=False"),
        (
            ("m", None, "hi", {"agent_config": {"type": "deep-research"}}),
            ValueError,
            "agent_config",
        ),
        ((None, "a", "hi", {"generation_config": {}}), ValueError, "generation_config"),
        (("m", None, "hi", {"response_modalities": ["smell"]}), ValueError, "'smell'"),
        (("m", None, "hi", {"labels": {"a": 1}}), TypeError, "1"),
        (("", None, "hi", {}), TypeError, "''"),
    ],
)
def test_bad_request_values_are_refused_naming_the_value(
    args: tuple, error: type, named: str
) -> None:  # type: ignore[type-arg]
    with pytest.raises(error) as info:
        build_body(*args)
    assert named in str(info.value)


def test_events_are_frozen_tree_values() -> None:
    event = decode_event(
        b'{"index":1,"delta":{"text":"x","type":"text"},"event_id":"e","event_type":"step.delta"}'
    )
    with pytest.raises(AttributeError):
        event.index = 2  # type: ignore[misc]
    assert msgspec.json.decode(msgspec.json.encode(event)) == {
        "event_id": "e",
        "index": 1,
        "delta": {"type": "text", "text": "x"},
        "event_type": "step.delta",
    }
