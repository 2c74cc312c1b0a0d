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

from ._wire.caches import CachedContent as CachedContent
from ._wire.caches import CachedContentUsageMetadata as CachedContentUsageMetadata
from ._wire.caches import ListCachedContentsResponse as ListCachedContentsResponse
from ._wire.candidate import BillableUsage as BillableUsage
from ._wire.candidate import Candidate as Candidate
from ._wire.candidate import CitationMetadata as CitationMetadata
from ._wire.candidate import CitationSource as CitationSource
from ._wire.candidate import LogprobsCandidate as LogprobsCandidate
from ._wire.candidate import LogprobsResult as LogprobsResult
from ._wire.candidate import ModalityTokenCount as ModalityTokenCount
from ._wire.candidate import ModelStatus as ModelStatus
from ._wire.candidate import PromptFeedback as PromptFeedback
from ._wire.candidate import SafetyRating as SafetyRating
from ._wire.candidate import TopCandidates as TopCandidates
from ._wire.candidate import UrlContextMetadata as UrlContextMetadata
from ._wire.candidate import UrlMetadata as UrlMetadata
from ._wire.candidate import UsageMetadata as UsageMetadata
from ._wire.config import AudioTranscriptionConfig as AudioTranscriptionConfig
from ._wire.config import GenerationConfig as GenerationConfig
from ._wire.config import ImageConfig as ImageConfig
from ._wire.config import MultiSpeakerVoiceConfig as MultiSpeakerVoiceConfig
from ._wire.config import PrebuiltVoiceConfig as PrebuiltVoiceConfig
from ._wire.config import SafetySetting as SafetySetting
from ._wire.config import SpeakerVoiceConfig as SpeakerVoiceConfig
from ._wire.config import SpeechConfig as SpeechConfig
from ._wire.config import ThinkingConfig as ThinkingConfig
from ._wire.config import VoiceConfig as VoiceConfig
from ._wire.content import Content as Content
from ._wire.content import Part as Part
from ._wire.embeddings import TaskType as TaskType
from ._wire.enums import Behavior as Behavior
from ._wire.enums import BlockReason as BlockReason
from ._wire.enums import CodeLanguage as CodeLanguage
from ._wire.enums import DynamicRetrievalMode as DynamicRetrievalMode
from ._wire.enums import FinishReason as FinishReason
from ._wire.enums import FunctionCallingMode as FunctionCallingMode
from ._wire.enums import HarmBlockThreshold as HarmBlockThreshold
from ._wire.enums import HarmCategory as HarmCategory
from ._wire.enums import HarmProbability as HarmProbability
from ._wire.enums import MediaResolution as MediaResolution
from ._wire.enums import Modality as Modality
from ._wire.enums import Outcome as Outcome
from ._wire.enums import PartMediaResolutionLevel as PartMediaResolutionLevel
from ._wire.enums import Role as Role
from ._wire.enums import Scheduling as Scheduling
from ._wire.enums import SchemaType as SchemaType
from ._wire.enums import ThinkingLevel as ThinkingLevel
from ._wire.enums import ToolType as ToolType
from ._wire.enums import UrlRetrievalStatus as UrlRetrievalStatus
from ._wire.grounding import CustomMetadata as CustomMetadata
from ._wire.grounding import GroundingChunk as GroundingChunk
from ._wire.grounding import GroundingMetadata as GroundingMetadata
from ._wire.grounding import GroundingSupport as GroundingSupport
from ._wire.grounding import MapsChunk as MapsChunk
from ._wire.grounding import RetrievalMetadata as RetrievalMetadata
from ._wire.grounding import RetrievedContext as RetrievedContext
from ._wire.grounding import SearchEntryPoint as SearchEntryPoint
from ._wire.grounding import Segment as Segment
from ._wire.grounding import StringList as StringList
from ._wire.grounding import WebChunk as WebChunk
from ._wire.models import ContentTokens as ContentTokens
from ._wire.models import CountTokensResponse as CountTokensResponse
from ._wire.models import ListModelsResponse as ListModelsResponse
from ._wire.models import Model as Model
from ._wire.parts import AudioTranscription as AudioTranscription
from ._wire.parts import Blob as Blob
from ._wire.parts import CodeExecutionResult as CodeExecutionResult
from ._wire.parts import ExecutableCode as ExecutableCode
from ._wire.parts import FileData as FileData
from ._wire.parts import FunctionCall as FunctionCall
from ._wire.parts import FunctionResponse as FunctionResponse
from ._wire.parts import FunctionResponsePart as FunctionResponsePart
from ._wire.parts import PartialArg as PartialArg
from ._wire.parts import PartMediaResolution as PartMediaResolution
from ._wire.parts import ToolCall as ToolCall
from ._wire.parts import ToolResponse as ToolResponse
from ._wire.parts import VideoMetadata as VideoMetadata
from ._wire.request import CountTokensRequest as CountTokensRequest
from ._wire.request import GenerateContentRequest as GenerateContentRequest
from ._wire.response import GenerateContentResponse as GenerateContentResponse
from ._wire.status import BadRequest as BadRequest
from ._wire.status import ErrorBody as ErrorBody
from ._wire.status import ErrorDetail as ErrorDetail
from ._wire.status import ErrorInfo as ErrorInfo
from ._wire.status import ErrorStatus as ErrorStatus
from ._wire.status import FieldViolation as FieldViolation
from ._wire.status import Help as Help
from ._wire.status import HelpLink as HelpLink
from ._wire.status import LegacyError as LegacyError
from ._wire.status import LocalizedMessage as LocalizedMessage
from ._wire.status import QuotaFailure as QuotaFailure
from ._wire.status import QuotaViolation as QuotaViolation
from ._wire.status import RetryInfo as RetryInfo
from ._wire.tools import CodeExecution as CodeExecution
from ._wire.tools import ComputerUse as ComputerUse
from ._wire.tools import DynamicRetrievalConfig as DynamicRetrievalConfig
from ._wire.tools import FileSearch as FileSearch
from ._wire.tools import FunctionCallingConfig as FunctionCallingConfig
from ._wire.tools import FunctionDeclaration as FunctionDeclaration
from ._wire.tools import GoogleMaps as GoogleMaps
from ._wire.tools import GoogleSearch as GoogleSearch
from ._wire.tools import GoogleSearchRetrieval as GoogleSearchRetrieval
from ._wire.tools import ImageSearch as ImageSearch
from ._wire.tools import Interval as Interval
from ._wire.tools import LatLng as LatLng
from ._wire.tools import McpServer as McpServer
from ._wire.tools import RetrievalConfig as RetrievalConfig
from ._wire.tools import Schema as Schema
from ._wire.tools import SearchTypes as SearchTypes
from ._wire.tools import StreamableHttpTransport as StreamableHttpTransport
from ._wire.tools import Tool as Tool
from ._wire.tools import ToolConfig as ToolConfig
from ._wire.tools import UrlContext as UrlContext
from ._wire.tools import WebSearch as WebSearch

__all__ = (
    "AudioTranscription",
    "AudioTranscriptionConfig",
    "BadRequest",
    "Behavior",
    "BillableUsage",
    "Blob",
    "BlockReason",
    "CachedContent",
    "CachedContentUsageMetadata",
    "Candidate",
    "CitationMetadata",
    "CitationSource",
    "CodeExecution",
    "CodeExecutionResult",
    "CodeLanguage",
    "ComputerUse",
    "Content",
    "ContentTokens",
    "CountTokensRequest",
    "CountTokensResponse",
    "CustomMetadata",
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
    "LegacyError",
    "ListCachedContentsResponse",
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
    "PartialArg",
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
    "StringList",
    "TaskType",
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
