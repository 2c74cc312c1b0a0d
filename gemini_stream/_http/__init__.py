"""How a request reaches the API and its answer comes back: the ``Endpoint`` (root URL, headers,
credentials, defaults) that makes each ``Call``; the aiohttp ``Transport``; retries with
backoff; failures translated into the error tree; the JSON codec; Vertex AI and its OAuth
tokens; secrets kept out of reprs and chained errors.

May import: sse, _version, _config, _wire, _errors, _input, _limits, _observe.
"""
