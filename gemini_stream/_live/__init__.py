"""The Live API (``BidiGenerateContent`` over a WebSocket): ``client.live``; the typed server
messages, the ``setup`` message built from a call's arguments, the socket handshake with its
close codes mapped into the error tree, ``LiveSession`` (bounded receive buffer, automatic
tools, transparent resumption) and ephemeral tokens.

May import: _config, _wire, _errors, _input, _http, _chat (its toolbox).
"""
