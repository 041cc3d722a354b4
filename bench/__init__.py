"""Benchmarks and the synthetic-corpus generator (not part of the installed packages).

Run from the repository root: ``python -m bench.corpus --help``, ``python -m bench.bench_places --help``.
"""
