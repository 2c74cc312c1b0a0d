"""Folds a function call whose arguments Vertex AI streams in pieces into one call.

With ``toolConfig.functionCallingConfig.streamFunctionCallArguments`` Vertex AI sends a call
as several ``functionCall`` parts, one per chunk::

    {"name": "get_weather", "willContinue": true}                       (the call starts)
    {"partialArgs": [{"jsonPath": "$.city", "stringValue": "New Yo",
                      "willContinue": true}], "willContinue": true}      (a piece of a string)
    {"partialArgs": [{"jsonPath": "$.city", "stringValue": "rk"}], "willContinue": true}
    {"partialArgs": [{"jsonPath": "$.days", "numberValue": 3}], "willContinue": true}
    {}                                                                   (the call ends)

A piece is a call with no name and no id that follows an open call (one whose
``will_continue`` is true); it sets each value at its JSON path (RFC 9535: ``$.a.b[0]``,
``$['a b']``) in the open call's ``args``, string pieces of one path concatenated; a piece
without ``will_continue`` closes the call. A named call with ``partial_args`` and no
continuation (a whole call given as pieces) gets its ``args`` at once. The folded call has
whole ``args`` and no ``partial_args``; a call still open when the reply ends keeps
``will_continue=True``.

Inputs are never mutated: only the containers along each path are copied.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from msgspec import UNSET
from msgspec.structs import replace

from .._wire.content import Part
from .._wire.parts import FunctionCall, PartialArg

__all__ = ("append_call", "is_streamed_call")

# One step of a JSON path: .name, [3], ['name'] or ["name"].
_STEP = re.compile(r"""\.([^.\[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]""")
_ESCAPE = re.compile(r"\\(.)")
# Items of a list arrive in order; a larger jump is bad data, not a reason to allocate.
_MAX_GAP = 1024


def is_streamed_call(call: FunctionCall) -> bool:
    """Whether ``call`` takes part in argument streaming (a start, a piece or an end)."""
    return call.partial_args is not None or call.will_continue is not None or call.name is None


def append_call(parts: list[Part], part: Part, call: FunctionCall) -> None:
    """Append ``part`` (whose function call is ``call``) to ``parts`` (a fresh list), folding
    a piece of a streamed call into the open call it continues."""
    if call.name is None and call.id is None:
        found = _open_call(parts)
        if found is not None:
            pos, old = found
            parts[pos] = _continued(parts[pos], old, part, call)
            return
    if call.partial_args:
        args = _applied(call.args, call.partial_args)
        call = FunctionCall(id=call.id, name=call.name, args=args, will_continue=call.will_continue)
        part = replace(part, function_call=call)
    parts.append(part)


def _open_call(parts: list[Part]) -> tuple[int, FunctionCall] | None:
    """The position of the latest function call and the call, if it is still open."""
    for pos in range(len(parts) - 1, -1, -1):
        call = parts[pos].function_call
        if call is not None:
            return (pos, call) if call.will_continue else None
    return None


def _continued(open_part: Part, old: FunctionCall, piece: Part, call: FunctionCall) -> Part:
    args = old.args
    if call.partial_args:
        args = _applied(args, call.partial_args)
    if call.args:
        args = {**(args or {}), **call.args}
    folded = FunctionCall(
        id=old.id, name=old.name, args=args, will_continue=True if call.will_continue else None
    )
    signature = open_part.thought_signature or piece.thought_signature
    return replace(open_part, function_call=folded, thought_signature=signature)


def _applied(args: dict[str, Any] | None, pieces: list[PartialArg]) -> dict[str, Any]:
    root: dict[str, Any] = dict(args) if args else {}
    for piece in pieces:
        path = _steps(piece.json_path)
        if path is None:
            continue  # not a path we can follow: leave the arguments as they are
        if piece.string_value is not None:
            _set(root, path, piece.string_value, concatenate=True)
        elif piece.number_value is not None:
            _set(root, path, piece.number_value)
        elif piece.bool_value is not None:
            _set(root, path, piece.bool_value)
        elif piece.null_value is not UNSET:
            _set(root, path, None)
    return root


def _steps(json_path: str | None) -> list[str | int] | None:
    """``"$.a[0]['b c']"`` -> ``["a", 0, "b c"]``; None when it is not such a path."""
    if not json_path or json_path[0] != "$":
        return None
    steps: list[str | int] = []
    pos, end = 1, len(json_path)
    while pos < end:
        match = _STEP.match(json_path, pos)
        if match is None:
            return None
        name, index, single, double = match.groups()
        if index is not None:
            steps.append(int(index))
        elif name is not None:
            steps.append(name)
        else:
            steps.append(_ESCAPE.sub(r"\1", single if single is not None else double))
        pos = match.end()
    return steps or None


def _set(
    root: dict[str, Any], path: list[str | int], value: Any, concatenate: bool = False
) -> None:
    """Set ``value`` at ``path`` under ``root`` (a fresh dict), copying each container on the
    way so the previous snapshot's arguments stay as they were."""
    node: Any = root
    for step, following in pairwise(path):
        child = _get(node, step)
        if isinstance(following, int):
            child = list(child) if isinstance(child, list) else []
        else:
            child = dict(child) if isinstance(child, dict) else {}
        _put(node, step, child)
        node = child
    last = path[-1]
    if concatenate:
        current = _get(node, last)
        if isinstance(current, str):
            value = current + value
    _put(node, last, value)


def _get(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


def _put(node: Any, step: str | int, value: Any) -> None:
    if isinstance(step, int):
        if not isinstance(node, list):
            return
        if step >= len(node):
            if step - len(node) > _MAX_GAP:
                return  # an index far past the end: not a list being streamed in order
            node.extend([None] * (step + 1 - len(node)))
        node[step] = value
    elif isinstance(node, dict):
        node[step] = value
