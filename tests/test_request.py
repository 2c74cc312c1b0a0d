"""Model names, URLs and headers."""

from __future__ import annotations

import pytest

from gemini_stream._http.endpoint import base_headers, check_base_url, mask_key
from gemini_stream._input.names import model_path


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("models/gemini-2.5-flash", "models/gemini-2.5-flash"),
        ("tunedModels/my-model-123", "tunedModels/my-model-123"),
        ("gemini-3-flash-preview", "models/gemini-3-flash-preview"),
        ("custom_model.v2", "models/custom_model.v2"),
    ],
)
def test_model_path_accepts_ids_and_resource_names(name: str, path: str) -> None:
    assert model_path(name) == path


@pytest.mark.parametrize(
    "name", ["", "gemini 2.5", "models/", "models//x", "/gemini", "a/b/c", "Gemini-Pro", "x?y"]
)
def test_model_path_rejects_malformed_names_naming_them(name: str) -> None:
    with pytest.raises(ValueError, match="invalid model name") as info:
        model_path(name)
    assert repr(name) in str(info.value)


def test_model_path_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="None"):
        model_path(None)  # type: ignore[arg-type]


def test_key_only_in_its_header() -> None:
    headers = base_headers("AIzaSyEXAMPLEKEY0123456789", {"X-Extra": "1"})
    assert headers["x-goog-api-key"] == "AIzaSyEXAMPLEKEY0123456789"
    assert headers["x-extra"] == "1"
    assert "x-goog-api-key" not in base_headers(None, None)


def test_mask_key_hides_the_key() -> None:
    key = "AIzaSyEXAMPLEKEY0123456789"
    assert key not in mask_key(key)
    assert mask_key(None) == "None"


def test_base_url_must_be_http() -> None:
    assert check_base_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="ftp://x"):
        check_base_url("ftp://x")
