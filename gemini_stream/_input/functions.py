"""Function declarations from plain Python functions: name, description, parameter schema.

The parameters become a msgspec Struct built from the signature and type hints; its JSON
Schema (``msgspec.json.schema``) is sent as ``parametersJsonSchema``, and the same Struct
validates and converts the model's arguments before the function is called.

Why ``parametersJsonSchema`` rather than ``parameters`` (the OpenAPI-subset ``Schema``):
optional values are ``anyOf [X, null]``, nested Structs and dataclasses are ``$ref``s into
``$defs``, and dicts are ``additionalProperties``; the JSON Schema field accepts all of
them, while ``parameters`` rejects ``additionalProperties``, ``$ref`` and type lists
(wire-format section 6).
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from .._wire.tools import FunctionDeclaration
from .structured import json_schema

__all__ = ("PythonFunction", "declare_function", "python_function")

_UNIONS = (typing.Union, types.UnionType)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,127}")
_SECTION = re.compile(r"^(Args|Arguments|Parameters|Params):\s*$")
_ARG = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class PythonFunction:
    """A Python function the model may call, with its declaration and argument type."""

    func: Callable[..., Any]
    declaration: FunctionDeclaration
    arguments: type[msgspec.Struct]
    positional: tuple[str, ...]
    is_async: bool

    @property
    def name(self) -> str:
        """The name the model calls the function by."""
        return self.declaration.name

    def bind(self, args: dict[str, Any] | None) -> Callable[[], Any]:
        """Validate the model's ``args`` and return a zero-argument call of the function.

        Raises:
            msgspec.ValidationError: the arguments do not match the signature.
        """
        values = msgspec.convert(args or {}, self.arguments, strict=False)
        kwargs = {name: getattr(values, name) for name in self.arguments.__struct_fields__}
        positional = [kwargs.pop(name) for name in self.positional]
        return functools.partial(self.func, *positional, **kwargs)


def _doc_parts(doc: str) -> tuple[str, dict[str, str]]:
    """Split a docstring into its first paragraph and Google-style ``Args:`` entries."""
    lines = doc.expandtabs().splitlines()
    summary: list[str] = []
    for line in lines:
        if not line.strip() or _SECTION.match(line.strip()):
            break
        summary.append(line.strip())
    params: dict[str, str] = {}
    section_indent: int | None = None
    current: str | None = None
    arg_indent = 0
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if section_indent is None:
            if _SECTION.match(stripped):
                section_indent = indent
            continue
        if not stripped:
            current = None
            continue
        if indent <= section_indent:
            break
        match = _ARG.match(stripped)
        if match and (current is None or indent <= arg_indent):
            current, arg_indent = match.group(1).lstrip("*"), indent
            params[current] = match.group(2).strip()
        elif current is not None:
            params[current] = f"{params[current]} {stripped}".strip()
    return " ".join(summary), params


def _default(value: Any) -> Any:
    """A Struct field default for a parameter default msgspec may not take as it is."""
    try:
        msgspec.json.encode(value)
    except (TypeError, ValueError):
        # Not JSON (a sentinel, an object): keep it for the call, leave it out of the schema.
        return msgspec.field(default_factory=lambda: value)
    if isinstance(value, (list, dict, set, bytearray)) and value:
        return msgspec.field(default_factory=functools.partial(copy.deepcopy, value))
    return value


def python_function(
    func: Callable[..., Any], *, name: str | None = None, description: str | None = None
) -> PythonFunction:
    """Describe ``func`` for the model (see ``declare_function``)."""
    if not callable(func):
        raise TypeError(f"expected a function, got {func!r}")
    # Name, docstring and type hints live on the function itself: unwrap partials, and use
    # __call__ for callable objects.
    unwrapped = func.func if isinstance(func, functools.partial) else func
    target: Callable[..., Any] = unwrapped
    own_name: str = getattr(unwrapped, "__name__", "")
    if not (inspect.isroutine(unwrapped) or inspect.isclass(unwrapped)):
        target, own_name = type(unwrapped).__call__, type(unwrapped).__name__
    name = name or own_name
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a valid function name for Gemini (letters, digits, _ . : -, "
            "starting with a letter or _; at most 128); give the function a proper name"
        )
    try:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(target, include_extras=True)
    except (TypeError, ValueError, NameError) as exc:
        raise TypeError(f"cannot read the signature and type hints of {name}: {exc}") from exc
    summary, arg_docs = _doc_parts(inspect.getdoc(target) or inspect.getdoc(unwrapped) or "")
    fields: list[tuple[Any, ...]] = []
    positional: list[str] = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(
                f"{name}: *{param.name} / **{param.name} cannot be described to the model; "
                "list the parameters explicitly"
            )
        if param.kind == param.POSITIONAL_ONLY:
            positional.append(param.name)
        annotation = hints.get(param.name, Any)
        # "Anything" is spelled Any for msgspec; Python 3.10 turns `x: object = None` into
        # Optional[object].
        if annotation is object or (
            typing.get_origin(annotation) in _UNIONS and object in typing.get_args(annotation)
        ):
            annotation = Any
        if param.default is param.empty:
            fields.append((param.name, annotation))
        else:
            fields.append((param.name, annotation, _default(param.default)))
    arguments = msgspec.defstruct(f"{name}_arguments", fields, kw_only=True)
    try:
        schema = json_schema(arguments)
    except TypeError as exc:
        raise TypeError(f"{name}: {exc}") from exc
    schema.pop("title", None)
    properties = schema.get("properties", {})
    for arg, text in arg_docs.items():
        if arg in properties and text:
            properties[arg] = {**properties[arg], "description": text}
    declaration = FunctionDeclaration(
        name=name,
        description=description if description is not None else summary or None,
        parameters_json_schema=schema,
    )
    is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(target)
    return PythonFunction(func, declaration, arguments, tuple(positional), is_async)


def declare_function(
    func: Callable[..., Any], *, name: str | None = None, description: str | None = None
) -> FunctionDeclaration:
    """Return the ``FunctionDeclaration`` the model sees for a Python function.

    The name is the function's ``__name__``; the description is the docstring's first
    paragraph; each parameter's type hint (``str``, ``int``, ``float``, ``bool``, ``Literal``
    and enums, lists, dicts, optional values, msgspec Structs, dataclasses, ...) becomes its
    JSON Schema in ``parameters_json_schema``, with the Google-style ``Args:`` line of the
    docstring as its description. Parameters without a default are required.

    Args:
        func: a function or other callable, sync or async.
        name: the name to declare instead of ``func.__name__``.
        description: the description to declare instead of the docstring's.

    Raises:
        TypeError: ``func`` has ``*args``/``**kwargs``, or a type msgspec cannot describe.
        ValueError: the name is not a valid Gemini function name (a lambda, for instance).

    Example:
        >>> def get_weather(city: str) -> dict:
        ...     '''Current weather in a city.'''
        >>> gs.declare_function(get_weather).parameters_json_schema["required"]
        ['city']
    """
    return python_function(func, name=name, description=description).declaration
