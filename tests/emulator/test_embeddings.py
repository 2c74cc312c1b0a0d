"""The emulator's embedContent / batchEmbedContents over raw HTTP: vectors, sizes and errors."""

from __future__ import annotations

import json
import math
from typing import Any

import aiohttp

from gemini_stream.emulator import Emulator

from ._helpers import google_pretty, post, url

MODEL = "gemini-embedding-001"
MODEL_2 = "gemini-embedding-2"


def text(value: str, **fields: Any) -> dict[str, Any]:
    return {"content": {"parts": [{"text": value}]}, **fields}


def batch(model: str, *texts: str, **fields: Any) -> dict[str, Any]:
    return {"requests": [text(t, model=f"models/{model}", **fields) for t in texts]}


def norm(values: list[float]) -> float:
    return math.sqrt(math.fsum(v * v for v in values))


def cosine(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True)) / (norm(a) * norm(b))


async def embed_one(
    session: aiohttp.ClientSession, emulator: Emulator, body: Any, model: str = MODEL
) -> list[float]:
    status, _, raw = await post(session, url(emulator, "embedContent", model), body)
    assert status == 200, raw
    reply = json.loads(raw)
    assert list(reply) == ["embedding"] and list(reply["embedding"]) == ["values"]
    values: list[float] = reply["embedding"]["values"]
    return values


async def error_of(
    session: aiohttp.ClientSession, emulator: Emulator, rpc: str, body: Any, model: str = MODEL
) -> tuple[int, dict[str, Any]]:
    status, headers, raw = await post(session, url(emulator, rpc, model), body)
    assert raw == google_pretty(json.loads(raw))  # Google's pretty-printed error body
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    error: dict[str, Any] = json.loads(raw)["error"]
    assert error["code"] == status
    return status, error


async def test_embed_content_is_deterministic_with_the_default_size(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    first = await embed_one(session, gemini_emulator, text("What is the meaning of life?"))
    again = await embed_one(session, gemini_emulator, text("What is the meaning of life?"))
    assert len(first) == 3072 and first == again
    assert abs(norm(first) - 1.0) < 1e-6
    [record, _] = gemini_emulator.records
    assert (record.rpc, record.model, record.status) == ("embedContent", f"models/{MODEL}", 200)


async def test_a_shorter_vector_is_the_start_of_the_longer_one(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    full = await embed_one(session, gemini_emulator, text("hello"))
    short = await embed_one(session, gemini_emulator, text("hello", outputDimensionality=768))
    snake = await embed_one(session, gemini_emulator, text("hello", output_dimensionality=768))
    assert len(short) == 768 and short == full[:768] and snake == short
    assert norm(short) < 0.9  # gemini-embedding-001 leaves truncated vectors unnormalised
    full_2 = await embed_one(session, gemini_emulator, text("hello"), MODEL_2)
    short_2 = await embed_one(
        session, gemini_emulator, text("hello", outputDimensionality=768), MODEL_2
    )
    assert abs(norm(short_2) - 1.0) < 1e-6  # gemini-embedding-2 normalises them
    assert cosine(short_2, full_2[:768]) > 0.9999


async def test_a_batch_answers_in_order_and_similar_texts_are_close(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    texts = ["The cat sat on the mat.", "A cat sat on a mat.", "Interest rates rose again."]
    status, _, raw = await post(
        session, url(gemini_emulator, "batchEmbedContents", MODEL), batch(MODEL, *texts)
    )
    assert status == 200, raw
    reply = json.loads(raw)
    vectors = [e["values"] for e in reply["embeddings"]]
    for value, vector in zip(texts, vectors, strict=True):
        assert vector == await embed_one(session, gemini_emulator, text(value))
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3
    # The task type and the title move a vector a little, not away from its text.
    tasked = await embed_one(session, gemini_emulator, text(texts[0], taskType="CLUSTERING"))
    assert tasked != vectors[0] and cosine(tasked, vectors[0]) > 0.9


async def test_media_parts_count_on_gemini_embedding_2_only(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    image = {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}
    other = {"inline_data": {"mime_type": "image/png", "data": "R0lGODlh"}}
    one = await embed_one(session, gemini_emulator, {"content": {"parts": [image]}}, MODEL_2)
    two = await embed_one(session, gemini_emulator, {"content": {"parts": [other]}}, MODEL_2)
    assert one != two and len(one) == 3072
    both = {"content": {"parts": [{"text": "a dog"}, image]}}  # one aggregated embedding
    assert len(await embed_one(session, gemini_emulator, both, MODEL_2)) == 3072
    status, error = await error_of(
        session, gemini_emulator, "embedContent", {"content": {"parts": [image]}}
    )
    assert status == 400 and "nothing to embed" in error["message"]


async def test_more_than_100_requests_are_refused_with_the_apis_message(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    texts = [f"t{i}" for i in range(101)]
    status, error = await error_of(
        session, gemini_emulator, "batchEmbedContents", batch(MODEL, *texts)
    )
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == (
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
    )
    status, _, _ = await post(
        session, url(gemini_emulator, "batchEmbedContents", MODEL), batch(MODEL, *texts[:100])
    )
    assert status == 200


async def test_bad_requests_get_400(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    cases: list[tuple[str, str, Any, str]] = [
        ("batchEmbedContents", MODEL, {"requests": [text("x")]}, "model is not specified"),
        ("batchEmbedContents", MODEL, batch(MODEL_2, "x"), "not the model of the batch"),
        ("batchEmbedContents", MODEL, {"requests": []}, "requests is not specified"),
        ("embedContent", MODEL, text("x", outputDimensionality=64), "between 128 and 3072"),
        ("embedContent", MODEL, text("x", outputDimensionality=3073), "got 3073"),
        ("embedContent", MODEL, text("x", outputDimensionality="big"), "TYPE_INT32"),
        ("embedContent", MODEL, text("x", taskType="SEARCH"), '"SEARCH"'),
        ("embedContent", MODEL_2, text("x", taskType="RETRIEVAL_QUERY"), "not supported"),
        ("embedContent", MODEL, text("x", title="T"), "RETRIEVAL_DOCUMENT"),
        ("embedContent", MODEL, text("x", dimensions=3), 'Unknown name "dimensions"'),
        ("embedContent", MODEL, {"content": {"parts": []}}, "nothing to embed"),
        ("embedContent", MODEL, [], "Expected an object"),
    ]
    for rpc, model, body, message in cases:
        status, error = await error_of(session, gemini_emulator, rpc, body, model)
        assert (status, error["status"]) == (400, "INVALID_ARGUMENT"), (body, error)
        assert message in error["message"], (body, error)
    status, error = await error_of(
        session, gemini_emulator, "embedContent", text("x", taskType="SEARCH")
    )
    [detail] = error["details"]
    assert detail["fieldViolations"][0]["field"] == "task_type"


async def test_unknown_and_generation_models_get_404(
    session: aiohttp.ClientSession, gemini_emulator: Emulator
) -> None:
    for model in ("nonexistent-model", "gemini-2.5-flash"):
        status, error = await error_of(
            session, gemini_emulator, "batchEmbedContents", batch(model, "x"), model
        )
        assert status == 404
        assert error["message"].startswith(
            f"models/{model} is not found for API version v1beta, or is not supported for "
            "embedContent."
        )
