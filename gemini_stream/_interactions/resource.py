"""``client.interactions``: the Interactions API's calls (``stream``, ``create``, ``get``,
``cancel``, ``delete``, ``wait``, ``resume``, ``chat``), each made on the client's
``Endpoint``."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._chat.tools import DEFAULT_TOOL_TIMEOUT
from .._errors import TotalTimeoutError
from .._limits.admission import limiter_for
from .chat import InteractionChat
from .events import decode_interaction
from .interaction import Interaction
from .reader import ResumeCall
from .request import InputLike, build_body, encode_body, response_type
from .stream import InteractionStream

if TYPE_CHECKING:
    from .._config import RetryPolicy, Timeouts
    from .._http.call import Call
    from .._http.endpoint import Endpoint

__all__ = ("Interactions",)

_FIRST_POLL = 1.0  # seconds before the second poll of wait(); each wait after grows 1.5x
_MAX_POLL = 10.0


class Interactions:
    """The Interactions API of one ``Client``: ``client.interactions``.

    Example:
        >>> stream = client.interactions.stream("gemini-3-flash-preview", "Tell me a joke")
        >>> async for text in stream.text_stream:
        ...     print(text, end="")
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def stream(
        self,
        model: str | None = None,
        input: InputLike | None = None,
        *,
        agent: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> InteractionStream:
        """Create an interaction and stream its events: returns an ``InteractionStream`` at
        once; the request goes out when it is first iterated.

        Args:
            model: a model id such as ``"gemini-3-flash-preview"`` (or ``agent=`` instead).
            input: a string, a content block, a list of content blocks, or a list of steps
                (``{"type": "function_result", ...}``).
            agent: an agent id such as ``"deep-research-preview-04-2026"``.
            timeouts: a per-call override of the client's ``Timeouts`` (they hold for each
                reconnection; ``total`` for the whole stream).
            retry: a per-call override of the client's ``RetryPolicy`` (also bounds the
                reconnections in a row that bring no new event).
            **fields: the reference's other request fields: ``system_instruction`` (a
                string), ``tools``, ``generation_config``, ``response_format``,
                ``previous_interaction_id``, ``store``, ``background``,
                ``response_modalities``, ``agent_config``, ``service_tier``,
                ``safety_settings``, ``labels``, ``webhook_config``, ``environment``.

                ``response_format`` may be a type (a msgspec Struct, a dataclass,
                ``list[X]``): structured JSON output of its schema, which
                ``final_parsed()`` (or ``Interaction.parsed``) decodes into it.

        Raises:
            TypeError: a value of the wrong type or an unknown field, before anything is sent.
            ValueError: a malformed value, before anything is sent.

        Example:
            >>> async for event in client.interactions.stream("gemini-3-flash-preview", "Hi"):
            ...     print(event.event_type)
        """
        body = build_body(model, agent, input, fields)
        body["stream"] = True
        call = _streamed(self._create_call(encode_body(body), timeouts, retry))
        return InteractionStream(
            call, self._resumer(timeouts, retry), parse_type=response_type(fields)
        )

    def resume(
        self,
        id: str,
        last_event_id: str | None = None,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> InteractionStream:
        """Stream an existing interaction's events (a background run, or a stream a process
        that restarted had read up to ``last_event_id``); without ``last_event_id``, from its
        first event.

        Example:
            >>> stream = client.interactions.resume(saved_id, last_event_id=saved_event_id)
            >>> interaction = await stream.final()
        """
        _check_id(id)
        if last_event_id is not None and not isinstance(last_event_id, str):
            raise TypeError(f"last_event_id must be a string or None, got {last_event_id!r}")
        resumer = self._resumer(timeouts, retry)
        return InteractionStream(
            resumer(id, last_event_id), resumer, interaction_id=id, last_event_id=last_event_id
        )

    def chat(
        self,
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
    ) -> InteractionChat:
        """Start a conversation on the Interactions API (see ``InteractionChat``).

        Args:
            model: the model (or ``agent=``); every turn uses it.
            tools: Python functions (run automatically when the model calls them, several
                at once when it calls several) and tool dicts (``{"type": "google_search"}``,
                declared functions you answer yourself).
            store: ``False`` keeps the history here, as steps sent in full every turn.
            automatic_function_calling: ``False``: turns stop at ``requires_action``.
            max_function_rounds: rounds of tool calls one turn may take.
            tool_timeout: seconds a tool call may take before the model gets an error.
            previous_interaction_id: continue an earlier conversation.
            timeouts: a per-call override of the client's ``Timeouts``, for every round.
            retry: a per-call override of the client's ``RetryPolicy``, for every round.
            **fields: the interaction-scoped fields sent every turn (``system_instruction``,
                ``generation_config``, ``response_format``...).

        Example:
            >>> chat = client.interactions.chat("gemini-3-flash-preview", tools=[get_weather])
            >>> print((await chat.send("Weather in Paris?")).text)
        """
        return InteractionChat(
            self, model, agent=agent, tools=tools, store=store,
            automatic_function_calling=automatic_function_calling,
            max_function_rounds=max_function_rounds, tool_timeout=tool_timeout,
            previous_interaction_id=previous_interaction_id, timeouts=timeouts, retry=retry,
            **fields,
        )  # fmt: skip

    async def create(
        self,
        model: str | None = None,
        input: InputLike | None = None,
        *,
        agent: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> Interaction:
        """Create an interaction and return it whole (takes the arguments of ``stream``).

        With ``background=True`` the call returns at once, the interaction ``in_progress``:
        follow it with ``wait``, ``get`` or ``resume``.

        Example:
            >>> interaction = await client.interactions.create("gemini-3-flash-preview", "Hi")
            >>> print(interaction.text)
        """
        body = encode_body(build_body(model, agent, input, fields))
        return decode_interaction(await self._create_call(body, timeouts, retry).fetch())

    async def get(self, id: str, *, timeouts: Timeouts | None = None) -> Interaction:
        """The stored interaction ``id``, with its whole timeline (the input step first).

        Raises:
            NotFoundError: no such interaction (or it expired, or was deleted).
        """
        call = self._call(_path(id), _path(id), None, timeouts, None)
        return decode_interaction(await call.fetch())

    async def cancel(self, id: str, *, timeouts: Timeouts | None = None) -> Interaction:
        """Cancel a background interaction that is still running; returns it (status
        ``"cancelled"``)."""
        target = _path(id) + "/cancel"
        return decode_interaction(await self._call(target, target, b"", timeouts, None).fetch())

    async def delete(self, id: str, *, timeouts: Timeouts | None = None) -> None:
        """Delete the stored interaction ``id``."""
        call = self._call(_path(id), _path(id), None, timeouts, None)
        await self._endpoint.url_call(call.url, call.label, None, timeouts, method="DELETE").fetch()

    async def wait(
        self, id: str, *, timeout: float | None = None, timeouts: Timeouts | None = None
    ) -> Interaction:
        """Poll the interaction ``id`` until it stops running (any status but
        ``in_progress`` / ``queued``), waiting longer between polls (1 s, growing to 10 s).

        Args:
            timeout: the longest wait in seconds (``None``: no limit).

        Raises:
            TotalTimeoutError: it was still running after ``timeout`` seconds (``partial``
                is the last poll's ``Interaction``).
        """
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0
        ):
            raise ValueError(f"timeout must be a number of seconds >= 0 or None, got {timeout!r}")
        loop = asyncio.get_running_loop()
        started, planned, delay = loop.time(), 0.0, _FIRST_POLL
        while True:
            interaction = await self.get(id, timeouts=timeouts)
            if interaction.done:
                return interaction
            # Planned waits count too, so the deadline holds when tests skip the sleeps.
            spent = max(loop.time() - started, planned)
            if timeout is not None:
                if spent >= timeout:
                    error = TotalTimeoutError(
                        f"interaction {id!r} was still {interaction.status!r} after "
                        f"wait(timeout={timeout})"
                    )
                    error.partial = interaction  # type: ignore[assignment]
                    raise error
                delay = min(delay, timeout - spent)
            await self._endpoint.transport.pause(delay)
            planned += delay
            delay = min(delay * 1.5, _MAX_POLL)

    # -- calls -----------------------------------------------------------------------------------

    def _call(
        self,
        target: str,
        label: str,
        body: bytes | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
    ) -> Call:
        if self._endpoint.vertex is not None:
            raise ValueError(
                "client.interactions speaks the Gemini API's Interactions endpoints; this "
                "client is set up for Vertex AI"
            )
        return self._endpoint.call(target, label, body, timeouts, retry)

    def _create_call(
        self, body: bytes, timeouts: Timeouts | None, retry: RetryPolicy | None
    ) -> Call:
        """A create: like a generation request, it waits for the client's rate limiter."""
        call = self._call("interactions", "interactions", body, timeouts, retry)
        limiter = limiter_for(self._endpoint.limiter)
        return call if limiter is None else dataclasses.replace(call, limiter=limiter)

    def _resumer(self, timeouts: Timeouts | None, retry: RetryPolicy | None) -> ResumeCall:
        call = self._call  # no reference to a stream: a dropped stream is freed at once

        def resume(interaction_id: str, last_event_id: str | None) -> Call:
            target = _path(interaction_id) + "?stream=true"
            if last_event_id:
                target += "&last_event_id=" + quote(last_event_id, safe="")
            return _streamed(call(target, _path(interaction_id), None, timeouts, retry))

        return resume


def _streamed(call: Call) -> Call:
    """``call`` asking for an event stream (as Google's SDK does; the server goes by the
    body's ``stream`` flag or the ``stream`` query parameter)."""
    headers = call.headers.copy()
    headers["accept"] = "text/event-stream"
    return dataclasses.replace(call, headers=headers)


def _check_id(id: object) -> None:
    if not isinstance(id, str) or not id.strip():
        raise TypeError(f"an interaction id must be a non-empty string, got {id!r}")


def _path(id: str) -> str:
    _check_id(id)
    return "interactions/" + quote(id, safe="")
