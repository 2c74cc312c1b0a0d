"""Fields real replies carry survive decoding into our types and encoding again (issue 19).

The bodies are written here in the shapes Google's servers send (Gemini API and Vertex AI
replies, streamed chunks, countTokens, Imagen predictions, error bodies), with our own values.
Each must come back from decode -> encode with every key it had.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from gemini_stream import types
from gemini_stream._http.codec import (
    decode,
    decode_chunk,
    decode_count_tokens,
    decode_error,
    decode_response,
)
from gemini_stream._media.imagen import GeneratedImages
from gemini_stream._stream.accumulate import accumulate
from gemini_stream._stream.accumulate_batch import accumulate_batch


def _dump(value: object) -> Any:
    return json.loads(msgspec.json.encode(value))


# -- the Gemini API --------------------------------------------------------------------------

GEMINI_REPLY = {
    "candidates": [
        {
            "content": {"parts": [{"text": "Lisbon."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "modelVersion": "gemini-2.5-flash",
    "responseId": "Zk3xaQmJBqKf1e8P9aWlqA4",
    "turnToken": "v1:ChdaazN4YVFtSkJxS2YxZThQOWFXbHFBNBIXWmszeGFRbUpCcUtmMWU4UDlhV2xxQTQ",
    "usageMetadata": {
        "candidatesTokenCount": 2,
        "promptTokenCount": 7,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7}],
        "thoughtsTokenCount": 31,
        "totalTokenCount": 40,
    },
}

FILE_SEARCH_REPLY = {
    "candidates": [
        {
            "content": {"parts": [{"text": "The warranty lasts two years."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
            "groundingMetadata": {
                "groundingChunks": [
                    {
                        "retrievedContext": {
                            "title": "warranty.md",
                            "text": "All devices carry a two-year warranty.\n",
                            "fileSearchStore": "fileSearchStores/manuals-7q2w9e",
                            "customMetadata": [
                                {"key": "source_url", "stringValue": "https://example.org/w"},
                                {"key": "revision", "numericValue": 3},
                                {"key": "tags", "stringListValue": {"values": ["legal", "hw"]}},
                            ],
                        }
                    }
                ],
                "groundingSupports": [
                    {
                        "groundingChunkIndices": [0],
                        "segment": {"endIndex": 29, "text": "The warranty lasts two years."},
                    }
                ],
            },
        }
    ],
    "modelVersion": "gemini-3-flash-preview",
    "responseId": "p0TxaaW2DtCsvr0Pu7q1iQs",
}

COUNT_TOKENS_GEMINI = {
    "contentTokens": [
        {"partTokens": [6, 258], "roleTokens": 1},
        {"partTokens": [4], "roleTokens": 1},
    ],
    "promptTokensDetails": [
        {"modality": "TEXT", "tokenCount": 12},
        {"modality": "IMAGE", "tokenCount": 258},
    ],
    "systemInstructionsTokens": {"partTokens": [9]},
    "totalTokens": 279,
}

# -- Vertex AI -------------------------------------------------------------------------------

VERTEX_REPLY = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Forty-two."}]},
            "finishReason": "STOP",
            "avgLogprobs": -0.41,
            "score": -4.1018290519714355,
        }
    ],
    "createTime": "2026-02-11T09:14:03.118207Z",
    "modelVersion": "gemini-2.5-flash",
    "responseId": "y0yMab2xB4WWmecPq8XMyAg",
    "usageMetadata": {
        "billablePromptUsage": {"textCount": 57, "imageCount": 1},
        "billableCachedContentUsage": {"textCount": 12, "audioDurationSeconds": 4},
        "candidatesTokenCount": 4,
        "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 4}],
        "promptTokenCount": 15,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
        "totalTokenCount": 19,
        "trafficType": "PROVISIONED_THROUGHPUT",
    },
}

VERTEX_BLOCKED = {
    "createTime": "2026-04-02T17:40:11.902311Z",
    "modelVersion": "gemini-2.5-flash",
    "promptFeedback": {
        "blockReason": "MODEL_ARMOR",
        "blockReasonMessage": "The prompt violated the Prompt Injection and Jailbreak filters.",
    },
    "responseId": "u4nNaeWcNeGB1PIPlpewqQk",
    "usageMetadata": {"trafficType": "ON_DEMAND"},
}

COUNT_TOKENS_VERTEX = {
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
    "totalBillableCharacters": 29,
    "totalTokens": 8,
}

IMAGEN_VERTEX = {
    "predictions": [
        {
            "bytesBase64Encoded": (
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJ"
                "RU5ErkJggg=="
            ),
            "mimeType": "image/png",
            "prompt": "A paper boat on a puddle, rendered as a watercolour.",
            "safetyAttributes": {"categories": ["Violence"], "scores": [0.1]},
        },
        {
            "contentType": "Positive Prompt",
            "safetyAttributes": {"categories": ["Health", "Violence"], "scores": [0, 0.1]},
        },
    ]
}

LEGACY_ERROR = {
    "error": {
        "code": 429,
        "message": "Resource exhausted. Please try again later.",
        "errors": [
            {
                "message": "Resource exhausted. Please try again later.",
                "domain": "global",
                "reason": "rateLimitExceeded",
            }
        ],
        "status": "RESOURCE_EXHAUSTED",
    }
}


@pytest.mark.parametrize(
    "body",
    [GEMINI_REPLY, FILE_SEARCH_REPLY, VERTEX_REPLY, VERTEX_BLOCKED],
    ids=["turn-token", "file-search", "vertex", "vertex-blocked"],
)
def test_generate_content_replies_round_trip(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    assert _dump(decode_response(raw)) == body
    assert _dump(decode_chunk(raw)) == body  # the strict decoder of streamed chunks too


def test_the_new_reply_fields_are_typed() -> None:
    reply = decode_response(json.dumps(GEMINI_REPLY).encode())
    assert reply.turn_token == GEMINI_REPLY["turnToken"]

    vertex = decode_response(json.dumps(VERTEX_REPLY).encode())
    assert vertex.create_time == "2026-02-11T09:14:03.118207Z"
    assert vertex.candidates is not None
    assert vertex.candidates[0].score == pytest.approx(-4.10182905)
    usage = vertex.usage
    assert usage is not None and usage.traffic_type == "PROVISIONED_THROUGHPUT"
    assert usage.billable_prompt_usage == types.BillableUsage(text_count=57, image_count=1)
    cached = usage.billable_cached_content_usage
    assert cached == types.BillableUsage(text_count=12, audio_duration_seconds=4)

    blocked = decode_response(json.dumps(VERTEX_BLOCKED).encode())
    assert blocked.blocked and blocked.block_reason == "MODEL_ARMOR"
    assert blocked.prompt_feedback is not None
    assert blocked.prompt_feedback.block_reason_message is not None
    assert "Jailbreak" in blocked.prompt_feedback.block_reason_message

    grounded = decode_response(json.dumps(FILE_SEARCH_REPLY).encode())
    assert grounded.candidates is not None
    metadata = grounded.candidates[0].grounding_metadata
    assert metadata is not None and metadata.grounding_chunks is not None
    context = metadata.grounding_chunks[0].retrieved_context
    assert context is not None
    assert context.custom_metadata == [
        types.CustomMetadata(key="source_url", string_value="https://example.org/w"),
        types.CustomMetadata(key="revision", numeric_value=3),
        types.CustomMetadata(
            key="tags", string_list_value=types.StringList(values=["legal", "hw"])
        ),
    ]


@pytest.mark.parametrize(
    "body", [COUNT_TOKENS_GEMINI, COUNT_TOKENS_VERTEX], ids=["gemini", "vertex"]
)
def test_count_tokens_round_trips(body: dict[str, Any]) -> None:
    assert _dump(decode_count_tokens(json.dumps(body).encode())) == body


def test_count_tokens_breakdowns_are_typed() -> None:
    counted = decode_count_tokens(json.dumps(COUNT_TOKENS_GEMINI).encode())
    assert counted.content_tokens == [
        types.ContentTokens(part_tokens=[6, 258], role_tokens=1),
        types.ContentTokens(part_tokens=[4], role_tokens=1),
    ]
    assert counted.system_instructions_tokens == types.ContentTokens(part_tokens=[9])
    # An empty breakdown ({} for a request without a system instruction) stays {}.
    empty = decode_count_tokens(b'{"totalTokens": 3, "systemInstructionsTokens": {}}')
    assert _dump(empty) == {"totalTokens": 3, "systemInstructionsTokens": {}}
    vertex = decode_count_tokens(json.dumps(COUNT_TOKENS_VERTEX).encode())
    assert vertex.total_billable_characters == 29


def test_imagen_predictions_round_trip() -> None:
    images = decode(json.dumps(IMAGEN_VERTEX).encode(), GeneratedImages)
    assert _dump(images) == IMAGEN_VERTEX
    assert images.predictions is not None
    first, prompt = images.predictions
    assert first.safety_attributes is not None
    assert first.safety_attributes.categories == ["Violence"]
    assert prompt.content_type == "Positive Prompt"
    assert prompt.safety_attributes is not None
    assert prompt.safety_attributes.scores == [0, 0.1]
    assert len(images.images) == 1  # the prompt's attributes are not an image


@pytest.mark.parametrize("wrapped", [False, True], ids=["object", "list-wrapped"])
def test_legacy_error_list_round_trips(wrapped: bool) -> None:
    body = [LEGACY_ERROR] if wrapped else LEGACY_ERROR
    status = decode_error(json.dumps(body).encode())
    assert status is not None
    assert _dump(types.ErrorBody(error=status)) == LEGACY_ERROR
    assert status.errors == [
        types.LegacyError(
            message="Resource exhausted. Please try again later.",
            domain="global",
            reason="rateLimitExceeded",
        )
    ]


# -- streamed: the merged reply keeps them too ---------------------------------------------


def _vertex_chunks() -> list[types.GenerateContentResponse]:
    common = {
        "createTime": "2026-02-11T09:20:45.51002Z",
        "modelVersion": "gemini-2.5-flash",
        "responseId": "nU2Mab6dH4Wmm-cPl5ycuQ0",
    }
    bodies = [
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "One"}]}}],
            **common,
            "usageMetadata": {"billablePromptUsage": {"textCount": 23}, "trafficType": "ON_DEMAND"},
        },
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": ", two"}]}}],
            **common,
            "usageMetadata": {"trafficType": "ON_DEMAND"},
        },
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": ", three."}]},
                    "finishReason": "STOP",
                    "score": -1.5,
                }
            ],
            **common,
            "usageMetadata": {
                "candidatesTokenCount": 5,
                "promptTokenCount": 6,
                "totalTokenCount": 11,
                "trafficType": "ON_DEMAND",
            },
        },
    ]
    return [decode_chunk(json.dumps(body).encode()) for body in bodies]


def _gemini_chunks() -> list[types.GenerateContentResponse]:
    token = "v1:ChdPd3N4YVlXM0RxS2p2cjBQNjdlSmtRcxIXT3dzeGFZVzNEcUtqdnIwUDY3ZUprUXM"
    bodies = [
        {
            "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}],
            "modelVersion": "gemini-2.5-flash",
            "responseId": "OwsxaYW3DqKjvr0P67eJkQs",
            "turnToken": token,
        }
        for text in ("Red", ", green", " and blue.")
    ]
    bodies[-1]["candidates"][0]["finishReason"] = "STOP"  # type: ignore[index]
    return [decode_chunk(json.dumps(body).encode()) for body in bodies]


@pytest.mark.parametrize("fold", ["one-by-one", "batch"])
def test_merged_replies_keep_the_new_fields(fold: str) -> None:
    merged: types.GenerateContentResponse | None
    for chunks, expected_text in ((_vertex_chunks(), "One, two, three."), (_gemini_chunks(), "")):
        if fold == "batch":
            merged = accumulate_batch(None, chunks)
        else:
            merged = None
            for chunk in chunks:
                merged = accumulate(merged, chunk)
        assert merged is not None
        if expected_text:
            assert merged.text == expected_text
            assert merged.create_time == "2026-02-11T09:20:45.51002Z"
            assert merged.candidates is not None and merged.candidates[0].score == -1.5
            assert merged.usage is not None and merged.usage.traffic_type == "ON_DEMAND"
        else:
            assert merged.text == "Red, green and blue."
            assert merged.turn_token is not None and merged.turn_token.startswith("v1:")


def test_turn_token_is_never_sent_back() -> None:
    # It names a reply; no request field takes it (docs/api.md says why), so a chat's history
    # and requests built from a reply carry only the content.
    reply = decode_response(json.dumps(GEMINI_REPLY).encode())
    assert reply.candidates is not None and reply.candidates[0].content is not None
    history_turn = msgspec.json.encode(reply.candidates[0].content)
    assert b"turnToken" not in history_turn
    assert "turn_token" not in types.GenerateContentRequest.__struct_fields__
    assert "turn_token" not in types.Content.__struct_fields__
