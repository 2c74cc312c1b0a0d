"""The wire types: Struct conventions, JSON names, user data kept verbatim, the convenience
properties and constructors, forward compatibility, and an encode/decode round trip."""

from __future__ import annotations

import base64
import inspect
import json
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemini_stream import types
from gemini_stream._http.codec import decode, decode_chunk, encode_request
from gemini_stream._wire.base import Wire
from gemini_stream.types import (
    Blob,
    Candidate,
    Content,
    CountTokensRequest,
    FileData,
    FinishReason,
    FunctionCall,
    FunctionDeclaration,
    FunctionResponse,
    GenerateContentRequest,
    GenerateContentResponse,
    GenerationConfig,
    HarmCategory,
    Modality,
    Part,
    PromptFeedback,
    Schema,
    ThinkingConfig,
    UsageMetadata,
)

WIRE_TYPES = [
    obj
    for name in types.__all__
    if isinstance(obj := getattr(types, name), type) and issubclass(obj, msgspec.Struct)
]
REQUEST_TYPES = [GenerateContentRequest, CountTokensRequest]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


# -- conventions -----------------------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    assert isinstance(types.__all__, tuple)
    assert list(types.__all__) == sorted(types.__all__)
    public = {n for n in dir(types) if not n.startswith("_")} - {"annotations"}
    assert set(types.__all__) == public


@pytest.mark.parametrize("cls", WIRE_TYPES, ids=lambda c: c.__name__)
def test_struct_conventions(cls: type[msgspec.Struct]) -> None:
    config = cls.__struct_config__
    if cls is GenerateContentResponse:
        # Rooted on a slots class (what came with the reply: http, raw JSON), with Wire's
        # options: a Struct's slots can only come from its first base.
        wire = Wire.__struct_config__
        options = [name for name in dir(wire) if not name.startswith("_")]
        assert [getattr(config, o) for o in options] == [getattr(wire, o) for o in options]
    else:
        assert issubclass(cls, Wire)
    assert config.frozen
    assert not config.gc
    assert config.omit_defaults
    assert not config.forbid_unknown_fields
    assert not config.array_like
    assert cls.__struct_encode_fields__ == tuple(_camel(f) for f in cls.__struct_fields__)
    for parameter in inspect.signature(cls).parameters.values():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, parameter


def test_structs_are_immutable() -> None:
    part = Part(text="x")
    with pytest.raises(AttributeError):
        part.text = "y"  # type: ignore[misc]


def test_unset_fields_are_omitted_and_repr_is_short() -> None:
    assert msgspec.json.encode(Part(text="hi")) == b'{"text":"hi"}'
    assert msgspec.json.encode(GenerationConfig()) == b"{}"
    assert msgspec.json.encode(Content()) == b"{}"
    assert repr(Part(text="hi")) == "Part(text='hi')"


def test_vertex_only_fields_are_not_part_of_the_types() -> None:
    vertex_only = {
        GenerateContentRequest: {"labels"},
        Blob: {"display_name"},
        FileData: {"display_name"},
        GenerationConfig: {"routing_config", "model_selection_config", "audio_timestamp"},
        types.SafetySetting: {"method"},
        types.ImageConfig: {"person_generation", "output_mime_type"},
        types.GoogleSearch: {"exclude_domains", "blocking_confidence"},
    }
    # Modelled on purpose (issue 19): FunctionCall.partial_args / will_continue are folded by
    # the stream, and FunctionCallingConfig.stream_function_call_arguments is refused on the
    # Gemini API before anything is sent (tests/test_vertex_partial_args.py).
    for cls, names in vertex_only.items():
        assert not names & set(cls.__struct_fields__), cls


def test_enum_constants() -> None:
    assert FinishReason.STOP == "STOP"
    assert FinishReason.MALFORMED_FUNCTION_CALL == "MALFORMED_FUNCTION_CALL"
    assert HarmCategory.HARM_CATEGORY_HATE_SPEECH == "HARM_CATEGORY_HATE_SPEECH"
    assert types.BlockReason.PROHIBITED_CONTENT == "PROHIBITED_CONTENT"
    assert Modality.IMAGE == "IMAGE"
    assert types.ThinkingLevel.HIGH == "HIGH"
    assert types.PartMediaResolutionLevel.MEDIA_RESOLUTION_ULTRA_HIGH.endswith("ULTRA_HIGH")
    assert types.PartMediaResolutionLevel.MEDIA_RESOLUTION_LOW == "MEDIA_RESOLUTION_LOW"


# -- user data is never renamed --------------------------------------------------------------


def test_user_data_keys_are_sent_verbatim() -> None:
    args = {"snake_case": {"inner_key": [1, {"deep_key": None}]}, "camelCase": True}
    part = Part.from_function_call("f", args, id="c1")
    response = Part.from_function_response("f", {"output": {"snake_key": 1}}, id="c1")
    schema = {"type": "object", "properties": {"my_field": {"type": "string"}}, "$defs": {}}
    request = GenerateContentRequest(
        contents=[Content.model(part), Content.user(response)],
        generation_config=GenerationConfig(response_json_schema=schema),
        tools=[
            types.Tool(
                function_declarations=[
                    FunctionDeclaration(name="f", parameters_json_schema=schema),
                    FunctionDeclaration(
                        name="g",
                        parameters=Schema(
                            type="OBJECT",
                            properties={"snake_prop": Schema(type="STRING", default={"a_b": 1})},
                            example={"snake_prop": "x"},
                        ),
                    ),
                ]
            )
        ],
    )
    wire = json.loads(encode_request(request))
    assert wire["contents"][0]["parts"][0]["functionCall"]["args"] == args
    assert wire["contents"][1]["parts"][0]["functionResponse"]["response"] == {
        "output": {"snake_key": 1}
    }
    assert wire["generationConfig"]["responseJsonSchema"] == schema
    declarations = wire["tools"][0]["functionDeclarations"]
    assert declarations[0]["parametersJsonSchema"] == schema
    assert declarations[1]["parameters"]["properties"] == {
        "snake_prop": {"type": "STRING", "default": {"a_b": 1}}
    }
    assert declarations[1]["parameters"]["example"] == {"snake_prop": "x"}
    assert decode(encode_request(request), GenerateContentRequest) == request


def test_schema_default_none_is_sent_but_unset_is_not() -> None:
    assert msgspec.json.encode(Schema(default=None)) == b'{"default":null}'
    assert msgspec.json.encode(Schema()) == b"{}"
    assert decode(b'{"default": null}', Schema).default is None
    assert decode(b"{}", Schema).default is msgspec.UNSET


# -- thought signatures ----------------------------------------------------------------------


def test_thought_signature_round_trips_byte_for_byte() -> None:
    signature = bytes(range(256))
    encoded = base64.b64encode(signature).decode()
    assert {"+", "/", "="} <= set(encoded)
    wire = (
        f'{{"functionCall":{{"name":"f","args":{{}}}},"thoughtSignature":"{encoded}"}}'
    ).encode()
    part = msgspec.json.decode(wire, type=Part)
    assert part.thought_signature == signature
    assert msgspec.json.encode(part) == wire
    again = msgspec.json.decode(msgspec.json.encode(Part(text="", thought_signature=signature)))
    assert again == {"text": "", "thoughtSignature": encoded}


# -- forward compatibility -------------------------------------------------------------------


def test_unknown_fields_are_ignored_at_every_level() -> None:
    payload = json.dumps(
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": "hi", "brandNewField": {"x": 1}}],
                        "role": "model",
                        "extra": 1,
                    },
                    "index": 0,
                    "newCandidateField": [1, 2],
                }
            ],
            "usageMetadata": {"totalTokenCount": 3, "trafficType": "ON_DEMAND"},
            "createTime": "2026-03-10T14:54:45.066123Z",
            "modelStatus": {"modelStage": "STABLE", "retirementTime": "2027-01-01T00:00:00Z"},
            "somethingElse": None,
        }
    ).encode()
    chunk = decode_chunk(payload)
    assert chunk.text == "hi"
    assert chunk.usage == UsageMetadata(total_token_count=3, traffic_type="ON_DEMAND")
    assert chunk.model_status is not None
    assert chunk.model_status.model_stage == "STABLE"


def test_unknown_enum_values_are_plain_strings() -> None:
    chunk = decode_chunk(
        b'{"candidates": [{"finishReason": "SOMETHING_NEW", "index": 0, "safetyRatings": '
        b'[{"category": "HARM_CATEGORY_FUTURE", "probability": "VERY_HIGH"}]}],'
        b'"promptFeedback": {"blockReason": "NEW_REASON"}}'
    )
    assert chunk.finish_reason == "SOMETHING_NEW"
    assert chunk.block_reason == "NEW_REASON"
    assert chunk.candidates is not None
    assert chunk.candidates[0].safety_ratings is not None
    assert chunk.candidates[0].safety_ratings[0].probability == "VERY_HIGH"


# -- convenience -----------------------------------------------------------------------------


def _response(*parts: Part, finish: str | None = None) -> GenerateContentResponse:
    content = Content(role="model", parts=list(parts))
    return GenerateContentResponse(
        candidates=[Candidate(content=content, finish_reason=finish, index=0)]
    )


@pytest.mark.parametrize(
    "response",
    [
        GenerateContentResponse(),
        GenerateContentResponse(candidates=[]),
        GenerateContentResponse(candidates=[Candidate(index=0)]),
        GenerateContentResponse(candidates=[Candidate(content=Content(role="model"))]),
        _response(Part(function_call=FunctionCall(name="f"))),
        _response(Part(text="thinking", thought=True)),
    ],
)
def test_text_is_empty_never_an_exception(response: GenerateContentResponse) -> None:
    assert response.text == ""
    assert response.finish_reason is None
    assert not response.blocked


def test_text_thoughts_function_calls() -> None:
    call = FunctionCall(id="1", name="f", args={"a": 1})
    response = _response(
        Part(text="**Plan**", thought=True),
        Part(text="Hello", thought_signature=b"sig"),
        Part(function_call=call),
        Part(text=" world", thought=False),
        Part(text=" more thinking", thought=True),
        finish=FinishReason.STOP,
    )
    assert response.text == "Hello world"
    assert response.thoughts == "**Plan** more thinking"
    assert response.function_calls == [call]
    assert response.finish_reason == "STOP"
    assert _response(Part(text="only")).text == "only"
    content = Content.model("a", Part(function_call=call), "b")
    assert content.text == "ab"
    assert content.function_calls == [call]


def test_text_reads_the_first_candidate() -> None:
    response = GenerateContentResponse(
        candidates=[
            Candidate(content=Content.model("first"), index=0),
            Candidate(content=Content.model("second"), index=1),
        ]
    )
    assert response.text == "first"


def test_blocked_and_block_reason() -> None:
    assert GenerateContentResponse(
        prompt_feedback=PromptFeedback(block_reason="SAFETY")
    ).block_reason == ("SAFETY")
    assert _response(finish="RECITATION").blocked
    assert _response(finish="PROHIBITED_CONTENT").block_reason == "PROHIBITED_CONTENT"
    for finish in ("STOP", "MAX_TOKENS", "MALFORMED_FUNCTION_CALL", "OTHER", None):
        assert not _response(finish=finish).blocked
        assert _response(finish=finish).block_reason is None


def test_usage_is_usage_metadata() -> None:
    usage = UsageMetadata(total_token_count=5)
    assert GenerateContentResponse(usage_metadata=usage).usage is usage


def test_part_and_content_constructors() -> None:
    assert Part.from_text("hi") == Part(text="hi")
    assert Part.from_text("hm", thought=True) == Part(text="hm", thought=True)
    assert Part.from_bytes(b"\x00", "image/png") == Part(
        inline_data=Blob(mime_type="image/png", data=b"\x00")
    )
    assert Part.from_uri("https://x/files/a", "video/mp4") == Part(
        file_data=FileData(file_uri="https://x/files/a", mime_type="video/mp4")
    )
    assert Part.from_function_call("f", {"a": 1}, id="i") == Part(
        function_call=FunctionCall(id="i", name="f", args={"a": 1})
    )
    assert Part.from_function_response("f", {"output": 2}, id="i") == Part(
        function_response=FunctionResponse(id="i", name="f", response={"output": 2})
    )
    assert Content.user("a", Part.from_text("b")) == Content(
        role="user", parts=[Part(text="a"), Part(text="b")]
    )
    assert Content.model("x").role == "model"
    with pytest.raises(TypeError, match="got int"):
        Content.user(3)  # type: ignore[arg-type]


def test_error_status_detail_lookup() -> None:
    status = types.ErrorStatus(
        code=429,
        details=[
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "9s"},
        ],
    )
    assert status.detail(types.RetryInfo) == types.RetryInfo(retry_delay="1.5s")
    assert status.retry_delay == 1.5
    assert types.ErrorStatus().typed_details == ()


# -- property: encode then decode gives back the request ------------------------------------

_JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _strategy(type_: mi.Type, depth: int) -> st.SearchStrategy[Any]:
    """A strategy for values of a msgspec type, built from its type info."""
    if isinstance(type_, mi.UnionType):
        options = [t for t in type_.types if not isinstance(t, mi.NoneType)]
        strategies = [_strategy(t, depth) for t in options]
        if any(isinstance(t, mi.NoneType) for t in type_.types):
            strategies.insert(0, st.none())
        return st.one_of(strategies)
    if isinstance(type_, mi.StructType):
        return _struct_strategy(type_.cls, depth)
    if isinstance(type_, mi.ListType):
        return st.lists(_strategy(type_.item_type, depth + 1), max_size=2 if depth < 3 else 0)
    if isinstance(type_, mi.DictType):
        values = _JSON if isinstance(type_.value_type, mi.AnyType) else None
        if values is None:
            values = _strategy(type_.value_type, depth + 1)
        return st.dictionaries(st.text(max_size=6), values, max_size=2 if depth < 3 else 0)
    if isinstance(type_, mi.AnyType):
        return _JSON
    simple: dict[type[mi.Type], st.SearchStrategy[Any]] = {
        mi.StrType: st.text(max_size=10),
        mi.BoolType: st.booleans(),
        mi.IntType: st.integers(-(2**63), 2**63 - 1),
        mi.FloatType: st.floats(allow_nan=False, allow_infinity=False),
        mi.BytesType: st.binary(max_size=16),
    }
    return simple[type(type_)]


def _struct_strategy(cls: type[msgspec.Struct], depth: int) -> st.SearchStrategy[Any]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in info.fields:
        if depth >= 3 and not field.required:
            continue  # keep recursive types (Schema) small
        strategy = _strategy(field.type, depth + 1)
        if field.name in ("default", "example"):
            strategy = st.just(msgspec.UNSET) | strategy
        fields[field.name] = strategy
    return st.builds(cls, **fields)


@pytest.mark.parametrize("cls", [*REQUEST_TYPES, GenerateContentResponse], ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_encode_then_decode_gives_back_the_struct(cls: type[msgspec.Struct], data: Any) -> None:
    value = data.draw(_struct_strategy(cls, 0))
    assert decode(msgspec.json.encode(value), cls) == value


@settings(max_examples=60, deadline=None)
@given(config=_struct_strategy(GenerationConfig, 0), thinking=_struct_strategy(ThinkingConfig, 0))
def test_generation_config_round_trip(config: GenerationConfig, thinking: ThinkingConfig) -> None:
    config = msgspec.structs.replace(config, thinking_config=thinking)
    assert decode(msgspec.json.encode(config), GenerationConfig) == config
