"""``Interaction``: the resource the API stores for one turn or agent task, as ``get``
returns it and as a stream's events assemble it."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec

from .._wire.response import parse_json
from .content import IxWire, Usage
from .steps import AnyStep, FunctionCallStep, ModelOutputStep, ThoughtStep

__all__ = ("ACTIVE_STATUSES", "Interaction", "InteractionErrorInfo")

_T = TypeVar("_T")

ACTIVE_STATUSES = frozenset({"in_progress", "queued"})
"""Statuses of an interaction still running (``wait`` polls until the status is another)."""


class InteractionErrorInfo(IxWire, frozen=True, kw_only=True):
    """An error as the Interactions API reports it: a short snake_case ``code`` string
    (``"gateway_timeout"``, ``"not_found"``...) and a ``message``."""

    code: str | int | None = None
    message: str | None = None


class Interaction(IxWire, frozen=True, kw_only=True):
    """One interaction: its ``id``, ``status``, the ``steps`` of its timeline and ``usage``.

    ``status`` is ``"in_progress"``, ``"requires_action"`` (it stopped on function calls:
    see ``function_calls``), ``"completed"``, ``"incomplete"`` (stopped early, e.g. at
    ``max_output_tokens``), ``"failed"``, ``"cancelled"``, or a value added later.

    Example:
        >>> interaction = await client.interactions.create("gemini-3-flash-preview", "Hi")
        >>> print(interaction.status, interaction.text)
    """

    id: str | None = None
    status: str | None = None
    model: str | None = None
    agent: str | None = None
    object: str | None = None
    created: str | None = None
    updated: str | None = None
    steps: list[AnyStep] = msgspec.field(default_factory=list)
    usage: Usage | None = None
    service_tier: str | None = None
    previous_interaction_id: str | None = None
    errors: list[InteractionErrorInfo] | None = None
    system_instruction: str | None = None
    tools: list[Any] | None = None
    generation_config: dict[str, Any] | None = None
    agent_config: dict[str, Any] | None = None
    response_format: Any = None
    environment_id: str | None = None

    @property
    def text(self) -> str:
        """The text of every ``model_output`` step, joined (a Deep Research report comes in
        several steps)."""
        return "".join(s.text for s in self.steps if isinstance(s, ModelOutputStep))

    @property
    def thoughts(self) -> str:
        """The text of every thought summary, joined."""
        return "".join(s.text for s in self.steps if isinstance(s, ThoughtStep))

    @property
    def function_calls(self) -> list[FunctionCallStep]:
        """The ``function_call`` steps, in order (with status ``requires_action``: the calls
        to answer with ``function_result`` steps)."""
        return [s for s in self.steps if isinstance(s, FunctionCallStep)]

    @overload
    def parsed(self, type_: type[_T]) -> _T: ...
    @overload
    def parsed(self, type_: Any = None) -> Any: ...
    def parsed(self, type_: Any = None) -> Any:
        """Decode ``text`` (structured output) into ``type_``, or into plain JSON values.

        Raises:
            ParseError: the text is not JSON, or does not conform to ``type_``.

        Example:
            >>> recipe = interaction.parsed(Recipe)
        """
        return parse_json(self.text, type_)

    @property
    def done(self) -> bool:
        """Whether the interaction stopped running (any status but ``in_progress``/``queued``)."""
        return self.status is not None and self.status not in ACTIVE_STATUSES
