"""Memory stays flat as runs grow: results stream to disk, chunk by chunk.

The peak of traced memory (numpy and pyarrow buffers included) of a sweep four
times as long must stay within a small margin of the shorter one's, far below what
keeping the extra results in memory would add.
"""

import gc
import tracemalloc

from helpers.sweeps import tiny
from experiments.store import load_runs, load_series
from experiments.sweep import run_sweep


def peak_of(file, out) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run_sweep(file, out, workers=1, progress=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_runs(tmp_path):
    warm = tiny(tmp_path, "warm", rounds=20, replicates=1, chunk_size=6, steps=3)
    run_sweep(warm, tmp_path / "warm", progress=False)  # imports, caches, calibration
    short = tiny(tmp_path, "short", rounds=20, replicates=4, chunk_size=6, steps=3)  # 24 runs
    long = tiny(tmp_path, "long", rounds=20, replicates=16, chunk_size=6, steps=3)  # 96 runs
    peak_short = peak_of(short, tmp_path / "short")
    peak_long = peak_of(long, tmp_path / "long")
    extra = (load_runs(tmp_path / "long").memory_usage(deep=True).sum()
             + load_series(tmp_path / "long").memory_usage(deep=True).sum()) * 3 / 4
    # growth well under a quarter of what holding the 72 extra runs' results would take
    assert peak_long - peak_short < 0.25 * extra, (peak_short, peak_long, extra)
    assert peak_long < 1.25 * peak_short, (peak_short, peak_long)
    print(f"peak {peak_short} -> {peak_long} bytes; results of the extra runs {extra:.0f}")
