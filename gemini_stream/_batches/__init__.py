"""The Batch API: ``client.batches`` submits many ``generateContent`` requests as one
asynchronous job (at half the price), waits for it, and streams its results back by key;
``create_embeddings`` does the same for ``embedContent`` requests.

May import: _config, _wire, _errors, _input, _http, _media, _fanout, _embed.
"""
