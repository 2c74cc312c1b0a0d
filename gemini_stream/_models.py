"""``client.models``: what the API says about its models (``models.get``, ``models.list``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from ._http.codec import decode_list_models, decode_model
from ._wire.models import Model

if TYPE_CHECKING:
    from ._config import Timeouts
    from ._http.endpoint import Endpoint

__all__ = ("Models",)


class Models:
    """The models of one ``Client``: ``client.models``.

    Example:
        >>> model = await client.models.get("gemini-2.5-flash")
        >>> model.input_token_limit
        1048576
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    async def get(self, name: str, *, timeouts: Timeouts | None = None) -> Model:
        """Describe one model: token limits, supported methods, defaults.

        Args:
            name: ``"gemini-2.5-flash"``, ``"models/..."`` or ``"tunedModels/..."``.
            timeouts: a per-call override of the client's ``Timeouts``.

        Raises:
            NotFoundError: there is no such model.
        """
        call = self._endpoint.model_call(name, "", None, timeouts, None)
        return decode_model(await call.fetch())

    async def list(
        self, *, page_size: int = 50, timeouts: Timeouts | None = None
    ) -> AsyncIterator[Model]:
        """Iterate over every model the API offers, fetching pages as needed.

        Raises:
            ValueError: ``page_size`` is not a positive int, or the client is on Vertex AI,
                which has no such list.

        Example:
            >>> async for model in client.models.list():
            ...     print(model.name)
        """
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be a positive int, got {page_size!r}")
        if self._endpoint.vertex is not None:
            raise ValueError("models.list() lists Gemini API models; Vertex AI has no such list")
        token = ""
        while True:
            query = f"models?pageSize={page_size}" + (f"&pageToken={token}" if token else "")
            call = self._endpoint.call(query, "models", None, timeouts, None)
            page = decode_list_models(await call.fetch())
            for model in page.models or ():
                yield model
            token = page.next_page_token or ""
            if not token:
                return
