"""Client-side rate limits: the ``Limiter`` protocol, its in-process sliding window, the
Redis-backed one shared by many processes (redis-py imported on first use), and how a request
is admitted (batch limits stacked on the client's, token estimates corrected from the reply's
usage).

May import: _config, _errors.
"""
