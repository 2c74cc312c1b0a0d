"""gemini-stream: an asyncio-native, streaming-first client for the Gemini API."""

from __future__ import annotations

from ._errors import GeminiError as GeminiError
from ._errors import ResponseDecodeError as ResponseDecodeError

__version__ = "0.1.0"

__all__ = (
    "GeminiError",
    "ResponseDecodeError",
    "__version__",
)
