"""Imagen text-to-image: the ``:predict`` request body and the typed ``GeneratedImages`` reply."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from .._http.codec import decode
from .._wire.base import Wire
from .._wire.parts import Blob

if TYPE_CHECKING:
    from .._config import RetryPolicy, Timeouts
    from .._http.endpoint import Endpoint

__all__ = ("GeneratedImages", "ImagePrediction", "Images", "SafetyAttributes", "imagen_request")

# Sent by the official SDK to Vertex AI only; the Gemini API rejects them.
_VERTEX_ONLY = ("negative_prompt", "seed")


class SafetyAttributes(Wire, frozen=True, kw_only=True):
    """Safety scores of an image or a prompt: ``scores[i]`` is for ``categories[i]``."""

    categories: list[str] | None = None
    scores: list[float] | None = None


class ImagePrediction(Wire, frozen=True, kw_only=True):
    """One prediction of an Imagen reply: an image, or why the safety filter dropped it.

    Vertex AI adds ``safety_attributes`` (with ``includeSafetyAttributes``) and a last
    prediction without an image whose ``content_type`` is ``"Positive Prompt"``: the
    prompt's own safety attributes.
    """

    bytes_base64_encoded: bytes | None = None
    mime_type: str | None = None
    rai_filtered_reason: str | None = None
    prompt: str | None = None
    content_type: str | None = None
    safety_attributes: SafetyAttributes | None = None

    @property
    def image(self) -> Blob | None:
        """The image as a ``Blob`` (``None`` for a filtered prediction)."""
        if self.bytes_base64_encoded is None:
            return None
        return Blob(mime_type=self.mime_type or "image/png", data=self.bytes_base64_encoded)


class GeneratedImages(Wire, frozen=True, kw_only=True):
    """The reply of ``client.images.generate``.

    Example:
        >>> result = await client.images.generate("imagen-4.0-generate-001", "a red fox")
        >>> result.save("fox.png")
        [PosixPath('fox.png')]
    """

    predictions: list[ImagePrediction] | None = None
    positive_prompt_safety_attributes: dict[str, Any] | None = None

    @property
    def images(self) -> list[Blob]:
        """The generated images, in order (filtered ones left out)."""
        return [p.image for p in self.predictions or () if p.image is not None]

    @property
    def filtered_reasons(self) -> list[str]:
        """Why images were withheld (``include_rai_reason=True`` makes the server say)."""
        return [p.rai_filtered_reason for p in self.predictions or () if p.rai_filtered_reason]

    def save(self, path: str | os.PathLike[str]) -> list[Path]:
        """Write every image; return the paths written.

        One image goes to ``path``; several go to ``name-0.png``, ``name-1.png``, ... beside
        it. Without a suffix, the one of the MIME type is added (``.png``, ``.jpg``).
        """
        images = self.images
        target = Path(path)
        paths = []
        for i, image in enumerate(images):
            name = target if len(images) == 1 else target.with_name(f"{target.stem}-{i}")
            if not target.suffix:
                name = name.with_name(name.name + _suffix(image.mime_type))
            elif len(images) > 1:
                name = name.with_name(name.name + target.suffix)
            paths.append(image.save(name))
        return paths


def _suffix(mime_type: str | None) -> str:
    return mimetypes.guess_extension(mime_type or "image/png") or ".png"


class _Instance(Wire, frozen=True, kw_only=True):
    prompt: str


class _OutputOptions(Wire, frozen=True, kw_only=True):
    mime_type: str | None = None
    compression_quality: int | None = None


class _Parameters(Wire, frozen=True, kw_only=True):
    sample_count: int
    aspect_ratio: str | None = None
    person_generation: str | None = None
    sample_image_size: str | None = None
    safety_setting: str | None = None
    include_rai_reason: bool | None = None
    output_options: _OutputOptions | None = None
    negative_prompt: str | None = None
    seed: int | None = None


class _Request(Wire, frozen=True, kw_only=True):
    instances: list[_Instance]
    parameters: _Parameters


def imagen_request(
    prompt: str,
    *,
    vertex: bool,
    number_of_images: int,
    aspect_ratio: str | None,
    person_generation: str | None,
    image_size: str | None,
    safety_filter_level: str | None,
    include_rai_reason: bool | None,
    output_mime_type: str | None,
    negative_prompt: str | None,
    seed: int | None,
) -> bytes:
    """Build the JSON body of ``models/imagen-*:predict``.

    Raises:
        TypeError, ValueError: a bad value, or a Vertex-only option on the Gemini API.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(f"prompt must be a non-empty str, got {prompt!r}")
    count = number_of_images
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"number_of_images must be a positive int, got {count!r}")
    if not vertex:
        for name, value in zip(_VERTEX_ONLY, (negative_prompt, seed), strict=True):
            if value is not None:
                raise ValueError(f"{name} is supported by Vertex AI only (vertexai=True)")
    options = None if output_mime_type is None else _OutputOptions(mime_type=output_mime_type)
    request = _Request(
        instances=[_Instance(prompt=prompt)],
        parameters=_Parameters(
            sample_count=count,
            aspect_ratio=aspect_ratio,
            person_generation=person_generation,
            sample_image_size=image_size,
            safety_setting=safety_filter_level,
            include_rai_reason=include_rai_reason,
            output_options=options,
            negative_prompt=negative_prompt,
            seed=seed,
        ),
    )
    return msgspec.json.encode(request)


class Images:
    """Imagen text-to-image of one ``Client``: ``client.images``.

    Example:
        >>> result = await client.images.generate("imagen-4.0-generate-001", "a red fox")
        >>> result.save("fox.png")
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    async def generate(
        self,
        model: str,
        prompt: str,
        *,
        number_of_images: int = 1,
        aspect_ratio: str | None = None,
        person_generation: str | None = None,
        image_size: str | None = None,
        safety_filter_level: str | None = None,
        include_rai_reason: bool | None = None,
        output_mime_type: str | None = None,
        negative_prompt: str | None = None,
        seed: int | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> GeneratedImages:
        """Generate images from a prompt with an Imagen model (``:predict``).

        Args:
            model: an Imagen model, such as ``"imagen-4.0-generate-001"``.
            prompt: what to draw.
            number_of_images: how many images (``sampleCount``; Imagen allows 1 to 4).
            aspect_ratio: ``"1:1"`` (default), ``"3:4"``, ``"4:3"``, ``"9:16"``, ``"16:9"``.
            person_generation: ``"dont_allow"``, ``"allow_adult"`` or ``"allow_all"``.
            image_size: ``"1K"`` or ``"2K"`` (``sampleImageSize``).
            safety_filter_level: the filter's strictness (``safetySetting``).
            include_rai_reason: say why a filtered image was withheld.
            output_mime_type: ``"image/png"`` or ``"image/jpeg"``.
            negative_prompt: what not to draw (Vertex AI only).
            seed: a fixed seed (Vertex AI only).
            timeouts: a per-call override of the client's ``Timeouts``.
            retry: a per-call override of the client's ``RetryPolicy``.

        Raises:
            ValueError: a bad value, or a Vertex-only option on the Gemini API.
            APIError: the server refused the request.

        Example:
            >>> result = await client.images.generate("imagen-4.0-generate-001", "a red fox")
            >>> result.save("fox.png")
        """
        body = imagen_request(
            prompt,
            vertex=self._endpoint.vertex is not None,
            number_of_images=number_of_images,
            aspect_ratio=aspect_ratio,
            person_generation=person_generation,
            image_size=image_size,
            safety_filter_level=safety_filter_level,
            include_rai_reason=include_rai_reason,
            output_mime_type=output_mime_type,
            negative_prompt=negative_prompt,
            seed=seed,
        )
        call = self._endpoint.model_call(model, "predict", body, timeouts, retry)
        return decode(await call.fetch(), GeneratedImages)
