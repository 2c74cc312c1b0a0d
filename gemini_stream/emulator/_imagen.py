"""The emulator's Imagen ``:predict``: validates the request and answers with small valid PNGs.

Images are deterministic (seeded by model, prompt and index), shaped by ``aspectRatio`` and
twice as large for ``sampleImageSize: "2K"``. A prompt containing ``emulator:block-prompt``
is filtered: no predictions, or one ``raiFilteredReason`` with ``includeRaiReason``. The
emulator always answers PNG, even when JPEG is asked for.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from typing import Any

from ._compose import BLOCK_TRIGGER
from ._errors import ErrorReply, bad_request, invalid_argument
from ._png import _SIGNATURE, _chunk

__all__ = ("ASPECT_RATIOS", "make_png_rect", "predict")

ASPECT_RATIOS = {
    "1:1": (16, 16),
    "3:4": (12, 16),
    "4:3": (16, 12),
    "9:16": (9, 16),
    "16:9": (16, 9),
}
_PERSONS = {"dont_allow", "allow_adult", "allow_all"}
_SIZES = {"1K": 2, "2K": 4}
_PARAMETERS = {
    "sampleCount": int,
    "aspectRatio": str,
    "personGeneration": str,
    "sampleImageSize": str,
    "safetySetting": str,
    "includeRaiReason": bool,
    "includeSafetyAttributes": bool,
    "outputOptions": dict,
    "language": str,
    "guidanceScale": float,
}
# Vertex AI accepts these too; the Gemini API rejects them (the official SDK refuses them).
_VERTEX_PARAMETERS = {
    "negativePrompt": str,
    "seed": int,
    "addWatermark": bool,
    "enhancePrompt": bool,
    "storageUri": str,
}
_RAI_REASON = (
    "Your current safety filter threshold filtered out the generated image. You will not be "
    "charged for blocked images. Try rephrasing the prompt."
)


def make_png_rect(seed: bytes, width: int, height: int) -> bytes:
    """A valid ``width`` x ``height`` RGB PNG: a gradient between two colours from ``seed``."""
    a = seed[:3].ljust(3, b"\0")
    b = seed[3:6].ljust(3, b"\xff")
    rows = bytearray()
    span = max(1, width + height - 2)
    for y in range(height):
        rows.append(0)  # filter type "None" for every scanline
        for x in range(width):
            t = (x + y) / span
            rows.extend(round(a[i] + (b[i] - a[i]) * t) for i in range(3))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _check(parameters: dict[str, Any], vertex: bool) -> ErrorReply | None:
    allowed = {**_PARAMETERS, **(_VERTEX_PARAMETERS if vertex else {})}
    for key, value in parameters.items():
        kind = allowed.get(key)
        if kind is None:
            where = "at 'parameters'"
            text = (
                f'Invalid JSON payload received. Unknown name "{key}" {where}: Cannot find field.'
            )
            return bad_request([("parameters", text)])
        numeric = kind is float and isinstance(value, int)
        if not (isinstance(value, kind) or numeric) or (kind is int and isinstance(value, bool)):
            return bad_request([(f"parameters.{key}", f"Invalid value at 'parameters.{key}'")])
    count = parameters.get("sampleCount", 4)
    if not 1 <= count <= 4:
        return invalid_argument(f"sampleCount must be between 1 and 4, got {count}.")
    if parameters.get("aspectRatio", "1:1") not in ASPECT_RATIOS:
        return invalid_argument(f"Unsupported aspect ratio: {parameters['aspectRatio']}.")
    if str(parameters.get("personGeneration", "allow_adult")).lower() not in _PERSONS:
        return invalid_argument(f"Invalid personGeneration: {parameters['personGeneration']}.")
    if parameters.get("sampleImageSize", "1K") not in _SIZES:
        return invalid_argument(f"Unsupported sampleImageSize: {parameters['sampleImageSize']}.")
    return None


def predict(body: Any, model: str, *, vertex: bool = False) -> ErrorReply:
    """Answer one ``models/{imagen}:predict`` request body: ``(status, body, headers)``."""
    if not isinstance(body, dict) or set(body) - {"instances", "parameters"}:
        return bad_request([("", "Invalid JSON payload received. Expected instances.")])
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1:
        return invalid_argument("Exactly one instance with a prompt is required.")
    prompt = instances[0].get("prompt") if isinstance(instances[0], dict) else None
    if not isinstance(prompt, str) or not prompt.strip():
        return invalid_argument("The prompt is empty.")
    parameters = body.get("parameters", {})
    if not isinstance(parameters, dict):
        return bad_request([("parameters", "Invalid value at 'parameters'")])
    problem = _check(parameters, vertex)
    if problem is not None:
        return problem
    if BLOCK_TRIGGER in prompt:
        filtered = (
            [{"raiFilteredReason": _RAI_REASON}] if parameters.get("includeRaiReason") else []
        )
        return 200, {"predictions": filtered} if filtered else {}, {}
    width, height = ASPECT_RATIOS[parameters.get("aspectRatio", "1:1")]
    scale = _SIZES[parameters.get("sampleImageSize", "1K")]
    predictions = []
    for index in range(parameters.get("sampleCount", 4)):
        seed = hashlib.sha256(f"{model}\n{prompt}\n{index}".encode()).digest()
        png = make_png_rect(seed, width * scale, height * scale)
        encoded = base64.b64encode(png).decode()
        predictions.append({"bytesBase64Encoded": encoded, "mimeType": "image/png"})
    return 200, {"predictions": predictions}, {}
