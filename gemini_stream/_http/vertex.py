"""Vertex AI mode: which endpoint a client talks to, how models are named, and Vertex-only fields.

Two ways to reach Gemini on Vertex AI:

* **project mode**: ``https://{location}-aiplatform.googleapis.com/v1/projects/{project}/
  locations/{location}/publishers/google/models/{model}:...`` (``aiplatform.googleapis.com``
  for ``global``, ``aiplatform.{us|eu}.rep.googleapis.com`` for the multi-regions) with an
  OAuth bearer token;
* **express mode**: ``https://aiplatform.googleapis.com/v1beta1/publishers/google/models/
  {model}:...`` with an API key and no project.

Vertex-only request fields (``labels``, ``safetySettings[].method``, ``routingConfig``...) go
in ``vertex_extras``, merged into every generation request body in Vertex mode; a client for
the Gemini API refuses them, so they can never reach it. The one Vertex-only field our request
types model, ``toolConfig.functionCallingConfig.streamFunctionCallArguments``, is refused the
same way by ``refuse_vertex_only`` before a Gemini API request is sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from .._wire.request import GenerateContentRequest
from .secrets import mask_key

if TYPE_CHECKING:
    from .auth import TokenProvider, TokenSource

__all__ = ("Vertex", "refuse_vertex_only", "resolve_vertex")

_MULTI_REGIONS = frozenset({"us", "eu"})
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
_LOCATION = re.compile(r"[a-z][a-z0-9-]*")
_GENERATION = ("generateContent", "streamGenerateContent")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Merge objects key by key (recursively); anything else in ``extra`` replaces."""
    for key, value in extra.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge(current, value)
        else:
            into[key] = value


@dataclass(frozen=True)
class Vertex:
    """How one client reaches Vertex AI.

    Attributes:
        project: the Google Cloud project; ``None`` in express mode.
        location: ``us-central1``, ``global``, ...; ``None`` in express mode.
        api_key: the express-mode key, else ``None``.
        token: the bearer-token source of project mode, else ``None``.
        extras: Vertex-only fields (camelCase) merged into every generation request.
    """

    project: str | None
    location: str | None
    api_key: str | None = None
    token: TokenSource | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # the express-mode key masked
        return f"<Vertex {self.describe()} api_key={mask_key(self.api_key)} token={self.token!r}>"

    @property
    def default_api_version(self) -> str:
        return "v1beta1" if self.project is None else "v1"

    def host(self) -> str:
        """Google's endpoint for this location (express mode and ``global`` share one)."""
        location = self.location
        if location is None or location == "global":
            return "https://aiplatform.googleapis.com"
        if location in _MULTI_REGIONS:
            return f"https://aiplatform.{location}.rep.googleapis.com"
        return f"https://{location}-aiplatform.googleapis.com"

    def model_path(self, model: str) -> str:
        """The resource path of a model, relative to ``{base}/{api_version}/``.

        ``gemini-2.5-flash`` and ``models/gemini-2.5-flash`` mean Google's publisher model;
        ``publisher/model`` another publisher's; ``publishers/...`` and ``endpoints/...`` are
        kept (under the project in project mode); ``projects/...`` is a full resource name.

        Raises:
            TypeError, ValueError: not a model name (``tunedModels/`` are Gemini-API only).
        """
        if not isinstance(model, str):
            raise TypeError(f"model must be a str such as 'gemini-2.5-flash', got {model!r}")
        segments = model.split("/")
        if not all(_SEGMENT.fullmatch(s) for s in segments) or ".." in model:
            raise ValueError(f"invalid model name {model!r} for Vertex AI")
        if segments[0] == "tunedModels":
            raise ValueError(f"{model!r} is a Gemini API tuned model; Vertex AI has endpoints/")
        if segments[0] == "projects":
            return model
        if segments[0] == "models" and len(segments) == 2:
            path = f"publishers/google/models/{segments[1]}"
        elif segments[0] in ("publishers", "endpoints"):
            path = model
        elif len(segments) == 2:
            path = f"publishers/{segments[0]}/models/{segments[1]}"
        elif len(segments) == 1:
            path = f"publishers/google/models/{model}"
        else:
            raise ValueError(f"invalid model name {model!r} for Vertex AI")
        if self.project is None:
            return path
        return f"projects/{self.project}/locations/{self.location}/{path}"

    def merge_extras(self, method: str, body: bytes) -> bytes:
        """Add ``extras`` to a generation request body (other calls are left alone)."""
        if not self.extras or not method.startswith(_GENERATION):
            return body
        request = msgspec.json.decode(body)
        _merge(request, self.extras)
        return msgspec.json.encode(request)

    def describe(self) -> str:
        """A short label for ``repr``: ``vertex express`` or ``vertex project=p location=l``."""
        if self.project is None:
            return "vertex express"
        return f"vertex project={self.project} location={self.location}"


def refuse_vertex_only(vertex: Vertex | None, request: GenerateContentRequest) -> None:
    """Refuse a Gemini API request (``vertex`` None) that sets a Vertex-only field.

    Raises:
        ValueError: ``stream_function_call_arguments`` is set (the Gemini API rejects it and
            never streams function-call arguments), naming the field.
    """
    if vertex is not None:
        return
    tool_config = request.tool_config
    calling = None if tool_config is None else tool_config.function_calling_config
    if calling is not None and calling.stream_function_call_arguments is not None:
        raise ValueError(
            "tool_config.function_calling_config.stream_function_call_arguments="
            f"{calling.stream_function_call_arguments!r} is a Vertex AI option: the Gemini "
            "API does not stream function-call arguments (use a client with vertexai=True)"
        )


def _extras(extras: Mapping[str, Any] | None) -> dict[str, Any]:
    if extras is None:
        return {}
    if not isinstance(extras, Mapping):
        raise TypeError(f"vertex_extras must be a dict of request fields, got {extras!r}")
    out: dict[str, Any] = {}
    for key, value in extras.items():
        if not isinstance(key, str):
            raise TypeError(f"vertex_extras keys must be field names, got {key!r}")
        name = _camel(key)
        if name == "contents":
            raise ValueError("vertex_extras cannot replace 'contents'")
        out[name] = value
    return out


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true")


def resolve_vertex(
    vertexai: bool | None,
    api_key: str | None,
    env_api_key: str | None,
    project: str | None,
    location: str | None,
    token_provider: TokenProvider | None,
    extras: Mapping[str, Any] | None,
) -> Vertex | None:
    """Decide between the Gemini API (``None``), Vertex project mode and express mode.

    ``vertexai=None`` reads ``GOOGLE_GENAI_USE_VERTEXAI``. An explicit ``api_key`` means
    express mode; an explicit ``project``/``location`` means project mode (the missing one
    from ``GOOGLE_CLOUD_PROJECT`` / ``GOOGLE_CLOUD_LOCATION``, location ``global`` by
    default). With neither, ``GOOGLE_CLOUD_PROJECT`` wins over a key from the environment,
    as in Google's SDK.

    Raises:
        ValueError: contradictory or missing settings (the message says which), or
            Application Default Credentials needed without google-auth installed.
    """
    if vertexai is None:
        vertexai = _env_flag("GOOGLE_GENAI_USE_VERTEXAI")
    if not vertexai:
        for name, value in (
            ("project", project),
            ("location", location),
            ("token_provider", token_provider),
            ("vertex_extras", extras),
        ):
            if value is not None:
                raise ValueError(f"{name} is a Vertex AI setting; pass vertexai=True to use it")
        return None
    fields = _extras(extras)
    if api_key is not None:
        if project is not None or location is not None:
            raise ValueError(
                "api_key (Vertex AI express mode) and project/location are mutually exclusive"
            )
        if token_provider is not None:
            raise ValueError("token_provider is for project mode; express mode uses api_key")
        return Vertex(None, None, api_key, extras=fields)
    if project is None and location is None:
        project = os.environ.get("GOOGLE_CLOUD_PROJECT") or None
        if project is None and env_api_key and token_provider is None:
            return Vertex(None, None, env_api_key, extras=fields)
    project = project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None
    location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or "global"
    if project is None:
        raise ValueError(
            "Vertex AI needs a project: pass project=... or set GOOGLE_CLOUD_PROJECT "
            "(or pass api_key=... for express mode)"
        )
    if not _SEGMENT.fullmatch(project):
        raise ValueError(f"invalid Google Cloud project {project!r}")
    if not _LOCATION.fullmatch(location):
        raise ValueError(f"invalid Vertex AI location {location!r} (e.g. 'us-central1')")
    from .auth import TokenSource, default_credentials  # project mode only: not at start-up

    if token_provider is None:
        try:
            token_provider = default_credentials()
        except ImportError as exc:
            raise ValueError(str(exc)) from exc
    return Vertex(project, location, token=TokenSource(token_provider), extras=fields)
