"""Input shorthands: what users pass becomes wire Structs, and every mistake is named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gemini_stream._http.codec import encode_request
from gemini_stream._input.contents import to_contents, to_system_instruction
from gemini_stream._input.request import (
    build_request,
    to_config,
    to_safety_settings,
    to_tool_config,
    to_tools,
)
from gemini_stream._wire.convert import short_repr
from gemini_stream.types import (
    Blob,
    Content,
    FunctionCall,
    FunctionCallingConfig,
    FunctionDeclaration,
    FunctionResponse,
    GenerationConfig,
    GoogleSearch,
    Part,
    SafetySetting,
    Schema,
    ThinkingConfig,
    Tool,
    ToolConfig,
)

# -- contents --------------------------------------------------------------------------------


def test_a_string_is_one_user_turn() -> None:
    assert to_contents("Hi") == [Content(role="user", parts=[Part(text="Hi")])]


def test_parts_and_strings_are_one_user_turn() -> None:
    image = Part.from_bytes(b"\x89PNG", "image/png")
    assert to_contents(image) == [Content(role="user", parts=[image])]
    assert to_contents(["Look:", image, {"text": "ok?"}]) == [
        Content(role="user", parts=[Part(text="Look:"), image, Part(text="ok?")])
    ]
    assert to_contents(("a", "b")) == [Content(role="user", parts=[Part(text="a"), Part(text="b")])]


def test_contents_are_a_conversation_kept_as_given() -> None:
    history = [
        Content.user("Hi"),
        Content(role="model", parts=[Part(text="Hello", thought_signature=b"sig")]),
        Content(parts=[Part(text="no role")]),
    ]
    assert to_contents(history) == history
    assert to_contents(history[0]) == [history[0]]


def test_model_turns_from_the_server_are_never_rejected() -> None:
    # A part of a kind this version does not know decodes with no field set.
    unknown = Content(role="model", parts=[Part(), Part(text="x")])
    assert to_contents([Content.user("a"), unknown]) == [Content.user("a"), unknown]


@pytest.mark.parametrize("style", ["camel", "snake"])
def test_dicts_in_wire_shape_with_either_key_style(style: str) -> None:
    def key(camel: str, snake: str) -> str:
        return camel if style == "camel" else snake

    contents: list[Any] = [
        {"role": "user", "parts": [{"text": "What is this?"}]},
        {
            "role": "model",
            "parts": [
                {
                    key("functionCall", "function_call"): {
                        "name": "lookup",
                        "args": {"snake_arg": {"innerKey": 1}},
                    },
                    key("thoughtSignature", "thought_signature"): "c2ln",
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    key("functionResponse", "function_response"): {
                        "name": "lookup",
                        "response": {"output_value": 2},
                    }
                },
                {
                    key("inlineData", "inline_data"): {
                        key("mimeType", "mime_type"): "a/b",
                        "data": b"\x00",
                    }
                },
            ],
        },
    ]
    converted = to_contents(contents)
    assert converted == [
        Content.user("What is this?"),
        Content(
            role="model",
            parts=[
                Part(
                    function_call=FunctionCall(name="lookup", args={"snake_arg": {"innerKey": 1}}),
                    thought_signature=b"sig",
                )
            ],
        ),
        Content(
            role="user",
            parts=[
                Part(
                    function_response=FunctionResponse(name="lookup", response={"output_value": 2})
                ),
                Part(inline_data=Blob(mime_type="a/b", data=b"\x00")),
            ],
        ),
    ]
    wire = json.loads(encode_request(build_request(contents)))
    assert wire["contents"][1]["parts"][0] == {
        "functionCall": {"name": "lookup", "args": {"snake_arg": {"innerKey": 1}}},
        "thoughtSignature": "c2ln",
    }
    assert wire["contents"][2]["parts"][1] == {"inlineData": {"mimeType": "a/b", "data": "AA=="}}


def test_dict_part_and_dict_content_alone() -> None:
    assert to_contents({"text": "hi"}) == [Content.user("hi")]
    assert to_contents({"parts": [{"text": "hi"}]}) == [Content(parts=[Part(text="hi")])]
    assert to_contents([{"role": "user", "parts": [Part(text="typed inside")]}]) == [
        Content.user("typed inside")
    ]


def _message(exc: pytest.ExceptionInfo[BaseException]) -> str:
    return str(exc.value)


@pytest.mark.parametrize(
    ("value", "error", "expected"),
    [
        ([], ValueError, "contents is empty ([])"),
        ("", ValueError, "contents is empty ('')"),
        (b"\x89PNG", TypeError, "raw bytes b'\\x89PNG'"),
        ([b"abc"], TypeError, "Part.from_bytes(data, mime_type)"),
        (42, TypeError, "got int 42"),
        (
            ["ok", 3.5],
            TypeError,
            "contents[1]: expected a str, a Part or a part dict, got float 3.5",
        ),
        ([["nested"]], TypeError, "got list ['nested']"),
        ([Content.user("a"), "bare"], ValueError, "mixes Content turns and bare parts ('bare')"),
        (["bare", Content.user("a")], ValueError, "mixes Content turns and bare parts"),
        (
            {"role": "system", "parts": [{"text": "x"}]},
            ValueError,
            "role 'system' is not valid; expected 'user' or 'model' (use system_instruction",
        ),
        (Content(role="assistant", parts=[Part(text="x")]), ValueError, "role 'assistant'"),
        (Content(role="user"), ValueError, "Content(role='user') has no parts"),
        ([Part()], ValueError, "part Part() has no data"),
        (Content(role="user", parts=[Part(thought=True)]), ValueError, "parts[0]: part"),
        ({"txt": "hi"}, ValueError, "unknown field 'txt' for Part; did you mean 'text'?"),
        (
            [{"parts": [{"text": "a", "funtion_call": {}}]}],
            ValueError,
            "did you mean 'function_call'?",
        ),
        (
            [{"parts": [{"text": 5}]}],
            TypeError,
            "Expected `str | null`, got `int` - at `$.parts[0].text` (got 5)",
        ),
        ([{"role": "user", "parts": "hi"}], TypeError, "got 'hi'"),
        (
            [{"parts": [{"function_call": {"name": "f", "args": [1]}}]}],
            TypeError,
            "(got [1])",
        ),
        ([{"parts": [{"text": "a", "textt": "b"}]}], ValueError, "'textt'"),
        (
            [{"parts": [{"text": "a"}, {1: "x"}]}],
            TypeError,
            "keys must be strings, got 1",
        ),
    ],
)
def test_bad_contents_are_named(value: Any, error: type[Exception], expected: str) -> None:
    with pytest.raises(error) as info:
        to_contents(value)
    assert expected in _message(info)


def test_a_key_given_in_both_styles_is_an_error() -> None:
    with pytest.raises(ValueError, match="'mimeType' of Blob is given twice"):
        to_contents([{"inline_data": {"mime_type": "a/b", "mimeType": "a/b", "data": b""}}])


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(TypeError) as info:
        to_contents([b"x" * 10_000])  # type: ignore[list-item]
    assert len(str(info.value)) < 200
    assert len(short_repr("y" * 1000)) < 80


# -- system instruction ----------------------------------------------------------------------


def test_system_instruction_shapes() -> None:
    assert to_system_instruction(None) is None
    assert to_system_instruction("Be brief") == Content(parts=[Part(text="Be brief")])
    assert to_system_instruction(["a", Part(text="b")]) == Content(
        parts=[Part(text="a"), Part(text="b")]
    )
    assert to_system_instruction(Part(text="p")) == Content(parts=[Part(text="p")])
    assert to_system_instruction(Content.user("x")) == Content.user("x")
    assert to_system_instruction({"parts": [{"text": "d"}]}) == Content(parts=[Part(text="d")])
    assert to_system_instruction({"text": "d"}) == Content(parts=[Part(text="d")])
    with pytest.raises(ValueError, match=r"system_instruction is empty \(\[\]\)"):
        to_system_instruction([])
    with pytest.raises(TypeError, match="got Content"):
        to_system_instruction([Content.user("x")])  # type: ignore[list-item]


# -- config ----------------------------------------------------------------------------------


def test_config_typed_or_dict_in_either_style() -> None:
    typed = GenerationConfig(temperature=0.5)
    assert to_config(typed) is typed
    assert to_config(None) is None
    expected = GenerationConfig(
        temperature=0.5,
        max_output_tokens=100,
        thinking_config=ThinkingConfig(include_thoughts=True, thinking_budget=0),
        response_json_schema={"type": "object", "properties": {"snake_key": {"minItems": 1}}},
        response_schema=Schema(type="OBJECT", properties={"my_key": Schema(type="STRING")}),
    )
    snake = {
        "temperature": 0.5,
        "max_output_tokens": 100,
        "thinking_config": {"include_thoughts": True, "thinking_budget": 0},
        "response_json_schema": {"type": "object", "properties": {"snake_key": {"minItems": 1}}},
        "response_schema": {"type": "OBJECT", "properties": {"my_key": {"type": "STRING"}}},
    }
    camel = {
        "temperature": 0.5,
        "maxOutputTokens": 100,
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 0},
        "responseJsonSchema": {"type": "object", "properties": {"snake_key": {"minItems": 1}}},
        "responseSchema": {"type": "OBJECT", "properties": {"my_key": {"type": "STRING"}}},
    }
    assert to_config(snake) == expected
    assert to_config(camel) == expected


def test_config_numbers_may_be_strings_like_in_proto3_json() -> None:
    assert to_config({"temperature": "0.5", "top_k": "40"}) == GenerationConfig(
        temperature=0.5, top_k=40
    )


@pytest.mark.parametrize(
    ("value", "error", "expected"),
    [
        (
            {"temprature": 0.5},
            ValueError,
            "unknown field 'temprature' for GenerationConfig; did you mean 'temperature'?",
        ),
        ({"maxOutputToken": 5}, ValueError, "did you mean 'maxOutputTokens'?"),
        (
            {"thinking_config": {"budget": 5}},
            ValueError,
            "unknown field 'budget' for ThinkingConfig at 'thinking_config'",
        ),
        ({"zzzz": 1}, ValueError, "expected one of: candidate_count, stop_sequences"),
        ({"temperature": "hot"}, TypeError, "got `str` - at `$.temperature` (got 'hot')"),
        ({"stop_sequences": "END"}, TypeError, "(got 'END')"),
        (
            {"thinking_config": {"thinking_budget": 1.5}},
            TypeError,
            "$.thinkingConfig.thinkingBudget` (got 1.5)",
        ),
        (
            "temperature=0.5",
            TypeError,
            "config must be a GenerationConfig or a dict, got str 'temperature=0.5'",
        ),
        (ThinkingConfig(), TypeError, "got ThinkingConfig"),
    ],
)
def test_bad_config_is_named(value: Any, error: type[Exception], expected: str) -> None:
    with pytest.raises(error) as info:
        to_config(value)
    assert expected in _message(info)


# -- tools -----------------------------------------------------------------------------------


def test_tools_typed_dicts_and_bare_declarations() -> None:
    search = Tool(google_search=GoogleSearch())
    declaration = FunctionDeclaration(name="f")
    tools = to_tools(
        [
            search,
            declaration,
            {"name": "g", "parameters": {"type": "OBJECT", "any_of": [{"min_items": "2"}]}},
            {"code_execution": {}},
        ]
    )
    assert tools is not None
    assert tools[0] is search
    assert tools[1] == Tool(
        function_declarations=[
            declaration,
            FunctionDeclaration(
                name="g", parameters=Schema(type="OBJECT", any_of=[Schema(min_items=2)])
            ),
        ]
    )
    assert json.loads(encode_request(build_request("x", tools=tools)))["tools"] == [
        {"googleSearch": {}},
        {
            "functionDeclarations": [
                {"name": "f"},
                {"name": "g", "parameters": {"type": "OBJECT", "anyOf": [{"minItems": 2}]}},
            ]
        },
        {"codeExecution": {}},
    ]
    assert to_tools(None) is None
    assert to_tools([]) is None
    assert to_tools(search) == [search]
    assert to_tools({"functionDeclarations": [{"name": "h"}]}) == [
        Tool(function_declarations=[FunctionDeclaration(name="h")])
    ]


def test_schema_property_names_and_json_schemas_are_never_renamed() -> None:
    tools = to_tools(
        [
            {
                "name": "f",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {"max_items": {"type": "STRING"}, "any_of": {"type": "NUMBER"}},
                },
                "parameters_json_schema": {"properties": {"snake_case": {"min_items": 1}}},
            }
        ]
    )
    wire = json.loads(encode_request(build_request("x", tools=tools)))
    declaration = wire["tools"][0]["functionDeclarations"][0]
    assert declaration["parameters"]["properties"] == {
        "max_items": {"type": "STRING"},
        "any_of": {"type": "NUMBER"},
    }
    assert declaration["parametersJsonSchema"] == {"properties": {"snake_case": {"min_items": 1}}}


@pytest.mark.parametrize(
    ("value", "error", "expected"),
    [
        ([{"google_serch": {}}], ValueError, "did you mean 'google_search'?"),
        ([{"name": "f", "paramters": {}}], ValueError, "did you mean 'parameters'?"),
        (
            [{"function_declarations": [{"description": "no name"}]}],
            ValueError,
            "missing required field `name`",
        ),
        (
            ["search"],
            TypeError,
            "tools[0]: expected a Tool, a FunctionDeclaration or a dict, got str 'search'",
        ),
        ([print], TypeError, "got builtin_function_or_method"),
    ],
)
def test_bad_tools_are_named(value: Any, error: type[Exception], expected: str) -> None:
    with pytest.raises(error) as info:
        to_tools(value)
    assert expected in _message(info)


def test_tool_config() -> None:
    typed = ToolConfig(function_calling_config=FunctionCallingConfig(mode="ANY"))
    assert to_tool_config(typed) is typed
    assert to_tool_config(None) is None
    assert to_tool_config(
        {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}}
    ) == ToolConfig(
        function_calling_config=FunctionCallingConfig(mode="ANY", allowed_function_names=["f"])
    )
    with pytest.raises(ValueError, match="did you mean 'function_calling_config'"):
        to_tool_config({"function_calling": {}})
    with pytest.raises(TypeError, match="tool_config must be a ToolConfig or a dict, got list"):
        to_tool_config([])  # type: ignore[arg-type]


# -- safety settings -------------------------------------------------------------------------


def test_safety_settings_shapes() -> None:
    setting = SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_NONE")
    assert to_safety_settings(None) is None
    assert to_safety_settings([]) is None
    assert to_safety_settings(setting) == [setting]
    assert to_safety_settings([setting]) == [setting]
    assert to_safety_settings({"category": setting.category, "threshold": "BLOCK_NONE"}) == [
        setting
    ]
    assert to_safety_settings(
        {"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE", "HARM_CATEGORY_HATE_SPEECH": "OFF"}
    ) == [setting, SafetySetting(category="HARM_CATEGORY_HATE_SPEECH", threshold="OFF")]


@pytest.mark.parametrize(
    ("value", "error", "expected"),
    [
        (
            [{"category": "HARM_CATEGORY_HARASSMENT"}],
            ValueError,
            "missing required field `threshold`",
        ),
        ({"categroy": "X", "threshold": "OFF"}, ValueError, "did you mean 'category'?"),
        (
            {"harassment": "BLOCK_NONE"},
            ValueError,
            "'harassment' is neither a HARM_CATEGORY_* name",
        ),
        (
            [
                {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"},
                SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_NONE"),
            ],
            ValueError,
            "safety_settings[1]: category 'HARM_CATEGORY_HARASSMENT' is given twice",
        ),
        (["BLOCK_NONE"], TypeError, "got str 'BLOCK_NONE'"),
    ],
)
def test_bad_safety_settings_are_named(value: Any, error: type[Exception], expected: str) -> None:
    with pytest.raises(error) as info:
        to_safety_settings(value)
    assert expected in _message(info)


# -- the whole request -----------------------------------------------------------------------


def test_build_request() -> None:
    request = build_request(
        "Hi",
        config={"temperature": 0.2, "response_mime_type": "application/json"},
        system_instruction="Be brief",
        tools=[{"google_search": {}}],
        tool_config={"function_calling_config": {"mode": "AUTO"}},
        safety_settings={"HARM_CATEGORY_HARASSMENT": "BLOCK_NONE"},
    )
    assert json.loads(encode_request(request)) == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief"}]},
        "tools": [{"googleSearch": {}}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "generationConfig": {"temperature": 0.2, "responseMimeType": "application/json"},
    }
    # A cache holds the system instruction, tools and tool config: see tests/test_caches.py.
    cached = build_request("Hi", cached_content="abc", safety_settings=request.safety_settings)
    assert json.loads(encode_request(cached))["cachedContent"] == "cachedContents/abc"
    assert json.loads(encode_request(build_request(["a", "b"]))) == {
        "contents": [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]
    }
    with pytest.raises(TypeError, match=r"cached_content must be a gs\.CachedContent or a str"):
        build_request("x", cached_content=5)  # type: ignore[arg-type]
