"""The Live API's client frames: the ``setup`` message built from ``connect()``'s arguments,
and the encoding of every message sent after it (text, audio, video, tool responses...)."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import msgspec

from .._input.contents import (
    ContentsInput,
    SystemInstructionInput,
    to_contents,
    to_system_instruction,
)
from .._input.names import model_path
from .._input.request import ConfigInput, to_config
from .._wire.convert import short_repr
from .._wire.parts import FunctionResponse
from .._wire.tools import Tool

__all__ = (
    "AUDIO_IN_RATE",
    "FunctionResponsesInput",
    "SetupOptions",
    "activity",
    "audio_frame",
    "build_setup",
    "client_content",
    "encode",
    "setup_frame",
    "text_frame",
    "tool_response",
    "video_frame",
)

AUDIO_IN_RATE = 16000
"""The Live API's native input rate: 16-bit little-endian mono PCM at 16 kHz."""

FunctionResponsesInput: TypeAlias = (
    FunctionResponse | Mapping[str, Any] | Sequence[FunctionResponse | Mapping[str, Any]]
)
_encoder = msgspec.json.Encoder()
encode = _encoder.encode
_AUDIO_HEAD = b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate='
_AUDIO_TAIL = b'"}}}'


@dataclasses.dataclass(frozen=True, kw_only=True)
class SetupOptions:
    """The parts of ``connect()``'s arguments that make the ``setup`` message."""

    model: str
    config: ConfigInput = None
    system_instruction: SystemInstructionInput = None
    tools: list[Tool] | None = None
    input_transcription: bool = False
    output_transcription: bool = False
    realtime_input_config: Mapping[str, Any] | None = None
    context_window_compression: Mapping[str, Any] | bool | None = None
    history: bool = False
    resumption: bool = True
    extra: Mapping[str, Any] | None = None


def build_setup(options: SetupOptions) -> dict[str, Any]:
    """The ``setup`` object (without its handle) for ``options``, checked before any I/O.

    Raises:
        TypeError, ValueError: a bad argument, named.
    """
    setup: dict[str, Any] = {"model": model_path(options.model)}
    config = to_config(options.config)
    if config is not None:
        setup["generationConfig"] = config
        modalities = config.response_modalities or []
        if len(modalities) > 1:
            raise ValueError(
                f"config.response_modalities={list(modalities)!r}: a live session answers "
                "in one modality, ['TEXT'] or ['AUDIO']"
            )
    system = to_system_instruction(options.system_instruction)
    if system is not None:
        setup["systemInstruction"] = system
    if options.tools:
        setup["tools"] = options.tools
    if options.realtime_input_config is not None:
        setup["realtimeInputConfig"] = _mapping(
            options.realtime_input_config, "realtime_input_config"
        )
    compression = options.context_window_compression
    if compression is True:
        setup["contextWindowCompression"] = {"slidingWindow": {}}
    elif compression not in (None, False):
        setup["contextWindowCompression"] = _mapping(compression, "context_window_compression")
    if options.input_transcription:
        setup["inputAudioTranscription"] = {}
    if options.output_transcription:
        setup["outputAudioTranscription"] = {}
    if options.resumption:
        setup["sessionResumption"] = {}
    if options.history:
        setup["historyConfig"] = {"initialHistoryInClientContent": True}
    if options.extra is not None:
        setup.update(_mapping(options.extra, "setup"))
    return setup


def _mapping(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__} {short_repr(value)}")
    return dict(value)


def setup_frame(setup: Mapping[str, Any], handle: str | None) -> bytes:
    """The first frame of a connection; ``handle`` resumes an earlier session."""
    if handle is not None:
        setup = {**setup, "sessionResumption": {"handle": handle}}
    return encode({"setup": setup})


def text_frame(text: str) -> bytes:
    """``realtimeInput.text``: typed user input (the way to send text on 3.1 models)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {short_repr(text)}")
    return encode({"realtimeInput": {"text": text}})


def audio_frame(pcm: bytes | bytearray | memoryview, rate: int = AUDIO_IN_RATE) -> bytes:
    """``realtimeInput.audio``: raw 16-bit little-endian mono PCM at ``rate`` Hz.

    Built by concatenation: the base64 text needs no JSON escaping, and audio is sent
    every 20-100 ms for the whole session.
    """
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise TypeError(f"audio must be bytes of 16-bit PCM, got {type(pcm).__name__}")
    if len(pcm) % 2:
        raise ValueError(f"audio must be whole 16-bit samples: {len(pcm)} bytes is odd")
    if isinstance(rate, bool) or not isinstance(rate, int) or not 1000 <= rate <= 192000:
        raise ValueError(f"rate must be a sample rate in Hz such as 16000, got {rate!r}")
    return b"".join((_AUDIO_HEAD, b"%d" % rate, b'","data":"', base64.b64encode(pcm), _AUDIO_TAIL))


def video_frame(image: bytes, mime_type: str = "image/jpeg") -> bytes:
    """``realtimeInput.video``: one JPEG (or PNG) frame."""
    if not isinstance(image, (bytes, bytearray, memoryview)):
        raise TypeError(f"video must be the bytes of one image, got {type(image).__name__}")
    if not isinstance(mime_type, str) or not mime_type.startswith("image/"):
        raise ValueError(f"mime_type must be an image type such as 'image/jpeg', got {mime_type!r}")
    data = base64.b64encode(image).decode()
    return encode({"realtimeInput": {"video": {"mimeType": mime_type, "data": data}}})


def activity(kind: str) -> bytes:
    """``activityStart`` / ``activityEnd`` (manual VAD) or ``audioStreamEnd`` (mic paused)."""
    value: object = True if kind == "audioStreamEnd" else {}
    return encode({"realtimeInput": {kind: value}})


def client_content(turns: ContentsInput, turn_complete: bool) -> bytes:
    """``clientContent``: turns appended to the conversation (history seeding on 3.1)."""
    contents = to_contents(turns)
    return encode({"clientContent": {"turns": contents, "turnComplete": bool(turn_complete)}})


def tool_response(responses: FunctionResponsesInput) -> bytes:
    """``toolResponse``: results for the calls of a ``toolCall``, matched by ``id``."""
    items: Sequence[object]
    if isinstance(responses, (FunctionResponse, Mapping)):
        items = [responses]
    elif isinstance(responses, Sequence) and not isinstance(responses, (str, bytes)):  # type: ignore[unreachable, unused-ignore]
        items = responses
    else:
        raise TypeError(
            f"tool responses must be FunctionResponses or dicts, got {short_repr(responses)}"
        )
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            try:
                item = msgspec.convert(dict(item), FunctionResponse)
            except msgspec.ValidationError as exc:
                raise ValueError(f"tool response [{i}] {short_repr(item)}: {exc}") from None
        if not isinstance(item, FunctionResponse):
            raise TypeError(
                f"tool response [{i}] must be a FunctionResponse or a dict, got {item!r}"
            )
        out.append(item)
    if not out:
        raise ValueError("send_tool_response needs at least one function response")
    return encode({"toolResponse": {"functionResponses": out}})
