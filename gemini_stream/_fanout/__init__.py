"""Many requests at once: ``stream_many`` and ``generate_many`` (a pool of workers under one task
group), the values they take and give (``Request``, ``FanoutItem``, ``FanoutResults``,
``Progress``), and the hand-over of socket reads to the consumer, which decodes them.

May import: sse, _config, _wire, _errors, _input, _limits, _http, _stream.
"""
