"""Turns a model name and an endpoint into the URL and headers of one API call."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from .._version import __version__

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"

_MODEL_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_PREFIXES = ("models/", "tunedModels/")
_API_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d*)?")


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
    return _model_path(model)


@functools.lru_cache(maxsize=256)  # once per model name, not per request
def _model_path(model: str) -> str:
    prefix = next((p for p in _PREFIXES if model.startswith(p)), "models/")
    model_id = model[len(prefix) :] if model.startswith(prefix) else model
    if not _MODEL_ID.fullmatch(model_id):
        raise ValueError(
            f"invalid model name {model!r}: expected an id such as 'gemini-2.5-flash' or "
            "'models/gemini-2.5-flash' (lowercase letters, digits, '.', '-', '_')"
        )
    return prefix + model_id


def check_api_version(api_version: str) -> str:
    """Return ``api_version`` if it looks like ``v1``, ``v1beta`` or ``v1alpha2``."""
    if not isinstance(api_version, str) or not _API_VERSION.fullmatch(api_version):
        raise ValueError(f"invalid api_version {api_version!r}: expected e.g. 'v1beta' or 'v1'")
    return api_version


def check_base_url(base_url: str) -> str:
    """Return ``base_url`` without a trailing slash, after checking it is an http(s) root."""
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"invalid base_url {base_url!r}: expected 'https://host[:port]'")
    return base_url.rstrip("/")


def base_headers(api_key: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    """Headers sent on every call; the key travels only here, never in a URL."""
    headers = {
        "content-type": "application/json",
        "user-agent": f"gemini-stream/{__version__}",
        "x-goog-api-client": f"gemini-stream/{__version__}",
    }
    if extra:
        headers.update({str(k).lower(): str(v) for k, v in extra.items()})
    if api_key:
        headers["x-goog-api-key"] = api_key
    return headers


def mask_key(api_key: str | None) -> str:
    """Show enough of a key to tell two apart in a log, never enough to use it."""
    if not api_key:
        return "None"
    return f"'{api_key[:4]}...{api_key[-2:]}'" if len(api_key) > 12 else "'***'"
