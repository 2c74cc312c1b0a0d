"""``Embedding``: one vector, held as a compact ``array('f')``, and its decoding from a reply."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import msgspec

from .._errors import ResponseDecodeError
from .._wire.convert import excerpt
from .._wire.embeddings import BatchEmbedContentsResponse

if TYPE_CHECKING:
    from .._wire.embeddings import ContentEmbedding

__all__ = ("Embedding", "decode_embeddings")

# One vector's array at a time: the list of Python floats it makes lives only until it is
# packed (4 bytes a value against 32 for a float in a list).
_floats = msgspec.json.Decoder(list[float])
_reply = msgspec.json.Decoder(BatchEmbedContentsResponse)


class Embedding(Sequence[float]):
    """One embedding vector: a sequence of floats (``len()``, indexing, iteration).

    The values are kept as 32-bit floats in ``values``, an ``array('f')`` (4 bytes a value;
    the API sends float32 values, so nothing is lost). It supports the buffer protocol, so
    ``numpy.asarray(embedding)`` and ``numpy.array(list_of_embeddings)`` work without a copy
    per value; ``numpy()`` gives a float32 array sharing the memory. numpy is optional.

    Example:
        >>> query, doc = await client.embed("gemini-embedding-001", ["a cat", "a kitten"])
        >>> len(query), query[0], query.cosine(doc)
        (3072, 0.0123..., 0.93...)
    """

    __slots__ = ("values",)

    values: array[float]

    def __init__(self, values: Sequence[float] | array[float]) -> None:
        """Wrap ``values``: an ``array('f')`` is kept as it is (not copied), else packed."""
        if not (isinstance(values, array) and values.typecode == "f"):
            values = array("f", values)
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> float: ...
    @overload
    def __getitem__(self, index: slice) -> array[float]: ...
    def __getitem__(self, index: int | slice) -> float | array[float]:
        return self.values[index]

    def __iter__(self) -> Iterator[float]:
        return iter(self.values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Embedding):
            return self.values == other.values
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal by value, and the array is mutable

    def __repr__(self) -> str:
        head = ", ".join(f"{v:.4g}" for v in self.values[:3])
        more = ", ..." if len(self.values) > 3 else ""
        return f"<Embedding {len(self.values)} values [{head}{more}]>"

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        """numpy's hook: ``numpy.asarray(embedding)`` is a float32 array (see ``numpy()``)."""
        vector = self.numpy()
        if dtype is not None and dtype != vector.dtype:
            return vector.astype(dtype)
        return vector.copy() if copy else vector

    def numpy(self) -> Any:
        """The vector as a float32 ``numpy.ndarray`` sharing this embedding's memory.

        Raises:
            ImportError: numpy is not installed (it is not a dependency of gemini-stream).
        """
        import numpy  # type: ignore[import-not-found, unused-ignore]

        return numpy.frombuffer(self.values, dtype=numpy.float32)

    def norm(self) -> float:
        """The vector's length (1.0 for a normalised vector)."""
        return math.sqrt(math.fsum(v * v for v in self.values))

    def cosine(self, other: Sequence[float]) -> float:
        """The cosine similarity with ``other`` (1.0: same direction), whatever the norms.

        Raises:
            ValueError: the vectors differ in length, or one of them is all zeros.
        """
        if len(other) != len(self.values):
            raise ValueError(
                f"cannot compare a vector of {len(self.values)} values with one of {len(other)}"
            )
        dot = math.fsum(a * b for a, b in zip(self.values, other, strict=True))
        norms = self.norm() * math.sqrt(math.fsum(v * v for v in other))
        if norms == 0.0:
            raise ValueError("the cosine of an all-zero vector is undefined")
        return dot / norms


def decode_embeddings(body: bytes, expected: int) -> list[Embedding]:
    """The embeddings of a ``batchEmbedContents`` reply body, which must hold ``expected``.

    Raises:
        ResponseDecodeError: the body is not such a reply, or holds another number of vectors.
    """
    try:
        reply = _reply.decode(body)
        embeddings = [_vector(item) for item in reply.embeddings]
    except msgspec.DecodeError as exc:
        raise ResponseDecodeError(
            f"cannot decode a batchEmbedContents reply: {exc}", excerpt=excerpt(body)
        ) from exc
    if len(embeddings) != expected:
        raise ResponseDecodeError(
            f"batchEmbedContents answered {len(embeddings)} embeddings for {expected} inputs",
            excerpt=excerpt(body),
        )
    return embeddings


def _vector(item: ContentEmbedding) -> Embedding:
    return Embedding(array("f", _floats.decode(item.values)))
