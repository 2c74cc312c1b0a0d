"""The emulator's Files API on the wire: the resumable protocol, listing, errors, fileData."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from gemini_stream.emulator import Emulator

from ._helpers import KEY, url

G = 1024  # a small granularity keeps the chunks small


@pytest.fixture
def gemini_emulator_options() -> dict[str, Any]:
    return {"upload_granularity": G}


def _start_headers(size: int, mime: str = "text/plain") -> dict[str, str]:
    return {
        **KEY,
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(size),
        "X-Goog-Upload-Header-Content-Type": mime,
    }


async def _start(session: aiohttp.ClientSession, emulator: Emulator, size: int, **kw: Any) -> str:
    async with session.post(
        f"{emulator.url}/upload/v1beta/files",
        json={"file": {"displayName": "notes", **kw}},
        headers=_start_headers(size),
    ) as response:
        assert response.status == 200, await response.text()
        assert response.headers["X-Goog-Upload-Status"] == "active"
        assert response.headers["X-Goog-Upload-Chunk-Granularity"] == str(G)
        assert await response.read() == b""
        return response.headers["X-Goog-Upload-URL"]


async def _send(
    session: aiohttp.ClientSession, target: str, data: bytes, offset: int, command: str
) -> tuple[int, Any, Any]:
    headers = {"X-Goog-Upload-Command": command, "X-Goog-Upload-Offset": str(offset)}
    async with session.post(target, data=data, headers=headers) as response:
        raw = await response.read()
        return response.status, response.headers, json.loads(raw) if raw else None


async def test_the_resumable_protocol_end_to_end(gemini_emulator, session) -> None:
    data = bytes(range(256)) * 10  # 2560 bytes: two granular chunks and a tail
    target = await _start(session, gemini_emulator, len(data))
    assert target.startswith(f"{gemini_emulator.url}/upload/v1beta/files?upload_id=")
    status, headers, body = await _send(session, target, data[: 2 * G], 0, "upload")
    assert (status, headers["X-Goog-Upload-Status"], body) == (200, "active", None)
    async with session.post(target, headers={"X-Goog-Upload-Command": "query"}) as response:
        assert response.headers["X-Goog-Upload-Size-Received"] == str(2 * G)
    status, headers, body = await _send(session, target, data[2 * G :], 2 * G, "upload, finalize")
    assert status == 200 and headers["X-Goog-Upload-Status"] == "final"
    file = body["file"]
    assert list(file) == [
        "name",
        "displayName",
        "mimeType",
        "sizeBytes",
        "createTime",
        "updateTime",
        "expirationTime",
        "sha256Hash",
        "uri",
        "state",
        "source",
    ]
    assert file["sizeBytes"] == str(len(data))  # int64 travels as a string
    assert file["createTime"].endswith("Z") and file["state"] == "ACTIVE"
    async with session.get(f"{gemini_emulator.url}/v1beta/{file['name']}", headers=KEY) as got:
        assert got.status == 200 and (await got.json()) == file
    assert [r.rpc for r in gemini_emulator.records] == ["files.upload"] * 4 + ["files.get"]


async def test_protocol_violations_are_refused(gemini_emulator, session) -> None:
    target = await _start(session, gemini_emulator, 3 * G)
    status, _, body = await _send(session, target, b"x" * (G + 1), 0, "upload")
    assert status == 400 and f"multiple of {G}" in body["error"]["message"]
    status, _, body = await _send(session, target, b"x" * G, 5, "upload")
    assert status == 400 and "Offset" in body["error"]["message"]
    status, _, body = await _send(session, target, b"x" * G, 0, "upload, finalize")
    assert status == 400 and "Received 1024 of 3072" in body["error"]["message"]
    status, _, body = await _send(session, target, b"x" * 4 * G, G, "upload")
    assert status == 400 and "More data" in body["error"]["message"]
    status, _, _ = await _send(session, target, b"", G, "dance")
    assert status == 400
    status, _, _ = await _send(
        session, target.replace("upload_id=", "upload_id=z"), b"", 0, "upload"
    )
    assert status == 404


async def test_starting_needs_a_key_and_the_headers(gemini_emulator, session) -> None:
    start = f"{gemini_emulator.url}/upload/v1beta/files"
    headers = _start_headers(10)
    async with session.post(start, json={}, headers={**headers, "x-goog-api-key": ""}) as r:
        assert r.status == 403
    for name in ("X-Goog-Upload-Protocol", "X-Goog-Upload-Header-Content-Length"):
        partial = {k: v for k, v in headers.items() if k != name}
        async with session.post(start, json={}, headers=partial) as r:
            assert r.status == 400
    async with session.post(start, json={"file": {"colour": "red"}}, headers=headers) as r:
        assert r.status == 400
        assert 'Unknown name "colour"' in (await r.json())["error"]["message"]
    no_type = {k: v for k, v in headers.items() if k != "X-Goog-Upload-Header-Content-Type"}
    async with session.post(start, json={"file": {}}, headers=no_type) as r:
        assert r.status == 400


async def test_listing_pages_newest_first(gemini_emulator, session) -> None:
    for _ in range(12):
        target = await _start(session, gemini_emulator, 1)
        await _send(session, target, b"x", 0, "upload, finalize")
    names = list(reversed([f"files/{i}" for i in gemini_emulator.files.files]))
    base = f"{gemini_emulator.url}/v1beta/files"
    async with session.get(base, headers=KEY) as response:
        page = await response.json()
    assert [f["name"] for f in page["files"]] == names[:10]  # the default page size
    async with session.get(f"{base}?pageToken={page['nextPageToken']}", headers=KEY) as r:
        last = await r.json()
    assert [f["name"] for f in last["files"]] == names[10:] and "nextPageToken" not in last
    async with session.get(f"{base}?pageToken=bogus", headers=KEY) as r:
        assert r.status == 400
    async with session.get(f"{base}?pageSize=lots", headers=KEY) as r:
        assert r.status == 400


async def test_unknown_files_are_permission_errors(gemini_emulator, session) -> None:
    for method in ("GET", "DELETE"):
        async with session.request(
            method, f"{gemini_emulator.url}/v1beta/files/nothere", headers=KEY
        ) as response:
            body = await response.json()
            assert response.status == 403
            assert body["error"]["status"] == "PERMISSION_DENIED"
            assert "File nothere" in body["error"]["message"]


async def test_generation_checks_file_references(gemini_emulator, session) -> None:
    uri = f"{gemini_emulator.url}/v1beta/files/ghost"
    request = {"contents": [{"parts": [{"fileData": {"fileUri": uri, "mimeType": "video/mp4"}}]}]}
    async with session.post(
        url(gemini_emulator, "generateContent"), json=request, headers=KEY
    ) as r:
        assert r.status == 403
    gemini_emulator.files.processing_delay = 60
    target = await _start(session, gemini_emulator, 1)
    _, _, body = await _send(session, target, b"x", 0, "upload, finalize")
    request["contents"][0]["parts"][0]["fileData"]["fileUri"] = body["file"]["uri"]
    async with session.post(
        url(gemini_emulator, "generateContent"), json=request, headers=KEY
    ) as r:
        error = (await r.json())["error"]
        assert r.status == 400 and error["status"] == "FAILED_PRECONDITION"
    other = {"contents": [{"parts": [{"fileData": {"fileUri": "https://youtu.be/x"}}]}]}
    async with session.post(url(gemini_emulator, "generateContent"), json=other, headers=KEY) as r:
        assert r.status == 200  # URIs of other servers are not the emulator's to check
