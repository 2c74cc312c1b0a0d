"""The emulator's model catalogue: current Gemini models as ``models.list`` shows them."""

from __future__ import annotations

import base64
from typing import Any

_TEXT_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]
_IMAGE_METHODS = ["generateContent", "countTokens", "batchGenerateContent"]
_EMBED_METHODS = ["embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"]
_PREDICT_METHODS = ["predict"]
_SPEECH_METHODS = ["countTokens", "generateContent"]


def _model(
    model_id: str,
    version: str,
    display_name: str,
    description: str,
    limits: tuple[int, int],
    *,
    methods: list[str] = _TEXT_METHODS,
    top_k: int | None = 64,
    thinking: bool = True,
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "name": f"models/{model_id}",
        "version": version,
        "displayName": display_name,
        "description": description,
        "inputTokenLimit": limits[0],
        "outputTokenLimit": limits[1],
        "supportedGenerationMethods": methods,
    }
    if methods is not _EMBED_METHODS and methods is not _PREDICT_METHODS:
        model |= {"temperature": 1, "topP": 0.95}
        if top_k is not None:
            model["topK"] = top_k
        model["maxTemperature"] = 2
    if thinking:
        model["thinking"] = True
    return model


_BIG = (1048576, 65536)
MODELS: list[dict[str, Any]] = [
    _model(
        "gemini-2.0-flash",
        "2.0",
        "Gemini 2.0 Flash",
        "Gemini 2.0 Flash",
        (1048576, 8192),
        top_k=40,
        thinking=False,
    ),
    _model(
        "gemini-2.0-flash-lite",
        "2.0",
        "Gemini 2.0 Flash-Lite",
        "Gemini 2.0 Flash-Lite",
        (1048576, 8192),
        top_k=40,
        thinking=False,
    ),
    _model(
        "gemini-2.5-flash",
        "001",
        "Gemini 2.5 Flash",
        "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up "
        "to 1 million tokens, released in June of 2025.",
        _BIG,
    ),
    _model(
        "gemini-2.5-pro",
        "2.5",
        "Gemini 2.5 Pro",
        "Stable release (June 17th, 2025) of Gemini 2.5 Pro",
        _BIG,
    ),
    _model(
        "gemini-2.5-flash-lite",
        "001",
        "Gemini 2.5 Flash-Lite",
        "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
        _BIG,
    ),
    _model(
        "gemini-2.5-flash-image",
        "2.0",
        "Nano Banana",
        "Gemini 2.5 Flash Preview Image",
        (32768, 32768),
        methods=_IMAGE_METHODS,
        thinking=False,
    ),
    _model(
        "gemini-3-pro-preview",
        "3-pro-preview-11-2025",
        "Gemini 3 Pro Preview",
        "Gemini 3 Pro Preview",
        _BIG,
    ),
    _model(
        "gemini-3-flash-preview",
        "3-flash-preview-12-2025",
        "Gemini 3 Flash Preview",
        "Gemini 3 Flash Preview",
        _BIG,
    ),
    _model(
        "gemini-3-pro-image-preview",
        "3.0",
        "Nano Banana Pro",
        "Gemini 3 Pro Image Preview",
        (131072, 32768),
        methods=_IMAGE_METHODS,
    ),
    _model(
        "gemini-flash-latest",
        "Gemini Flash Latest",
        "Gemini Flash Latest",
        "Latest release of Gemini Flash",
        _BIG,
    ),
    _model(
        "gemini-flash-lite-latest",
        "Gemini Flash-Lite Latest",
        "Gemini Flash-Lite Latest",
        "Latest release of Gemini Flash-Lite",
        _BIG,
    ),
    _model(
        "gemini-pro-latest",
        "Gemini Pro Latest",
        "Gemini Pro Latest",
        "Latest release of Gemini Pro",
        _BIG,
    ),
    _model(
        "gemini-2.5-flash-preview-tts",
        "gemini-2.5-flash-exp-tts-2025-05-19",
        "Gemini 2.5 Flash Preview TTS",
        "Gemini 2.5 Flash Preview TTS",
        (8192, 16384),
        methods=_SPEECH_METHODS,
        thinking=False,
    ),
    _model(
        "imagen-4.0-generate-001",
        "001",
        "Imagen 4",
        "Vertex served Imagen 4.0 model",
        (480, 8192),
        methods=_PREDICT_METHODS,
        thinking=False,
    ),
    _model(
        "imagen-4.0-ultra-generate-001",
        "001",
        "Imagen 4 Ultra",
        "Vertex served Imagen 4.0 ultra model",
        (480, 8192),
        methods=_PREDICT_METHODS,
        thinking=False,
    ),
    _model(
        "imagen-4.0-fast-generate-001",
        "001",
        "Imagen 4 Fast",
        "Vertex served Imagen 4.0 Fast model",
        (480, 8192),
        methods=_PREDICT_METHODS,
        thinking=False,
    ),
    _model(
        "gemini-embedding-001",
        "001",
        "Gemini Embedding 001",
        "Obtain a distributed representation of a text.",
        (2048, 1),
        methods=_EMBED_METHODS,
        thinking=False,
    ),
    _model(
        "gemini-embedding-2",
        "2",
        "Gemini Embedding 2",
        "Multimodal embeddings of text, images, audio, video and PDF in one space.",
        (8192, 1),
        methods=_EMBED_METHODS,
        thinking=False,
    ),
]
_BY_NAME = {m["name"]: m for m in MODELS}
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def find_model(name: str) -> dict[str, Any] | None:
    """Look up a model by resource name (``models/x``); tuned models behave as non-thinking."""
    if name.startswith("tunedModels/") and len(name) > len("tunedModels/"):
        return {"name": name, "supportedGenerationMethods": _IMAGE_METHODS}
    return _BY_NAME.get(name)


def page_token(name: str) -> str:
    """Encode the name of a page's first model as an opaque token (protobuf-like bytes)."""
    raw = name.encode()
    return base64.b64encode(b"\n" + bytes([len(raw)]) + raw).decode()


def list_page(page_size: int, token: str) -> dict[str, Any] | None:
    """Return one ``ListModelsResponse`` page, or ``None`` when ``token`` is not valid."""
    start = 0
    if token:
        try:
            name = base64.b64decode(token, validate=True)[2:].decode()
        except ValueError:
            return None
        if name not in _BY_NAME:
            return None
        start = MODELS.index(_BY_NAME[name])
    size = DEFAULT_PAGE_SIZE if page_size <= 0 else min(page_size, MAX_PAGE_SIZE)
    page: dict[str, Any] = {"models": MODELS[start : start + size]}
    if start + size < len(MODELS):
        page["nextPageToken"] = page_token(MODELS[start + size]["name"])
    return page
