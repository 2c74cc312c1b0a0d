"""``UnknownEnumValueWarning``: a request carries an enum value this version does not know."""

from __future__ import annotations

from .response import GeminiError

__all__ = ("UnknownEnumValueWarning",)


class UnknownEnumValueWarning(GeminiError, UserWarning):
    """A request carries an enum value this version of gemini-stream does not know.

    The value is sent as given (the API may know it: new values appear before a release
    names them), and the API answers 400 INVALID_ARGUMENT if it does not. Issued once per
    field and value in a process. It is a ``GeminiError`` too, so a program that turns
    warnings into errors catches it with the rest. Silence it with
    ``warnings.filterwarnings("ignore", category=gs.UnknownEnumValueWarning)``.
    """
