"""The private base Struct every Gemini wire type derives from.

Options set here are inherited by subclasses; ``kw_only`` is not (msgspec applies it to the
fields a class declares itself), so every wire class repeats ``kw_only=True``.
"""

from __future__ import annotations

import msgspec

__all__ = ("Wire",)


class Wire(
    msgspec.Struct,
    rename="camel",
    omit_defaults=True,
    frozen=True,
    gc=False,
    repr_omit_defaults=True,
):
    """Base of the wire types: camelCase on the wire, unset fields omitted, immutable.

    ``gc=False`` is safe because wire values are trees (JSON has no cycles) and saves the
    collector from tracking every decoded object; unknown fields are ignored on decode so new
    server fields never break old clients.
    """
