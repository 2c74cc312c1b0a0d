"""OpenTelemetry spans for the GenAI calls, following the GenAI semantic conventions; used only
when the program set a tracer provider (``opentelemetry-api`` is never imported here)."""

from __future__ import annotations

import sys
import urllib.parse
from typing import Any

from .._version import __version__
from .._wire.candidate import UsageMetadata

__all__ = ("GENAI_OPERATIONS", "MODULE", "end_span", "server_of", "start_span", "tracer")

MODULE = "opentelemetry.trace"

# The calls traced, with their gen_ai.operation.name.
GENAI_OPERATIONS = {
    "streamGenerateContent": "generate_content",
    "generateContent": "generate_content",
    "embedContent": "embeddings",
    "batchEmbedContents": "embeddings",
    "predict": "generate_content",  # Imagen
    "interactions": "chat",  # client.interactions.stream/create (the Interactions API)
}

_cache: list[Any] = [None, None]  # the provider last seen, and our tracer from it


def tracer() -> Any | None:
    """Our tracer, when a program's tracer provider is set; ``None`` otherwise (and then
    nothing is imported or made: about 0.1 µs a request)."""
    trace = sys.modules.get(MODULE)
    if trace is None:
        return None  # never imported: no provider can have been set
    try:  # the global itself: get_tracer_provider() reads os.environ on each call (1.3 µs)
        provider = trace._TRACER_PROVIDER
    except AttributeError:  # pragma: no cover - another version of the API
        provider = trace.get_tracer_provider()
        if isinstance(provider, trace.ProxyTracerProvider):
            provider = None
    if provider is None:
        return None
    if _cache[0] is not provider:
        noop = isinstance(provider, trace.NoOpTracerProvider)
        _cache[:] = [provider, None if noop else provider.get_tracer("gemini_stream", __version__)]
    return _cache[1]


def server_of(base: str) -> tuple[str | None, int | None]:
    """``server.address`` and ``server.port`` of an API root URL."""
    parts = urllib.parse.urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname, port


def start_span(
    tracer: Any,
    operation: str,
    model: str | None,
    provider: str,
    server: tuple[str | None, int | None],
) -> Any:
    """Start the CLIENT span of one GenAI call, named ``"{operation} {model}"``."""
    trace = sys.modules[MODULE]
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,  # the name before semantic conventions 1.37
    }
    if model:
        attributes["gen_ai.request.model"] = model
    if server[0]:
        attributes["server.address"] = server[0]
        attributes["server.port"] = server[1]
    name = f"{operation} {model}" if model else operation
    return tracer.start_span(name, kind=trace.SpanKind.CLIENT, attributes=attributes)


def end_span(
    span: Any,
    *,
    outcome: str,
    error: BaseException | None,
    status: int | None,
    usage: UsageMetadata | None,
    finish_reason: str | None,
    response_model: str | None,
) -> None:
    """Set the reply's attributes (or the error's) on ``span`` and end it."""
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if response_model:
        span.set_attribute("gen_ai.response.model", response_model)
    if usage is not None:
        if usage.prompt_token_count is not None:
            span.set_attribute("gen_ai.usage.input_tokens", usage.prompt_token_count)
        output = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
        if usage.candidates_token_count is not None or usage.thoughts_token_count is not None:
            span.set_attribute("gen_ai.usage.output_tokens", output)
    if finish_reason:
        span.set_attribute("gen_ai.response.finish_reasons", [finish_reason])
    if outcome != "ok":
        span.set_attribute("gemini_stream.outcome", outcome)
    if error is not None:
        trace = sys.modules[MODULE]
        span.set_attribute("error.type", type(error).__qualname__)
        span.set_status(trace.Status(trace.StatusCode.ERROR, str(error)[:500]))
    span.end()
