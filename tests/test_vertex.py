"""Vertex AI mode: endpoint resolution, model paths, tokens, Vertex-only fields, the emulator."""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
from typing import Any

import aiohttp
import pytest

import gemini_stream as gs
from gemini_stream._http import auth as _auth
from gemini_stream.emulator import Emulator, RequestRecord

MODEL = "gemini-2.5-flash"
_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_BASE_URL",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _token() -> gs.AccessToken:
    return gs.AccessToken("fake-token", time.time() + 3600)


def _url(client: gs.Client, model: str = MODEL) -> str:
    return client._endpoint.model_call(model, "generateContent", None, None, None).url


# -- where requests go ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "root"),
    [
        ("us-central1", "https://us-central1-aiplatform.googleapis.com/v1/"),
        ("global", "https://aiplatform.googleapis.com/v1/"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com/v1/"),
    ],
)
def test_project_mode_urls(location: str, root: str) -> None:
    client = gs.Client(vertexai=True, project="my-proj", location=location, token_provider=_token)
    assert _url(client) == (
        f"{root}projects/my-proj/locations/{location}/publishers/google/models/"
        f"{MODEL}:generateContent"
    )
    assert "api_key=None" in repr(client) and f"location={location}" in repr(client)


def test_express_mode_urls_use_the_key() -> None:
    client = gs.Client(vertexai=True, api_key="express-key-1234567")
    assert _url(client) == (
        f"https://aiplatform.googleapis.com/v1beta1/publishers/google/models/{MODEL}"
        ":generateContent"
    )
    assert client._endpoint.headers["x-goog-api-key"] == "express-key-1234567"
    assert client._endpoint.auth is None


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("models/gemini-2.5-pro", "publishers/google/models/gemini-2.5-pro"),
        ("anthropic/claude-x", "publishers/anthropic/models/claude-x"),
        ("publishers/google/models/gemini-2.0-flash", "publishers/google/models/gemini-2.0-flash"),
        ("endpoints/123", "endpoints/123"),
    ],
)
def test_model_names_on_vertex(model: str, path: str) -> None:
    client = gs.Client(vertexai=True, project="p", location="us-east4", token_provider=_token)
    assert _url(client, model).endswith(f"/v1/projects/p/locations/us-east4/{path}:generateContent")
    full = "projects/other/locations/europe-west4/endpoints/9"
    assert _url(client, full) == (
        f"https://us-east4-aiplatform.googleapis.com/v1/{full}:generateContent"
    )


@pytest.mark.parametrize("bad", ["tunedModels/x", "a/b/c", "../x", "has space", 3])
def test_bad_vertex_model_names(bad: object) -> None:
    client = gs.Client(vertexai=True, project="p", token_provider=_token)
    with pytest.raises((ValueError, TypeError)):
        _url(client, bad)  # type: ignore[arg-type]


def test_environment_variables_choose_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-proj")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "asia-northeast1")
    monkeypatch.setenv("GEMINI_API_KEY", "env-key-that-project-mode-ignores")
    client = gs.Client(token_provider=_token)
    assert "/projects/env-proj/locations/asia-northeast1/" in _url(client)
    assert "x-goog-api-key" not in client._endpoint.headers
    express = gs.Client(api_key="explicit-key")  # an explicit key means express mode
    assert "/v1beta1/publishers/google/models/" in _url(express)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION")
    assert gs.Client()._endpoint.vertex.project is None  # type: ignore[union-attr]  # env key: express
    only_project = gs.Client(project="p", token_provider=_token)
    assert "/locations/global/" in _url(only_project)
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "0")
    assert gs.Client()._endpoint.vertex is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"project": "p"}, "project is a Vertex AI setting"),
        ({"vertex_extras": {"labels": {}}}, "vertex_extras is a Vertex AI setting"),
        ({"token_provider": _token}, "token_provider is a Vertex AI setting"),
        ({"vertexai": True, "api_key": "k", "project": "p"}, "mutually exclusive"),
        ({"vertexai": True, "api_key": "k", "token_provider": _token}, "express mode"),
        ({"vertexai": True, "location": "us-central1"}, "needs a project"),
        ({"vertexai": True}, "needs a project"),
        ({"vertexai": True, "project": "p", "location": "Mars 1"}, "invalid Vertex AI location"),
        (
            {"vertexai": True, "project": "p", "token_provider": _token, "vertex_extras": []},
            "vertex_extras must be a dict",
        ),
        (
            {
                "vertexai": True,
                "project": "p",
                "token_provider": _token,
                "vertex_extras": {"contents": []},
            },
            "cannot replace 'contents'",
        ),
    ],
)
def test_contradictory_settings_are_refused(kwargs: dict[str, Any], match: str) -> None:
    if not kwargs.get("vertexai"):
        kwargs.setdefault("api_key", "k")  # a Gemini API client needs one to get that far
    with pytest.raises((ValueError, TypeError), match=match):
        gs.Client(**kwargs)


def test_adc_without_google_auth_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_auth, "google_auth_available", lambda: False)
    with pytest.raises(ValueError, match=r"gemini-stream\[vertex\]"):
        gs.Client(vertexai=True, project="p")


def test_list_models_and_tuned_models_are_gemini_api_only() -> None:
    client = gs.Client(vertexai=True, project="p", token_provider=_token)

    async def first() -> None:
        async for _ in client.models.list():
            pass

    with pytest.raises(ValueError, match="Vertex AI has no such list"):
        asyncio.run(first())


# -- against the emulator --------------------------------------------------------------------


async def test_project_mode_streams_with_a_bearer_token(emulator: Emulator) -> None:
    calls = []

    def provider() -> gs.AccessToken:
        calls.append(threading.current_thread() is threading.main_thread())
        return _token()

    async with gs.Client(
        base_url=emulator.url,
        vertexai=True,
        project="p",
        location="us-central1",
        token_provider=provider,
    ) as client:
        text = await client.stream(MODEL, "Hello Vertex").final_text()
        reply = await client.generate(MODEL, "Again")
        count = await client.count_tokens(MODEL, "Count me")
    assert text.startswith("I am the gemini-stream emulator running gemini-2.5-flash")
    assert reply.text and count.total_tokens
    assert calls == [False]  # one fetch, in a worker thread, reused until near expiry
    paths = [r.path for r in emulator.records]
    prefix = "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash"
    assert paths == [
        f"{prefix}:streamGenerateContent",
        f"{prefix}:generateContent",
        f"{prefix}:countTokens",
    ]
    for record in emulator.records:
        assert record.headers["authorization"] == "Bearer " + RequestRecord.fingerprint(
            "fake-token"
        )
        assert "x-goog-api-key" not in record.headers and record.api_key is None


async def test_express_mode_uses_the_key(emulator: Emulator) -> None:
    async with gs.Client(base_url=emulator.url, vertexai=True, api_key="express") as client:
        assert await client.generate(MODEL, "Hi")
        model = await client.models.get(MODEL)
    assert model.name == f"models/{MODEL}"
    record = emulator.records[0]
    assert record.path == f"/v1beta1/publishers/google/models/{MODEL}:generateContent"
    assert record.api_key == RequestRecord.fingerprint("express")
    assert "authorization" not in record.headers


async def test_tokens_are_refreshed_before_expiry_one_refresh_at_a_time(
    emulator: Emulator,
) -> None:
    issued: list[str] = []

    async def provider() -> gs.AccessToken:
        await asyncio.sleep(0.05)  # slow enough for every request to queue behind it
        issued.append(f"token-{len(issued)}")
        # Expires inside the refresh margin: the next request after this batch refreshes.
        return gs.AccessToken(issued[-1], time.time() + 60, quota_project="billing-proj")

    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=provider
    ) as client:
        await asyncio.gather(*(client.generate(MODEL, f"Hi {i}") for i in range(5)))
        assert issued == ["token-0"]
        await client.generate(MODEL, "later")
    assert issued == ["token-0", "token-1"]
    tokens = [r.headers["authorization"] for r in emulator.records]
    bearer = ["Bearer " + RequestRecord.fingerprint(t) for t in ("token-0", "token-1")]
    assert tokens == [bearer[0]] * 5 + [bearer[1]]
    assert {r.headers["x-goog-user-project"] for r in emulator.records} == {"billing-proj"}


async def test_a_failing_provider_is_a_credentials_error(emulator: Emulator) -> None:
    def broken() -> str:
        raise OSError("metadata server unreachable")

    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=broken
    ) as client:
        with pytest.raises(gs.CredentialsError, match="metadata server unreachable"):
            await client.generate(MODEL, "Hi")
    async with gs.Client(
        base_url=emulator.url, vertexai=True, project="p", token_provider=lambda: ""
    ) as client:
        with pytest.raises(gs.CredentialsError, match="non-empty str"):
            await client.stream(MODEL, "Hi").final_text()
    assert emulator.records == []


async def test_without_a_token_the_server_says_unauthenticated(emulator: Emulator) -> None:
    target = f"{emulator.url}/v1/projects/p/locations/global/publishers/google/models/{MODEL}"
    body = {"contents": [{"parts": [{"text": "Hi"}]}]}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{target}:generateContent", json=body) as response:
            error = (await response.json())["error"]
        assert response.status == 401 and error["status"] == "UNAUTHENTICATED"
        async with http.post(
            f"{target}:generateContent", json=body, headers={"Authorization": "Bearer x"}
        ) as response:
            assert response.status == 200
        other = target.replace("/google/", "/meta/")
        async with http.post(f"{other}:generateContent", json=body) as response:
            assert response.status == 404


async def test_vertex_extras_are_merged_into_generation_requests(emulator: Emulator) -> None:
    extras = {
        "labels": {"team": "bots", "env": "test"},
        "generation_config": {"routingConfig": {"autoMode": {}}},
        "safetySettings": [
            {
                "category": "HARM_CATEGORY_HATE_SPEECH",
                "threshold": "BLOCK_ONLY_HIGH",
                "method": "SEVERITY",
            }
        ],
    }
    async with gs.Client(
        base_url=emulator.url,
        vertexai=True,
        project="p",
        token_provider=_token,
        vertex_extras=extras,
    ) as client:
        await client.generate(MODEL, "Hi", config={"temperature": 0.5})
        await client.count_tokens(MODEL, "Hi")
    body = emulator.records[0].body
    assert body["labels"] == {"team": "bots", "env": "test"}
    assert body["generationConfig"] == {"temperature": 0.5, "routingConfig": {"autoMode": {}}}
    assert body["safetySettings"][0]["method"] == "SEVERITY"
    assert emulator.records[0].status == 200
    assert "labels" not in emulator.records[1].body  # only generation requests get them


async def test_bad_vertex_fields_are_refused_by_the_emulator(emulator: Emulator) -> None:
    async with gs.Client(
        base_url=emulator.url,
        vertexai=True,
        project="p",
        token_provider=_token,
        vertex_extras={"labels": {"n": 1}},
    ) as client:
        with pytest.raises(gs.BadRequestError, match="labels"):
            await client.generate(MODEL, "Hi")
    async with gs.Client(base_url=emulator.url, api_key="k") as gemini:
        call = gemini._endpoint.model_call(
            MODEL,
            "generateContent",
            b'{"contents":[{"parts":[{"text":"x"}]}],"labels":{}}',
            None,
            None,
        )
        with pytest.raises(gs.BadRequestError, match='Unknown name "labels"'):
            await call.fetch()


# -- Application Default Credentials ---------------------------------------------------------


def test_default_credentials_refresh_through_google_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    google_auth = pytest.importorskip("google.auth")
    refreshed = []

    class FakeCredentials:
        token = None
        expiry = None
        quota_project_id = "quota"

        def refresh(self, request: Any) -> None:
            refreshed.append(request)
            self.token = f"adc-{len(refreshed)}"
            self.expiry = datetime.datetime(2030, 1, 1, 0, 0, 0)  # naive UTC, as google-auth

    found = []

    def fake_default(scopes: list[str]) -> tuple[FakeCredentials, str]:
        found.append(scopes)
        return FakeCredentials(), "adc-project"

    monkeypatch.setattr(google_auth, "default", fake_default)
    provider = gs.default_credentials()
    first, second = provider(), provider()
    assert first == gs.AccessToken("adc-1", 1893456000.0, "quota")
    assert second.token == "adc-2"
    assert found == [[_auth.CLOUD_PLATFORM_SCOPE]]  # credentials are found once
    request = refreshed[0]
    assert callable(request)


async def test_the_google_auth_transport_speaks_http(emulator: Emulator) -> None:
    pytest.importorskip("google.auth")
    request = _auth._transport_request()
    ok = await asyncio.to_thread(
        request, f"{emulator.url}/v1beta/models/{MODEL}", "GET", headers={"x-goog-api-key": "k"}
    )
    assert ok.status == 200 and b'"name": "models/gemini-2.5-flash"' in ok.data
    missing = await asyncio.to_thread(request, f"{emulator.url}/nowhere", "GET")
    assert missing.status == 404
    google_exceptions = pytest.importorskip("google.auth.exceptions")
    with pytest.raises(google_exceptions.TransportError):
        await asyncio.to_thread(request, "http://127.0.0.1:9/", "GET", timeout=2)
