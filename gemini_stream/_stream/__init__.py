"""One streamed reply: ``ChunkStream``, the public face of ``ReplyReader`` (send, read, decode,
fold, release); what one read's events hold; the pure fold of chunks into one reply; text and
thought deltas; why a reply has no text.

May import: sse, _config, _wire, _errors, _input, _limits, _http.
"""
