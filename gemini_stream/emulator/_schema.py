"""Request validation: the v1beta request schema, checked and normalised to camelCase.

The emulator keeps its own copy of the schema (it never imports the client's types), so it
doubles as an independent check of what the client sends. Like Google's proto3-JSON parser it
accepts lowerCamelCase and snake_case names, rejects unknown names with the real message
(``Unknown name "x" at 'path': Cannot find field.``) and enum values outside their enum
(``Invalid value at 'path' (type.googleapis.com/...HarmCategory), "X"``; see ``_enums``),
accepts a single value where a list is
expected, and does not look inside user data (``functionCall.args``,
``functionResponse.response``, ``responseJsonSchema``, ``parametersJsonSchema``, ...).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._enums import ENUMS, known

# A field spec is a scalar kind ("str", "int", "float", "bool", "enum", "any"), an enum whose
# values are checked ("enum:<name in _enums.ENUMS>"), a message name, "[X]" for a repeated X
# or "{X}" for a map of X.
_MESSAGES: dict[str, dict[str, str]] = {
    "GenerateContentRequest": {
        "model": "str",
        "contents": "[Content]",
        "systemInstruction": "Content",
        "tools": "[Tool]",
        "toolConfig": "ToolConfig",
        "safetySettings": "[SafetySetting]",
        "generationConfig": "GenerationConfig",
        "cachedContent": "str",
        "serviceTier": "enum",
    },
    "CountTokensRequest": {
        "contents": "[Content]",
        "generateContentRequest": "GenerateContentRequest",
    },
    "Content": {"role": "str", "parts": "[Part]"},
    "Part": {
        "text": "str",
        "inlineData": "Blob",
        "fileData": "FileData",
        "functionCall": "FunctionCall",
        "functionResponse": "FunctionResponse",
        "executableCode": "ExecutableCode",
        "codeExecutionResult": "CodeExecutionResult",
        "toolCall": "any",
        "toolResponse": "any",
        "thought": "bool",
        "thoughtSignature": "str",
        "videoMetadata": "VideoMetadata",
        "mediaResolution": "any",
        "partMetadata": "any",
    },
    "Blob": {"mimeType": "str", "data": "str"},
    "FileData": {"mimeType": "str", "fileUri": "str"},
    "FunctionCall": {"id": "str", "name": "str", "args": "any"},
    "FunctionResponse": {
        "id": "str",
        "name": "str",
        "response": "any",
        "parts": "[FunctionResponsePart]",
        "willContinue": "bool",
        "scheduling": "enum:Scheduling",
    },
    "FunctionResponsePart": {"inlineData": "Blob"},
    "ExecutableCode": {"language": "enum:Language", "code": "str", "id": "str"},
    "CodeExecutionResult": {"outcome": "enum:Outcome", "output": "str", "id": "str"},
    "VideoMetadata": {"startOffset": "str", "endOffset": "str", "fps": "float"},
    "Tool": {
        "functionDeclarations": "[FunctionDeclaration]",
        "codeExecution": "any",
        "googleSearch": "any",
        "googleSearchRetrieval": "any",
        "urlContext": "any",
        "googleMaps": "any",
        "fileSearch": "any",
        "computerUse": "any",
        "mcpServers": "any",
    },
    "FunctionDeclaration": {
        "name": "str",
        "description": "str",
        "parameters": "Schema",
        "parametersJsonSchema": "any",
        "response": "Schema",
        "responseJsonSchema": "any",
        "behavior": "enum:Behavior",
    },
    "Schema": {
        "type": "enum:Type",
        "format": "str",
        "title": "str",
        "description": "str",
        "nullable": "bool",
        "enum": "[str]",
        "items": "Schema",
        "minItems": "int",
        "maxItems": "int",
        "minLength": "int",
        "maxLength": "int",
        "minProperties": "int",
        "maxProperties": "int",
        "pattern": "str",
        "minimum": "float",
        "maximum": "float",
        "properties": "{Schema}",
        "required": "[str]",
        "propertyOrdering": "[str]",
        "anyOf": "[Schema]",
        "default": "any",
        "example": "any",
    },
    "ToolConfig": {
        "functionCallingConfig": "FunctionCallingConfig",
        "retrievalConfig": "RetrievalConfig",
        "includeServerSideToolInvocations": "bool",
    },
    "FunctionCallingConfig": {"mode": "enum:FunctionCallingMode", "allowedFunctionNames": "[str]"},
    "RetrievalConfig": {"latLng": "LatLng", "languageCode": "str"},
    "LatLng": {"latitude": "float", "longitude": "float"},
    "SafetySetting": {"category": "enum:HarmCategory", "threshold": "enum:HarmBlockThreshold"},
    "GenerationConfig": {
        "candidateCount": "int",
        "stopSequences": "[str]",
        "maxOutputTokens": "int",
        "temperature": "float",
        "topP": "float",
        "topK": "int",
        "seed": "int",
        "responseMimeType": "str",
        "responseSchema": "Schema",
        "responseJsonSchema": "any",
        "_responseJsonSchema": "any",
        "presencePenalty": "float",
        "frequencyPenalty": "float",
        "responseLogprobs": "bool",
        "logprobs": "int",
        "enableEnhancedCivicAnswers": "bool",
        "responseModalities": "[enum:Modality]",
        "speechConfig": "SpeechConfig",
        "thinkingConfig": "ThinkingConfig",
        "imageConfig": "ImageConfig",
        "mediaResolution": "enum:MediaResolution",
        "audioTranscriptionConfig": "any",
        "responseFormat": "any",
        "translationConfig": "any",
    },
    "SpeechConfig": {
        "voiceConfig": "VoiceConfig",
        "multiSpeakerVoiceConfig": "MultiSpeakerVoiceConfig",
        "languageCode": "str",
    },
    "VoiceConfig": {"prebuiltVoiceConfig": "PrebuiltVoiceConfig", "replicatedVoiceConfig": "any"},
    "PrebuiltVoiceConfig": {"voiceName": "str"},
    "MultiSpeakerVoiceConfig": {"speakerVoiceConfigs": "[SpeakerVoiceConfig]"},
    "SpeakerVoiceConfig": {"speaker": "str", "voiceConfig": "VoiceConfig"},
    "ThinkingConfig": {
        "includeThoughts": "bool",
        "thinkingBudget": "int",
        "thinkingLevel": "enum:ThinkingLevel",
    },
    "ImageConfig": {"aspectRatio": "str", "imageSize": "str"},
}
_SCALAR_TYPES = {
    "str": "TYPE_STRING",
    "int": "TYPE_INT32",
    "float": "TYPE_FLOAT",
    "bool": "TYPE_BOOL",
    "enum": "TYPE_ENUM",
}
_PROTO_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1beta."
_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?|-?Infinity|NaN")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class _Checker:
    """Walks one request body, collecting violations and building the camelCase copy."""

    def __init__(self, *, vertex: bool = False) -> None:
        self.violations: list[tuple[str, str]] = []
        self.vertex = vertex

    def _invalid(self, path: str, type_name: str, value: Any) -> None:
        shown = json.dumps(value, ensure_ascii=False)
        self.violations.append((path, f"Invalid value at '{path}' ({type_name}), {shown}"))

    def message(self, value: Any, name: str, path: str) -> Any:
        if not isinstance(value, dict):
            self._invalid(path, _PROTO_PREFIX + name, value)
            return {}
        fields = _MESSAGES[name]
        out: dict[str, Any] = {}
        for key, item in value.items():
            camel = key if key in fields else _camel(key)
            spec = fields.get(camel)
            if spec is None:
                where = f" at '{path}'" if path else ""
                text = (
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                    "Cannot find field."
                )
                self.violations.append((path, text))
                continue
            out[camel] = self.field(item, spec, f"{path}.{_snake(camel)}".lstrip("."))
        return out

    def field(self, value: Any, spec: str, path: str) -> Any:
        if spec.startswith("["):
            items = value if isinstance(value, list) else [value]
            return [self.field(item, spec[1:-1], f"{path}[{i}]") for i, item in enumerate(items)]
        if isinstance(value, list):
            where = path.rsplit(".", 1)
            at = f" at '{where[0]}'" if len(where) == 2 else ""
            text = (
                f'Invalid JSON payload received. Unknown name "{where[-1]}"{at}: '
                "Proto field is not repeating, cannot start list."
            )
            self.violations.append((path, text))
            return None
        if spec.startswith("{"):
            if not isinstance(value, dict):
                self._invalid(path, "map", value)
                return {}
            # Google names map entries by position: ``properties[1].value``.
            return {
                k: self.field(v, spec[1:-1], f"{path}[{i}].value")
                for i, (k, v) in enumerate(value.items())
            }
        if spec[0].isupper():
            return self.message(value, spec, path)
        return self.scalar(value, spec, path)

    def scalar(self, value: Any, kind: str, path: str) -> Any:
        kind, _, enum = kind.partition(":")
        if enum and isinstance(value, str) and not known(enum, value, vertex=self.vertex):
            self._invalid(path, _PROTO_PREFIX + ENUMS[enum][0], value)
            return None
        ok = {
            "any": True,
            "str": isinstance(value, str),
            "bool": isinstance(value, bool),
            "enum": isinstance(value, (str, int)) and not isinstance(value, bool),
            "int": (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, str) and value.lstrip("-").isdigit()),
            "float": (isinstance(value, (int, float)) and not isinstance(value, bool))
            or (isinstance(value, str) and _NUMBER.fullmatch(value) is not None),
        }[kind]
        if not ok:
            self._invalid(path, _SCALAR_TYPES[kind], value)
            return None
        if kind == "int" and isinstance(value, str):
            return int(value)
        if kind == "float" and isinstance(value, str):
            return float(value)
        return value


def check_request(
    body: Any, message: str, *, vertex: bool = False
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate a decoded request body against a top-level request message.

    Args:
        body: the decoded JSON body.
        message: ``"GenerateContentRequest"`` or ``"CountTokensRequest"``.
        vertex: accept the enum values only Vertex AI knows.

    Returns:
        The body with every known field renamed to camelCase (user data untouched, single
        values for repeated fields wrapped in a list), and the violations found as
        ``(field path, description)`` pairs; the copy is only meaningful when there are none.
    """
    checker = _Checker(vertex=vertex)
    if not isinstance(body, dict):
        shown = json.dumps(body, ensure_ascii=False)[:40]
        text = f"Invalid JSON payload received. Expected an object, got: {shown}"
        return {}, [("", text)]
    normalised = checker.message(body, message, "")
    return normalised, checker.violations


def normalise(request: Any) -> dict[str, Any]:
    """Return a ``GenerateContentRequest`` in camelCase form, or raise ``ValueError``.

    Raises:
        ValueError: the request has unknown fields or values of the wrong type; the message
            is the one the emulator would answer with.
    """
    normalised, violations = check_request(request, "GenerateContentRequest")
    if violations:
        raise ValueError("\n".join(text for _, text in violations))
    return normalised
