"""The typed Gemini wire format: request, response and error Structs, plus enum constants.

Every type is a frozen msgspec Struct with snake_case attributes and camelCase JSON names;
fields left unset are ``None`` and are not sent. Enum-valued fields are plain ``str`` (a value
the server adds later never breaks decoding); the known values are constants on small classes
such as ``FinishReason.STOP``.

Example:
    >>> from gemini_stream.types import Content, Part
    >>> Content.user("What is in this picture?", Part.from_bytes(b"...", "image/png")).role
    'user'
"""

from __future__ import annotations

from ._wire_config import AudioTranscriptionConfig as AudioTranscriptionConfig
from ._wire_config import GenerationConfig as GenerationConfig
from ._wire_config import ImageConfig as ImageConfig
from ._wire_config import MultiSpeakerVoiceConfig as MultiSpeakerVoiceConfig
from ._wire_config import PrebuiltVoiceConfig as PrebuiltVoiceConfig
from ._wire_config import SafetySetting as SafetySetting
from ._wire_config import SpeakerVoiceConfig as SpeakerVoiceConfig
from ._wire_config import SpeechConfig as SpeechConfig
from ._wire_config import ThinkingConfig as ThinkingConfig
from ._wire_config import VoiceConfig as VoiceConfig
from ._wire_content import AudioTranscription as AudioTranscription
from ._wire_content import Blob as Blob
from ._wire_content import CodeExecutionResult as CodeExecutionResult
from ._wire_content import Content as Content
from ._wire_content import ExecutableCode as ExecutableCode
from ._wire_content import FileData as FileData
from ._wire_content import FunctionCall as FunctionCall
from ._wire_content import FunctionResponse as FunctionResponse
from ._wire_content import FunctionResponsePart as FunctionResponsePart
from ._wire_content import Part as Part
from ._wire_content import PartMediaResolution as PartMediaResolution
from ._wire_content import ToolCall as ToolCall
from ._wire_content import ToolResponse as ToolResponse
from ._wire_content import VideoMetadata as VideoMetadata
from ._wire_enums import Behavior as Behavior
from ._wire_enums import BlockReason as BlockReason
from ._wire_enums import CodeLanguage as CodeLanguage
from ._wire_enums import DynamicRetrievalMode as DynamicRetrievalMode
from ._wire_enums import FinishReason as FinishReason
from ._wire_enums import FunctionCallingMode as FunctionCallingMode
from ._wire_enums import HarmBlockThreshold as HarmBlockThreshold
from ._wire_enums import HarmCategory as HarmCategory
from ._wire_enums import HarmProbability as HarmProbability
from ._wire_enums import MediaResolution as MediaResolution
from ._wire_enums import Modality as Modality
from ._wire_enums import Outcome as Outcome
from ._wire_enums import PartMediaResolutionLevel as PartMediaResolutionLevel
from ._wire_enums import Role as Role
from ._wire_enums import Scheduling as Scheduling
from ._wire_enums import SchemaType as SchemaType
from ._wire_enums import ThinkingLevel as ThinkingLevel
from ._wire_enums import ToolType as ToolType
from ._wire_enums import UrlRetrievalStatus as UrlRetrievalStatus
from ._wire_errors import BadRequest as BadRequest
from ._wire_errors import ErrorBody as ErrorBody
from ._wire_errors import ErrorDetail as ErrorDetail
from ._wire_errors import ErrorInfo as ErrorInfo
from ._wire_errors import ErrorStatus as ErrorStatus
from ._wire_errors import FieldViolation as FieldViolation
from ._wire_errors import Help as Help
from ._wire_errors import HelpLink as HelpLink
from ._wire_errors import LocalizedMessage as LocalizedMessage
from ._wire_errors import QuotaFailure as QuotaFailure
from ._wire_errors import QuotaViolation as QuotaViolation
from ._wire_errors import RetryInfo as RetryInfo
from ._wire_grounding import GroundingChunk as GroundingChunk
from ._wire_grounding import GroundingMetadata as GroundingMetadata
from ._wire_grounding import GroundingSupport as GroundingSupport
from ._wire_grounding import MapsChunk as MapsChunk
from ._wire_grounding import RetrievalMetadata as RetrievalMetadata
from ._wire_grounding import RetrievedContext as RetrievedContext
from ._wire_grounding import SearchEntryPoint as SearchEntryPoint
from ._wire_grounding import Segment as Segment
from ._wire_grounding import WebChunk as WebChunk
from ._wire_models import CountTokensResponse as CountTokensResponse
from ._wire_models import ListModelsResponse as ListModelsResponse
from ._wire_models import Model as Model
from ._wire_request import CountTokensRequest as CountTokensRequest
from ._wire_request import GenerateContentRequest as GenerateContentRequest
from ._wire_response import Candidate as Candidate
from ._wire_response import CitationMetadata as CitationMetadata
from ._wire_response import CitationSource as CitationSource
from ._wire_response import GenerateContentResponse as GenerateContentResponse
from ._wire_response import LogprobsCandidate as LogprobsCandidate
from ._wire_response import LogprobsResult as LogprobsResult
from ._wire_response import ModalityTokenCount as ModalityTokenCount
from ._wire_response import ModelStatus as ModelStatus
from ._wire_response import PromptFeedback as PromptFeedback
from ._wire_response import SafetyRating as SafetyRating
from ._wire_response import TopCandidates as TopCandidates
from ._wire_response import UrlContextMetadata as UrlContextMetadata
from ._wire_response import UrlMetadata as UrlMetadata
from ._wire_response import UsageMetadata as UsageMetadata
from ._wire_tools import CodeExecution as CodeExecution
from ._wire_tools import ComputerUse as ComputerUse
from ._wire_tools import DynamicRetrievalConfig as DynamicRetrievalConfig
from ._wire_tools import FileSearch as FileSearch
from ._wire_tools import FunctionCallingConfig as FunctionCallingConfig
from ._wire_tools import FunctionDeclaration as FunctionDeclaration
from ._wire_tools import GoogleMaps as GoogleMaps
from ._wire_tools import GoogleSearch as GoogleSearch
from ._wire_tools import GoogleSearchRetrieval as GoogleSearchRetrieval
from ._wire_tools import ImageSearch as ImageSearch
from ._wire_tools import Interval as Interval
from ._wire_tools import LatLng as LatLng
from ._wire_tools import McpServer as McpServer
from ._wire_tools import RetrievalConfig as RetrievalConfig
from ._wire_tools import Schema as Schema
from ._wire_tools import SearchTypes as SearchTypes
from ._wire_tools import StreamableHttpTransport as StreamableHttpTransport
from ._wire_tools import Tool as Tool
from ._wire_tools import ToolConfig as ToolConfig
from ._wire_tools import UrlContext as UrlContext
from ._wire_tools import WebSearch as WebSearch

__all__ = (
    "AudioTranscription",
    "AudioTranscriptionConfig",
    "BadRequest",
    "Behavior",
    "Blob",
    "BlockReason",
    "Candidate",
    "CitationMetadata",
    "CitationSource",
    "CodeExecution",
    "CodeExecutionResult",
    "CodeLanguage",
    "ComputerUse",
    "Content",
    "CountTokensRequest",
    "CountTokensResponse",
    "DynamicRetrievalConfig",
    "DynamicRetrievalMode",
    "ErrorBody",
    "ErrorDetail",
    "ErrorInfo",
    "ErrorStatus",
    "ExecutableCode",
    "FieldViolation",
    "FileData",
    "FileSearch",
    "FinishReason",
    "FunctionCall",
    "FunctionCallingConfig",
    "FunctionCallingMode",
    "FunctionDeclaration",
    "FunctionResponse",
    "FunctionResponsePart",
    "GenerateContentRequest",
    "GenerateContentResponse",
    "GenerationConfig",
    "GoogleMaps",
    "GoogleSearch",
    "GoogleSearchRetrieval",
    "GroundingChunk",
    "GroundingMetadata",
    "GroundingSupport",
    "HarmBlockThreshold",
    "HarmCategory",
    "HarmProbability",
    "Help",
    "HelpLink",
    "ImageConfig",
    "ImageSearch",
    "Interval",
    "LatLng",
    "ListModelsResponse",
    "LocalizedMessage",
    "LogprobsCandidate",
    "LogprobsResult",
    "MapsChunk",
    "McpServer",
    "MediaResolution",
    "Modality",
    "ModalityTokenCount",
    "Model",
    "ModelStatus",
    "MultiSpeakerVoiceConfig",
    "Outcome",
    "Part",
    "PartMediaResolution",
    "PartMediaResolutionLevel",
    "PrebuiltVoiceConfig",
    "PromptFeedback",
    "QuotaFailure",
    "QuotaViolation",
    "RetrievalConfig",
    "RetrievalMetadata",
    "RetrievedContext",
    "RetryInfo",
    "Role",
    "SafetyRating",
    "SafetySetting",
    "Scheduling",
    "Schema",
    "SchemaType",
    "SearchEntryPoint",
    "SearchTypes",
    "Segment",
    "SpeakerVoiceConfig",
    "SpeechConfig",
    "StreamableHttpTransport",
    "ThinkingConfig",
    "ThinkingLevel",
    "Tool",
    "ToolCall",
    "ToolConfig",
    "ToolResponse",
    "ToolType",
    "TopCandidates",
    "UrlContext",
    "UrlContextMetadata",
    "UrlMetadata",
    "UrlRetrievalStatus",
    "UsageMetadata",
    "VideoMetadata",
    "VoiceConfig",
    "WebChunk",
    "WebSearch",
)
