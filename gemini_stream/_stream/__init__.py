"""One streamed reply: ``ChunkStream``, the public face of ``ReplyReader`` (send, read, decode,
fold, release); what one read's events hold; how a reply ends from outside its events (the
client closed, the size cap, a reset); the pure fold of chunks into one reply; text and
thought deltas; why a reply has no text.

May import: sse, _config, _wire, _errors, _input, _limits, _http.
"""
