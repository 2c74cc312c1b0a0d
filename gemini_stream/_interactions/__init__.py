"""The Interactions API (``/v1beta/interactions``): ``client.interactions``; its wire types
(snake_case steps, deltas and events), the decoding of its ``event:``-named SSE streams, the
fold of events into an ``Interaction``, and ``InteractionStream``, which resumes a dropped
stream from its last ``event_id``.

May import: sse, _config, _wire, _errors, _input, _limits, _http, _chat (its toolbox).
"""
