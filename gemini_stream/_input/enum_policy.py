"""The policy for enum values this version does not know: warn once, send them anyway.

The API adds enum values over time (thinking levels, harm categories, modalities), and a
client that refused the values it does not know would stop users from using a new one. So an
unknown value is sent as given, and the API decides (it answers 400 INVALID_ARGUMENT if it
does not know it either); a typo is still caught early by an ``UnknownEnumValueWarning``,
issued once per field and value in a process. Known values match case-insensitively, as the
API accepts ``"low"`` for ``LOW``.
"""

from __future__ import annotations

import os
import sys
import warnings

from .._wire import enums
from .._wire.embeddings import TaskType
from .._wire.enum_warning import UnknownEnumValueWarning

__all__ = ("KNOWN", "warn_unknown")


def _values(cls: type) -> frozenset[str]:
    return frozenset(v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str))


# Values valid on Vertex AI only, which a Vertex client sends: no warning for those.
_VERTEX_HARM_CATEGORIES = frozenset(
    {
        "HARM_CATEGORY_IMAGE_HATE",
        "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
        "HARM_CATEGORY_IMAGE_HARASSMENT",
        "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_JAILBREAK",
    }
)

KNOWN: dict[str, frozenset[str]] = {
    "Modality": _values(enums.Modality) - {"DOCUMENT"},  # DOCUMENT only counts tokens
    "MediaResolution": _values(enums.MediaResolution),
    "ThinkingLevel": _values(enums.ThinkingLevel),
    "HarmCategory": _values(enums.HarmCategory) | _VERTEX_HARM_CATEGORIES,
    "HarmBlockThreshold": _values(enums.HarmBlockThreshold),
    "FunctionCallingMode": _values(enums.FunctionCallingMode),
    "DynamicRetrievalMode": _values(enums.DynamicRetrievalMode),
    "Behavior": _values(enums.Behavior),
    "Environment": _values(enums.Environment),
    "SchemaType": _values(enums.SchemaType),
    "TaskType": _values(TaskType),
    "ServiceTier": frozenset({"unspecified", "standard", "flex", "priority"}),  # lowercase
}

_warned: set[tuple[str, str]] = set()
_PACKAGE = os.path.dirname(os.path.dirname(__file__))


def warn_unknown(field: str, value: str, enum: str, path: str) -> None:
    """Issue an ``UnknownEnumValueWarning`` for ``value`` unless one was issued for it already.

    Args:
        field: the Struct field, like ``"ThinkingConfig.thinking_level"`` (the once-key).
        value: the value as given.
        enum: the enum's name in ``KNOWN``.
        path: where the value is in the call, like ``"config.thinking_config.thinking_level"``.
    """
    key = (field, value)
    if key in _warned:
        return
    _warned.add(key)
    known = ", ".join(sorted(v for v in KNOWN[enum] if not v.endswith("UNSPECIFIED")))
    warnings.warn(
        f"{path}: {value!r} is not a {enum} value gemini-stream knows ({known}); it is sent "
        "as given, and the API answers 400 INVALID_ARGUMENT if it does not know it either",
        UnknownEnumValueWarning,
        stacklevel=_caller_level(),
    )


def _caller_level() -> int:
    """The ``stacklevel`` that points at the first frame outside this package (the user's
    call); ``skip_file_prefixes`` does this from Python 3.12 on."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
