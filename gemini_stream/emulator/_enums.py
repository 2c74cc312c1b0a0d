"""The request enums the emulator checks, with their proto names and values.

A value outside its enum gets the real API's 400 INVALID_ARGUMENT: ``Invalid value at
'safety_settings[0].category' (type.googleapis.com/google.ai.generativelanguage.v1beta.
HarmCategory), "HARM_CATEGORY_X"`` with a BadRequest field violation (see ``_schema``). Values
are those of the v1beta protos plus the newer ones Google's SDKs send (``VIDEO`` output,
thinking levels); names match case-insensitively, as the API accepts ``"low"`` for ``LOW``,
and a number (``enum-encoding=int``) is taken as given.
"""

from __future__ import annotations

from typing import Any

__all__ = ("ENUMS", "VERTEX_ONLY", "known", "safety_problem")

# Spec name (as written in ``_schema._MESSAGES``: "enum:<name>") -> (proto type, values).
ENUMS: dict[str, tuple[str, frozenset[str]]] = {
    "HarmCategory": (
        "HarmCategory",
        frozenset(
            {
                "HARM_CATEGORY_UNSPECIFIED",
                # The PaLM-era categories: known to the parser, refused by Gemini models.
                "HARM_CATEGORY_DEROGATORY",
                "HARM_CATEGORY_TOXICITY",
                "HARM_CATEGORY_VIOLENCE",
                "HARM_CATEGORY_SEXUAL",
                "HARM_CATEGORY_MEDICAL",
                "HARM_CATEGORY_DANGEROUS",
                "HARM_CATEGORY_HARASSMENT",
                "HARM_CATEGORY_HATE_SPEECH",
                "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                "HARM_CATEGORY_DANGEROUS_CONTENT",
                "HARM_CATEGORY_CIVIC_INTEGRITY",
            }
        ),
    ),
    "HarmBlockThreshold": (
        "SafetySetting.HarmBlockThreshold",
        frozenset(
            {
                "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
                "BLOCK_LOW_AND_ABOVE",
                "BLOCK_MEDIUM_AND_ABOVE",
                "BLOCK_ONLY_HIGH",
                "BLOCK_NONE",
                "OFF",
            }
        ),
    ),
    "Modality": (
        "GenerationConfig.Modality",
        frozenset({"MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "AUDIO", "VIDEO"}),
    ),
    "MediaResolution": (
        "GenerationConfig.MediaResolution",
        frozenset(
            {
                "MEDIA_RESOLUTION_UNSPECIFIED",
                "MEDIA_RESOLUTION_LOW",
                "MEDIA_RESOLUTION_MEDIUM",
                "MEDIA_RESOLUTION_HIGH",
            }
        ),
    ),
    "ThinkingLevel": (
        "ThinkingConfig.ThinkingLevel",
        frozenset({"THINKING_LEVEL_UNSPECIFIED", "MINIMAL", "LOW", "MEDIUM", "HIGH"}),
    ),
    "FunctionCallingMode": (
        "FunctionCallingConfig.Mode",
        frozenset({"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"}),
    ),
    "Behavior": (
        "FunctionDeclaration.Behavior",
        frozenset({"UNSPECIFIED", "BLOCKING", "NON_BLOCKING"}),
    ),
    "Scheduling": (
        "FunctionResponse.Scheduling",
        frozenset({"SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT"}),
    ),
    "Type": (
        "Type",
        frozenset(
            {
                "TYPE_UNSPECIFIED",
                "STRING",
                "NUMBER",
                "INTEGER",
                "BOOLEAN",
                "ARRAY",
                "OBJECT",
                "NULL",
            }
        ),
    ),
    "Language": ("ExecutableCode.Language", frozenset({"LANGUAGE_UNSPECIFIED", "PYTHON"})),
    "Outcome": (
        "CodeExecutionResult.Outcome",
        frozenset(
            {
                "OUTCOME_UNSPECIFIED",
                "OUTCOME_OK",
                "OUTCOME_FAILED",
                "OUTCOME_DEADLINE_EXCEEDED",
            }
        ),
    ),
}

# Values Vertex AI knows and the Gemini API does not (its image harm categories).
VERTEX_ONLY: dict[str, frozenset[str]] = {
    "HarmCategory": frozenset(
        {
            "HARM_CATEGORY_IMAGE_HATE",
            "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
            "HARM_CATEGORY_IMAGE_HARASSMENT",
            "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
            "HARM_CATEGORY_JAILBREAK",
        }
    )
}


def known(name: str, value: object, *, vertex: bool = False) -> bool:
    """Whether ``value`` is a value of the enum ``name`` (a number always is)."""
    if isinstance(value, int):
        return True
    values = ENUMS[name][1]
    upper = str(value).upper()
    return upper in values or (vertex and upper in VERTEX_ONLY.get(name, frozenset()))


# The categories a Gemini model takes a setting for, in the order Google's message lists them.
_SETTABLE = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_CIVIC_INTEGRITY",
)


def safety_problem(request: dict[str, Any], *, vertex: bool = False) -> str | None:
    """The API's 400 message for safety settings whose category parses but cannot be set
    (``HARM_CATEGORY_UNSPECIFIED``, the PaLM-era ones), else ``None``."""
    allowed = set(_SETTABLE) | (VERTEX_ONLY["HarmCategory"] if vertex else set())
    listed = ", ".join(f"HarmCategory.{c}" for c in _SETTABLE)
    lines = [
        f"* GenerateContentRequest.safety_settings[{i}]: element predicate failed: "
        f"$.category in ({listed})\n"
        for i, setting in enumerate(request.get("safetySettings") or ())
        if isinstance(setting.get("category"), str) and setting["category"].upper() not in allowed
    ]
    return "".join(lines) or None
