"""What the built-in model says: reads a conversation and decides the content of its answer.

Rules (all deterministic; see ``docs/testing.md`` for the user-facing description):

* Plain text: ``I am the gemini-stream emulator running MODEL. I saw U user turns and M model
  turns. The first user message was "FIRST" and the last user message was "LAST".`` plus
  `` The system instruction was "SYS".`` when one was sent. A *user turn* is a ``user``
  content with at least one text part; its text is its text parts joined.
* ``emulator:words=N`` in the last user message appends N filler words.
* Function calling: every declared function whose name appears as a word in the last user
  message is called, in order of first mention (mode ``ANY`` calls the first allowed function
  when none is named; mode ``NONE`` calls nothing).
* After a ``functionResponse`` turn: ``The function NAME returned {JSON}.`` per response,
  then the plain-text sentences.
* ``responseMimeType: application/json``: JSON conforming to ``responseJsonSchema`` or
  ``responseSchema`` (``{"text": ...}`` without a schema); ``text/x.enum``: the first enum value.
* ``responseModalities`` with ``IMAGE``: a caption (when ``TEXT`` is also asked for) and a PNG.
* ``responseModalities`` with ``AUDIO``: a quarter second of 24 kHz PCM speech stand-in.
* ``emulator:block-prompt`` blocks the prompt; ``emulator:unsafe`` stops the reply for SAFETY.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._audio import PCM_MIME_TYPE, make_pcm
from ._jsongen import sample
from ._png import make_png

BLOCK_TRIGGER = "emulator:block-prompt"
UNSAFE_TRIGGER = "emulator:unsafe"
_WORDS = re.compile(r"emulator:words=(\d+)")
_MAX_WORDS = 1_000_000
_FILLER = (
    "river", "stone", "lantern", "meadow", "copper", "harbor", "violet", "engine",
    "willow", "signal", "orbit", "canvas", "thunder", "pepper", "glacier", "compass",
)  # fmt: skip


@dataclass
class Answer:
    """The content of one candidate's answer, before chunking and limits."""

    text: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    image: dict[str, Any] | None = None
    thought: str = ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _text_of(content: Mapping[str, Any]) -> str | None:
    texts = [p["text"] for p in content.get("parts", []) if "text" in p and not p.get("thought")]
    return "".join(texts) if texts else None


@dataclass(frozen=True)
class Conversation:
    """The facts of a normalised request that the answer depends on."""

    user_texts: list[str]
    model_turns: int
    system: str
    function_responses: list[dict[str, Any]]
    seed: bytes

    @classmethod
    def read(cls, request: Mapping[str, Any], model: str) -> Conversation:
        """Extract the conversation facts from a normalised ``GenerateContentRequest``."""
        contents = request.get("contents", [])
        users = [
            text
            for c in contents
            if c.get("role", "user") == "user" and (text := _text_of(c)) is not None
        ]
        last = contents[-1] if contents else {}
        responses = [
            p["functionResponse"] for p in last.get("parts", []) if "functionResponse" in p
        ]
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
        return cls(
            user_texts=users,
            model_turns=sum(1 for c in contents if c.get("role") == "model"),
            system=_text_of(request.get("systemInstruction", {})) or "",
            function_responses=responses,
            seed=hashlib.sha256(f"{model}\n{canonical}".encode()).digest(),
        )

    @property
    def last_user(self) -> str:
        """The text of the last user turn (``""`` when there is none)."""
        return self.user_texts[-1] if self.user_texts else ""

    def digest(self, label: str) -> bytes:
        """A deterministic 32-byte value for ``label`` within this conversation."""
        return hashlib.sha256(self.seed + label.encode()).digest()


def history_text(conv: Conversation, model: str) -> str:
    """The plain-text answer: model name, turn counts, first/last user message, system text."""
    first = conv.user_texts[0] if conv.user_texts else ""
    text = (
        f"I am the gemini-stream emulator running {model}. I saw "
        f"{_plural(len(conv.user_texts), 'user turn')} and "
        f"{_plural(conv.model_turns, 'model turn')}. The first user message was "
        f'"{first}" and the last user message was "{conv.last_user}".'
    )
    if conv.system:
        text += f' The system instruction was "{conv.system}".'
    match = _WORDS.search(conv.last_user)
    count = min(int(match.group(1)), _MAX_WORDS) if match else 0
    if count:
        text += " " + " ".join(_FILLER[(i * 7 + 3) % len(_FILLER)] for i in range(count)) + "."
    return text


def _to_call(request: Mapping[str, Any], conv: Conversation) -> list[dict[str, Any]]:
    declared = [d for t in request.get("tools", []) for d in t.get("functionDeclarations", [])]
    config = request.get("toolConfig", {}).get("functionCallingConfig", {})
    mode = str(config.get("mode", "AUTO")).upper()
    allowed = set(config.get("allowedFunctionNames", [])) or {d.get("name") for d in declared}
    candidates = [d for d in declared if d.get("name") in allowed]
    if mode == "NONE" or not candidates or conv.function_responses:
        return []
    mentioned = []
    for decl in candidates:
        pattern = rf"(?<![\w.:-]){re.escape(str(decl.get('name', '')))}(?![\w.:-])"
        found = re.search(pattern, conv.last_user)
        if found:
            mentioned.append((found.start(), decl))
    chosen = [d for _, d in sorted(mentioned, key=lambda pair: pair[0])]
    return chosen or (candidates[:1] if mode == "ANY" else [])


def _call(decl: Mapping[str, Any], conv: Conversation, index: int) -> dict[str, Any]:
    schema = decl.get("parametersJsonSchema") or decl.get("parameters")
    args = sample(schema, name=str(decl.get("name"))) if schema else {}
    digest = conv.digest(f"call-{index}")
    call_id = base64.b32encode(digest[:5]).decode().lower()
    return {
        "name": decl.get("name", ""),
        "args": args if isinstance(args, dict) else {},
        "id": call_id,
    }


def _structured(request: Mapping[str, Any], conv: Conversation, model: str) -> str | None:
    config = request.get("generationConfig", {})
    mime = str(config.get("responseMimeType", "")).lower()
    schema = (
        config.get("responseJsonSchema")
        or config.get("_responseJsonSchema")
        or config.get("responseSchema")
    )
    if mime == "application/json":
        value = sample(schema) if schema else {"text": history_text(conv, model)}
        return json.dumps(value, ensure_ascii=False)
    if mime == "text/x.enum" and isinstance(schema, Mapping) and schema.get("enum"):
        return str(schema["enum"][0])
    return None


def compose(request: Mapping[str, Any], conv: Conversation, model: str) -> Answer:
    """Decide what candidate 0 answers to a normalised request (see the module docstring)."""
    functions = _to_call(request, conv)
    if functions:
        calls = [_call(d, conv, i) for i, d in enumerate(functions)]
        names = ", ".join(str(c["name"]) for c in calls)
        return Answer(calls=calls, thought=_thought(conv, f"a call to {names}"))
    structured = _structured(request, conv, model)
    if structured is not None:
        return Answer(text=structured, thought=_thought(conv, "structured output"))
    modalities = [
        str(m).upper() for m in request.get("generationConfig", {}).get("responseModalities", [])
    ]
    if "IMAGE" in modalities:
        png = make_png(conv.digest("image"))
        image = {"mimeType": "image/png", "data": base64.b64encode(png).decode()}
        caption = (
            f'Here is a 16x16 PNG image for "{conv.last_user}".' if "TEXT" in modalities else ""
        )
        return Answer(text=caption, image=image, thought=_thought(conv, "an image"))
    if "AUDIO" in modalities:
        pcm = base64.b64encode(make_pcm(conv.digest("audio"))).decode()
        speech = {"mimeType": PCM_MIME_TYPE, "data": pcm}
        return Answer(image=speech, thought=_thought(conv, "speech"))
    text = history_text(conv, model)
    if conv.function_responses:
        results = " ".join(
            f"The function {r.get('name', '')} returned "
            f"{json.dumps(r.get('response', {}), ensure_ascii=False)}."
            for r in conv.function_responses
        )
        text = f"{results} {text}"
    return Answer(text=text, thought=_thought(conv, "plain text"))


def _thought(conv: Conversation, kind: str) -> str:
    return (
        f"**Planning the reply**\n\nThe conversation has "
        f"{_plural(len(conv.user_texts), 'user turn')} and "
        f"{_plural(conv.model_turns, 'model turn')}; I will answer with {kind}."
    )


def request_problem(request: Mapping[str, Any], model: str) -> str | None:
    """Return the API's 400 message for a request it refuses beyond the schema, else ``None``.

    Two rules of the live API: ``thinkingBudget`` with ``thinkingLevel`` is refused, and
    Gemini 3 models refuse a function call of the current turn (the model turns after the
    last user text) whose first ``functionCall`` part lost its ``thoughtSignature``.
    """
    thinking = request.get("generationConfig", {}).get("thinkingConfig", {})
    if "thinkingBudget" in thinking and "thinkingLevel" in thinking:
        return "thinking_budget and thinking_level are not supported together."
    if not model.startswith("gemini-3"):
        return None
    contents = request.get("contents", [])
    last_text = max(
        (i for i, c in enumerate(contents) if c.get("role", "user") == "user" and _text_of(c)),
        default=-1,
    )
    for position, content in enumerate(contents[last_text + 1 :], start=last_text + 1):
        calls = [p for p in content.get("parts", []) if "functionCall" in p]
        if content.get("role") == "model" and calls and "thoughtSignature" not in calls[0]:
            name = calls[0]["functionCall"].get("name", "")
            return (
                "Function call is missing a thought_signature in functionCall parts. This is "
                "required for tools to work correctly, and missing thought_signature may lead "
                f"to degraded model performance. Additional data, function call `{name}` , "
                f"position {position + 1}. Please refer to "
                "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )
    return None
