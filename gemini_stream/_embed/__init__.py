"""Embeddings: ``client.embed`` (inputs checked and batched under the API's per-call limit, the
batches sent concurrently through the client's rate limiter) and ``Embedding``, one vector held
as a compact ``array('f')``.

May import: _config, _wire, _errors, _input, _http.
"""
