"""The reply of ``generateContent`` (one SSE chunk has the same shape), and the root of the
exception tree.

Every error carries the reply received so far (``GeminiError.partial``), and a reply's
``parsed()`` raises ``ParseError``: the two refer to each other, so ``GeminiError`` and
``ParseError`` are defined here, beside the reply, and ``gemini_stream._errors`` builds the
rest of the tree on them. Defining them apart would need an import loop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar, overload

import msgspec

from .candidate import Candidate, ModelStatus, PromptFeedback, UsageMetadata
from .content import Part, parts_text
from .convert import excerpt, type_name
from .enums import FinishReason
from .http_info import HttpInfo
from .parts import Blob, FunctionCall
from .unknown import unknown_fields

__all__ = ("GeminiError", "GenerateContentResponse", "ParseError", "parse_json", "received")

# Finish reasons meaning a filter stopped the candidate, as opposed to a normal or length stop.
_BLOCKING_FINISH_REASONS = frozenset(
    {
        FinishReason.SAFETY,
        FinishReason.RECITATION,
        FinishReason.BLOCKLIST,
        FinishReason.PROHIBITED_CONTENT,
        FinishReason.SPII,
        FinishReason.IMAGE_SAFETY,
        FinishReason.IMAGE_PROHIBITED_CONTENT,
        FinishReason.IMAGE_RECITATION,
    }
)


_FENCE = re.compile(r"\A\s*```[\w-]*\s*\n(.*?)\n?\s*```\s*\Z", re.DOTALL)


_NO_PARTS: Sequence[Part] = ()
_T = TypeVar("_T")


class _Received:
    # What came with the reply besides its fields: ``(HttpInfo | None, JSON bytes | None)``,
    # set by ``received``. A slot can only be declared by a Struct's first base, so the reply
    # has the options of ``Wire`` without deriving from it; unset (and free) on most chunks.
    __slots__ = ("_received",)
    _received: tuple[HttpInfo | None, bytes | None]


# The slot's own setter: the reply is frozen, and Python 3.10 refuses object.__setattr__ on
# a type whose __setattr__ is msgspec's.
set_received = _Received.__dict__["_received"].__set__


class GenerateContentResponse(
    _Received,
    msgspec.Struct,
    rename="camel",
    omit_defaults=True,
    frozen=True,
    gc=False,
    repr_omit_defaults=True,
    kw_only=True,
):
    """A whole reply, or one chunk of a streamed reply.

    The properties read the first candidate and never raise for a missing candidate, content
    or part: ``text`` is then ``""``, ``function_calls`` is ``[]``.

    ``create_time`` (Vertex AI) is when the server created the reply (RFC 3339).
    ``turn_token`` (Gemini API, undocumented) is an opaque token naming this turn; it is kept
    as received and never sent back: no request field takes it, Google's SDKs drop it, and
    the next turn is answered without it.

    Example:
        >>> reply = GenerateContentResponse()
        >>> reply.text, reply.blocked
        ('', False)
    """

    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    model_status: ModelStatus | None = None
    create_time: str | None = None
    turn_token: str | None = None

    @property
    def http(self) -> HttpInfo | None:
        """The HTTP status, headers and URL this reply came with (``None`` for a chunk, or a
        reply not received from the server); see ``gs.HttpInfo``."""
        try:
            return self._received[0]
        except AttributeError:
            return None

    @property
    def raw_json(self) -> dict[str, Any] | None:
        """The reply's JSON object as the server sent it, unknown fields included; only when
        the client keeps it (``client.with_options(keep_raw=True)``), else ``None``."""
        try:
            raw = self._received[1]
        except AttributeError:
            return None
        decoded: dict[str, Any] | None = None if raw is None else msgspec.json.decode(raw)
        return decoded

    @property
    def unknown_fields(self) -> dict[str, Any] | None:
        """The fields of the reply's JSON that these types do not model (a newer server's), by
        JSON path: ``{"usageMetadata.newCount": 3}``; ``None`` unless the JSON was kept
        (``client.with_options(keep_raw=True)``)."""
        raw = self.raw_json
        return None if raw is None else unknown_fields(raw, GenerateContentResponse)

    @property
    def service_tier(self) -> str | None:
        """The service tier the server applied (``"standard"``, ``"flex"``, ``"priority"``),
        from ``usage_metadata.service_tier`` or else the ``x-gemini-service-tier`` header."""
        usage = self.usage_metadata
        if usage is not None and usage.service_tier is not None:
            return usage.service_tier
        http = self.http
        return None if http is None else http.service_tier

    @property
    def parts(self) -> Sequence[Part]:
        """The parts of the first candidate (empty when there is none)."""
        candidates = self.candidates
        if not candidates:
            return _NO_PARTS
        content = candidates[0].content
        return _NO_PARTS if content is None else content.parts

    @property
    def text(self) -> str:
        """The first candidate's text, thought summaries left out (``""`` when there is none)."""
        parts = self.parts
        if len(parts) == 1:
            # The usual streamed chunk has one part; no join (117 against 496 ns a chunk).
            part = parts[0]
            return "" if part.thought else part.text or ""
        return parts_text(parts)

    @property
    def thoughts(self) -> str:
        """The first candidate's thought-summary text (with ``include_thoughts=True``)."""
        return parts_text(self.parts, thought=True)

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls of the first candidate, in order."""
        return [p.function_call for p in self.parts if p.function_call is not None]

    @property
    def inline_data(self) -> list[Blob]:
        """The media the first candidate generated (images, speech), in order; ``.save(path)``
        writes one to disk."""
        return [p.inline_data for p in self.parts if p.inline_data is not None and not p.thought]

    @property
    def images(self) -> list[Blob]:
        """The images the first candidate generated (``response_modalities`` with IMAGE).

        Example:
            >>> reply.images[0].save("cat.png")
        """
        return [b for b in self.inline_data if (b.mime_type or "").startswith("image/")]

    @property
    def finish_reason(self) -> str | None:
        """Why the first candidate stopped; ``None`` while it is still streaming."""
        candidates = self.candidates
        return candidates[0].finish_reason if candidates else None

    @property
    def usage(self) -> UsageMetadata | None:
        """The token counts (``usage_metadata``)."""
        return self.usage_metadata

    @property
    def block_reason(self) -> str | None:
        """Why the prompt or the first candidate was blocked, or ``None`` if it was not.

        This is ``prompt_feedback.block_reason`` when the prompt was blocked, otherwise the
        first candidate's finish reason when a filter stopped it (``SAFETY``, ``RECITATION``,
        ``BLOCKLIST``, ``PROHIBITED_CONTENT``, ``SPII``, ``IMAGE_SAFETY``, ...).
        """
        feedback = self.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            return feedback.block_reason
        reason = self.finish_reason
        return reason if reason in _BLOCKING_FINISH_REASONS else None

    @property
    def blocked(self) -> bool:
        """Whether the prompt or the first candidate was blocked (see ``block_reason``)."""
        return self.block_reason is not None

    @overload
    def parsed(self, type_: type[_T]) -> _T: ...
    @overload
    def parsed(self, type_: Any = None) -> Any: ...
    def parsed(self, type_: Any = None) -> Any:
        """Decode the reply's text (structured output) as JSON into ``type_``.

        Args:
            type_: a msgspec Struct, a dataclass, ``list[X]`` or any type msgspec decodes;
                ``None`` gives plain JSON values (dicts, lists, ...).

        Raises:
            ParseError: the text is not JSON or does not conform to ``type_`` (the message
                names the type and shows the start of the text).

        Example:
            >>> reply = await client.generate(model, "...", config={"response_schema": Recipe})
            >>> recipe = reply.parsed(Recipe)
        """
        return parse_json(self.text, type_)


class GeminiError(Exception):
    """Base class of every exception raised by gemini-stream.

    Attributes:
        partial: the reply received before the failure, as one merged
            ``GenerateContentResponse``; ``None`` when the error happened before any request
            was sent.
        http: the HTTP status, headers and URL of the response the error came with (an
            error status, or a 200 whose stream then failed); ``None`` when no response
            arrived (a connection failure, a timeout before the headers).
    """

    partial: GenerateContentResponse | None = None
    http: HttpInfo | None = None


def received(
    reply: GenerateContentResponse, http: HttpInfo | None, raw: bytes | None = None
) -> GenerateContentResponse:
    """Attach what came with ``reply`` (its ``HttpInfo``, its JSON bytes: those it holds
    already when ``raw`` is ``None``); return ``reply``."""
    if raw is None:
        raw = getattr(reply, "_received", (None, None))[1]
    set_received(reply, (http, raw))
    return reply


class ParseError(GeminiError, ValueError):
    """A reply's text is not JSON, or does not conform to the type it was parsed into.

    Attributes:
        target: the type asked for (``None`` for plain JSON).
        excerpt: the start of the reply's text.
    """

    def __init__(self, message: str, *, target: object, excerpt: str) -> None:
        super().__init__(f"{message}; the reply starts {excerpt}")
        self.target = target
        self.excerpt = excerpt


def parse_json(text: str, type_: Any = None) -> Any:
    """Decode a reply's JSON ``text`` into ``type_`` (plain JSON values when ``None``).

    A Markdown code fence around the JSON (```` ```json ... ``` ````) is tolerated.

    Raises:
        ParseError: the text is not JSON, or does not conform to ``type_``.
    """
    match = _FENCE.match(text)
    data = match.group(1) if match else text
    try:
        if type_ is None:
            return msgspec.json.decode(data)
        return msgspec.json.decode(data, type=type_)
    except msgspec.ValidationError as exc:
        message = f"the reply does not conform to {type_name(type_)}: {exc}"
    except msgspec.DecodeError as exc:
        target = "JSON" if type_ is None else type_name(type_)
        message = f"the reply is not valid JSON ({exc}), so it cannot be parsed as {target}"
    raise ParseError(message, target=type_, excerpt=excerpt(text.encode()))
