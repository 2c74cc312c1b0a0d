"""gemini-stream: an asyncio-native, streaming-first client for the Gemini API.

Example:
    >>> import gemini_stream as gs
    >>> async with gs.Client() as client:
    ...     async for chunk in client.stream("gemini-2.5-flash", "Tell me a story"):
    ...         print(chunk.text, end="")
"""

from __future__ import annotations

import importlib
import typing

from ._errors import APIConnectionError as APIConnectionError
from ._errors import APIError as APIError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import BatchTimeoutError as BatchTimeoutError
from ._errors import BlockedError as BlockedError
from ._errors import ChatBusyError as ChatBusyError
from ._errors import ClientClosedError as ClientClosedError
from ._errors import ConcurrentReadError as ConcurrentReadError
from ._errors import ConnectTimeoutError as ConnectTimeoutError
from ._errors import CredentialsError as CredentialsError
from ._errors import EventTooLargeError as EventTooLargeError
from ._errors import FileProcessingError as FileProcessingError
from ._errors import FileProcessingTimeoutError as FileProcessingTimeoutError
from ._errors import FirstChunkTimeoutError as FirstChunkTimeoutError
from ._errors import FunctionCallLimitError as FunctionCallLimitError
from ._errors import GeminiError as GeminiError
from ._errors import GeminiTimeoutError as GeminiTimeoutError
from ._errors import IdleTimeoutError as IdleTimeoutError
from ._errors import IncompleteStreamError as IncompleteStreamError
from ._errors import InteractionFailedError as InteractionFailedError
from ._errors import LimiterUnavailableError as LimiterUnavailableError
from ._errors import NotFoundError as NotFoundError
from ._errors import ParseError as ParseError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import RedirectError as RedirectError
from ._errors import ReplyTooLargeError as ReplyTooLargeError
from ._errors import ResponseDecodeError as ResponseDecodeError
from ._errors import ServerError as ServerError
from ._errors import ServiceUnavailableError as ServiceUnavailableError
from ._errors import StreamConsumedError as StreamConsumedError
from ._errors import StreamInterruptedError as StreamInterruptedError
from ._errors import TotalTimeoutError as TotalTimeoutError
from ._errors import UnknownEnumValueWarning as UnknownEnumValueWarning
from ._errors import UploadError as UploadError
from ._version import __version__ as __version__

if typing.TYPE_CHECKING:
    from . import types as types
    from ._batches.batch import Batch as Batch
    from ._chat.chat import Chat as Chat
    from ._chat.chat_stream import ChatStream as ChatStream
    from ._client import Client as Client
    from ._config import RateLimit as RateLimit
    from ._config import RetryPolicy as RetryPolicy
    from ._config import Timeouts as Timeouts
    from ._cost.estimate import Cost as Cost
    from ._cost.estimate import estimate_cost as estimate_cost
    from ._cost.prices import PRICES as PRICES
    from ._cost.prices import Price as Price
    from ._cost.storage import estimate_cache_storage as estimate_cache_storage
    from ._embed.vectors import Embedding as Embedding
    from ._fanout.items import FanoutItem as FanoutItem
    from ._fanout.progress import Progress as Progress
    from ._fanout.request import Request as Request
    from ._fanout.results import FanoutResults as FanoutResults
    from ._http.auth import AccessToken as AccessToken
    from ._http.auth import TokenProvider as TokenProvider
    from ._http.auth import default_credentials as default_credentials
    from ._http.retry import set_testing as set_testing
    from ._input.functions import declare_function as declare_function
    from ._interactions.chat import InteractionChat as InteractionChat
    from ._interactions.chat import InteractionChatStream as InteractionChatStream
    from ._interactions.events import InteractionEvent as InteractionEvent
    from ._interactions.interaction import Interaction as Interaction
    from ._interactions.interaction import InteractionErrorInfo as InteractionErrorInfo
    from ._interactions.resource import Interactions as Interactions
    from ._interactions.stream import InteractionStream as InteractionStream
    from ._limits.limiter import InProcessLimiter as InProcessLimiter
    from ._limits.limiter import Lease as Lease
    from ._limits.limiter import Limiter as Limiter
    from ._limits.redis_limiter import RedisLimiter as RedisLimiter
    from ._live.messages import LiveGoAway as LiveGoAway
    from ._live.messages import LiveMessage as LiveMessage
    from ._live.messages import LiveResumptionUpdate as LiveResumptionUpdate
    from ._live.messages import LiveServerContent as LiveServerContent
    from ._live.messages import LiveToolCall as LiveToolCall
    from ._live.messages import LiveToolCallCancellation as LiveToolCallCancellation
    from ._live.messages import LiveTranscription as LiveTranscription
    from ._live.messages import LiveUsage as LiveUsage
    from ._live.resource import Live as Live
    from ._live.session import LiveSession as LiveSession
    from ._live.tokens import LiveToken as LiveToken
    from ._media.imagen import GeneratedImages as GeneratedImages
    from ._observe.events import ChunkErrorEvent as ChunkErrorEvent
    from ._observe.events import EndEvent as EndEvent
    from ._observe.events import Hooks as Hooks
    from ._observe.events import RequestEvent as RequestEvent
    from ._observe.events import ResponseEvent as ResponseEvent
    from ._observe.events import RetryEvent as RetryEvent
    from ._stream.chunk_stream import ChunkStream as ChunkStream
    from ._stream.deltas import DeltaStream as DeltaStream
    from ._wire.caches import CachedContent as CachedContent
    from ._wire.files import File as File
    from ._wire.files import FileState as FileState
    from ._wire.http_info import HttpInfo as HttpInfo
    from .types import Content as Content
    from .types import GenerateContentResponse as GenerateContentResponse
    from .types import GenerationConfig as GenerationConfig
    from .types import Part as Part

# Every name but the errors and the version is loaded on first use: ``import gemini_stream``
# costs the errors alone, and a program that streams loads the client, its wire types and
# aiohttp, not the chat, the batches, the caches or the price table (cold start to the first
# chunk: benchmarks/bench_coldstart.py). The SSE reader, the types and ``--help`` never load
# aiohttp (~0.1 s).
_LAZY = {
    "types": ".types",
    "Batch": "._batches.batch",
    "ChatStream": "._chat.chat_stream",
    "RateLimit": "._config",
    "RetryPolicy": "._config",
    "Timeouts": "._config",
    "Cost": "._cost.estimate",
    "estimate_cost": "._cost.estimate",
    "PRICES": "._cost.prices",
    "Price": "._cost.prices",
    "estimate_cache_storage": "._cost.storage",
    "Embedding": "._embed.vectors",
    "FanoutItem": "._fanout.items",
    "Progress": "._fanout.progress",
    "Request": "._fanout.request",
    "FanoutResults": "._fanout.results",
    "AccessToken": "._http.auth",
    "TokenProvider": "._http.auth",
    "default_credentials": "._http.auth",
    "set_testing": "._http.retry",
    "declare_function": "._input.functions",
    "InProcessLimiter": "._limits.limiter",
    "Lease": "._limits.limiter",
    "Limiter": "._limits.limiter",
    "HttpInfo": "._wire.http_info",
    "ChunkErrorEvent": "._observe.events",
    "EndEvent": "._observe.events",
    "Hooks": "._observe.events",
    "RequestEvent": "._observe.events",
    "ResponseEvent": "._observe.events",
    "RetryEvent": "._observe.events",
    "RedisLimiter": "._limits.redis_limiter",
    "GeneratedImages": "._media.imagen",
    "DeltaStream": "._stream.deltas",
    "CachedContent": "._wire.caches",
    "File": "._wire.files",
    "FileState": "._wire.files",
    "Content": ".types",
    "GenerateContentResponse": ".types",
    "GenerationConfig": ".types",
    "Part": ".types",
    "Chat": "._chat.chat",
    "ChunkStream": "._stream.chunk_stream",
    "Client": "._client",
    "Interaction": "._interactions.interaction",
    "InteractionChat": "._interactions.chat",
    "InteractionChatStream": "._interactions.chat",
    "InteractionErrorInfo": "._interactions.interaction",
    "InteractionEvent": "._interactions.events",
    "InteractionStream": "._interactions.stream",
    "Interactions": "._interactions.resource",
    "Live": "._live.resource",
    "LiveGoAway": "._live.messages",
    "LiveMessage": "._live.messages",
    "LiveResumptionUpdate": "._live.messages",
    "LiveServerContent": "._live.messages",
    "LiveSession": "._live.session",
    "LiveToken": "._live.tokens",
    "LiveToolCall": "._live.messages",
    "LiveToolCallCancellation": "._live.messages",
    "LiveTranscription": "._live.messages",
    "LiveUsage": "._live.messages",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gemini_stream' has no attribute {name!r}")
    value = importlib.import_module(module, __name__)
    if name != "types":  # the one module among the names
        value = getattr(value, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = (
    "APIConnectionError",
    "APIError",
    "AccessToken",
    "AuthenticationError",
    "BadRequestError",
    "Batch",
    "BatchTimeoutError",
    "BlockedError",
    "CachedContent",
    "Chat",
    "ChatBusyError",
    "ChatStream",
    "ChunkErrorEvent",
    "ChunkStream",
    "Client",
    "ClientClosedError",
    "ConcurrentReadError",
    "ConnectTimeoutError",
    "Content",
    "Cost",
    "CredentialsError",
    "DeltaStream",
    "Embedding",
    "EndEvent",
    "EventTooLargeError",
    "FanoutItem",
    "FanoutResults",
    "File",
    "FileProcessingError",
    "FileProcessingTimeoutError",
    "FileState",
    "FirstChunkTimeoutError",
    "FunctionCallLimitError",
    "GeminiError",
    "GeminiTimeoutError",
    "GenerateContentResponse",
    "GeneratedImages",
    "GenerationConfig",
    "Hooks",
    "HttpInfo",
    "IdleTimeoutError",
    "InProcessLimiter",
    "IncompleteStreamError",
    "Interaction",
    "InteractionChat",
    "InteractionChatStream",
    "InteractionErrorInfo",
    "InteractionEvent",
    "InteractionFailedError",
    "InteractionStream",
    "Interactions",
    "Lease",
    "Limiter",
    "LimiterUnavailableError",
    "Live",
    "LiveGoAway",
    "LiveMessage",
    "LiveResumptionUpdate",
    "LiveServerContent",
    "LiveSession",
    "LiveToken",
    "LiveToolCall",
    "LiveToolCallCancellation",
    "LiveTranscription",
    "LiveUsage",
    "NotFoundError",
    "PRICES",
    "ParseError",
    "Part",
    "PermissionDeniedError",
    "Price",
    "Progress",
    "RateLimit",
    "RateLimitError",
    "RedirectError",
    "RedisLimiter",
    "ReplyTooLargeError",
    "Request",
    "RequestEvent",
    "ResponseDecodeError",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailableError",
    "StreamConsumedError",
    "StreamInterruptedError",
    "Timeouts",
    "TokenProvider",
    "TotalTimeoutError",
    "UnknownEnumValueWarning",
    "UploadError",
    "__version__",
    "declare_function",
    "default_credentials",
    "estimate_cache_storage",
    "estimate_cost",
    "set_testing",
)
