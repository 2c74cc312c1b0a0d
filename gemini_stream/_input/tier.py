"""``service_tier=``: the service tier a request asks for, checked before it is sent."""

from __future__ import annotations

from .enum_policy import KNOWN, warn_unknown

__all__ = ("SERVICE_TIERS", "check_service_tier")

SERVICE_TIERS = KNOWN["ServiceTier"]
"""The tiers known to this version: ``"standard"``, ``"flex"``, ``"priority"`` (and
``"unspecified"``, which the API reads as standard)."""


def check_service_tier(tier: str | None) -> str | None:
    """Return ``tier`` as the wire spells it (lower case), or ``None``.

    A known tier matches case-insensitively (``"FLEX"`` is sent as ``"flex"``, as Google's
    SDKs send it). Another string is sent as given after an ``UnknownEnumValueWarning``
    (once per value), as for every enum: a tier newer than this version stays usable.

    Raises:
        TypeError: ``tier`` is not a string.
        ValueError: ``tier`` is empty or holds spaces.
    """
    if tier is None:
        return None
    if not isinstance(tier, str):
        raise TypeError(f"service_tier must be a str such as 'flex', got {tier!r}")
    if not tier or tier != tier.strip() or " " in tier:
        raise ValueError(
            f"invalid service_tier {tier!r}: expected one of {', '.join(sorted(SERVICE_TIERS))}"
        )
    lower = tier.lower()
    if lower in SERVICE_TIERS:
        return lower
    warn_unknown("GenerateContentRequest.service_tier", tier, "ServiceTier", "service_tier")
    return tier
