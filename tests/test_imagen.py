"""Imagen: client.images.generate against the emulator's :predict, and the predict endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

import gemini_stream as gs
from gemini_stream.emulator import Emulator

from .test_media import read_png

IMAGEN = "imagen-4.0-generate-001"


async def test_generate_images_sends_the_predict_shape(
    client: gs.Client, emulator: Emulator
) -> None:
    result = await client.images.generate(
        IMAGEN,
        "A robot holding a red skateboard",
        number_of_images=2,
        aspect_ratio="16:9",
        person_generation="allow_adult",
        image_size="2K",
        output_mime_type="image/png",
    )
    record = emulator.records[-1]
    assert record.path == f"/v1beta/models/{IMAGEN}:predict"
    assert record.body == {
        "instances": [{"prompt": "A robot holding a red skateboard"}],
        "parameters": {
            "sampleCount": 2,
            "aspectRatio": "16:9",
            "personGeneration": "allow_adult",
            "sampleImageSize": "2K",
            "outputOptions": {"mimeType": "image/png"},
        },
    }
    assert len(result.images) == 2 and result.filtered_reasons == []
    for image in result.images:
        assert image.mime_type == "image/png"
        assert read_png(image.data or b"") == (64, 36)  # 16:9, doubled for 2K
    assert result.images[0].data != result.images[1].data


async def test_one_call_saves_every_image(client: gs.Client, tmp_path: Path) -> None:
    one = await client.images.generate(IMAGEN, "a fox")
    assert one.save(tmp_path / "fox.png") == [tmp_path / "fox.png"]
    assert read_png((tmp_path / "fox.png").read_bytes()) == (32, 32)
    several = await client.images.generate(IMAGEN, "a fox", number_of_images=3)
    paths = several.save(tmp_path / "foxes.png")
    assert [p.name for p in paths] == ["foxes-0.png", "foxes-1.png", "foxes-2.png"]
    assert [p.read_bytes() for p in paths] == [i.data for i in several.images]
    assert several.save(tmp_path / "bare")[0].name == "bare-0.png"  # suffix from the MIME type
    assert one.save(tmp_path / "single")[0].name == "single.png"


async def test_filtered_prompts_give_reasons_not_images(client: gs.Client) -> None:
    quiet = await client.images.generate(IMAGEN, "emulator:block-prompt")
    assert quiet.images == [] and quiet.filtered_reasons == [] and quiet.predictions is None
    told = await client.images.generate(IMAGEN, "emulator:block-prompt", include_rai_reason=True)
    assert told.images == []
    assert "safety filter" in told.filtered_reasons[0]


async def test_bad_requests_fail_early_or_at_the_server(client: gs.Client) -> None:
    with pytest.raises(ValueError, match="prompt"):
        await client.images.generate(IMAGEN, "  ")
    with pytest.raises(ValueError, match="number_of_images"):
        await client.images.generate(IMAGEN, "x", number_of_images=0)
    with pytest.raises(ValueError, match="negative_prompt is supported by Vertex AI only"):
        await client.images.generate(IMAGEN, "x", negative_prompt="blur")
    with pytest.raises(ValueError, match="seed"):
        await client.images.generate(IMAGEN, "x", seed=3)
    with pytest.raises(gs.BadRequestError, match="sampleCount"):
        await client.images.generate(IMAGEN, "x", number_of_images=5)
    with pytest.raises(gs.BadRequestError, match="aspect ratio"):
        await client.images.generate(IMAGEN, "x", aspect_ratio="2:1")
    with pytest.raises(gs.NotFoundError, match="not supported for predict"):
        await client.images.generate("gemini-2.5-flash", "x")


async def test_vertex_only_options_reach_vertex(emulator: Emulator) -> None:
    async with gs.Client(
        base_url=emulator.url,
        vertexai=True,
        project="proj",
        location="us-central1",
        token_provider=lambda: "token",
    ) as client:
        result = await client.images.generate(IMAGEN, "a fox", negative_prompt="blur", seed=7)
    record = emulator.records[-1]
    assert record.path == (
        f"/v1/projects/proj/locations/us-central1/publishers/google/models/{IMAGEN}:predict"
    )
    assert record.body["parameters"] == {"sampleCount": 1, "negativePrompt": "blur", "seed": 7}
    assert len(result.images) == 1


async def test_the_catalogue_lists_imagen(client: gs.Client) -> None:
    model = await client.models.get(IMAGEN)
    assert model.supported_generation_methods == ["predict"]
    names = [m.name async for m in client.models.list()]
    assert f"models/{IMAGEN}" in names and "models/gemini-2.5-flash-preview-tts" in names


async def test_predict_rejects_unknown_parameters(emulator: Emulator, client: gs.Client) -> None:
    call = client._endpoint.model_call(
        IMAGEN, "predict", b'{"instances":[{"prompt":"x"}],"parameters":{"foo":1}}', None, None
    )
    with pytest.raises(gs.BadRequestError, match='Unknown name "foo"'):
        await call.fetch()
    call = client._endpoint.model_call(IMAGEN, "predict", b'{"instances":[]}', None, None)
    with pytest.raises(gs.BadRequestError, match="Exactly one instance"):
        await call.fetch()
