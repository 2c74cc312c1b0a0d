"""Benchmark scripts and the shared corpus generator (not part of the installed package)."""
