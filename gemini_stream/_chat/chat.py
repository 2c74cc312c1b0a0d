"""``Chat``: a conversation's history and settings, sending each message through the client."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import anyio
import msgspec

from .._input.cache_ref import CacheInput, cache_name, check_cache_use
from .._input.contents import (
    ContentsInput,
    SystemInstructionInput,
    to_contents,
    to_system_instruction,
)
from .._input.names import model_path
from .._input.request import (
    ConfigInput,
    SafetySettingsInput,
    ToolConfigInput,
    ToolsInput,
    merge_config,
    to_config,
    to_safety_settings,
    to_tool_config,
)
from .._stream.blocked import blocked_error
from .._wire.config import GenerationConfig
from .._wire.content import Content, Part
from .._wire.convert import short_repr
from .._wire.parts import FunctionCall
from .._wire.response import GenerateContentResponse
from .busy import DEFAULT_ABANDONED_AFTER, check_abandoned_after
from .chat_stream import ChatStream
from .rounds import ChatRounds
from .saved import SavedChat, read_saved_chat, warn_missing_functions
from .tools import DEFAULT_TOOL_TIMEOUT, ChatToolsInput, Toolbox

if TYPE_CHECKING:
    from .._stream.chunk_stream import ChunkStream

__all__ = ("Chat", "SupportsStream")


class SupportsStream(Protocol):
    """What a ``Chat`` sends through: a ``gs.Client``, or anything with its ``stream()``."""

    def stream(
        self,
        model: str,
        contents: ContentsInput,
        *,
        config: ConfigInput = None,
        system_instruction: SystemInstructionInput = None,
        tools: ToolsInput = None,
        tool_config: ToolConfigInput = None,
        safety_settings: SafetySettingsInput = None,
        cached_content: CacheInput = None,
    ) -> ChunkStream: ...


class Chat:
    """A multi-turn conversation with one model; create it with ``client.chat(...)``.

    Each message is sent with the whole history, and the reply is committed to ``history``
    as one model turn once it finished. Python functions given in ``tools`` are declared to
    the model and, by default, run automatically when it calls them. Messages on one chat
    are sent one at a time (a message waits until the reply before it finished or was
    closed; a reply its own task left open is closed as abandoned); different chats on one
    client run concurrently.

    Args:
        client: the ``Client`` to send through.
        model: the model id, e.g. ``"gemini-2.5-flash"``.
        system_instruction: a string, parts or a ``Content``.
        config: a ``GenerationConfig`` or a dict (shorthands such as ``response_schema=``,
            ``thinking_budget=``, ``include_thoughts=`` accepted).
        tools: Python functions (sync or async), ``FunctionDeclaration``s, ``Tool``s (code
            execution, Google Search, ...) or dicts of them.
        tool_config: as in the REST API (``toolConfig``).
        safety_settings: as in the REST API (``safetySettings``).
        history: earlier turns (``Content``s or wire-shaped dicts).
        automatic_function_calling: run the model's calls of Python functions and send the
            results back within the same reply; ``False`` hands every call to the caller.
        max_function_rounds: how many rounds of automatic calls one message may take; the
            next one raises ``FunctionCallLimitError``.
        tool_timeout: seconds one call of a Python function may take (60 by default;
            ``None``: no limit). A call that has not returned by then is abandoned and the
            model gets ``{"error": "TimeoutError: <name> did not return within <n>s"}`` as
            its result, which stays in ``history``; a warning is logged on the
            ``gemini_stream`` logger. A sync function keeps running in its thread until it
            returns (a thread cannot be stopped); its result is dropped.
        cached_content: a context cache (``gs.CachedContent`` or its name) every message
            names: the cache then holds the system instruction, tool declarations and tool
            config, so ``system_instruction``, ``tool_config`` and tools other than Python
            functions are refused. Python functions in ``tools`` are run when the model calls
            them but not declared again: declare them in the cache
            (``client.caches.create(model, tools=[...])``). Each chat keeps its own history;
            thousands of chats can share one cache.

    Raises:
        TypeError, ValueError: bad input, before anything is sent.

    Example:
        >>> chat = client.chat("gemini-2.5-flash", system_instruction="Be brief")
        >>> reply = await chat.send("I have two dogs.")
        >>> len(chat.history)
        2
    """

    def __init__(
        self,
        client: SupportsStream,
        model: str,
        *,
        system_instruction: SystemInstructionInput = None,
        config: ConfigInput = None,
        tools: ChatToolsInput = None,
        tool_config: ToolConfigInput = None,
        safety_settings: SafetySettingsInput = None,
        history: ContentsInput | None = None,
        automatic_function_calling: bool = True,
        max_function_rounds: int = 10,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
        cached_content: CacheInput = None,
    ) -> None:
        model_path(model)
        if isinstance(max_function_rounds, bool) or not isinstance(max_function_rounds, int):
            raise TypeError(f"max_function_rounds must be an int, got {max_function_rounds!r}")
        if max_function_rounds < 1:
            raise ValueError(f"max_function_rounds must be at least 1, got {max_function_rounds}")
        self._client = client
        self.model = model
        self.system_instruction = to_system_instruction(system_instruction)
        self.config = to_config(config)
        self._toolbox = Toolbox(tools, tool_timeout)
        self.tool_config = to_tool_config(tool_config)
        self.cached_content = cached_content
        if cached_content is not None:
            check_cache_use(
                cached_content,
                model=model,
                system_instruction=self.system_instruction,
                tools=self._toolbox.raw_tools or None,
                tool_config=self.tool_config,
            )
        self.safety_settings = to_safety_settings(safety_settings)
        self.automatic_function_calling = bool(automatic_function_calling)
        self.max_function_rounds = max_function_rounds
        self._history: list[Content] = to_contents(history) if history else []
        # One message at a time: a semaphore rather than a lock, because a stream dropped
        # half-read releases it from __del__, outside the task that acquired it.
        self._lock = anyio.Semaphore(1, max_value=1)
        self._holder: weakref.ref[ChatRounds] | None = None
        self._abandoned_after: float | None = DEFAULT_ABANDONED_AFTER

    def __repr__(self) -> str:
        return f"<gemini_stream.Chat {self.model} {len(self._history)} turns>"

    @property
    def tool_timeout(self) -> float | None:
        """Seconds one call of a Python function may take (``None``: no limit)."""
        return self._toolbox.timeout

    @property
    def abandoned_after(self) -> float | None:
        """Seconds a message waits for the previous reply while nobody reads it (a stream
        kept open after ``break``) before it raises ``ChatBusyError`` naming that reply;
        60 by default, ``None`` waits forever. A reply being read is always waited for."""
        return self._abandoned_after

    @abandoned_after.setter
    def abandoned_after(self, seconds: float | None) -> None:
        self._abandoned_after = check_abandoned_after(seconds)

    # -- history ----------------------------------------------------------------------------

    @property
    def history(self) -> list[Content]:
        """The committed turns, oldest first (a copy; assign a list to replace them)."""
        return list(self._history)

    @history.setter
    def history(self, turns: ContentsInput) -> None:
        self._history = to_contents(turns) if turns else []

    def rewind(self) -> list[Content]:
        """Drop the last exchange and return its turns (``[]`` when there is none).

        The last exchange starts at the last user turn that is not only function results,
        so the model's function calls and their results go with the message that led to
        them. Use it to retry a message or to undo one.
        """
        for index in range(len(self._history) - 1, -1, -1):
            turn = self._history[index]
            if turn.role != "model" and any(p.function_response is None for p in turn.parts):
                removed = self._history[index:]
                del self._history[index:]
                return removed
        return []

    def fork(self) -> Chat:
        """Return a new chat with the same settings, functions and (copied) history."""
        twin = object.__new__(Chat)
        twin.__dict__.update(self.__dict__)
        twin._history = list(self._history)
        twin._lock = anyio.Semaphore(1, max_value=1)
        twin._holder = None
        return twin

    def _append(self, turns: Sequence[Content]) -> None:
        self._history.extend(turns)

    # -- sending ----------------------------------------------------------------------------

    def stream(self, message: ContentsInput, *, config: ConfigInput = None) -> ChatStream:
        """Send ``message`` and stream the reply: returns a ``ChatStream`` at once.

        Args:
            message: the user's turn: text, parts (images, ``Part.from_function_response``
                results, ...) or a user ``Content``.
            config: settings for this message only, merged over the chat's ``config``.

        Raises:
            TypeError, ValueError: bad input, before anything is sent.

        Example:
            >>> async for chunk in chat.stream("How many paws are in my house?"):
            ...     print(chunk.text, end="")
        """
        turns = to_contents(message)
        turn = turns[0]
        if len(turns) != 1 or turn.role not in (None, "user"):
            raise ValueError(
                f"a chat message is one user turn, got {short_repr(message)}; "
                "to add other turns, assign chat.history"
            )
        if turn.role is None:
            turn = Content(role="user", parts=turn.parts)
        return ChatStream(self, turn, merge_config(self.config, to_config(config)))

    async def send(
        self, message: ContentsInput, *, config: ConfigInput = None
    ) -> GenerateContentResponse:
        """Send ``message`` and return the whole reply (after any automatic function calls).

        Takes the same arguments as ``stream()``.

        Raises:
            BlockedError: the prompt was blocked (nothing is committed).
            GeminiError: the reply failed; ``exc.partial`` has what arrived, and history
                is unchanged (use ``stream()`` and ``commit()`` to keep a partial reply).
            FunctionCallLimitError: the model kept calling functions.

        Example:
            >>> reply = await chat.send("How many paws are in my house?")
            >>> print(reply.text)
        """
        stream = self.stream(message, config=config)
        async with stream:
            reply = await stream.final_response()
        reason = reply.block_reason
        if reason is not None and not stream.committed:
            raise blocked_error(reply, reason)
        return reply

    async def run_functions(self, calls: Sequence[FunctionCall]) -> list[Part]:
        """Run the Python functions named by ``calls`` and return their result parts.

        For manual function calling: send the parts back with ``chat.send(parts)``. Calls run
        concurrently; a failing or unknown function, or one that takes longer than
        ``tool_timeout``, gives an ``{"error": ...}`` result.
        """
        return await self._toolbox.run(calls)

    def _open(self, contents: list[Content], config: GenerationConfig | None) -> ChunkStream:
        """Stream one round: the history, then ``contents`` (this exchange so far)."""
        if self.cached_content is not None:  # the cache declares the tools
            return self._client.stream(
                self.model,
                [*self._history, *contents],
                config=config,
                safety_settings=self.safety_settings,
                cached_content=self.cached_content,
            )
        return self._client.stream(
            self.model,
            [*self._history, *contents],
            config=config,
            system_instruction=self.system_instruction,
            tools=self._toolbox.tools,
            tool_config=self.tool_config,
            safety_settings=self.safety_settings,
        )

    # -- persistence ------------------------------------------------------------------------

    def dumps(self) -> bytes:
        """Save the chat as JSON: model, system instruction, config, tools other than Python
        functions (their names only: ``loads`` warns when they are not given again), history
        (thought signatures byte for byte) and function-calling settings.

        Example:
            >>> data = chat.dumps()
            >>> chat = gs.Chat.loads(client, data, tools=[get_weather])
        """
        return msgspec.json.encode(
            SavedChat(
                model=self.model,
                system_instruction=self.system_instruction,
                config=self.config,
                tools=self._toolbox.raw_tools or None,
                python_functions=list(self._toolbox.functions) or None,
                tool_config=self.tool_config,
                safety_settings=self.safety_settings,
                history=self._history,
                automatic_function_calling=self.automatic_function_calling,
                max_function_rounds=self.max_function_rounds,
                cached_content=None
                if self.cached_content is None
                else cache_name(self.cached_content),
            )
        )

    @classmethod
    def loads(
        cls,
        client: SupportsStream,
        data: bytes | str,
        *,
        tools: ChatToolsInput = None,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
    ) -> Chat:
        """Restore a chat saved with ``dumps()``, sending through ``client``.

        Args:
            client: the client the restored chat sends through.
            data: what ``dumps()`` returned.
            tools: Python functions to attach again (only their names are saved: a
                ``UserWarning`` names those the saved chat had and ``tools`` lacks), and any
                more tools.
            tool_timeout: as for ``Chat`` (not saved, like the functions it applies to).

        Raises:
            ValueError: ``data`` is not a saved chat.
        """
        saved = read_saved_chat(data)
        extra = [] if tools is None else [tools] if not isinstance(tools, Sequence) else tools
        chat = cls(
            client,
            saved.model,
            system_instruction=saved.system_instruction,
            config=saved.config,
            tools=[*(saved.tools or ()), *extra],
            tool_config=saved.tool_config,
            safety_settings=saved.safety_settings,
            history=saved.history,
            automatic_function_calling=saved.automatic_function_calling,
            max_function_rounds=saved.max_function_rounds,
            tool_timeout=tool_timeout,
            cached_content=saved.cached_content,
        )
        warn_missing_functions(saved, chat._toolbox.functions)
        return chat
