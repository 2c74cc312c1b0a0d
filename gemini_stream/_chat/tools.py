"""A chat's tools: Python functions split from the wire tools, and running the model's calls."""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import anyio
import anyio.to_thread
import msgspec

from .._input.functions import PythonFunction, python_function
from .._input.request import to_tools
from .._wire.base import Wire
from .._wire.content import Part
from .._wire.parts import FunctionCall
from .._wire.tools import FunctionDeclaration, Tool

__all__ = ("DEFAULT_TOOL_TIMEOUT", "ChatToolsInput", "Toolbox", "check_tool_timeout")

# A minute: far more than a lookup or a computation takes, far less than "forever".
DEFAULT_TOOL_TIMEOUT = 60.0
_log = logging.getLogger("gemini_stream")

_Item: TypeAlias = Callable[..., Any] | Tool | FunctionDeclaration | Mapping[str, Any]
ChatToolsInput: TypeAlias = _Item | Sequence[_Item] | None


class Toolbox:
    """The tools of a chat: the Python functions it can run and the tools sent on the wire.

    Attributes:
        functions: the Python functions by name.
        raw_tools: the tools given as wire values (built-in tools, declarations without a
            function); these are what a saved chat keeps.
        tools: everything sent as the request's ``tools`` (``None`` when there is nothing).
        timeout: seconds one call of a function may take (``None``: no limit).
    """

    def __init__(self, tools: ChatToolsInput, timeout: float | None = DEFAULT_TOOL_TIMEOUT) -> None:
        self.timeout = check_tool_timeout(timeout)
        if tools is None:
            items: list[object] = []
        elif isinstance(tools, (Mapping, Wire)) or callable(tools):
            items = [tools]
        else:
            items = list(tools)
        self.functions: dict[str, PythonFunction] = {}
        raw: list[Any] = []
        for item in items:
            if callable(item) and not isinstance(item, (Wire, Mapping)):
                function = python_function(item)
                if function.name in self.functions:
                    raise ValueError(f"tools: two functions are named {function.name!r}")
                self.functions[function.name] = function
            else:
                raw.append(item)
        self.raw_tools: list[Tool] = to_tools(raw) or []
        self.declared = {
            d.name for t in self.raw_tools for d in t.function_declarations or () if d.name
        }
        clash = self.declared & self.functions.keys()
        if clash:
            raise ValueError(f"tools: {sorted(clash)} given both as a function and a declaration")
        self.tools = self._wire_tools()

    def _wire_tools(self) -> list[Tool] | None:
        generated = [f.declaration for f in self.functions.values()]
        if not generated:
            return self.raw_tools or None
        tools = list(self.raw_tools)
        for i, tool in enumerate(tools):
            if tool.function_declarations:
                declarations = [*generated, *tool.function_declarations]
                tools[i] = msgspec.structs.replace(tool, function_declarations=declarations)
                return tools
        return [Tool(function_declarations=generated), *tools]

    def answers(self, calls: Sequence[FunctionCall]) -> bool:
        """Whether this toolbox answers ``calls`` itself.

        It does unless a call names a declaration given without a Python function: such
        calls (and the others of the same reply) go back to the caller, as in manual mode.
        A name declared nowhere gets an error result from ``run``.
        """
        return bool(calls) and not any(call.name in self.declared for call in calls)

    async def run(self, calls: Sequence[FunctionCall]) -> list[Part]:
        """Run ``calls`` (concurrently when there are several) and return one
        ``functionResponse`` part per call, in order, each echoing its call's ``id``.

        A function that raises, takes longer than ``timeout``, an unknown name or invalid
        arguments give an ``{"error": "..."}`` result for the model to read; only
        cancellation propagates.
        """
        if len(calls) == 1:
            return [await self._run_one(calls[0])]
        results: list[Part] = [Part()] * len(calls)

        async def run_into(index: int, call: FunctionCall) -> None:
            results[index] = await self._run_one(call)

        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run_into, index, call)
        return results

    async def _run_one(self, call: FunctionCall) -> Part:
        name = call.name or ""
        function = self.functions.get(name)
        response: dict[str, Any]
        if function is None:
            known = ", ".join(sorted(self.functions)) or "none"
            response = {"error": f"unknown function {name!r}; the functions are: {known}"}
        else:
            try:
                bound = function.bind(call.args)
            except msgspec.ValidationError as exc:
                response = {"error": f"invalid arguments for {name}: {exc}"}
            else:
                response = await _call(bound, function.is_async, name, self.timeout)
        return Part.from_function_response(name, response, id=call.id)


def check_tool_timeout(value: object) -> float | None:
    """Return ``value`` as a tool timeout: a finite number of seconds above zero, or ``None``.

    Raises:
        TypeError, ValueError: anything else, naming the value.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"tool_timeout must be a number of seconds or None, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"tool_timeout must be a finite number of seconds above 0 (or None for no "
            f"limit), got {value!r}"
        )
    return float(value)


async def _call(
    bound: Callable[[], Any], is_async: bool, name: str, limit: float | None
) -> dict[str, Any]:
    """Call a bound function (sync ones in a worker thread) and shape its result; one that
    has not returned after ``limit`` seconds gives an error result."""
    try:
        with anyio.move_on_after(limit) as scope:
            if is_async:
                value = await bound()
            else:  # a thread cannot be stopped: on timeout it is left to finish on its own
                value = await anyio.to_thread.run_sync(bound, abandon_on_cancel=True)
            if inspect.isawaitable(value):  # a sync callable that returned a coroutine
                value = await value
        if scope.cancelled_caught:
            _log.warning(
                "tool %r did not return within %gs (tool_timeout); the model gets an error result",
                name,
                limit,
            )
            return {"error": f"TimeoutError: {name} did not return within {limit:g}s"}
        result = msgspec.to_builtins(value, str_keys=True)
    except Exception as exc:  # the model reads the error instead of the chat failing
        return {"error": f"{type(exc).__name__}: {exc}"}
    # A JSON object is the response itself; anything else is wrapped, by convention.
    return result if isinstance(result, dict) else {"output": result}
