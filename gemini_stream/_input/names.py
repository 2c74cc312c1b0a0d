"""Model names as the API spells them: ``"gemini-2.5-flash"`` -> ``"models/gemini-2.5-flash"``."""

from __future__ import annotations

import re

__all__ = ("model_path",)

_MODEL_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_PREFIXES = ("models/", "tunedModels/")


def model_path(model: str) -> str:
    """Return the resource path of a model name: ``"gemini-2.5-flash"`` -> ``"models/..."``.

    ``models/...`` and ``tunedModels/...`` names are kept as they are. Any other lowercase id
    made of letters, digits, ``.``, ``-`` and ``_`` is accepted, so new and custom models work.

    Raises:
        TypeError: ``model`` is not a string.
        ValueError: the name is empty or has spaces, capitals or stray slashes.
    """
    if not isinstance(model, str):
        raise TypeError(f"model must be a str such as 'gemini-2.5-flash', got {model!r}")
    prefix = next((p for p in _PREFIXES if model.startswith(p)), "models/")
    model_id = model[len(prefix) :] if model.startswith(prefix) else model
    if not _MODEL_ID.fullmatch(model_id):
        raise ValueError(
            f"invalid model name {model!r}: expected an id such as 'gemini-2.5-flash' or "
            "'models/gemini-2.5-flash' (lowercase letters, digits, '.', '-', '_')"
        )
    return prefix + model_id
