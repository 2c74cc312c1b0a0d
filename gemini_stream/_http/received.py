"""A ``generateContent`` reply decoded with what came with it: its ``HttpInfo`` and, when the
client keeps it, its JSON."""

from __future__ import annotations

from .._wire.http_info import HttpInfo
from .._wire.response import GenerateContentResponse, received
from .call import Reply
from .codec import decode_response

__all__ = ("decode_reply",)


def decode_reply(reply: Reply, url: str, keep_raw: bool) -> GenerateContentResponse:
    """Decode a ``generateContent`` body; ``reply.http`` and (with ``keep_raw``)
    ``reply.raw_json`` then tell what came with it."""
    http = HttpInfo(reply.status, reply.headers, url)
    return received(decode_response(reply.body), http, reply.body if keep_raw else None)
