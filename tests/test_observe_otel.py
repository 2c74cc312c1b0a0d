"""OpenTelemetry spans with the GenAI semantic conventions, read from the SDK's in-memory
exporter; and nothing imported or made when OpenTelemetry is absent."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import gemini_stream as gs
from gemini_stream.emulator import Emulator, Fault

MODEL = "gemini-2.5-flash"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """A tracer provider for this test only: the API allows setting the global one once per
    process, so the test puts it in place and takes it away again."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    yield exporter
    provider.shutdown()


def _only(exporter: InMemorySpanExporter) -> ReadableSpan:
    (span,) = exporter.get_finished_spans()
    return span


async def test_a_stream_gives_one_client_span_with_the_genai_attributes(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        reply = await client.stream(MODEL, "Tell me emulator:words=40").final_response()
    span = _only(spans)
    assert span.name == f"generate_content {MODEL}"
    assert span.kind is trace.SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    usage = reply.usage_metadata
    assert usage is not None
    assert attributes["gen_ai.operation.name"] == "generate_content"
    assert attributes["gen_ai.provider.name"] == "gcp.gemini"
    assert attributes["gen_ai.system"] == "gcp.gemini"
    assert attributes["gen_ai.request.model"] == MODEL
    assert attributes["gen_ai.response.model"] == MODEL
    assert attributes["gen_ai.usage.input_tokens"] == usage.prompt_token_count
    assert attributes["gen_ai.usage.output_tokens"] == (
        (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    )
    assert attributes["gen_ai.response.finish_reasons"] == ("STOP",)
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["server.port"] == int(emulator.url.rsplit(":", 1)[1])
    assert attributes["http.response.status_code"] == 200
    ttfc = attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttfc, float) and ttfc > 0
    assert span.end_time is not None and span.start_time is not None
    assert ttfc * 1e9 <= span.end_time - span.start_time
    assert span.status.status_code is trace.StatusCode.UNSET
    assert "error.type" not in attributes


async def test_the_span_is_a_child_of_the_callers_span(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    tracer = trace.get_tracer("test")
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        with tracer.start_as_current_span("handle message") as parent:
            await client.generate(MODEL, "Hello")
    ours, theirs = spans.get_finished_spans()
    assert ours.name == f"generate_content {MODEL}" and theirs is not None
    assert ours.parent is not None
    assert ours.parent.span_id == parent.get_span_context().span_id
    assert dict(ours.attributes or {})["gen_ai.response.finish_reasons"] == ("STOP",)


async def test_a_failed_call_sets_error_type_and_status(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    emulator.fail_next(5, 500)
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        with pytest.raises(gs.ServerError):
            await client.stream(MODEL, "Hi", retry=gs.RetryPolicy(max_attempts=2)).final_text()
    span = _only(spans)
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "ServerError"
    assert attributes["http.response.status_code"] == 500
    assert span.status.status_code is trace.StatusCode.ERROR
    assert [event.name for event in span.events] == ["gemini_stream.retry"]


async def test_an_error_inside_the_stream(emulator: Emulator, spans: InMemorySpanExporter) -> None:
    emulator.script(Fault(disconnect_after=2))
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        with pytest.raises(gs.StreamInterruptedError):
            await client.stream(MODEL, "Tell me emulator:words=80").final_text()
    attributes = dict(_only(spans).attributes or {})
    assert attributes["error.type"] == "StreamInterruptedError"
    assert "gen_ai.response.time_to_first_chunk" in attributes


async def test_embeddings_are_traced_and_other_calls_are_not(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k") as client:
        await client.embed("gemini-embedding-001", ["a", "b"])
        await client.models.get(MODEL)
        await client.count_tokens(MODEL, "Hello")
    span = _only(spans)
    assert span.name == "embeddings gemini-embedding-001"
    assert dict(span.attributes or {})["gen_ai.operation.name"] == "embeddings"


async def test_vertex_express_mode_names_its_provider(
    emulator: Emulator, spans: InMemorySpanExporter
) -> None:
    async with gs.Client(base_url=emulator.url, api_key="k", vertexai=True) as client:
        await client.generate(MODEL, "Hello")
    assert dict(_only(spans).attributes or {})["gen_ai.provider.name"] == "gcp.vertex_ai"


def test_without_opentelemetry_nothing_is_imported_or_made() -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys
        sys.modules["opentelemetry"] = None  # not installed: any import of it fails
        import gemini_stream as gs
        from gemini_stream.emulator import Emulator

        async def main():
            async with Emulator() as emulator:
                async with gs.Client(base_url=emulator.url, api_key="k") as client:
                    stream = client.stream("gemini-2.5-flash", "Hi")
                    assert stream._call.probe is None
                    assert await stream.final_text()

        asyncio.run(main())
        assert not [name for name in sys.modules if name.startswith("opentelemetry.")]
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
