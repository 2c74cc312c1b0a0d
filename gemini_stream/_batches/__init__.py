"""The Batch API: ``client.batches`` submits many ``generateContent`` requests as one
asynchronous job (at half the price), waits for it, and streams its results back by key.

May import: _config, _wire, _errors, _input, _http, _media, _fanout.
"""
