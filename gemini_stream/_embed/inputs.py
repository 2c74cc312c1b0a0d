"""What ``client.embed`` is given, checked and made into ``EmbedContentRequest``s (no I/O).

Here too the ``gemini-embedding-2`` convention is kept: that model takes the task as a prefix of
the text (``task: search result | query: ...``, ``title: ... | text: ...``), not as
``taskType``, so the task and title are written into the text for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from .._input.enum_policy import KNOWN, warn_unknown
from .._input.names import model_path
from .._wire.content import Content, Part
from .._wire.convert import from_mapping, short_repr
from .._wire.embeddings import EmbedContentRequest, TaskType

__all__ = (
    "MAX_BATCH",
    "EmbedInput",
    "TitleInput",
    "embed_requests",
    "split_inputs",
    "uses_task_prefix",
)

MAX_BATCH = 100
"""The most requests one ``batchEmbedContents`` call may hold (more: 400 INVALID_ARGUMENT)."""

EmbedInput: TypeAlias = str | Part | Content | Mapping[str, Any]
TitleInput: TypeAlias = str | Sequence[str | None] | None

# gemini-embedding-2 and its dated versions; not the preview, which took ``taskType``.
_PREFIX_MODEL = re.compile(r"gemini-embedding-2(?:-\d+)?")
# The supported output sizes of the gemini-embedding-* models (128-3,072; 3,072 by default).
_DIMENSIONS = (128, 3072)
# A task's name in gemini-embedding-2's prefix; RETRIEVAL_DOCUMENT has a form of its own.
_TASK_NAMES = {
    TaskType.RETRIEVAL_QUERY: "search result",
    TaskType.QUESTION_ANSWERING: "question answering",
    TaskType.FACT_VERIFICATION: "fact checking",
    TaskType.CODE_RETRIEVAL_QUERY: "code retrieval",
    TaskType.CLASSIFICATION: "classification",
    TaskType.CLUSTERING: "clustering",
    TaskType.SEMANTIC_SIMILARITY: "sentence similarity",
}
_PART_DATA = ("text", "inline_data", "file_data")


def uses_task_prefix(model_id: str) -> bool:
    """Whether ``model_id`` takes the task as a prefix of the text (``gemini-embedding-2``)."""
    return _PREFIX_MODEL.fullmatch(model_id) is not None


def split_inputs(contents: object) -> tuple[list[object], bool]:
    """The inputs of one call, and whether it was a single one (a text, part, Content or dict).

    Raises:
        TypeError: ``contents`` is neither an input nor an iterable of inputs.
        ValueError: the iterable is empty.
    """
    if isinstance(contents, (str, Part, Content, Mapping)):
        return [contents], True
    if isinstance(contents, (bytes, bytearray, memoryview)) or not isinstance(contents, Iterable):
        raise TypeError(
            "contents must be a str, a Part, a Content, a dict, or an iterable of those, got "
            f"{type(contents).__name__} {short_repr(contents)}"
        )
    items = list(contents)
    if not items:
        raise ValueError(f"contents is empty ({short_repr(contents)}); give at least one input")
    return items, False


def embed_requests(
    model: str,
    items: list[object],
    *,
    single: bool,
    task_type: str | None,
    title: TitleInput,
    output_dimensionality: int | None,
) -> list[EmbedContentRequest]:
    """One ``EmbedContentRequest`` per input, the task written as the model wants it.

    Raises:
        TypeError, ValueError: a bad input or option, naming it, before anything is sent.
    """
    path = model_path(model)
    model_id = path.rpartition("/")[2]
    prefixed = uses_task_prefix(model_id)
    task = _task(task_type, prefixed)
    titles = _titles(title, len(items), task)
    dims = _dimensions(output_dimensionality, model_id)
    requests = []
    for i, item in enumerate(items):
        content = to_content(item, "contents" if single else f"contents[{i}]")
        if prefixed:
            requests.append(
                EmbedContentRequest(
                    model=path,
                    content=_with_prefix(content, task, titles[i]),
                    output_dimensionality=dims,
                )
            )
        else:
            requests.append(
                EmbedContentRequest(
                    model=path,
                    content=content,
                    task_type=task,
                    title=titles[i],
                    output_dimensionality=dims,
                )
            )
    return requests


def to_content(value: object, where: str) -> Content:
    """One input as a ``Content``: several parts make one (aggregated) embedding.

    Raises:
        TypeError, ValueError: ``value`` is not an input, or has nothing to embed.
    """
    parts: list[object]
    if isinstance(value, Content):
        parts = list(value.parts or ())
    elif isinstance(value, Mapping) and ("parts" in value or "role" in value):
        parts = list(from_mapping(value, Content, where).parts or ())
    elif isinstance(value, (str, Part, Mapping)):
        parts = [value]
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray, memoryview)):
        parts = list(value)
    else:
        raise TypeError(
            f"{where}: expected a str, a Part, a Content, a dict or a list of parts, got "
            f"{type(value).__name__} {short_repr(value)}"
        )
    if not parts:
        raise ValueError(f"{where}: {short_repr(value)} has no parts to embed")
    return Content(parts=[_part(part, where if len(parts) == 1 else f"{where}[{i}]")
                          for i, part in enumerate(parts)])  # fmt: skip


def _part(value: object, where: str) -> Part:
    if isinstance(value, str):
        part = Part(text=value)
    elif isinstance(value, Part):
        part = value
    elif isinstance(value, Mapping):
        part = from_mapping(value, Part, where)
    else:
        raise TypeError(
            f"{where}: expected a str, a Part or a part dict, got {type(value).__name__} "
            f"{short_repr(value)}"
        )
    if part.text == "" or all(getattr(part, name) is None for name in _PART_DATA):
        raise ValueError(f"{where}: {short_repr(value)} has nothing to embed (no text or media)")
    return part


def _task(task_type: str | None, prefixed: bool) -> str | None:
    if task_type is None:
        return None
    if not isinstance(task_type, str):
        raise TypeError(f"task_type must be a str such as 'RETRIEVAL_QUERY', got {task_type!r}")
    known = KNOWN["TaskType"]
    if task_type.upper() in known:
        return task_type.upper()
    if prefixed:
        names = ", ".join(sorted(v for v in known if not v.endswith("UNSPECIFIED")))
        raise ValueError(
            f"task_type {task_type!r} is not a task gemini-embedding-2 has a prefix for; "
            f"expected one of {names}"
        )
    warn_unknown("EmbedContentRequest.task_type", task_type, "TaskType", "task_type")
    return task_type


def _titles(title: TitleInput, count: int, task: str | None) -> list[str | None]:
    if title is None:
        return [None] * count
    titles: list[str | None]
    if isinstance(title, str):
        titles = [title] * count
    elif isinstance(title, Sequence):
        titles = list(title)
        if len(titles) != count:
            raise ValueError(f"title has {len(titles)} titles for {count} inputs; give one each")
    else:
        raise TypeError(f"title must be a str or a list of str, got {short_repr(title)}")
    for i, item in enumerate(titles):
        if item is not None and (not isinstance(item, str) or not item):
            raise TypeError(f"title[{i}] must be a non-empty str or None, got {item!r}")
    if task != TaskType.RETRIEVAL_DOCUMENT and any(item is not None for item in titles):
        raise ValueError(
            f"title {short_repr(title)} is only for documents: it needs "
            f"task_type='RETRIEVAL_DOCUMENT', not {task!r}"
        )
    return titles


def _dimensions(value: int | None, model_id: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"output_dimensionality must be an int, got {value!r}")
    low, high = _DIMENSIONS
    if model_id.startswith("gemini-embedding-") and not low <= value <= high:
        raise ValueError(
            f"output_dimensionality {value!r} is out of range: {model_id} gives vectors of "
            f"{low} to {high} values (768, 1536 or 3072 recommended)"
        )
    if value < 1:
        raise ValueError(f"output_dimensionality must be positive, got {value!r}")
    return value


def _with_prefix(content: Content, task: str | None, title: str | None) -> Content:
    """``content`` with the task written into its text, when it is one text part."""
    parts = content.parts or []
    if task is None or task == TaskType.TASK_TYPE_UNSPECIFIED:
        return content
    if len(parts) != 1 or parts[0].text is None:
        return content  # media or several parts: the convention covers one text only
    text = parts[0].text
    if task == TaskType.RETRIEVAL_DOCUMENT:
        written = f"title: {title or 'none'} | text: {text}"
    else:
        written = f"task: {_TASK_NAMES[task]} | query: {text}"
    return Content(parts=[Part(text=written)])
