"""The Files API client against the emulator: resumable uploads, get/list/delete, waiting."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest

import gemini_stream as gs
from gemini_stream._media.files import file_name
from gemini_stream._media.upload import _session_url
from gemini_stream.emulator import Emulator

GRANULARITY = 256 * 1024
MODEL = "gemini-2.5-flash"


@pytest.fixture
def gemini_emulator_options() -> dict[str, Any]:
    return {"upload_granularity": GRANULARITY}


def _uploads(emulator: Emulator) -> list[tuple[str | None, str | None, int]]:
    """(command, offset, body size) of every upload request, in order."""
    return [
        (
            r.headers.get("x-goog-upload-command"),
            r.headers.get("x-goog-upload-offset"),
            int(r.headers.get("content-length", "0")),
        )
        for r in emulator.records
        if r.rpc == "files.upload"
    ]


async def test_a_few_megabytes_go_up_in_granular_chunks(
    client: gs.Client, emulator: Emulator
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 12345)
    file = await client.files.upload(
        data, mime_type="video/mp4", display_name="clip", chunk_size=1_000_000
    )
    step = 3 * GRANULARITY  # 1,000,000 rounded down to the server's granularity
    offsets = range(0, len(data), step)
    expected = [("start", None, len(b'{"file":{"displayName":"clip","mimeType":"video/mp4"}}'))]
    expected += [("upload", str(o), step) for o in offsets[:-1]]
    expected += [("upload, finalize", str(offsets[-1]), len(data) - offsets[-1])]
    assert _uploads(emulator) == expected
    start = emulator.records[0]
    assert start.path == "/upload/v1beta/files"
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-header-content-length"] == str(len(data))
    assert start.headers["x-goog-upload-header-content-type"] == "video/mp4"
    assert start.body == {"file": {"displayName": "clip", "mimeType": "video/mp4"}}
    assert start.headers["content-type"] == "application/json"
    chunks = [r for r in emulator.records[1:] if r.rpc == "files.upload"]
    assert {r.headers["content-type"] for r in chunks} == {"application/octet-stream"}
    assert file.size_bytes == len(data)
    assert file.mime_type == "video/mp4" and file.display_name == "clip"
    assert file.state == "ACTIVE" and file.active and file.source == "UPLOADED"
    assert file.sha256_hash == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert file.uri == f"{emulator.url}/v1beta/{file.name}"
    assert emulator.files.files[file.name.removeprefix("files/")].data == data  # type: ignore[union-attr]


async def test_a_chunk_over_a_megabyte_goes_up_without_a_warning(
    client: gs.Client, emulator: Emulator
) -> None:
    # aiohttp warns (ResourceWarning) about a raw bytes body over 1 MiB; this suite, like
    # many, turns warnings into errors, so an 8 MiB chunk sent as bytes would fail here.
    data = os.urandom(2_500_000)
    file = await client.files.upload(data, mime_type="video/mp4")
    assert file.size_bytes == len(data)
    assert emulator.files.files[file.name.removeprefix("files/")].data == data  # type: ignore[union-attr]


async def test_upload_from_a_path_or_an_open_file(
    client: gs.Client, emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"x" * 1000)
    file = await client.files.upload(path, name="files/my-report")
    assert (file.name, file.display_name, file.mime_type) == (
        "files/my-report",
        "report.pdf",
        "application/pdf",
    )
    with path.open("rb") as handle:
        handle.seek(9)
        second = await client.files.upload(handle, mime_type="text/plain")
        assert not handle.closed
    assert second.size_bytes == 1000 and second.display_name is None
    empty = await client.files.upload(b"", mime_type="text/plain")
    assert empty.size_bytes == 0
    assert _uploads(emulator)[-1] == ("upload, finalize", "0", 0)


async def test_get_list_with_paging_and_delete(client: gs.Client, emulator: Emulator) -> None:
    names = []
    for i in range(5):
        uploaded = await client.files.upload(f"note {i}".encode(), mime_type="text/plain")
        names.append(uploaded.name)
    got = await client.files.get(names[0])
    assert got.name == names[0] and got.size_bytes == 6
    assert (await client.files.get(got)).name == names[0]
    assert (await client.files.get(got.uri or "")).name == names[0]
    emulator.records.clear()
    listed = [f.name async for f in client.files.list(page_size=2)]
    assert listed == names[::-1]  # newest first
    assert [r.query.get("pageSize") for r in emulator.records] == ["2", "2", "2"]
    await client.files.delete(names[0])
    assert emulator.records[-1].method == "DELETE"
    with pytest.raises(gs.PermissionDeniedError, match="may not exist"):
        await client.files.get(names[0])
    assert [f.name async for f in client.files.list()] == names[:0:-1]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("abc-123", "files/abc-123"),
        ("files/abc", "files/abc"),
        ("https://generativelanguage.googleapis.com/v1beta/files/x9", "files/x9"),
    ],
)
def test_file_names_are_normalised(given: str, expected: str) -> None:
    assert file_name(given) == expected


@pytest.mark.parametrize("bad", ["", "files/UPPER", "files/-x", "files/a/b", "x" * 41])
def test_bad_file_names_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid file name"):
        file_name(bad)


async def test_a_chunk_whose_reply_is_lost_resumes_from_what_arrived(
    client: gs.Client, emulator: Emulator
) -> None:
    data = os.urandom(4 * GRANULARITY + 10)
    emulator.files.drop_replies = 1  # the first chunk arrives, its reply does not
    file = await client.files.upload(data, mime_type="audio/wav", chunk_size=2 * GRANULARITY)
    commands = [c for c, _, _ in _uploads(emulator)]
    assert commands == ["start", "upload", "query", "upload", "upload, finalize"]
    assert emulator.files.files[file.name.removeprefix("files/")].data == data  # type: ignore[union-attr]


async def test_upload_errors_name_the_problem(client: gs.Client, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        await client.files.upload(b"x", mime_type="text/plain", chunk_size=0)
    with pytest.raises(FileNotFoundError, match=r"nope\.mp4"):
        await client.files.upload(tmp_path / "nope.mp4")
    with pytest.raises(ValueError, match="MIME type"):
        await client.files.upload(b"????")
    await client.files.upload(b"x", mime_type="text/plain", name="files/taken")
    with pytest.raises(gs.APIError, match="already exists") as info:
        await client.files.upload(b"x", mime_type="text/plain", name="taken")
    assert info.value.code == 409


def test_session_urls_follow_a_custom_base_url() -> None:
    google = gs.Client(api_key="k")
    url = "https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=A"
    assert _session_url(google._endpoint, url) == url
    proxied = gs.Client(api_key="k", base_url="http://proxy.local:8080")
    assert (
        _session_url(proxied._endpoint, url)
        == "http://proxy.local:8080/upload/v1beta/files?upload_id=A"
    )


# -- processing states -------------------------------------------------------------------------


async def test_wait_active_polls_until_processing_ends(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.files.processing_delay = 0.3
    file = await client.files.upload(b"\0" * 64, mime_type="video/mp4")
    assert file.state == "PROCESSING" and not file.active
    ready = await client.files.wait_active(file, poll_interval=0.05)
    assert ready.active
    gets = [r for r in emulator.records if r.rpc == "files.get"]
    assert 2 <= len(gets) <= 6  # backed-off polling, not a busy loop


async def test_a_failed_file_and_a_slow_one_raise(client: gs.Client, emulator: Emulator) -> None:
    emulator.files.processing_delay = 0.05
    broken = await client.files.upload(b"\0", mime_type="video/mp4", display_name="x emulator:fail")
    with pytest.raises(gs.FileProcessingError, match="could not be processed") as failed:
        await client.files.wait_active(broken, poll_interval=0.05)
    assert failed.value.file.state == "FAILED"  # type: ignore[attr-defined]
    emulator.files.processing_delay = 60
    slow = await client.files.upload(b"\0", mime_type="video/mp4")
    with pytest.raises(gs.FileProcessingTimeoutError, match="still PROCESSING") as late:
        await client.files.wait_active(slow.name or "", max_wait=0.1, poll_interval=0.05)
    assert isinstance(late.value, TimeoutError)


async def test_file_parts_work_only_once_the_file_is_active(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.files.processing_delay = 0.2
    file = await client.files.upload(b"\0" * 32, mime_type="video/mp4")
    part = file.part(start_offset=1, end_offset=2, fps=1, media_resolution="high")
    with pytest.raises(gs.BadRequestError, match="not in an ACTIVE state"):
        await client.generate(MODEL, [part, "Describe it"])
    await client.files.wait_active(file, poll_interval=0.05)
    reply = await client.generate(MODEL, [part, "Describe it"])
    assert reply.text
    sent = emulator.records[-1].body["contents"][0]["parts"][0]
    assert sent == {
        "fileData": {"mimeType": "video/mp4", "fileUri": file.uri},
        "videoMetadata": {"startOffset": "1s", "endOffset": "2s", "fps": 1.0},
        "mediaResolution": {"level": "MEDIA_RESOLUTION_HIGH"},
    }
    await client.files.delete(file)
    with pytest.raises(gs.PermissionDeniedError):
        await client.generate(MODEL, [part, "Describe it"])


async def test_prepare_part_inlines_small_media_and_uploads_large(
    client: gs.Client, emulator: Emulator, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x20ftypisom" + os.urandom(3000))
    small = await client.files.prepare_part(clip, fps=2)
    assert small.inline_data is not None and small.inline_data.data == clip.read_bytes()
    assert emulator.records == []  # no I/O with the server
    large = await client.files.prepare_part(clip, inline_limit=1000, start_offset=3)
    assert large.file_data is not None and large.file_data.mime_type == "video/mp4"
    assert large.video_metadata is not None and large.video_metadata.start_offset == "3s"
    uploaded = emulator.files.files[(large.file_data.file_uri or "").rsplit("/", 1)[-1]]
    assert uploaded.data == clip.read_bytes() and uploaded.display_name == "clip.mp4"
    stream = io.BytesIO(b"%PDF-1.4 tiny")
    assert (await client.files.prepare_part(stream)).inline_data is not None
    emulator.records.clear()
    with pytest.raises(ValueError, match="video parts"):
        await client.files.prepare_part(b"%PDF-1.4 big", inline_limit=1, fps=1)
    assert emulator.records == []  # refused before uploading anything


async def test_the_files_api_is_gemini_api_only(emulator: Emulator) -> None:
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=lambda: "t"
    ) as vertex:
        with pytest.raises(ValueError, match="Cloud Storage"):
            await vertex.files.upload(b"x", mime_type="text/plain")
        with pytest.raises(ValueError, match="Cloud Storage"):
            await vertex.files.get("files/abc")
        part = await vertex.files.prepare_part(b"%PDF-1.4 small")  # inline still works
        assert part.inline_data is not None
