"""What a reply cost: ``estimate_cost`` from a reply's usage, and the dated price table.

May import: _wire.
"""
