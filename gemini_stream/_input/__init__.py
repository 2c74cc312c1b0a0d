"""What users pass, made into wire Structs: contents and system instructions, configs and their
shorthands (response schemas from Python types, thinking settings), tools, safety settings,
function declarations from Python functions, model names. Pure functions, no I/O; every
mistake is a ``TypeError`` or ``ValueError`` naming the value.

May import: _wire.
"""
