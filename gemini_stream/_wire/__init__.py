"""The Gemini wire format as typed values: the msgspec Structs and enums of the v1beta surface
(requests, replies, tools, files, error bodies), their conversion from wire-shaped dicts, reading
local media for inline parts, and the root of the exception tree (``GeminiError`` and
``ParseError`` live beside the reply they carry and that raises one).

Every other layer builds on it; it builds on nothing of ours.

May import: nothing of the package.
"""
