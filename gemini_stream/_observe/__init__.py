"""Watching requests from outside: the events hooks receive (``Hooks`` and its event shapes),
one log record per request on the ``gemini_stream`` logger tree (``GEMINI_STREAM_LOG``),
URLs and bodies with their secrets and media taken out, and OpenTelemetry spans when
``opentelemetry-api`` is installed and a tracer provider is set. ``Probe`` follows one request
for all of them; nothing is made when nothing watches.

May import: _version, _wire, _errors.
"""
