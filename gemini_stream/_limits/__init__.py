"""Client-side rate limits: the ``Limiter`` protocol and its in-process sliding window, and how
a request is admitted (batch limits stacked on the client's, token estimates corrected from
the reply's usage).

May import: _config, _errors.
"""
