"""Multi-turn chats: ``Chat`` (history, settings, persistence), ``ChatStream``, the public face
of ``ChatRounds`` (waiting for the chat, rounds of function calls, the commit), and the tools
that run Python functions. A chat sends through anything with a client's ``stream()``
(``SupportsStream``), so nothing here touches aiohttp.

May import: _wire, _errors, _input, _stream.
"""
