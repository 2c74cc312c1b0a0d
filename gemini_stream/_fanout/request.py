"""What fan-out takes: ``Request`` (one ``stream()`` call as a value), or any ``StreamLike``
a callable or a ``(chat, message)`` pair makes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Protocol

from .._config import RetryPolicy, Timeouts
from .._input.names import model_path
from .._input.request import build_request
from .._wire.request import GenerateContentRequest
from .._wire.response import GenerateContentResponse

if TYPE_CHECKING:
    from typing import TypeAlias

    from .._input.cache_ref import CacheInput
    from .._input.contents import ContentsInput, SystemInstructionInput
    from .._input.request import ConfigInput, SafetySettingsInput, ToolConfigInput, ToolsInput

__all__ = ("Request", "StreamLike")


class StreamLike(Protocol):
    """What fan-out needs from a stream: chunks, ``aclose()``, and the merged ``response``.

    ``ChunkStream`` is one, and so is what ``chat.stream(message)`` returns.
    """

    def __aiter__(self) -> AsyncIterator[GenerateContentResponse]: ...

    async def aclose(self) -> None: ...

    @property
    def response(self) -> GenerateContentResponse: ...


@dataclass(frozen=True)
class Request:
    """One ``stream()`` call as a value, for ``stream_many`` and ``generate_many``.

    The arguments are those of ``Client.stream``; they are checked and converted when the
    value is made, so a bad request in a batch fails before anything is sent. ``wire`` holds
    the converted ``types.GenerateContentRequest``.

    Raises:
        TypeError, ValueError: bad input; the message names the offending value.

    Example:
        >>> requests = [gs.Request("gemini-2.5-flash", q) for q in questions]
        >>> replies = await client.generate_many(requests)
    """

    model: str
    contents: ContentsInput
    _: KW_ONLY
    config: ConfigInput = None
    system_instruction: SystemInstructionInput = None
    tools: ToolsInput = None
    tool_config: ToolConfigInput = None
    safety_settings: SafetySettingsInput = None
    cached_content: CacheInput = None
    timeouts: Timeouts | None = None
    retry: RetryPolicy | None = None
    wire: GenerateContentRequest = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        model_path(self.model)
        if self.timeouts is not None and not isinstance(self.timeouts, Timeouts):
            raise TypeError(f"timeouts must be a gs.Timeouts, got {self.timeouts!r}")
        if self.retry is not None and not isinstance(self.retry, RetryPolicy):
            raise TypeError(f"retry must be a gs.RetryPolicy, got {self.retry!r}")
        wire = build_request(
            self.contents,
            config=self.config,
            system_instruction=self.system_instruction,
            tools=self.tools,
            tool_config=self.tool_config,
            safety_settings=self.safety_settings,
            cached_content=self.cached_content,
            model=self.model,
        )
        object.__setattr__(self, "wire", wire)


if TYPE_CHECKING:
    # A request for stream_many / generate_many: a Request, a zero-argument callable that
    # makes its own stream (``lambda: chat.stream(msg)``), or a ``(chat, message)`` pair
    # (anything with a ``.stream(message)`` method).
    RequestLike: TypeAlias = (
        Request | Callable[[], StreamLike | Awaitable[StreamLike]] | tuple[object, object]
    )
