"""Known values of the Gemini enums, as string constants.

The wire types read every enum as a plain ``str`` so a value the server adds later never breaks
decoding; these classes only name the values known today, e.g. ``FinishReason.STOP == "STOP"``.
A request value outside them is still sent, with an ``UnknownEnumValueWarning``
(``enum_warning``).
"""

from __future__ import annotations

from typing import Final

__all__ = (
    "BlockReason",
    "Behavior",
    "CodeLanguage",
    "DynamicRetrievalMode",
    "Environment",
    "FinishReason",
    "FunctionCallingMode",
    "HarmBlockThreshold",
    "HarmCategory",
    "HarmProbability",
    "MediaResolution",
    "Modality",
    "Outcome",
    "PartMediaResolutionLevel",
    "Role",
    "Scheduling",
    "SchemaType",
    "ThinkingLevel",
    "ToolType",
    "UrlRetrievalStatus",
)


class Role:
    """Roles of a ``Content`` turn."""

    USER: Final = "user"
    MODEL: Final = "model"


class FinishReason:
    """Values of ``Candidate.finish_reason``."""

    FINISH_REASON_UNSPECIFIED: Final = "FINISH_REASON_UNSPECIFIED"
    STOP: Final = "STOP"
    MAX_TOKENS: Final = "MAX_TOKENS"
    SAFETY: Final = "SAFETY"
    RECITATION: Final = "RECITATION"
    LANGUAGE: Final = "LANGUAGE"
    OTHER: Final = "OTHER"
    BLOCKLIST: Final = "BLOCKLIST"
    PROHIBITED_CONTENT: Final = "PROHIBITED_CONTENT"
    SPII: Final = "SPII"
    MALFORMED_FUNCTION_CALL: Final = "MALFORMED_FUNCTION_CALL"
    IMAGE_SAFETY: Final = "IMAGE_SAFETY"
    IMAGE_PROHIBITED_CONTENT: Final = "IMAGE_PROHIBITED_CONTENT"
    IMAGE_OTHER: Final = "IMAGE_OTHER"
    NO_IMAGE: Final = "NO_IMAGE"
    IMAGE_RECITATION: Final = "IMAGE_RECITATION"
    UNEXPECTED_TOOL_CALL: Final = "UNEXPECTED_TOOL_CALL"
    TOO_MANY_TOOL_CALLS: Final = "TOO_MANY_TOOL_CALLS"


class BlockReason:
    """Values of ``PromptFeedback.block_reason``."""

    BLOCK_REASON_UNSPECIFIED: Final = "BLOCK_REASON_UNSPECIFIED"
    SAFETY: Final = "SAFETY"
    OTHER: Final = "OTHER"
    BLOCKLIST: Final = "BLOCKLIST"
    PROHIBITED_CONTENT: Final = "PROHIBITED_CONTENT"
    IMAGE_SAFETY: Final = "IMAGE_SAFETY"


class HarmCategory:
    """Values of ``SafetySetting.category`` and ``SafetyRating.category`` (Gemini API)."""

    HARM_CATEGORY_UNSPECIFIED: Final = "HARM_CATEGORY_UNSPECIFIED"
    HARM_CATEGORY_HARASSMENT: Final = "HARM_CATEGORY_HARASSMENT"
    HARM_CATEGORY_HATE_SPEECH: Final = "HARM_CATEGORY_HATE_SPEECH"
    HARM_CATEGORY_SEXUALLY_EXPLICIT: Final = "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    HARM_CATEGORY_DANGEROUS_CONTENT: Final = "HARM_CATEGORY_DANGEROUS_CONTENT"
    HARM_CATEGORY_CIVIC_INTEGRITY: Final = "HARM_CATEGORY_CIVIC_INTEGRITY"


class HarmBlockThreshold:
    """Values of ``SafetySetting.threshold``."""

    HARM_BLOCK_THRESHOLD_UNSPECIFIED: Final = "HARM_BLOCK_THRESHOLD_UNSPECIFIED"
    BLOCK_LOW_AND_ABOVE: Final = "BLOCK_LOW_AND_ABOVE"
    BLOCK_MEDIUM_AND_ABOVE: Final = "BLOCK_MEDIUM_AND_ABOVE"
    BLOCK_ONLY_HIGH: Final = "BLOCK_ONLY_HIGH"
    BLOCK_NONE: Final = "BLOCK_NONE"
    OFF: Final = "OFF"


class HarmProbability:
    """Values of ``SafetyRating.probability``."""

    HARM_PROBABILITY_UNSPECIFIED: Final = "HARM_PROBABILITY_UNSPECIFIED"
    NEGLIGIBLE: Final = "NEGLIGIBLE"
    LOW: Final = "LOW"
    MEDIUM: Final = "MEDIUM"
    HIGH: Final = "HIGH"


class Modality:
    """Values of ``GenerationConfig.response_modalities`` and ``ModalityTokenCount.modality``."""

    MODALITY_UNSPECIFIED: Final = "MODALITY_UNSPECIFIED"
    TEXT: Final = "TEXT"
    IMAGE: Final = "IMAGE"
    AUDIO: Final = "AUDIO"
    VIDEO: Final = "VIDEO"
    DOCUMENT: Final = "DOCUMENT"


class ThinkingLevel:
    """Values of ``ThinkingConfig.thinking_level`` (Gemini 3 models)."""

    THINKING_LEVEL_UNSPECIFIED: Final = "THINKING_LEVEL_UNSPECIFIED"
    MINIMAL: Final = "MINIMAL"
    LOW: Final = "LOW"
    MEDIUM: Final = "MEDIUM"
    HIGH: Final = "HIGH"


class MediaResolution:
    """Values of ``GenerationConfig.media_resolution``."""

    MEDIA_RESOLUTION_UNSPECIFIED: Final = "MEDIA_RESOLUTION_UNSPECIFIED"
    MEDIA_RESOLUTION_LOW: Final = "MEDIA_RESOLUTION_LOW"
    MEDIA_RESOLUTION_MEDIUM: Final = "MEDIA_RESOLUTION_MEDIUM"
    MEDIA_RESOLUTION_HIGH: Final = "MEDIA_RESOLUTION_HIGH"


class PartMediaResolutionLevel(MediaResolution):
    """Values of ``PartMediaResolution.level`` (the per-part setting adds ULTRA_HIGH)."""

    MEDIA_RESOLUTION_ULTRA_HIGH: Final = "MEDIA_RESOLUTION_ULTRA_HIGH"


class FunctionCallingMode:
    """Values of ``FunctionCallingConfig.mode``."""

    MODE_UNSPECIFIED: Final = "MODE_UNSPECIFIED"
    AUTO: Final = "AUTO"
    ANY: Final = "ANY"
    NONE: Final = "NONE"
    VALIDATED: Final = "VALIDATED"


class DynamicRetrievalMode:
    """Values of ``DynamicRetrievalConfig.mode`` (legacy ``googleSearchRetrieval`` tool)."""

    MODE_UNSPECIFIED: Final = "MODE_UNSPECIFIED"
    MODE_DYNAMIC: Final = "MODE_DYNAMIC"


class Environment:
    """Values of ``ComputerUse.environment``."""

    ENVIRONMENT_UNSPECIFIED: Final = "ENVIRONMENT_UNSPECIFIED"
    ENVIRONMENT_BROWSER: Final = "ENVIRONMENT_BROWSER"


class SchemaType:
    """Values of ``Schema.type``."""

    TYPE_UNSPECIFIED: Final = "TYPE_UNSPECIFIED"
    STRING: Final = "STRING"
    NUMBER: Final = "NUMBER"
    INTEGER: Final = "INTEGER"
    BOOLEAN: Final = "BOOLEAN"
    ARRAY: Final = "ARRAY"
    OBJECT: Final = "OBJECT"
    NULL: Final = "NULL"


class Behavior:
    """Values of ``FunctionDeclaration.behavior`` (Live API only)."""

    UNSPECIFIED: Final = "UNSPECIFIED"
    BLOCKING: Final = "BLOCKING"
    NON_BLOCKING: Final = "NON_BLOCKING"


class Scheduling:
    """Values of ``FunctionResponse.scheduling`` (Live API, non-blocking calls only)."""

    SCHEDULING_UNSPECIFIED: Final = "SCHEDULING_UNSPECIFIED"
    SILENT: Final = "SILENT"
    WHEN_IDLE: Final = "WHEN_IDLE"
    INTERRUPT: Final = "INTERRUPT"


class CodeLanguage:
    """Values of ``ExecutableCode.language``."""

    LANGUAGE_UNSPECIFIED: Final = "LANGUAGE_UNSPECIFIED"
    PYTHON: Final = "PYTHON"


class Outcome:
    """Values of ``CodeExecutionResult.outcome``."""

    OUTCOME_UNSPECIFIED: Final = "OUTCOME_UNSPECIFIED"
    OUTCOME_OK: Final = "OUTCOME_OK"
    OUTCOME_FAILED: Final = "OUTCOME_FAILED"
    OUTCOME_DEADLINE_EXCEEDED: Final = "OUTCOME_DEADLINE_EXCEEDED"


class ToolType:
    """Values of ``ToolCall.tool_type`` / ``ToolResponse.tool_type`` (server-side tools)."""

    TOOL_TYPE_UNSPECIFIED: Final = "TOOL_TYPE_UNSPECIFIED"
    GOOGLE_SEARCH_WEB: Final = "GOOGLE_SEARCH_WEB"
    GOOGLE_SEARCH_IMAGE: Final = "GOOGLE_SEARCH_IMAGE"
    URL_CONTEXT: Final = "URL_CONTEXT"
    GOOGLE_MAPS: Final = "GOOGLE_MAPS"
    FILE_SEARCH: Final = "FILE_SEARCH"


class UrlRetrievalStatus:
    """Values of ``UrlMetadata.url_retrieval_status``."""

    URL_RETRIEVAL_STATUS_UNSPECIFIED: Final = "URL_RETRIEVAL_STATUS_UNSPECIFIED"
    URL_RETRIEVAL_STATUS_SUCCESS: Final = "URL_RETRIEVAL_STATUS_SUCCESS"
    URL_RETRIEVAL_STATUS_ERROR: Final = "URL_RETRIEVAL_STATUS_ERROR"
    URL_RETRIEVAL_STATUS_PAYWALL: Final = "URL_RETRIEVAL_STATUS_PAYWALL"
    URL_RETRIEVAL_STATUS_UNSAFE: Final = "URL_RETRIEVAL_STATUS_UNSAFE"
