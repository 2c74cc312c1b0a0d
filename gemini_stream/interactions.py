"""The Interactions API's wire types: the events of a stream, the steps of an
``Interaction``, the deltas of ``step.delta`` events, and their content blocks.

``client.interactions`` (see docs/interactions.md) gives and takes these; the everyday names
(``Interaction``, ``InteractionStream``, ``InteractionEvent``) are also on ``gemini_stream``.
Unknown event, step and delta types decode to ``UnknownEvent``, ``UnknownStep`` and
``UnknownDelta`` with the raw JSON, so a type the API adds later never breaks a stream.

Example:
    >>> from gemini_stream.interactions import StepDeltaEvent, TextDelta
    >>> async for event in client.interactions.stream("gemini-3-flash", "Hi"):
    ...     if isinstance(event, StepDeltaEvent) and isinstance(event.delta, TextDelta):
    ...         print(event.delta.text, end="")
"""

from __future__ import annotations

from ._interactions.content import Content as Content
from ._interactions.content import ModalityTokens as ModalityTokens
from ._interactions.content import Usage as Usage
from ._interactions.deltas import AnyDelta as AnyDelta
from ._interactions.deltas import ArgumentsDelta as ArgumentsDelta
from ._interactions.deltas import AudioDelta as AudioDelta
from ._interactions.deltas import DocumentDelta as DocumentDelta
from ._interactions.deltas import FunctionResultDelta as FunctionResultDelta
from ._interactions.deltas import ImageDelta as ImageDelta
from ._interactions.deltas import MediaDelta as MediaDelta
from ._interactions.deltas import TextAnnotationDelta as TextAnnotationDelta
from ._interactions.deltas import TextDelta as TextDelta
from ._interactions.deltas import ThoughtSignatureDelta as ThoughtSignatureDelta
from ._interactions.deltas import ThoughtSummaryDelta as ThoughtSummaryDelta
from ._interactions.deltas import ToolDelta as ToolDelta
from ._interactions.deltas import UnknownDelta as UnknownDelta
from ._interactions.deltas import VideoDelta as VideoDelta
from ._interactions.events import InteractionCompletedEvent as InteractionCompletedEvent
from ._interactions.events import InteractionCreatedEvent as InteractionCreatedEvent
from ._interactions.events import InteractionErrorEvent as InteractionErrorEvent
from ._interactions.events import InteractionEvent as InteractionEvent
from ._interactions.events import StatusUpdateEvent as StatusUpdateEvent
from ._interactions.events import StepDeltaEvent as StepDeltaEvent
from ._interactions.events import StepStartEvent as StepStartEvent
from ._interactions.events import StepStopEvent as StepStopEvent
from ._interactions.events import UnknownEvent as UnknownEvent
from ._interactions.interaction import Interaction as Interaction
from ._interactions.interaction import InteractionErrorInfo as InteractionErrorInfo
from ._interactions.steps import AnyStep as AnyStep
from ._interactions.steps import CodeExecutionCallStep as CodeExecutionCallStep
from ._interactions.steps import CodeExecutionResultStep as CodeExecutionResultStep
from ._interactions.steps import FileSearchCallStep as FileSearchCallStep
from ._interactions.steps import FileSearchResultStep as FileSearchResultStep
from ._interactions.steps import FunctionCallStep as FunctionCallStep
from ._interactions.steps import FunctionResultStep as FunctionResultStep
from ._interactions.steps import GoogleMapsCallStep as GoogleMapsCallStep
from ._interactions.steps import GoogleMapsResultStep as GoogleMapsResultStep
from ._interactions.steps import GoogleSearchCallStep as GoogleSearchCallStep
from ._interactions.steps import GoogleSearchResultStep as GoogleSearchResultStep
from ._interactions.steps import McpServerToolCallStep as McpServerToolCallStep
from ._interactions.steps import McpServerToolResultStep as McpServerToolResultStep
from ._interactions.steps import ModelOutputStep as ModelOutputStep
from ._interactions.steps import RetrievalCallStep as RetrievalCallStep
from ._interactions.steps import RetrievalResultStep as RetrievalResultStep
from ._interactions.steps import ThoughtStep as ThoughtStep
from ._interactions.steps import ToolCallStep as ToolCallStep
from ._interactions.steps import ToolResultStep as ToolResultStep
from ._interactions.steps import UnknownStep as UnknownStep
from ._interactions.steps import UrlContextCallStep as UrlContextCallStep
from ._interactions.steps import UrlContextResultStep as UrlContextResultStep
from ._interactions.steps import UserInputStep as UserInputStep

__all__ = (
    "AnyDelta",
    "AnyStep",
    "ArgumentsDelta",
    "AudioDelta",
    "CodeExecutionCallStep",
    "CodeExecutionResultStep",
    "Content",
    "DocumentDelta",
    "FileSearchCallStep",
    "FileSearchResultStep",
    "FunctionCallStep",
    "FunctionResultDelta",
    "FunctionResultStep",
    "GoogleMapsCallStep",
    "GoogleMapsResultStep",
    "GoogleSearchCallStep",
    "GoogleSearchResultStep",
    "ImageDelta",
    "Interaction",
    "InteractionCompletedEvent",
    "InteractionCreatedEvent",
    "InteractionErrorEvent",
    "InteractionErrorInfo",
    "InteractionEvent",
    "McpServerToolCallStep",
    "McpServerToolResultStep",
    "MediaDelta",
    "ModalityTokens",
    "ModelOutputStep",
    "RetrievalCallStep",
    "RetrievalResultStep",
    "StatusUpdateEvent",
    "StepDeltaEvent",
    "StepStartEvent",
    "StepStopEvent",
    "TextAnnotationDelta",
    "TextDelta",
    "ThoughtSignatureDelta",
    "ThoughtStep",
    "ThoughtSummaryDelta",
    "ToolCallStep",
    "ToolDelta",
    "ToolResultStep",
    "UnknownDelta",
    "UnknownEvent",
    "UnknownStep",
    "UrlContextCallStep",
    "UrlContextResultStep",
    "Usage",
    "UserInputStep",
    "VideoDelta",
)
