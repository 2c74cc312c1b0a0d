"""The exception tree: every error the library raises is a ``GeminiError``.

    GeminiError                              .partial: the reply received so far, if any
    ├── APIError                             the server answered with an error
    │   ├── BadRequestError                  400 INVALID_ARGUMENT / FAILED_PRECONDITION
    │   ├── AuthenticationError              400 API_KEY_INVALID, 401
    │   ├── PermissionDeniedError            403
    │   ├── NotFoundError                    404
    │   ├── RateLimitError                   429, .retry_delay in seconds
    │   └── ServerError                      5xx
    │       └── ServiceUnavailableError      503, .retry_delay in seconds
    ├── APIConnectionError                   the request or the reply did not get through
    │   └── StreamInterruptedError           the connection dropped in the middle of a reply
    ├── GeminiTimeoutError (TimeoutError)
    │   ├── ConnectTimeoutError
    │   ├── FirstChunkTimeoutError
    │   ├── IdleTimeoutError
    │   ├── TotalTimeoutError
    │   ├── FileProcessingTimeoutError       an uploaded file was not ACTIVE in time
    │   └── BatchTimeoutError                a batch job had not ended in time
    ├── IncompleteStreamError                the stream ended without a finishReason
    ├── InteractionFailedError               an interaction ended with status "failed"
    ├── ReplyTooLargeError                   the reply grew past max_reply_bytes
    ├── BlockedError                         text was asked for, but the prompt or reply was blocked
    ├── FunctionCallLimitError               automatic function calling ran out of rounds
    ├── ParseError (ValueError)              the reply's text does not fit the requested type
    ├── UploadError                          the resumable upload protocol went wrong
    ├── FileProcessingError                  an uploaded file's processing FAILED
    ├── CredentialsError                     no Vertex AI access token could be obtained
    ├── RedirectError                        the server answered 3xx: redirects are refused
    ├── LimiterUnavailableError              a shared rate limiter's store (Redis) did not answer
    ├── ResponseDecodeError (ValueError)     malformed JSON from the server
    ├── EventTooLargeError (ValueError)      one SSE event exceeded max_event_bytes
    ├── UnknownEnumValueWarning (UserWarning) a warning: a request enum value we do not know
    ├── ClientClosedError (RuntimeError)     the client was closed before or during the call
    ├── ConcurrentReadError (RuntimeError)   a second task read a stream another was reading
    ├── ChatBusyError (RuntimeError)         a chat's previous reply was left open, unread
    └── StreamConsumedError (RuntimeError)   a finished stream was iterated again

Every exception raised after a request went out has ``partial``: the fold of the chunks
received before the failure (an empty ``GenerateContentResponse`` when none arrived), so
nothing already received is lost.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

# A warning issued by the input checks, which may import only the wire types.
from ._wire.enum_warning import UnknownEnumValueWarning as UnknownEnumValueWarning

# The root of the tree and ParseError live beside the reply they carry and that raises one.
from ._wire.response import GeminiError as GeminiError
from ._wire.response import ParseError as ParseError

if sys.version_info < (3, 11):  # anyio raises the backport's groups there
    from exceptiongroup import BaseExceptionGroup  # type: ignore[import-not-found, unused-ignore]


class APIError(GeminiError):
    """The server answered with an error (an HTTP error status, or an error inside a stream).

    Attributes:
        code: the HTTP status code (Google repeats it in the body's ``error.code``).
        status: the google.rpc status name, such as ``"RESOURCE_EXHAUSTED"`` (``""`` if none).
        message: the server's message, or a short excerpt of a body that was not JSON.
        details: the typed ``error.details`` entries (RetryInfo, ErrorInfo, QuotaFailure, ...).
        body: the raw error body as received.
        close_code: the WebSocket close code when the error closed a live session (1007,
            1008, 1011), else ``None``; ``code`` is then the matching HTTP status.
    """

    close_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        code: int,
        status: str = "",
        details: tuple[object, ...] = (),
        body: bytes = b"",
    ) -> None:
        label = f"{code} {status}".strip()
        super().__init__(f"{label}: {message}" if message else label)
        self.code = code
        self.status = status
        self.message = message
        self.details = details
        self.body = body


class BadRequestError(APIError):
    """HTTP 400: the request was malformed or asked for something the model cannot do."""


class AuthenticationError(APIError):
    """The API key was missing, malformed or not valid (400 ``API_KEY_INVALID``, 401)."""


class PermissionDeniedError(APIError):
    """HTTP 403: the key may not use this method, model or project."""


class NotFoundError(APIError):
    """HTTP 404: the model or resource does not exist for this API version."""


class RateLimitError(APIError):
    """HTTP 429: a rate limit or quota was exceeded.

    Attributes:
        retry_delay: seconds the server asked the client to wait (``RetryInfo.retryDelay`` or
            ``Retry-After``), or ``None`` when it named no delay.
    """

    retry_delay: float | None = None


class ServerError(APIError):
    """HTTP 5xx: the server failed; usually worth retrying."""


class ServiceUnavailableError(ServerError):
    """HTTP 503: the model is overloaded or unavailable for now.

    Attributes:
        retry_delay: seconds the server asked the client to wait (``Retry-After``, which HTTP
            allows on a 503, or ``RetryInfo.retryDelay``), or ``None`` when it named none.
    """

    retry_delay: float | None = None


class APIConnectionError(GeminiError):
    """The request or its reply did not get through (DNS, refused, reset, TLS, proxy)."""


class StreamInterruptedError(APIConnectionError):
    """The connection dropped in the middle of a reply; ``partial`` holds what arrived."""


class GeminiTimeoutError(GeminiError, TimeoutError):
    """A configured timeout (see ``gs.Timeouts``) ran out."""


class ConnectTimeoutError(GeminiTimeoutError):
    """Connecting to the server took longer than ``Timeouts.connect``."""


class FirstChunkTimeoutError(GeminiTimeoutError):
    """The first byte of the reply took longer than ``Timeouts.first_chunk``."""


class IdleTimeoutError(GeminiTimeoutError):
    """The reply went silent for longer than ``Timeouts.idle``."""


class TotalTimeoutError(GeminiTimeoutError):
    """The whole call, retries included, took longer than ``Timeouts.total``."""


class IncompleteStreamError(GeminiError):
    """The stream ended without a ``finishReason``: the reply is truncated (see ``partial``)."""


class InteractionFailedError(GeminiError):
    """An interaction (Interactions API) ended with status ``"failed"``; ``partial`` is the
    ``Interaction`` as it stood, its ``errors`` included when the server listed any."""


class ReplyTooLargeError(GeminiError):
    """The reply's body grew past ``Client(max_reply_bytes=...)``; the stream was closed and
    ``partial`` holds what came before the cap."""


class BlockedError(GeminiError):
    """Text was asked for, but the prompt was blocked or the reply was stopped for safety.

    Attributes:
        reason: the block reason or finish reason, such as ``"SAFETY"``.
        ratings: the safety ratings the server gave, if any.
    """

    def __init__(self, message: str, *, reason: str, ratings: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.ratings = ratings


class ResponseDecodeError(GeminiError, ValueError):
    """The server sent JSON that could not be decoded into the expected type.

    Attributes:
        excerpt: the start of the offending payload, for the message and for logs.
    """

    def __init__(self, message: str, *, excerpt: str = "") -> None:
        super().__init__(f"{message}; payload starts {excerpt}" if excerpt else message)
        self.excerpt = excerpt


class EventTooLargeError(GeminiError, ValueError):
    """One server-sent event grew past the reader's ``max_event_bytes`` cap."""


class ClientClosedError(GeminiError, RuntimeError):
    """The client was used after ``aclose()``, or closed while a reply was being read (every
    reader is woken with this error at once; ``partial`` holds what its reply had so far)."""


class ChatBusyError(GeminiError, RuntimeError):
    """A chat message waited for the chat's previous reply, which nobody read for
    ``chat.abandoned_after`` seconds: a stream kept open (after a ``break``, in a variable),
    named in the message. Close it (``async with``, ``aclose()``) to free the chat."""


class ConcurrentReadError(GeminiError, RuntimeError):
    """A task read a stream while another task was waiting for the same stream's data.

    The task already reading goes on unharmed; read one stream from one task at a time.
    """


class StreamConsumedError(GeminiError, RuntimeError):
    """A stream that already finished (or was closed) was iterated again."""


class FunctionCallLimitError(GeminiError):
    """The model still asked for function calls after ``max_function_rounds`` rounds.

    Nothing of the exchange is committed to the chat's history; ``partial`` is the last
    reply (its ``function_calls`` are the unanswered calls).
    """


class UploadError(GeminiError):
    """A Files-API upload broke off: no upload URL, or the server did not finalize the file."""


class FileProcessingError(GeminiError):
    """The server failed to process an uploaded file (its ``state`` became ``FAILED``).

    Attributes:
        file: the ``gs.File`` as last seen, with its ``error``.
    """

    def __init__(self, message: str, *, file: object) -> None:
        super().__init__(message)
        self.file = file


class FileProcessingTimeoutError(GeminiTimeoutError):
    """An uploaded file was still ``PROCESSING`` when the wait for ``ACTIVE`` timed out.

    Attributes:
        file: the ``gs.File`` as last seen.
    """

    def __init__(self, message: str, *, file: object) -> None:
        super().__init__(message)
        self.file = file


class BatchTimeoutError(GeminiTimeoutError):
    """A batch job had not ended when ``client.batches.wait`` timed out.

    Attributes:
        batch: the ``gs.Batch`` as last seen.
    """

    def __init__(self, message: str, *, batch: object) -> None:
        super().__init__(message)
        self.batch = batch


class CredentialsError(GeminiError):
    """Vertex AI needs an OAuth access token and none could be obtained (the token provider
    or Application Default Credentials failed; the cause is chained)."""


class LimiterUnavailableError(GeminiError):
    """A shared rate limiter could not reach its store (``gs.RedisLimiter``: Redis refused the
    connection, did not answer within its timeout, or failed the command), so the request was
    not sent. Raised under the default ``on_unavailable="raise"`` policy: nothing goes out
    unless the shared quota said so. The request may be sent again once the store is back."""


class RedirectError(GeminiError):
    """The server answered with a redirect (3xx), which the client refuses.

    The Gemini API never redirects its calls; following one would send the API key or the
    bearer token, and the request, where ``base_url`` did not say. A redirect is never
    followed and never retried: point ``base_url`` at the final address instead.

    Attributes:
        code: the HTTP status, such as 301 or 307.
        location: the ``Location`` the server pointed to (``None`` when it named none).
    """

    def __init__(self, message: str, *, code: int, location: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.location = location


_BY_CODE: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def client_closed(*, reading: bool = False) -> ClientClosedError:
    """The error of a call made on a closed client, or (``reading``) of a reply that
    ``aclose()`` broke while it was being read."""
    if reading:
        return ClientClosedError(
            "the client was closed with aclose() while this reply was being read; what came "
            "is in the error's partial"
        )
    return ClientClosedError("this client was closed with aclose(); create a new Client")


def reply_too_large(cap: int) -> ReplyTooLargeError:
    """The error of a streamed reply whose body passed ``Client(max_reply_bytes=cap)``."""
    return ReplyTooLargeError(
        f"the reply's body passed Client(max_reply_bytes={cap}); the stream was closed, and "
        "what came before the cap is in the error's partial"
    )


def api_error(
    code: int,
    status: str,
    message: str,
    details: tuple[object, ...],
    body: bytes,
    retry_delay: float | None,
) -> APIError:
    """Build the ``APIError`` subclass that matches an HTTP code and Google's error details."""
    cls = _BY_CODE.get(code) or (ServerError if 500 <= code < 600 else APIError)
    if code == 400 and any(getattr(d, "reason", None) == "API_KEY_INVALID" for d in details):
        cls = AuthenticationError
    error = cls(message, code=code, status=status, details=details, body=body)
    if isinstance(error, (RateLimitError, ServiceUnavailableError)):
        error.retry_delay = retry_delay
    return error


@contextmanager
def unwrapped() -> Iterator[None]:
    """Raise a task group's only error as itself, so users see it unwrapped."""
    try:
        yield
    except BaseExceptionGroup as group:
        errors = group.exceptions
        while len(errors) == 1 and isinstance(errors[0], BaseExceptionGroup):
            errors = errors[0].exceptions
        if len(errors) != 1:
            raise
        raise errors[0] from errors[0].__cause__
