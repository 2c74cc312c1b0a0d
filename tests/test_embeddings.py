"""client.embed end to end against the emulator: one input, many, batching, rate limits, tasks."""

from __future__ import annotations

import array
import asyncio
import json
import struct
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.lowlevel
import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault
from gemini_stream.emulator import _faults as emulator_faults

MODEL = "gemini-embedding-001"
MODEL_2 = "gemini-embedding-2"


def batch_calls(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.records if r.rpc == "batchEmbedContents"]


def sent_texts(emulator: Emulator) -> list[str]:
    return [
        request["content"]["parts"][0]["text"]
        for record in batch_calls(emulator)
        for request in record.body["requests"]
    ]


# -- one input, many ---------------------------------------------------------------------------


async def test_one_text_gives_one_embedding(client: gs.Client, emulator: Emulator) -> None:
    vector = await client.embed(MODEL, "What is the meaning of life?")
    assert isinstance(vector, gs.Embedding) and isinstance(vector, Sequence)
    assert len(vector) == 3072  # the model's default size
    assert isinstance(vector.values, array.array) and vector.values.typecode == "f"
    assert list(vector)[:5] == [vector[i] for i in range(5)]
    assert vector.norm() == pytest.approx(1.0, abs=1e-5)  # a full vector is normalised
    [record] = batch_calls(emulator)
    assert record.path == f"/v1beta/models/{MODEL}:batchEmbedContents"
    assert record.body == {
        "requests": [
            {
                "model": f"models/{MODEL}",
                "content": {"parts": [{"text": "What is the meaning of life?"}]},
            }
        ]
    }
    assert await client.embed(MODEL, "What is the meaning of life?") == vector  # deterministic


async def test_many_inputs_come_back_in_order(client: gs.Client, emulator: Emulator) -> None:
    texts = ["red apple", "green pear", "blue whale"]
    many = await client.embed(MODEL, texts, output_dimensionality=768)
    assert isinstance(many, list) and [len(v) for v in many] == [768] * 3
    alone = [await client.embed(MODEL, text, output_dimensionality=768) for text in texts]
    assert many == alone
    assert sent_texts(emulator)[:3] == texts
    # Any iterable, read once; parts, Contents and dicts too.
    lazy = await client.embed(MODEL, (t for t in texts), output_dimensionality=768)
    assert lazy == many
    mixed = await client.embed(
        MODEL,
        [gs.Part(text="red apple"), gs.Content(parts=[gs.Part(text="green pear")]),
         {"parts": [{"text": "blue whale"}]}],
        output_dimensionality=768,
    )  # fmt: skip
    assert mixed == many


async def test_a_list_inside_the_inputs_is_one_aggregated_input(
    client: gs.Client, emulator: Emulator
) -> None:
    [joined, alone] = await client.embed(MODEL_2, [["a red", "apple"], "a red"])
    assert joined != alone
    first = batch_calls(emulator)[0].body["requests"][0]
    assert first["content"] == {"parts": [{"text": "a red"}, {"text": "apple"}]}


async def test_similar_texts_are_closer_than_dissimilar_ones(client: gs.Client) -> None:
    cat, kitten, tax = await client.embed(
        MODEL,
        ["The cat sat on the mat.", "A cat was sitting on the mat.", "Quarterly tax filing rules"],
        task_type="SEMANTIC_SIMILARITY",
    )
    assert cat.cosine(kitten) > 0.4
    assert cat.cosine(kitten) > cat.cosine(tax) + 0.3
    assert cat.cosine(cat) == pytest.approx(1.0)


# -- batching and rate limits ------------------------------------------------------------------


async def test_a_thousand_texts_go_in_ten_ordered_batches(
    client: gs.Client, emulator: Emulator
) -> None:
    texts = [f"document number {i} about topic {i % 7}" for i in range(1000)]
    vectors = await client.embed(MODEL, texts, output_dimensionality=256)
    assert len(vectors) == 1000 and {len(v) for v in vectors} == {256}
    calls = batch_calls(emulator)
    assert len(calls) == 10
    assert all(len(call.body["requests"]) == 100 for call in calls)
    assert sorted(sent_texts(emulator)) == sorted(texts)
    # Each vector is its own text's, whatever order the batches were sent in.
    for i in (0, 99, 100, 555, 999):
        assert vectors[i] == await client.embed(MODEL, texts[i], output_dimensionality=256)


async def test_batches_are_sent_concurrently(emulator: Emulator) -> None:
    # A limiter that admits nobody until four batch calls wait at once: embed() gets past it
    # only if it sends four batches concurrently.
    class Gate:
        def __init__(self, width: int) -> None:
            self.inner = gs.InProcessLimiter()
            self.width = width
            self.waiting = 0
            self.calls = 0
            self.open = anyio.Event()

        async def acquire(self, tokens: int) -> gs.Lease:
            self.calls += 1
            self.waiting += 1
            if self.waiting >= self.width:
                self.open.set()
            await self.open.wait()
            return await self.inner.acquire(tokens)

        def penalize(self, seconds: float) -> None:
            self.inner.penalize(seconds)

    gate = Gate(4)
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=gate) as client:
        texts = [f"text {i}" for i in range(1000)]
        vectors = await asyncio.wait_for(
            client.embed(MODEL, texts, output_dimensionality=128, concurrency=4), 30
        )
    assert len(vectors) == 1000
    assert gate.calls == 10  # the limiter saw every batch call
    assert gate.inner.in_flight == 0  # and every lease came back


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:  # stands in for the emulator's ``time`` module
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await anyio.lowlevel.checkpoint()


async def test_a_rate_limited_client_paces_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(emulator_faults, "time", clock)  # the emulator's quota, same minute
    limit = gs.RateLimit(requests=3)
    lim = gs.InProcessLimiter(limit, clock=clock, sleep=clock.sleep)
    acquired: list[float] = []
    acquire = lim.acquire

    async def spy(tokens: int) -> gs.Lease:
        lease = await acquire(tokens)
        acquired.append(clock.now - 1000.0)
        return lease

    lim.acquire = spy  # type: ignore[method-assign]
    async with Emulator(rpm_limit=3) as emulator:
        async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim) as client:
            texts = [f"sentence {i}" for i in range(1000)]
            vectors = await client.embed(MODEL, texts, output_dimensionality=128)
        assert len(vectors) == 1000
        statuses = [r.status for r in batch_calls(emulator)]
        assert statuses == [200] * 10  # the emulator's 3-a-minute quota was never hit
    assert len(acquired) == 10  # each batch call went through the client's limiter
    admitted = sorted(acquired)
    # Never more than 3 in a minute: ten calls take at least three minutes.
    assert all(later - first >= 60.0 for first, later in zip(admitted, admitted[3:], strict=False))
    assert admitted[:3] == [0.0] * 3 and admitted[-1] >= 180.0


async def test_a_429_is_retried_like_any_call(emulator: Emulator) -> None:
    emulator.script(Fault(status=429, retry_after=2))
    lim = gs.InProcessLimiter()
    async with gs.Client(base_url=emulator.url, api_key="k", rate_limit=lim) as client:
        vectors = await client.embed(MODEL, ["one", "two"])
    assert len(vectors) == 2
    assert [r.status for r in batch_calls(emulator)] == [429, 200]


# -- tasks, titles, the gemini-embedding-2 convention ------------------------------------------


async def test_task_type_and_title_are_fields_for_gemini_embedding_001(
    client: gs.Client, emulator: Emulator
) -> None:
    await client.embed(MODEL, "query text", task_type="retrieval_query")
    await client.embed(
        MODEL,
        ["doc one", "doc two", "doc three"],
        task_type=gs.types.TaskType.RETRIEVAL_DOCUMENT,
        title=["First", None, "Third"],
    )
    await client.embed(MODEL, ["a", "b"], task_type="RETRIEVAL_DOCUMENT", title="Same book")
    query, docs, same = (call.body["requests"] for call in batch_calls(emulator))
    assert query[0]["taskType"] == "RETRIEVAL_QUERY"  # any case, sent as the API spells it
    assert [r["taskType"] for r in docs] == ["RETRIEVAL_DOCUMENT"] * 3
    assert [r.get("title") for r in docs] == ["First", None, "Third"]
    assert [r["title"] for r in same] == ["Same book"] * 2


@pytest.mark.parametrize(
    ("task_type", "title", "text"),
    [
        (None, None, "How do plants grow?"),
        ("RETRIEVAL_QUERY", None, "task: search result | query: How do plants grow?"),
        ("QUESTION_ANSWERING", None, "task: question answering | query: How do plants grow?"),
        ("FACT_VERIFICATION", None, "task: fact checking | query: How do plants grow?"),
        ("CODE_RETRIEVAL_QUERY", None, "task: code retrieval | query: How do plants grow?"),
        ("CLASSIFICATION", None, "task: classification | query: How do plants grow?"),
        ("CLUSTERING", None, "task: clustering | query: How do plants grow?"),
        ("SEMANTIC_SIMILARITY", None, "task: sentence similarity | query: How do plants grow?"),
        ("RETRIEVAL_DOCUMENT", None, "title: none | text: How do plants grow?"),
        ("RETRIEVAL_DOCUMENT", "Botany", "title: Botany | text: How do plants grow?"),
    ],
)
async def test_gemini_embedding_2_takes_the_task_as_a_prefix(
    client: gs.Client, emulator: Emulator, task_type: str | None, title: str | None, text: str
) -> None:
    vector = await client.embed(
        MODEL_2, "How do plants grow?", task_type=task_type, title=title,
        output_dimensionality=768,
    )  # fmt: skip
    assert len(vector) == 768
    assert vector.norm() == pytest.approx(1.0, abs=1e-5)  # gemini-embedding-2 normalises
    [request] = batch_calls(emulator)[0].body["requests"]
    assert request == {
        "model": f"models/{MODEL_2}",
        "content": {"parts": [{"text": text}]},
        "outputDimensionality": 768,
    }  # no taskType, no title: the emulator answers 400 to taskType, as the doc says


async def test_the_prefix_leaves_media_and_several_parts_alone(
    client: gs.Client, emulator: Emulator
) -> None:
    image = gs.Part.from_bytes(b"\x89PNG fake", "image/png")
    await client.embed(MODEL_2, [image, ["a caption", image], "a text"], task_type="CLUSTERING")
    requests = batch_calls(emulator)[0].body["requests"]
    assert "text" not in requests[0]["content"]["parts"][0]
    assert requests[1]["content"]["parts"][0] == {"text": "a caption"}
    assert requests[2]["content"]["parts"] == [{"text": "task: clustering | query: a text"}]


# -- bad input, refused before sending ---------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "contents", "options", "error", "named"),
    [
        (MODEL, [], {}, ValueError, "contents is empty"),
        (MODEL, "", {}, ValueError, "''"),
        (MODEL, ["fine", ""], {}, ValueError, r"contents\[1\]"),
        (MODEL, b"raw bytes", {}, TypeError, "bytes"),
        (MODEL, 42, {}, TypeError, "42"),
        (MODEL, [42], {}, TypeError, r"contents\[0\].*42"),
        (MODEL, [{"txt": "typo"}], {}, ValueError, "txt"),
        (MODEL, "x", {"output_dimensionality": 5000}, ValueError, "5000"),
        (MODEL, "x", {"output_dimensionality": 64}, ValueError, "64"),
        (MODEL, "x", {"output_dimensionality": True}, TypeError, "True"),
        (MODEL, "x", {"output_dimensionality": "768"}, TypeError, "'768'"),
        ("text-embedding-custom", "x", {"output_dimensionality": 0}, ValueError, "0"),
        (MODEL_2, "x", {"task_type": "SEARCH"}, ValueError, "'SEARCH'"),
        (MODEL, "x", {"task_type": 3}, TypeError, "3"),
        (MODEL, "x", {"title": "T"}, ValueError, "RETRIEVAL_DOCUMENT"),
        (MODEL, "x", {"title": "T", "task_type": "RETRIEVAL_QUERY"}, ValueError, "'T'"),
        (MODEL, ["x", "y"], {"title": ["T"], "task_type": "RETRIEVAL_DOCUMENT"}, ValueError, "1"),
        (MODEL, "x", {"title": [""], "task_type": "RETRIEVAL_DOCUMENT"}, TypeError, "''"),
        (MODEL, "x", {"concurrency": 0}, ValueError, "0"),
        ("Not A Model", "x", {}, ValueError, "Not A Model"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    client: gs.Client,
    emulator: Emulator,
    model: str,
    contents: Any,
    options: dict[str, Any],
    error: type[Exception],
    named: str,
) -> None:
    with pytest.raises(error, match=named):
        await client.embed(model, contents, **options)
    assert emulator.records == []


async def test_an_unknown_task_type_warns_and_is_sent(client: gs.Client) -> None:
    # gemini-embedding-001 takes the field: the API decides (the emulator does not know it).
    with (
        pytest.warns(gs.UnknownEnumValueWarning, match="FUTURE_TASK"),
        pytest.raises(gs.BadRequestError, match="FUTURE_TASK"),
    ):
        await client.embed(MODEL, "x", task_type="FUTURE_TASK")


async def test_vertex_ai_is_refused_until_supported() -> None:
    client = gs.Client(vertexai=True, api_key="k")
    with pytest.raises(ValueError, match="Vertex AI"):
        await client.embed(MODEL, "x")
    await client.aclose()


# -- errors from the API -----------------------------------------------------------------------


async def test_api_errors_are_the_library_errors(client: gs.Client, emulator: Emulator) -> None:
    with pytest.raises(gs.NotFoundError, match="not supported for embedContent"):
        await client.embed("nonexistent-model", "x")
    with pytest.raises(gs.NotFoundError, match=r"gemini-2\.5-flash"):
        await client.embed("gemini-2.5-flash", "x")  # a generation model does not embed
    emulator.script(Fault(status=400))
    with pytest.raises(gs.BadRequestError) as caught:
        await client.embed(MODEL, "x")
    assert caught.value.code == 400 and caught.value.status == "INVALID_ARGUMENT"


async def test_a_failed_batch_cancels_the_others_and_raises_itself(emulator: Emulator) -> None:
    emulator.script(Fault(status=400))  # the first batch call to arrive
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        with pytest.raises(gs.BadRequestError):  # the error itself, not an ExceptionGroup
            await client.embed(MODEL, [f"t{i}" for i in range(1000)], concurrency=2)
    assert len(batch_calls(emulator)) < 10  # the batches not yet sent never were


async def test_a_closed_client_refuses(emulator: Emulator) -> None:
    client = gs.Client(base_url=emulator.url, api_key="k")
    await client.aclose()
    with pytest.raises(gs.ClientClosedError):
        await client.embed(MODEL, "x")


# -- the Embedding value -----------------------------------------------------------------------


def test_an_embedding_is_a_compact_sequence_of_floats() -> None:
    vector = gs.Embedding([0.5, -0.25, 0.0, 1.0])
    assert len(vector) == 4 and vector[1] == -0.25 and list(vector) == [0.5, -0.25, 0.0, 1.0]
    assert vector[1:3] == array.array("f", [-0.25, 0.0])
    assert vector.index(1.0) == 3 and 0.5 in vector
    assert vector.values.itemsize == 4
    assert memoryview(vector.values).format == "f"  # the buffer numpy would share
    assert vector == gs.Embedding(array.array("f", [0.5, -0.25, 0.0, 1.0]))
    assert repr(vector) == "<Embedding 4 values [0.5, -0.25, 0, ...]>"
    assert vector.cosine([1.0, -0.5, 0.0, 2.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="4 values with one of 2"):
        vector.cosine([1.0, 2.0])
    with pytest.raises(ValueError, match="all-zero"):
        vector.cosine([0.0] * 4)
    with pytest.raises(TypeError):
        hash(vector)


def test_numpy_is_optional() -> None:
    vector = gs.Embedding([0.5, 0.25])
    try:
        import numpy  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        with pytest.raises(ImportError):
            vector.numpy()
        return
    assert numpy.asarray(vector).dtype == numpy.float32  # pragma: no cover
    assert numpy.array([vector, vector]).shape == (2, 2)  # pragma: no cover


# -- decoding replies in the API's shape -------------------------------------------------------


def test_a_reply_in_the_apis_shape_decodes_to_float32_exactly() -> None:
    from gemini_stream._embed.vectors import decode_embeddings

    # Values as a real gemini-embedding-2-preview reply wrote them (pydantic-ai's cassette),
    # pretty-printed like Google's bodies; Vertex-only extras are ignored.
    values = [-0.022495363, 0.004016586, 0.02667887, -0.008154897, 0.13135606]
    body = json.dumps(
        {
            "embeddings": [
                {"values": values, "statistics": {"truncated": False, "tokenCount": 6}},
                {"values": values[:2]},
            ],
            "usageMetadata": {"promptTokenCount": 12},
        },
        indent=2,
    ).encode()
    first, second = decode_embeddings(body, 2)
    assert list(first) == [struct.unpack("f", struct.pack("f", v))[0] for v in values]
    assert len(second) == 2
    with pytest.raises(gs.ResponseDecodeError, match="2 embeddings for 3 inputs"):
        decode_embeddings(body, 3)
    with pytest.raises(gs.ResponseDecodeError, match="batchEmbedContents"):
        decode_embeddings(b'{"embeddings": [{"values": ["x"]}]}', 1)
    with pytest.raises(gs.ResponseDecodeError):
        decode_embeddings(b"<html>502</html>", 1)
