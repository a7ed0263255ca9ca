"""Benchmark scripts (not shipped): run from the repository root, e.g.
``python -m benchmarks.bench_model``. Each prints its figures."""
