"""Wire types of generation settings: ``GenerationConfig`` and its parts, ``SafetySetting``."""

from __future__ import annotations

from typing import Any

from .base import Wire
from .tools import Schema

__all__ = (
    "AudioTranscriptionConfig",
    "GenerationConfig",
    "ImageConfig",
    "MultiSpeakerVoiceConfig",
    "PrebuiltVoiceConfig",
    "SafetySetting",
    "SpeakerVoiceConfig",
    "SpeechConfig",
    "ThinkingConfig",
    "VoiceConfig",
)


class ThinkingConfig(Wire, frozen=True, kw_only=True):
    """Thinking settings; set ``thinking_budget`` (2.5) or ``thinking_level`` (3), not both.

    ``thinking_budget=0`` disables thinking where the model allows it; ``-1`` is dynamic.
    """

    include_thoughts: bool | None = None
    thinking_budget: int | None = None
    thinking_level: str | None = None


class PrebuiltVoiceConfig(Wire, frozen=True, kw_only=True):
    """A named prebuilt voice."""

    voice_name: str | None = None


class VoiceConfig(Wire, frozen=True, kw_only=True):
    """The voice to speak with."""

    prebuilt_voice_config: PrebuiltVoiceConfig | None = None


class SpeakerVoiceConfig(Wire, frozen=True, kw_only=True):
    """The voice of one named speaker in multi-speaker speech."""

    speaker: str | None = None
    voice_config: VoiceConfig | None = None


class MultiSpeakerVoiceConfig(Wire, frozen=True, kw_only=True):
    """Voices for several speakers."""

    speaker_voice_configs: list[SpeakerVoiceConfig] | None = None


class SpeechConfig(Wire, frozen=True, kw_only=True):
    """Speech output: ``voice_config`` or ``multi_speaker_voice_config`` (not both)."""

    voice_config: VoiceConfig | None = None
    multi_speaker_voice_config: MultiSpeakerVoiceConfig | None = None
    language_code: str | None = None


class ImageConfig(Wire, frozen=True, kw_only=True):
    """Image output settings: ``aspect_ratio`` like ``"16:9"``, ``image_size`` like ``"2K"``."""

    aspect_ratio: str | None = None
    image_size: str | None = None


class AudioTranscriptionConfig(Wire, frozen=True, kw_only=True):
    """Asks for transcriptions of generated audio (an empty object on the wire)."""


class GenerationConfig(Wire, frozen=True, kw_only=True):
    """Sampling and output settings of a request; every field is optional.

    ``response_json_schema`` is a JSON Schema object sent verbatim (its keys are never renamed);
    it excludes ``response_schema``.
    """

    candidate_count: int | None = None
    stop_sequences: list[str] | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None
    response_mime_type: str | None = None
    response_schema: Schema | None = None
    response_json_schema: dict[str, Any] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    enable_enhanced_civic_answers: bool | None = None
    response_modalities: list[str] | None = None
    speech_config: SpeechConfig | None = None
    thinking_config: ThinkingConfig | None = None
    image_config: ImageConfig | None = None
    media_resolution: str | None = None
    audio_transcription_config: AudioTranscriptionConfig | None = None


class SafetySetting(Wire, frozen=True, kw_only=True):
    """Blocking threshold for one harm category (see ``HarmCategory``, ``HarmBlockThreshold``)."""

    category: str
    threshold: str
