"""The Live API's deterministic model: a session's state (history, voice activity, turns
waiting) and the frames of each model turn, built on the built-in model's answers.

Rules (see ``docs/live.md``): a text turn is answered as ``generateContent`` would answer
the conversation so far; in an AUDIO session each piece of that text becomes
``AUDIO_SECONDS_PER_TOKEN`` seconds per token of 24 kHz PCM, with the piece as its output
transcription. User audio is "speech" while its samples are not all zero; an utterance ends
with ``audioStreamEnd``, ``activityEnd`` or a silent chunk, and its transcript is
``[speech 1.20s]`` (its length in seconds).
"""

from __future__ import annotations

import base64
import copy
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._audio import make_pcm
from ._compose import Answer, Conversation, compose
from ._schema import normalise
from ._tokens import count_tokens, details, prompt_tokens, split_pieces

AUDIO_OUT_MIME = "audio/pcm;rate=24000"
AUDIO_SECONDS_PER_TOKEN = 0.05
_OUT_RATE = 24000
_IN_RATE = 16000


def speech_transcript(seconds: float) -> str:
    """The emulator's transcript of an utterance ``seconds`` long."""
    return f"[speech {seconds:.2f}s]"


@dataclass
class LiveState:
    """Everything a resumption handle restores: the conversation and the input not yet
    answered (an utterance being spoken, turns waiting for the model)."""

    setup: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # user turns to answer
    speech_bytes: int = 0  # of the utterance being spoken
    seeding: bool = False  # historyConfig: clientContent seeds history until turnComplete

    def snapshot(self) -> LiveState:
        return copy.deepcopy(self)

    @property
    def modality(self) -> str:
        modalities = self.setup.get("generationConfig", {}).get("responseModalities", [])
        return str(modalities[0]).upper() if modalities else "AUDIO"

    def audio_in(self, pcm: bytes) -> float | None:
        """Take a chunk of user audio; return an ended utterance's length in seconds."""
        if any(pcm):
            self.speech_bytes += len(pcm)
            return None
        return self.end_speech()

    def end_speech(self) -> float | None:
        """End the utterance being spoken, if any; return its length in seconds."""
        if not self.speech_bytes:
            return None
        seconds = self.speech_bytes / 2 / _IN_RATE
        self.speech_bytes = 0
        return seconds

    def request(self) -> dict[str, Any]:
        """The conversation as a normalised ``GenerateContentRequest``."""
        body: dict[str, Any] = {"contents": self.history}
        for key in ("systemInstruction", "tools"):
            if key in self.setup:
                body[key] = self.setup[key]
        config = {
            k: v for k, v in self.setup.get("generationConfig", {}).items()
            if k not in ("responseModalities", "speechConfig", "thinkingConfig")
        }  # fmt: skip
        if config:
            body["generationConfig"] = config
        return normalise(body)


def answer(state: LiveState, model: str) -> Answer:
    """What the model answers to the conversation so far."""
    request = state.request()
    return compose(request, Conversation.read(request, model), model)


def call_message(calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {"toolCall": {"functionCalls": calls}}


def turn_frames(
    state: LiveState, text: str, chunk_tokens: int, seed: bytes
) -> Iterator[dict[str, Any]]:
    """The ``serverContent`` frames of a model turn saying ``text``, up to
    ``generationComplete`` (the caller sends usage and ``turnComplete``)."""
    pieces = split_pieces(text, chunk_tokens)
    if state.modality == "TEXT":
        for piece in pieces:
            yield {"serverContent": {"modelTurn": {"parts": [{"text": piece}]}}}
    else:
        period = make_pcm(seed, 0.1)  # a tone; tiled, so a long answer costs no CPU
        transcribe = "outputAudioTranscription" in state.setup
        start = 0
        for piece in pieces:
            size = _pcm_bytes(piece)
            offset = start % len(period)
            tiled = period * (1 + (offset + size) // len(period))
            data = base64.b64encode(tiled[offset : offset + size]).decode()
            start += size
            blob = {"inlineData": {"mimeType": AUDIO_OUT_MIME, "data": data}}
            yield {"serverContent": {"modelTurn": {"parts": [blob]}}}
            if transcribe:
                yield {"serverContent": {"outputTranscription": {"text": piece}}}
    yield {"serverContent": {"generationComplete": True}}


def usage(state: LiveState, text: str) -> dict[str, Any]:
    """``usageMetadata`` of a turn: the prompt so far and the answer's tokens."""
    prompt = prompt_tokens(state.request())
    answered = count_tokens(text)
    total = sum(prompt.values())
    return {
        "usageMetadata": {
            "promptTokenCount": total,
            "responseTokenCount": answered,
            "totalTokenCount": total + answered,
            "promptTokensDetails": details(prompt),
            "responseTokensDetails": details({state.modality: answered}),
        }
    }


def audio_duration(pcm_bytes: int) -> float:
    """Seconds of 24 kHz 16-bit mono PCM in ``pcm_bytes`` bytes (for tests)."""
    return pcm_bytes / 2 / _OUT_RATE


def expected_pcm_bytes(text: str, chunk_tokens: int) -> int:
    """How many PCM bytes the emulator speaks for ``text`` (tests compare lengths)."""
    return sum(_pcm_bytes(p) for p in split_pieces(text, chunk_tokens))


def _pcm_bytes(piece: str) -> int:
    return round(count_tokens(piece) * AUDIO_SECONDS_PER_TOKEN * _OUT_RATE) * 2


def silence(seconds: float) -> bytes:
    """``seconds`` of 16 kHz silence (ends an utterance)."""
    return bytes(int(seconds * _IN_RATE) * 2)


def tone(seconds: float) -> bytes:
    """``seconds`` of 16 kHz non-silent PCM (speech, to the emulator)."""
    count = int(seconds * _IN_RATE)
    return struct.pack(f"<{count}h", *((1000 if i % 2 else -1000) for i in range(count)))


def user_turn(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def model_turn(parts: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {"role": "model", "parts": list(parts)}
