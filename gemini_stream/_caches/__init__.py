"""Explicit context caching: ``client.caches`` creates, reads, lists, extends and deletes
``cachedContents`` resources (a prompt prefix stored once, referenced by many requests).

May import: _config, _wire, _errors, _input, _http.
"""
