"""Wire types of tools: function declarations, ``Schema``, built-in tools, ``ToolConfig``."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from .base import Wire

__all__ = (
    "CodeExecution",
    "ComputerUse",
    "DynamicRetrievalConfig",
    "FileSearch",
    "FunctionCallingConfig",
    "FunctionDeclaration",
    "GoogleMaps",
    "GoogleSearch",
    "GoogleSearchRetrieval",
    "ImageSearch",
    "Interval",
    "LatLng",
    "McpServer",
    "RetrievalConfig",
    "Schema",
    "SearchTypes",
    "StreamableHttpTransport",
    "Tool",
    "ToolConfig",
    "UrlContext",
    "WebSearch",
)


class Schema(Wire, frozen=True, kw_only=True):
    """The OpenAPI-3.0 subset Gemini uses for ``response_schema`` and function parameters.

    ``properties`` keys, ``default`` and ``example`` are user data and are sent unchanged. The
    ``min_*``/``max_*`` counts are int64 on the wire: they arrive as JSON strings and are
    accepted as strings on decode.
    """

    type: str | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    nullable: bool | None = None
    enum: list[str] | None = None
    items: Schema | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_properties: int | None = None
    max_properties: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    properties: dict[str, Schema] | None = None
    required: list[str] | None = None
    property_ordering: list[str] | None = None
    any_of: list[Schema] | None = None
    default: Any | UnsetType = UNSET
    example: Any | UnsetType = UNSET


class FunctionDeclaration(Wire, frozen=True, kw_only=True):
    """A function the model may call.

    Give ``parameters`` (a ``Schema``) or ``parameters_json_schema`` (a JSON Schema object, sent
    verbatim), not both; likewise ``response`` / ``response_json_schema``.
    """

    name: str
    description: str | None = None
    parameters: Schema | None = None
    parameters_json_schema: dict[str, Any] | None = None
    response: Schema | None = None
    response_json_schema: dict[str, Any] | None = None
    behavior: str | None = None


class CodeExecution(Wire, frozen=True, kw_only=True):
    """Enables the code-execution tool (an empty object on the wire)."""


class WebSearch(Wire, frozen=True, kw_only=True):
    """Selects web results for ``GoogleSearch`` (an empty object on the wire)."""


class ImageSearch(Wire, frozen=True, kw_only=True):
    """Selects image results for ``GoogleSearch`` (an empty object on the wire)."""


class SearchTypes(Wire, frozen=True, kw_only=True):
    """Which kinds of Google Search results to ground on."""

    web_search: WebSearch | None = None
    image_search: ImageSearch | None = None


class Interval(Wire, frozen=True, kw_only=True):
    """A time range; both ends are RFC 3339 timestamps (``"2026-01-01T00:00:00Z"``)."""

    start_time: str | None = None
    end_time: str | None = None


class GoogleSearch(Wire, frozen=True, kw_only=True):
    """Enables grounding with Google Search."""

    search_types: SearchTypes | None = None
    time_range_filter: Interval | None = None


class DynamicRetrievalConfig(Wire, frozen=True, kw_only=True):
    """When the legacy search-retrieval tool runs (see ``DynamicRetrievalMode``)."""

    mode: str | None = None
    dynamic_threshold: float | None = None


class GoogleSearchRetrieval(Wire, frozen=True, kw_only=True):
    """The legacy (Gemini 1.5) Google Search retrieval tool."""

    dynamic_retrieval_config: DynamicRetrievalConfig | None = None


class UrlContext(Wire, frozen=True, kw_only=True):
    """Enables fetching URLs named in the prompt (an empty object on the wire)."""


class GoogleMaps(Wire, frozen=True, kw_only=True):
    """Enables grounding with Google Maps."""

    enable_widget: bool | None = None


class FileSearch(Wire, frozen=True, kw_only=True):
    """Enables retrieval from File Search stores."""

    file_search_store_names: list[str] | None = None
    top_k: int | None = None
    metadata_filter: str | None = None


class ComputerUse(Wire, frozen=True, kw_only=True):
    """Enables the computer-use tool."""

    environment: str | None = None
    excluded_predefined_functions: list[str] | None = None


class StreamableHttpTransport(Wire, frozen=True, kw_only=True):
    """How to reach an MCP server; timeouts are Duration strings (``"30s"``)."""

    url: str | None = None
    headers: dict[str, str] | None = None
    timeout: str | None = None
    sse_read_timeout: str | None = None
    terminate_on_close: bool | None = None


class McpServer(Wire, frozen=True, kw_only=True):
    """An MCP server the API may call (server-side support unverified)."""

    name: str | None = None
    streamable_http_transport: StreamableHttpTransport | None = None


class Tool(Wire, frozen=True, kw_only=True):
    """One tool entry; each entry usually sets exactly one field."""

    function_declarations: list[FunctionDeclaration] | None = None
    code_execution: CodeExecution | None = None
    google_search: GoogleSearch | None = None
    google_search_retrieval: GoogleSearchRetrieval | None = None
    url_context: UrlContext | None = None
    google_maps: GoogleMaps | None = None
    file_search: FileSearch | None = None
    computer_use: ComputerUse | None = None
    mcp_servers: list[McpServer] | None = None


class FunctionCallingConfig(Wire, frozen=True, kw_only=True):
    """How the model may call functions (see ``FunctionCallingMode``).

    ``stream_function_call_arguments`` (Vertex AI only; refused on the Gemini API) streams
    each call's arguments in pieces (``FunctionCall.partial_args``).
    """

    mode: str | None = None
    allowed_function_names: list[str] | None = None
    stream_function_call_arguments: bool | None = None


class LatLng(Wire, frozen=True, kw_only=True):
    """A point on Earth, in degrees."""

    latitude: float | None = None
    longitude: float | None = None


class RetrievalConfig(Wire, frozen=True, kw_only=True):
    """Location and language hints for retrieval tools."""

    lat_lng: LatLng | None = None
    language_code: str | None = None


class ToolConfig(Wire, frozen=True, kw_only=True):
    """Settings shared by all tools of a request."""

    function_calling_config: FunctionCallingConfig | None = None
    retrieval_config: RetrievalConfig | None = None
    include_server_side_tool_invocations: bool | None = None
