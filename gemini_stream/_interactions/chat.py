"""``InteractionChat``: a conversation on the Interactions API (``client.interactions.chat``).

Each turn chains the last committed interaction with ``previous_interaction_id`` (or, with
``store=False``, sends the whole history as steps), resends the interaction-scoped fields
(tools, system instruction, generation config) every time, and runs Python tools itself:
calls of one round run concurrently (``Chat``'s toolbox), their results go back as
``function_result`` steps. A turn that fails is not chained: the next one continues from the
last turn that ended."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .._chat.tools import DEFAULT_TOOL_TIMEOUT, Toolbox
from .._errors import FunctionCallLimitError
from .._wire.parts import FunctionCall
from .interaction import Interaction
from .request import build_body, to_input
from .steps import AnyStep, FunctionCallStep, UnknownStep

if TYPE_CHECKING:
    from .._config import RetryPolicy, Timeouts
    from .events import InteractionEvent
    from .stream import InteractionStream

__all__ = ("InteractionChat", "InteractionChatStream")


class Interactions(Protocol):
    """What a chat sends through: ``client.interactions``."""

    async def create(
        self, model: str | None = ..., input: Any = ..., *, agent: str | None = ..., **fields: Any
    ) -> Interaction: ...

    def stream(
        self, model: str | None = ..., input: Any = ..., *, agent: str | None = ..., **fields: Any
    ) -> InteractionStream: ...


class InteractionChat:
    """A multi-turn conversation kept by the server (``previous_interaction_id``), or by
    you as steps with ``store=False``.

    Attributes:
        last_id: the id of the last turn that ended (the next turn continues from it).
        history: with ``store=False``, the steps of every turn that ended (inputs included).

    Example:
        >>> chat = client.interactions.chat("gemini-3-flash-preview", tools=[get_weather])
        >>> answer = await chat.send("What is the weather in Paris?")
        >>> print(answer.text)
    """

    def __init__(
        self,
        interactions: Interactions,
        model: str | None = None,
        *,
        agent: str | None = None,
        tools: Sequence[Callable[..., Any] | Mapping[str, Any]] | None = None,
        store: bool = True,
        automatic_function_calling: bool = True,
        max_function_rounds: int = 10,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
        previous_interaction_id: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> None:
        if isinstance(max_function_rounds, bool) or not isinstance(max_function_rounds, int):
            raise TypeError(f"max_function_rounds must be an int, got {max_function_rounds!r}")
        if max_function_rounds < 0:
            raise ValueError(f"max_function_rounds must be >= 0, got {max_function_rounds!r}")
        items = [] if tools is None else [tools] if callable(tools) else list(tools)
        self._toolbox = Toolbox([t for t in items if callable(t)], tool_timeout)
        declared = [_function_tool(f.declaration) for f in self._toolbox.functions.values()]
        wire_tools = declared + [dict(t) for t in items if not callable(t)]
        if wire_tools:
            fields["tools"] = wire_tools
        if store is False:
            fields["store"] = False
        build_body(model, agent, "-", fields)  # every setting checked now, not at a send
        self._interactions = interactions
        self._options: dict[str, Any] = {"timeouts": timeouts, "retry": retry}
        self._model, self._agent, self._fields = model, agent, fields
        self._store = store
        self._auto = automatic_function_calling
        self._max_rounds = max_function_rounds
        self.last_id = previous_interaction_id
        self.history: list[Any] = []
        self._lock = asyncio.Lock()

    async def send(self, input: object) -> Interaction:
        """Send one turn and return its answer, after running the model's calls of your
        Python tools (round after round, up to ``max_function_rounds``).

        Raises:
            FunctionCallLimitError: the model still called tools after the last round.
        """
        turn = _Turn(self, input)
        async with self._lock:
            turn.restart()
            while True:
                interaction = await self._interactions.create(
                    self._model, turn.input(), agent=self._agent, **turn.fields()
                )
                if not await turn.after(interaction):
                    return interaction

    def stream(self, input: object) -> InteractionChatStream:
        """Send one turn and stream the events of each of its rounds (tools run between
        them); ``final()`` gives the last round's interaction."""
        return InteractionChatStream(_Turn(self, input))


class _Turn:
    """One turn of a chat: its rounds' inputs, and the commit when it ends."""

    __slots__ = ("chat", "history", "previous", "rounds", "user")

    def __init__(self, chat: InteractionChat, input: object) -> None:
        self.chat = chat
        user = to_input(input)  # checked before anything is sent
        if not chat._store:
            user = _as_steps(user)
        self.user: Any = user
        self.previous = chat.last_id
        self.history = list(chat.history)
        self.rounds = 0

    def restart(self) -> None:
        """Start from the chat as it is now (a turn waits for the one before it)."""
        self.previous = self.chat.last_id
        self.history = list(self.chat.history)

    def input(self) -> Any:
        if self.chat._store:
            return self.user
        return self.history + self.user

    def fields(self) -> dict[str, Any]:
        """The round's request fields, and the call's timeouts and retry policy."""
        fields = {**self.chat._fields, **self.chat._options}
        if self.chat._store and self.previous is not None:
            fields["previous_interaction_id"] = self.previous
        return fields

    async def after(self, interaction: Interaction) -> bool:
        """A round ended: run the calls it asked for and return ``True`` (another round is
        due), or commit the turn and return ``False``."""
        chat = self.chat
        if not chat._store:
            self.history += self.user + [_step(s) for s in interaction.steps]
        calls = interaction.function_calls
        toolbox = chat._toolbox
        wants = [FunctionCall(id=c.id, name=c.name, args=c.arguments) for c in calls]
        if interaction.status != "requires_action" or not chat._auto or not toolbox.functions:
            self._commit(interaction)
            return False
        if not toolbox.answers(wants):
            self._commit(interaction)  # calls of declarations without a function: yours
            return False
        if self.rounds >= chat._max_rounds:
            error = FunctionCallLimitError(
                f"the model still called tools after max_function_rounds={chat._max_rounds}"
            )
            error.partial = interaction  # type: ignore[assignment]
            raise error
        self.rounds += 1
        parts = await toolbox.run(wants)
        self.user = [
            _result(call, part.function_response) for call, part in zip(calls, parts, strict=True)
        ]
        self.previous = interaction.id
        return True

    def _commit(self, interaction: Interaction) -> None:
        chat = self.chat
        if chat._store:
            chat.last_id = interaction.id
        else:
            chat.history = self.history


class InteractionChatStream:
    """The events of one chat turn, round after round (``async for event in stream``)."""

    __slots__ = ("_current", "_done", "_last", "_lock", "_turn")

    def __init__(self, turn: _Turn) -> None:
        self._turn = turn
        self._current: InteractionStream | None = None
        self._last: Interaction | None = None
        self._done = False
        self._lock: asyncio.Lock | None = None  # the chat's, while this turn holds it

    @property
    def interaction(self) -> Interaction:
        """The current round's interaction, as assembled so far."""
        if self._current is not None:
            return self._current.interaction
        return self._last or Interaction()

    def __aiter__(self) -> InteractionChatStream:
        return self

    async def __anext__(self) -> InteractionEvent:
        if self._lock is None and not self._done:
            lock = self._turn.chat._lock  # turns of one chat go one at a time
            await lock.acquire()
            self._lock = lock
            self._turn.restart()  # from where the turn before it left the chat
        try:
            return await self._next()
        except BaseException:
            self._unlock()
            raise

    async def _next(self) -> InteractionEvent:
        while not self._done:
            current = self._current
            if current is None:
                turn = self._turn
                current = self._current = turn.chat._interactions.stream(
                    turn.chat._model, turn.input(), agent=turn.chat._agent, **turn.fields()
                )
            try:
                return await current.__anext__()
            except StopAsyncIteration:
                pass
            except BaseException:
                self._done = True
                await current.aclose()
                raise
            self._last, self._current = current.interaction, None
            if not await self._turn.after(self._last):
                self._done = True
        raise StopAsyncIteration

    async def final(self) -> Interaction:
        """Run the turn to its end and return the last round's interaction."""
        async for _ in self:
            pass
        return self.interaction

    async def __aenter__(self) -> InteractionChatStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the turn (nothing of it is committed) and release the connection."""
        self._done = True
        current, self._current = self._current, None
        if current is not None:
            await current.aclose()
        self._unlock()

    def _unlock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def __del__(self) -> None:
        self._unlock()  # a turn dropped after a break lets the next one go


def _function_tool(declaration: Any) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "function", "name": declaration.name}
    if declaration.description:
        tool["description"] = declaration.description
    if declaration.parameters_json_schema is not None:
        tool["parameters"] = declaration.parameters_json_schema
    return tool


def _as_steps(user: Any) -> list[Any]:
    """A turn's input as steps (stateless history holds steps only)."""
    if isinstance(user, str):
        return [{"type": "user_input", "content": [{"type": "text", "text": user}]}]
    if isinstance(user, dict):
        user = [user]
    steps = [b for b in user if b.get("type") not in _CONTENT_KINDS]
    blocks = [b for b in user if b.get("type") in _CONTENT_KINDS]
    return ([{"type": "user_input", "content": blocks}] if blocks else []) + steps


_CONTENT_KINDS = frozenset({"text", "image", "audio", "document", "video"})


def _step(step: AnyStep) -> Any:
    return step.raw if isinstance(step, UnknownStep) else step


def _result(call: FunctionCallStep, response: Any) -> dict[str, Any]:
    result = dict(response.response or {}) if response is not None else {}
    out: dict[str, Any] = {"type": "function_result", "call_id": call.id, "name": call.name}
    out["result"] = result
    if set(result) == {"error"}:
        out["is_error"] = True
    return out
