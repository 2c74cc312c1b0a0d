"""Media parts: MIME detection, Part.from_file and friends, image / audio output, safety."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
import zlib
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

import gemini_stream as gs
from gemini_stream._wire.media import INLINE_LIMIT, open_media, sniff
from gemini_stream._wire.media_options import duration
from gemini_stream.emulator import Emulator, ScriptedReply
from gemini_stream.types import Blob, PartMediaResolution

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def mime_of(source: object, mime_type: str | None = None) -> str:
    reader = open_media(source, mime_type)  # type: ignore[arg-type]
    reader.close()
    return reader.mime_type


def _wire(part: gs.Part) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(msgspec.json.encode(part))
    return decoded


def read_png(data: bytes) -> tuple[int, int]:
    """Check a PNG chunk by chunk (CRCs, IHDR, pixel data size); return (width, height)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert b"IEND" in chunks
    return width, height


# -- MIME detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "mime_type"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00", "audio/mp3"),
        (b"\xff\xfb\x90\x00", "audio/mp3"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"FORM\x00\x00\x00\x00AIFF", "audio/aiff"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", "video/mov"),
        (b"\x00\x00\x00\x14ftyp3gp5\x00\x00", "video/3gpp"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", "video/avi"),
        (b"FLV\x01\x05", "video/x-flv"),
        (b"\x00\x00\x01\xba\x44", "video/mpeg"),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", "video/wmv"),
        (b"plain text", None),
    ],
)
def test_sniffing_names_common_formats(head: bytes, mime_type: str | None) -> None:
    assert sniff(head) == mime_type


def test_extension_wins_then_sniffing_then_the_caller(tmp_path: Path) -> None:
    png_named_jpg = tmp_path / "photo.jpg"
    png_named_jpg.write_bytes(PNG)
    assert mime_of(png_named_jpg) == "image/jpeg"  # the extension is trusted
    mystery = tmp_path / "upload.bin"
    mystery.write_bytes(PNG)
    assert mime_of(mystery) == "image/png"  # an uninformative extension: sniffed
    assert mime_of(mystery, "image/x-custom") == "image/x-custom"
    talk = tmp_path / "talk.MP3"
    talk.write_bytes(b"ID3")
    assert mime_of(talk) == "audio/mp3"
    assert mime_of(talk, "audio/mpeg") == "audio/mpeg"


def test_gemini_names_do_not_depend_on_the_system_table(tmp_path: Path) -> None:
    for name, expected in [("a.wav", "audio/wav"), ("a.3gp", "video/3gpp"), ("a.mov", "video/mov")]:
        path = tmp_path / name
        path.write_bytes(b"\0" * 16)
        assert mime_of(path) == expected


def test_an_unknown_type_is_an_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.zzz"
    path.write_bytes(b"nothing recognisable")
    with pytest.raises(ValueError, match=r"notes\.zzz.*mime_type="):
        gs.Part.from_file(path)
    with pytest.raises(ValueError, match="<bytes>"):
        mime_of(b"nothing recognisable")


def test_an_unreadable_path_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        gs.Part.from_file(tmp_path / "missing.png")
    with pytest.raises(IsADirectoryError, match=str(tmp_path.name)):
        gs.Part.from_file(tmp_path)


def test_a_text_mode_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with path.open() as text, pytest.raises(TypeError, match="binary mode"):
        gs.Part.from_file(text)  # type: ignore[arg-type]


def test_file_objects_are_read_from_their_position(tmp_path: Path) -> None:
    path = tmp_path / "two.png"
    path.write_bytes(b"junk" + PNG)
    with path.open("rb") as file:
        file.seek(4)
        part = gs.Part.from_file(file)
        assert not file.closed  # the caller's file stays open
    assert part.inline_data == Blob(mime_type="image/png", data=PNG)
    stream = io.BufferedReader(io.BytesIO(PNG))  # type: ignore[arg-type]
    stream.seekable = lambda: False  # type: ignore[method-assign]
    assert gs.Part.from_file(stream).inline_data == Blob(mime_type="image/png", data=PNG)


# -- building parts ---------------------------------------------------------------------------


def test_from_file_reads_inline_data_with_video_settings(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\0" * 100)
    part = gs.Part.from_file(
        clip, start_offset=1.5, end_offset=timedelta(minutes=1, seconds=2), fps=2
    )
    wire = _wire(part)
    assert wire["inlineData"] == {
        "mimeType": "video/mp4",
        "data": base64.b64encode(clip.read_bytes()).decode(),
    }
    assert wire["videoMetadata"] == {"startOffset": "1.5s", "endOffset": "62s", "fps": 2.0}


def test_from_uri_and_from_bytes_take_the_same_settings() -> None:
    uri = "https://generativelanguage.googleapis.com/v1beta/files/abc"
    part = gs.Part.from_uri(uri, "video/mp4", start_offset="10s", media_resolution="low")
    assert _wire(part) == {
        "fileData": {"mimeType": "video/mp4", "fileUri": uri},
        "videoMetadata": {"startOffset": "10s"},
        "mediaResolution": {"level": "MEDIA_RESOLUTION_LOW"},
    }
    youtube = gs.Part.from_uri("https://youtu.be/x", fps=0.5)  # no MIME type: not checked
    assert _wire(youtube)["videoMetadata"] == {"fps": 0.5}
    image = gs.Part.from_bytes(
        PNG, "image/png", media_resolution=PartMediaResolution(num_tokens=70)
    )
    assert _wire(image)["mediaResolution"] == {"numTokens": 70}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0s"), (90, "90s"), (1.5, "1.5s"), (0.000000001, "0.000000001s"), ("2.25s", "2.25s")],
)
def test_durations_are_encoded_as_protobuf_strings(value: float | str, expected: str) -> None:
    assert duration(value, "offset") == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start_offset": -1}, "start_offset"),
        ({"end_offset": "1.5"}, "end_offset"),
        ({"start_offset": 5, "end_offset": 2}, "before start_offset"),
        ({"fps": 0}, "fps must be positive"),
        ({"media_resolution": "huge"}, "media_resolution 'huge'"),
    ],
)
def test_bad_media_settings_are_named(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        gs.Part.from_bytes(b"\0", "video/mp4", **kwargs)  # type: ignore[arg-type]


def test_video_settings_on_an_image_are_refused() -> None:
    with pytest.raises(ValueError, match="video parts, not 'image/png'"):
        gs.Part.from_bytes(PNG, "image/png", fps=1)


def test_from_file_refuses_what_cannot_go_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    big = io.BytesIO(b"\0" * (INLINE_LIMIT // 4 * 3 + 3))
    with pytest.raises(ValueError, match="prepare_part"):
        gs.Part.from_file(big, "video/mp4")


# -- output: images and speech ----------------------------------------------------------------


async def test_image_output_is_saved_and_reads_back_as_a_png(
    client: gs.Client, tmp_path: Path
) -> None:
    config = {"response_modalities": ["TEXT", "IMAGE"]}
    reply = await client.generate("gemini-2.5-flash-image", "A lighthouse", config=config)
    assert reply.text.startswith("Here is a 16x16 PNG image")
    assert len(reply.images) == 1 and reply.inline_data == reply.images
    path = reply.images[0].save(tmp_path / "lighthouse.png")
    assert read_png(path.read_bytes()) == (16, 16)

    async with client.stream("gemini-2.5-flash-image", "A lighthouse", config=config) as stream:
        final = await stream.final_response()
    assert final.images == reply.images  # streamed and unary replies agree


async def test_image_editing_sends_the_image_and_the_instruction(
    client: gs.Client, emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "cat.png"
    source.write_bytes(PNG)
    reply = await client.generate(
        "gemini-2.5-flash-image",
        [gs.Part.from_file(source), "Make the cat blue"],
        config={"response_modalities": ["TEXT", "IMAGE"]},
    )
    body = emulator.records[-1].body
    assert body["contents"] == [
        {
            "role": "user",
            "parts": [
                {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(PNG).decode()}},
                {"text": "Make the cat blue"},
            ],
        }
    ]
    assert body["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    assert read_png(reply.images[0].data or b"") == (16, 16)


async def test_speech_comes_back_as_pcm_and_saves_as_wav(
    client: gs.Client, emulator: Emulator, tmp_path: Path
) -> None:
    config = {
        "response_modalities": ["AUDIO"],
        "speech_config": {"voice_config": {"prebuilt_voice_config": {"voice_name": "Kore"}}},
    }
    reply = await client.generate("gemini-2.5-flash-preview-tts", "Say hi", config=config)
    assert emulator.records[-1].body["generationConfig"]["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}
    }
    (speech,) = reply.inline_data
    assert speech.mime_type == "audio/L16;codec=pcm;rate=24000"
    assert reply.usage is not None and reply.usage.candidates_tokens_details
    assert {d.modality for d in reply.usage.candidates_tokens_details} <= {"TEXT", "AUDIO"}
    assert "AUDIO" in {d.modality for d in reply.usage.candidates_tokens_details}
    assert reply.images == [] and reply.text == ""
    with wave.open(str(speech.save(tmp_path / "hi.wav")), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 24000)
        assert wav.readframes(wav.getnframes()) == speech.data
    raw = speech.save(tmp_path / "hi.pcm")
    assert raw.read_bytes() == speech.data  # other suffixes get the bytes as they came


def test_a_blob_without_data_cannot_be_saved(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no data"):
        Blob(mime_type="image/png").save(tmp_path / "x.png")


# -- safety -----------------------------------------------------------------------------------


async def test_safety_settings_reach_the_wire_as_typed_values_or_dicts(
    client: gs.Client, emulator: Emulator
) -> None:
    expected = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]
    for settings in (
        [gs.types.SafetySetting(category="HARM_CATEGORY_HARASSMENT", threshold="BLOCK_ONLY_HIGH")],
        {"HARM_CATEGORY_HARASSMENT": "BLOCK_ONLY_HIGH"},
        expected,
    ):
        await client.generate("gemini-2.5-flash", "Hi", safety_settings=settings)
        assert emulator.records[-1].body["safetySettings"] == expected


async def test_a_blocked_prompt_names_the_reason_and_the_blocking_category(
    client: gs.Client,
) -> None:
    stream = client.stream("gemini-2.5-flash", "Tell me emulator:block-prompt")
    with pytest.raises(gs.BlockedError) as info:
        await stream.final_text()
    error = info.value
    assert error.reason == "SAFETY"
    assert str(error).startswith(
        "the prompt was blocked (SAFETY): HARM_CATEGORY_DANGEROUS_CONTENT rated HIGH; "
        "other ratings: HARM_CATEGORY_SEXUALLY_EXPLICIT=NEGLIGIBLE"
    )
    assert [r.category for r in error.ratings if r.blocked] == [  # type: ignore[attr-defined]
        "HARM_CATEGORY_DANGEROUS_CONTENT"
    ]
    reply = stream.response
    assert reply.blocked and reply.block_reason == "SAFETY" and reply.candidates is None
    assert error.partial == reply
    chat = client.chat("gemini-2.5-flash")
    with pytest.raises(gs.BlockedError, match="prompt was blocked"):
        await chat.send("Again emulator:block-prompt")
    assert chat.history == []


async def test_a_reply_stopped_before_any_text_raises_rather_than_returning_empty(
    client: gs.Client, emulator: Emulator
) -> None:
    ratings = [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "HIGH", "blocked": True},
    ]
    chunk = {
        "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": ratings}],
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
    }
    emulator.script(ScriptedReply([chunk]))
    with pytest.raises(gs.BlockedError) as info:
        await client.stream("gemini-2.5-flash", "Hi").final_text()
    assert str(info.value) == (
        "the reply was stopped before any text (SAFETY): HARM_CATEGORY_SEXUALLY_EXPLICIT rated "
        "HIGH; other ratings: HARM_CATEGORY_HATE_SPEECH=NEGLIGIBLE"
    )


async def test_a_reply_stopped_midway_keeps_its_text_and_says_it_was_blocked(
    client: gs.Client,
) -> None:
    stream = client.stream("gemini-2.5-flash", "Go on emulator:unsafe")
    text = await stream.final_text()
    assert text  # the part delivered before the stop, never ""
    reply = stream.response
    assert reply.finish_reason == "SAFETY" and reply.blocked
    (rating,) = [r for r in reply.candidates[0].safety_ratings or [] if r.blocked]  # type: ignore[index]
    assert (rating.category, rating.probability) == ("HARM_CATEGORY_DANGEROUS_CONTENT", "HIGH")
