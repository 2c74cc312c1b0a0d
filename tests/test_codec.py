"""The codec: example streams A-D and the error shapes of the wire-format reference, requests
encoded to exactly the expected JSON, and malformed payloads."""

# The fixtures are verbatim single-line wire payloads, longer than the line limit.
# ruff: noqa: E501

from __future__ import annotations

import base64
import json

import msgspec
import pytest

from gemini_stream._errors import ResponseDecodeError
from gemini_stream._http import codec as _codec
from gemini_stream._http.codec import (
    decode,
    decode_chunk,
    decode_count_tokens,
    decode_error,
    decode_list_models,
    decode_model,
    decode_response,
    encode_request,
)
from gemini_stream.types import (
    AudioTranscriptionConfig,
    BadRequest,
    Blob,
    CodeExecution,
    Content,
    CountTokensRequest,
    DynamicRetrievalConfig,
    ErrorInfo,
    FileSearch,
    FinishReason,
    FunctionCallingConfig,
    FunctionDeclaration,
    GenerateContentRequest,
    GenerationConfig,
    GoogleMaps,
    GoogleSearch,
    GoogleSearchRetrieval,
    Help,
    ImageConfig,
    Interval,
    LatLng,
    LocalizedMessage,
    MultiSpeakerVoiceConfig,
    Part,
    PrebuiltVoiceConfig,
    QuotaFailure,
    RetrievalConfig,
    RetryInfo,
    SafetySetting,
    Schema,
    SearchTypes,
    SpeakerVoiceConfig,
    SpeechConfig,
    ThinkingConfig,
    Tool,
    ToolConfig,
    UrlContext,
    VoiceConfig,
    WebSearch,
)

# A thought signature whose base64 has "+", "/" and "=" in it.
SIGNATURE = bytes.fromhex("12e9010ae60101be3efaf7fbfffe")
SIGNATURE_B64 = base64.b64encode(SIGNATURE).decode()
assert {"+", "/", "="} <= set(SIGNATURE_B64)

# Example streams of wire-format section 8.4, as event payloads (Google's ": " JSON style).
STREAM_A = [
    b'{"candidates": [{"content": {"parts": [{"text": "Warsaw is the capital of Poland. It lies on"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 10,"totalTokenCount": 52,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-flash","responseId": "4SawaZC7Oojp7M8P7KjSyAc"}',
    b'{"candidates": [{"content": {"parts": [{"text": " the Vistula river."}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 15,"totalTokenCount": 57,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-flash","responseId": "4SawaZC7Oojp7M8P7KjSyAc"}',
]
_USAGE_B = '{"promptTokenCount": 161,"candidatesTokenCount": %d,"totalTokenCount": %d,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 161}],"thoughtsTokenCount": 45}'
STREAM_B = [
    (
        f'{{"candidates": [{{"content": {{"parts": [{{"functionCall": {{"name": "sum","args": {{"b": 3,"a": 2}},"id": "3ae8iwca"}},"thoughtSignature": "{SIGNATURE_B64}"}}],"role": "model"}},"index": 0}}],"usageMetadata": {_USAGE_B % (16, 222)},"modelVersion": "gemini-3-flash-preview","responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}}'
    ).encode(),
    (
        '{"candidates": [{"content": {"parts": [{"functionCall": {"name": "sum","args": {"a": 4,"b": 5},"id": "up3kf30e"}}],"role": "model"},"index": 0}],"usageMetadata": %s,"modelVersion": "gemini-3-flash-preview","responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}'
        % (_USAGE_B % (32, 238))
    ).encode(),
    (
        '{"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": %s,"modelVersion": "gemini-3-flash-preview","responseId": "aiS5abqwJJf7nsEPuIy3wQQ"}'
        % (_USAGE_B % (32, 238))
    ).encode(),
]
STREAM_C_EVENT = b'{"candidates": [{"content": {"parts": [{"text": "Okay"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 6,"candidatesTokenCount": 1},"modelVersion": "gemini-2.0-flash"}'
STREAM_C_ERROR = b"""{
  "error": {
    "code": 503,
    "message": "The model is overloaded. Please try again later.",
    "status": "UNAVAILABLE"
  }
}
"""
D_PROMPT_BLOCKED = b'{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 638,"totalTokenCount": 638},"modelVersion": "gemini-2.5-flash","responseId": "x1"}'
D_SAFETY = b'{"candidates": [{"finishReason": "SAFETY","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE"},{"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT","probability": "HIGH","blocked": true}]}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash"}'
D_MALFORMED_CALL = b'{"candidates": [{"finishReason": "MALFORMED_FUNCTION_CALL","index": 0,"finishMessage": "Malformed function call: print(default_api.archive(cities=[\\"New"}],"usageMetadata": {"promptTokenCount": 61,"totalTokenCount": 61,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 61}],"serviceTier": "standard"}}'

ERROR_429 = b"""{
  "error": {
    "code": 429,
    "message": "You exceeded your current quota. Please retry in 47.12s.",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [
          {
            "description": "Learn more about Gemini API quotas",
            "url": "https://ai.google.dev/gemini-api/docs/rate-limits"
          }
        ]
      },
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [
          {
            "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count",
            "quotaId": "GenerateContentInputTokensPerModelPerMinute-FreeTier",
            "quotaDimensions": {
              "location": "global",
              "model": "gemini-2.5-flash"
            },
            "quotaValue": "250000"
          }
        ]
      },
      {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": "47s"
      }
    ]
  }
}
"""
ERROR_400_KEY = b"""{
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"}
      },
      {
        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
        "locale": "en-US",
        "message": "API key not valid. Please pass a valid API key."
      }
    ]
  }
}
"""
ERROR_400_FIELD = b"""{
  "error": {
    "code": 400,
    "message": "Invalid JSON payload received. Unknown name \\"foo\\": Cannot find field.",
    "status": "INVALID_ARGUMENT",
    "details": [
      {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [
          {"description": "Invalid JSON payload received. Unknown name \\"foo\\": Cannot find field."}
        ]
      },
      {"@type": "type.googleapis.com/google.rpc.SomethingNew", "whatever": [1, 2]},
      "not even an object"
    ]
  }
}
"""


# -- example streams -------------------------------------------------------------------------


def test_stream_a_plain_text() -> None:
    first, last = (decode_chunk(p) for p in STREAM_A)
    assert first.text == "Warsaw is the capital of Poland. It lies on"
    assert first.finish_reason is None
    assert last.text == " the Vistula river."
    assert last.finish_reason == FinishReason.STOP
    assert last.candidates is not None
    assert last.candidates[0].index == 0
    assert last.candidates[0].content is not None
    assert last.candidates[0].content.role == "model"
    usage = last.usage
    assert usage is not None
    assert (usage.prompt_token_count, usage.candidates_token_count) == (12, 15)
    assert (usage.thoughts_token_count, usage.total_token_count) == (30, 57)
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details[0].modality == "TEXT"
    assert last.model_version == "gemini-2.5-flash"
    assert last.response_id == "4SawaZC7Oojp7M8P7KjSyAc"
    assert not last.blocked


def test_stream_b_parallel_function_calls() -> None:
    chunks = [decode_chunk(p) for p in STREAM_B]
    [call] = chunks[0].function_calls
    assert (call.id, call.name, call.args) == ("3ae8iwca", "sum", {"b": 3, "a": 2})
    assert chunks[0].parts[0].thought_signature == SIGNATURE
    assert chunks[1].parts[0].thought_signature is None
    assert chunks[1].function_calls[0].args == {"a": 4, "b": 5}
    assert chunks[2].text == ""
    assert chunks[2].finish_reason == "STOP"


def test_stream_c_error_after_partial_output() -> None:
    chunk = decode_chunk(STREAM_C_EVENT)
    assert chunk.text == "Okay"
    # Gemini 2.0 omits "index": it means 0.
    assert chunk.candidates is not None
    assert chunk.candidates[0].index is None
    status = decode_error(STREAM_C_ERROR)
    assert status is not None
    assert (status.code, status.status) == (503, "UNAVAILABLE")
    assert status.message == "The model is overloaded. Please try again later."
    assert status.details is None
    assert status.retry_delay is None
    # The raw error is valid JSON for the chunk type too: an empty response, no exception.
    assert decode_chunk(STREAM_C_ERROR).candidates is None


def test_d_prompt_blocked() -> None:
    chunk = decode_chunk(D_PROMPT_BLOCKED)
    assert chunk.blocked
    assert chunk.block_reason == "PROHIBITED_CONTENT"
    assert chunk.candidates is None
    assert (chunk.text, chunk.thoughts, chunk.function_calls) == ("", "", [])
    assert chunk.finish_reason is None


def test_d_candidate_stopped_by_safety() -> None:
    chunk = decode_chunk(D_SAFETY)
    assert chunk.blocked
    assert chunk.block_reason == FinishReason.SAFETY
    assert chunk.candidates is not None
    candidate = chunk.candidates[0]
    assert candidate.content is None
    assert chunk.text == ""
    assert candidate.safety_ratings is not None
    assert [r.blocked for r in candidate.safety_ratings] == [None, True]
    assert candidate.safety_ratings[1].probability == "HIGH"


def test_d_malformed_function_call() -> None:
    chunk = decode_chunk(D_MALFORMED_CALL)
    assert chunk.finish_reason == FinishReason.MALFORMED_FUNCTION_CALL
    assert chunk.candidates is not None
    assert chunk.candidates[0].finish_message == (
        'Malformed function call: print(default_api.archive(cities=["New'
    )
    assert not chunk.blocked
    assert chunk.function_calls == []
    assert chunk.text == ""
    assert chunk.usage is not None
    assert chunk.usage.service_tier == "standard"
    assert chunk.model_version is None
    assert chunk.response_id is None


def test_decode_chunk_from_memoryview_slice() -> None:
    buffer = bytearray(b"data: " + STREAM_A[0] + b"\r\n\r\n")
    view = memoryview(buffer)[6 : 6 + len(STREAM_A[0])]
    chunk = decode_chunk(view)
    view.release()
    buffer[:] = b"x" * len(buffer)  # the decoded chunk must not alias the reader's buffer
    assert chunk.text.startswith("Warsaw is the capital")


# -- error bodies ----------------------------------------------------------------------------


def test_429_with_help_quota_failure_and_retry_info() -> None:
    status = decode_error(ERROR_429)
    assert status is not None
    assert (status.code, status.status) == (429, "RESOURCE_EXHAUSTED")
    assert status.retry_delay == 47.0
    assert status.retry_info == RetryInfo(retry_delay="47s")
    quota = status.quota_failure
    assert quota is not None
    assert quota.violations is not None
    violation = quota.violations[0]
    assert violation.quota_value == 250000
    assert violation.quota_dimensions == {"location": "global", "model": "gemini-2.5-flash"}
    assert violation.quota_id == "GenerateContentInputTokensPerModelPerMinute-FreeTier"
    help_ = status.help
    assert help_ is not None
    assert help_.links is not None
    assert help_.links[0].url == "https://ai.google.dev/gemini-api/docs/rate-limits"
    assert [type(d) for d in status.typed_details] == [Help, QuotaFailure, RetryInfo]
    assert status.error_info is None
    assert status.bad_request is None


def test_400_api_key_invalid() -> None:
    status = decode_error(ERROR_400_KEY)
    assert status is not None
    info = status.error_info
    assert info == ErrorInfo(
        reason="API_KEY_INVALID",
        domain="googleapis.com",
        metadata={"service": "generativelanguage.googleapis.com"},
    )
    assert status.localized_message == LocalizedMessage(
        locale="en-US", message="API key not valid. Please pass a valid API key."
    )
    assert [type(d) for d in status.typed_details] == [ErrorInfo, LocalizedMessage]


def test_unknown_and_malformed_details_never_break_decoding() -> None:
    status = decode_error(ERROR_400_FIELD)
    assert status is not None
    bad = status.bad_request
    assert isinstance(bad, BadRequest)
    assert bad.field_violations is not None
    assert bad.field_violations[0].description is not None
    assert "Unknown name" in bad.field_violations[0].description
    typed = status.typed_details
    assert isinstance(typed[0], BadRequest)
    assert typed[1] == {"@type": "type.googleapis.com/google.rpc.SomethingNew", "whatever": [1, 2]}
    assert len(typed) == 2  # a non-object detail is skipped
    assert status.retry_info is None
    assert status.retry_delay is None

    malformed = b'{"error": {"code": 429, "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 12}]}}'
    status = decode_error(malformed)
    assert status is not None
    assert status.code == 429
    assert status.retry_info is None
    assert status.typed_details == (
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 12},
    )


@pytest.mark.parametrize(
    ("delay", "seconds"),
    [("47s", 47.0), ("25.465784708s", 25.465784708), ("0s", 0.0), ("1.5", None), ("xs", None)],
)
def test_retry_delay_parsing(delay: str, seconds: float | None) -> None:
    assert RetryInfo(retry_delay=delay).delay_seconds == seconds


def test_error_wrapped_in_a_one_element_list() -> None:
    status = decode_error(b"[" + ERROR_429 + b"]")
    assert status is not None
    assert status.code == 429
    assert status.retry_delay == 47.0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>Bad Gateway</html>",
        b'{"candidates": []}',
        b"[]",
        b"[" + STREAM_C_ERROR + b"," + STREAM_C_ERROR + b"]",
        b'"error"',
        b'{"error": "quota"}',
        b'{"error": {"code": 4',
    ],
)
def test_decode_error_returns_none_for_other_bodies(body: bytes) -> None:
    assert decode_error(body) is None


def test_decode_error_accepts_a_memoryview() -> None:
    status = decode_error(memoryview(STREAM_C_ERROR))
    assert status is not None
    assert status.code == 503


# -- malformed payloads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        b'{"candidates": [{"content": {"parts": [{"text": "unterminated',
        b"not json at all",
        b'{"candidates": 5}',
        b'{"candidates": [{"index": "zero"}]}',
        b"[1, 2]",
    ],
)
def test_malformed_chunk_raises_response_decode_error(payload: bytes) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        decode_chunk(memoryview(payload))
    error = info.value
    assert isinstance(error.__cause__, msgspec.DecodeError)
    assert error.excerpt.strip("'\"").startswith(payload[:10].decode())
    assert "GenerateContentResponse" in str(error)


def test_excerpt_is_short_for_a_huge_payload() -> None:
    payload = b'{"candidates": [' + b"x" * 100_000
    with pytest.raises(ResponseDecodeError) as info:
        decode_chunk(payload)
    assert len(info.value.excerpt) < 300


def test_other_decoders_raise_response_decode_error() -> None:
    for function in (decode_response, decode_count_tokens, decode_model, decode_list_models):
        with pytest.raises(ResponseDecodeError):
            function(b"{oops")


# -- non-stream bodies -----------------------------------------------------------------------


def test_decode_response_pretty_printed() -> None:
    body = json.dumps(json.loads(STREAM_A[1]), indent=2).encode() + b"\n"
    assert decode_response(body).text == " the Vistula river."


def test_count_tokens_models_and_list() -> None:
    counted = decode_count_tokens(
        b'{"totalTokens": 31, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]}'
    )
    assert counted.total_tokens == 31
    assert counted.cached_content_token_count is None
    model_json = b"""{
      "name": "models/gemini-2.5-flash", "version": "001", "displayName": "Gemini 2.5 Flash",
      "description": "Stable", "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
      "supportedGenerationMethods": ["generateContent", "countTokens"],
      "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2, "thinking": true,
      "somethingNew": {"a": 1}
    }"""
    model = decode_model(model_json)
    assert model.name == "models/gemini-2.5-flash"
    assert model.temperature == 1.0
    assert isinstance(model.temperature, float)
    assert (model.top_k, model.max_temperature, model.thinking) == (64, 2.0, True)
    assert model.base_model_id is None
    page = decode_list_models(b'{"models": [' + model_json + b'], "nextPageToken": "CiRtb2Rl"}')
    assert page.models == [model]
    assert page.next_page_token == "CiRtb2Rl"
    assert decode_list_models(b"{}").models is None


def test_int64_schema_counts_accept_strings() -> None:
    schema = decode(b'{"type": "ARRAY", "minItems": "1", "maxItems": "5", "maxLength": 7}', Schema)
    assert (schema.min_items, schema.max_items, schema.max_length) == (1, 5, 7)


def test_decoders_are_cached() -> None:
    decode(b"{}", Schema)
    assert _codec._decoder(Schema) is _codec._decoder(Schema)


# -- requests --------------------------------------------------------------------------------


def _full_request() -> GenerateContentRequest:
    schema = Schema(
        type="OBJECT",
        properties={
            "city_name": Schema(type="STRING", description="A city", nullable=True),
            "days": Schema(type="INTEGER", format="int32", minimum=1, maximum=10),
            "tags": Schema(
                type="ARRAY", items=Schema(type="STRING", enum=["a", "b"]), min_items=1, max_items=3
            ),
        },
        required=["city_name"],
        property_ordering=["city_name", "days", "tags"],
        any_of=[Schema(type="OBJECT", title="t", min_properties=1, max_properties=2)],
        default=None,
        example={"city_name": "Paris"},
    )
    config = GenerationConfig(
        candidate_count=1,
        stop_sequences=["END"],
        max_output_tokens=1024,
        temperature=0.0,
        top_p=0.95,
        top_k=40,
        seed=7,
        response_mime_type="application/json",
        response_schema=schema,
        response_json_schema={"type": "object", "properties": {"snake_key": {"type": "string"}}},
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        response_logprobs=True,
        logprobs=3,
        enable_enhanced_civic_answers=False,
        response_modalities=["TEXT", "IMAGE"],
        speech_config=SpeechConfig(
            voice_config=VoiceConfig(prebuilt_voice_config=PrebuiltVoiceConfig(voice_name="Kore")),
            multi_speaker_voice_config=MultiSpeakerVoiceConfig(
                speaker_voice_configs=[
                    SpeakerVoiceConfig(
                        speaker="Joe",
                        voice_config=VoiceConfig(
                            prebuilt_voice_config=PrebuiltVoiceConfig(voice_name="Puck")
                        ),
                    )
                ]
            ),
            language_code="en-US",
        ),
        thinking_config=ThinkingConfig(include_thoughts=True, thinking_budget=0),
        image_config=ImageConfig(aspect_ratio="16:9", image_size="2K"),
        media_resolution="MEDIA_RESOLUTION_LOW",
        audio_transcription_config=AudioTranscriptionConfig(),
    )
    tools = [
        Tool(
            function_declarations=[
                FunctionDeclaration(
                    name="get_weather",
                    description="Weather",
                    parameters=schema,
                    response=Schema(type="STRING"),
                ),
                FunctionDeclaration(
                    name="raw",
                    parameters_json_schema={"type": "object", "additionalProperties": False},
                    response_json_schema={"type": "string"},
                    behavior="BLOCKING",
                ),
            ]
        ),
        Tool(code_execution=CodeExecution()),
        Tool(
            google_search=GoogleSearch(
                search_types=SearchTypes(web_search=WebSearch()),
                time_range_filter=Interval(
                    start_time="2026-01-01T00:00:00Z", end_time="2026-02-01T00:00:00Z"
                ),
            )
        ),
        Tool(
            google_search_retrieval=GoogleSearchRetrieval(
                dynamic_retrieval_config=DynamicRetrievalConfig(
                    mode="MODE_DYNAMIC", dynamic_threshold=0.3
                )
            )
        ),
        Tool(url_context=UrlContext()),
        Tool(google_maps=GoogleMaps(enable_widget=True)),
        Tool(file_search=FileSearch(file_search_store_names=["fileSearchStores/a"], top_k=4)),
    ]
    return GenerateContentRequest(
        contents=[
            Content.user("What's the weather?", Part.from_bytes(b"\x89PNG", "image/png")),
            Content(
                role="model",
                parts=[
                    Part(
                        function_call=Part.from_function_call(
                            "get_weather", {"city_name": "Paris"}
                        ).function_call,
                        thought_signature=SIGNATURE,
                    )
                ],
            ),
            Content.user(Part.from_function_response("get_weather", {"output": {"temp_c": 21}})),
        ],
        system_instruction=Content(parts=[Part(text="Be brief")]),
        tools=tools,
        tool_config=ToolConfig(
            function_calling_config=FunctionCallingConfig(
                mode="ANY", allowed_function_names=["get_weather"]
            ),
            retrieval_config=RetrievalConfig(
                lat_lng=LatLng(latitude=52.2, longitude=21.0), language_code="pl"
            ),
            include_server_side_tool_invocations=True,
        ),
        safety_settings=[
            SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_ONLY_HIGH")
        ],
        generation_config=config,
        cached_content="cachedContents/abc",
        service_tier="standard",
    )


EXPECTED_SCHEMA = {
    "type": "OBJECT",
    "properties": {
        "city_name": {"type": "STRING", "description": "A city", "nullable": True},
        "days": {"type": "INTEGER", "format": "int32", "minimum": 1.0, "maximum": 10.0},
        "tags": {
            "type": "ARRAY",
            "items": {"type": "STRING", "enum": ["a", "b"]},
            "minItems": 1,
            "maxItems": 3,
        },
    },
    "required": ["city_name"],
    "propertyOrdering": ["city_name", "days", "tags"],
    "anyOf": [{"type": "OBJECT", "title": "t", "minProperties": 1, "maxProperties": 2}],
    "default": None,
    "example": {"city_name": "Paris"},
}

EXPECTED_REQUEST = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "What's the weather?"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
            ],
        },
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {"name": "get_weather", "args": {"city_name": "Paris"}},
                    "thoughtSignature": SIGNATURE_B64,
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "name": "get_weather",
                        "response": {"output": {"temp_c": 21}},
                    }
                }
            ],
        },
    ],
    "systemInstruction": {"parts": [{"text": "Be brief"}]},
    "tools": [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Weather",
                    "parameters": EXPECTED_SCHEMA,
                    "response": {"type": "STRING"},
                },
                {
                    "name": "raw",
                    "parametersJsonSchema": {"type": "object", "additionalProperties": False},
                    "responseJsonSchema": {"type": "string"},
                    "behavior": "BLOCKING",
                },
            ]
        },
        {"codeExecution": {}},
        {
            "googleSearch": {
                "searchTypes": {"webSearch": {}},
                "timeRangeFilter": {
                    "startTime": "2026-01-01T00:00:00Z",
                    "endTime": "2026-02-01T00:00:00Z",
                },
            }
        },
        {
            "googleSearchRetrieval": {
                "dynamicRetrievalConfig": {"mode": "MODE_DYNAMIC", "dynamicThreshold": 0.3}
            }
        },
        {"urlContext": {}},
        {"googleMaps": {"enableWidget": True}},
        {"fileSearch": {"fileSearchStoreNames": ["fileSearchStores/a"], "topK": 4}},
    ],
    "toolConfig": {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        "retrievalConfig": {"latLng": {"latitude": 52.2, "longitude": 21.0}, "languageCode": "pl"},
        "includeServerSideToolInvocations": True,
    },
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}],
    "generationConfig": {
        "candidateCount": 1,
        "stopSequences": ["END"],
        "maxOutputTokens": 1024,
        "temperature": 0.0,
        "topP": 0.95,
        "topK": 40,
        "seed": 7,
        "responseMimeType": "application/json",
        "responseSchema": EXPECTED_SCHEMA,
        "responseJsonSchema": {"type": "object", "properties": {"snake_key": {"type": "string"}}},
        "presencePenalty": 0.5,
        "frequencyPenalty": -0.5,
        "responseLogprobs": True,
        "logprobs": 3,
        "enableEnhancedCivicAnswers": False,
        "responseModalities": ["TEXT", "IMAGE"],
        "speechConfig": {
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
            "multiSpeakerVoiceConfig": {
                "speakerVoiceConfigs": [
                    {
                        "speaker": "Joe",
                        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}},
                    }
                ]
            },
            "languageCode": "en-US",
        },
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 0},
        "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
        "mediaResolution": "MEDIA_RESOLUTION_LOW",
        "audioTranscriptionConfig": {},
    },
    "cachedContent": "cachedContents/abc",
    "serviceTier": "standard",
}


def test_encode_request_with_every_config_field() -> None:
    body = encode_request(_full_request())
    assert isinstance(body, bytes)
    assert json.loads(body) == EXPECTED_REQUEST


def test_encoded_request_decodes_back_equal() -> None:
    request = _full_request()
    assert decode(encode_request(request), GenerateContentRequest) == request


def test_falsy_values_the_user_set_are_sent() -> None:
    config = GenerationConfig(
        temperature=0.0,
        thinking_config=ThinkingConfig(thinking_budget=0, include_thoughts=False),
        stop_sequences=[],
    )
    body = encode_request(GenerateContentRequest(contents=[], generation_config=config))
    assert json.loads(body) == {
        "contents": [],
        "generationConfig": {
            "stopSequences": [],
            "temperature": 0.0,
            "thinkingConfig": {"includeThoughts": False, "thinkingBudget": 0},
        },
    }


def test_minimal_request_and_count_tokens() -> None:
    request = GenerateContentRequest(contents=[Content.user("Hi")])
    assert json.loads(encode_request(request)) == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}]
    }
    wrapped = CountTokensRequest(
        generate_content_request=GenerateContentRequest(
            model="models/gemini-2.5-flash",
            contents=[Content.user("Hi")],
            system_instruction=Content(parts=[Part(text="sys")]),
        )
    )
    assert json.loads(encode_request(wrapped)) == {
        "generateContentRequest": {
            "model": "models/gemini-2.5-flash",
            "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
            "systemInstruction": {"parts": [{"text": "sys"}]},
        }
    }
    bare = CountTokensRequest(contents=[Content.user("Hi")])
    assert json.loads(encode_request(bare)) == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}]
    }


def test_blob_bytes_are_base64() -> None:
    body = encode_request(
        GenerateContentRequest(
            contents=[Content(parts=[Part(inline_data=Blob(mime_type="a/b", data=SIGNATURE))])]
        )
    )
    assert json.loads(body)["contents"][0]["parts"][0]["inlineData"]["data"] == SIGNATURE_B64
