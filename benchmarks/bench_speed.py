"""Benchmark: speed where researchers feel it, this checkout against a reference, side by side.

    python -m benchmarks.bench_speed [--against REV] [--runs 512] [--ref-runs 128]
                                     [--full] [--timeout 60] [--no-app]

Checks REV (default ae129ef, the commit before the compiled membership kernel) out into
a temporary git worktree and measures, in the same run, in fresh processes of each
checkout:

1. ``us-walks-away`` x 100 rounds, every round played (``stop_on_verdict = false``), as
   a sweep on 2 worker processes (Parquet included): ``--runs`` runs now, ``--ref-runs``
   in the reference, each extrapolated linearly to 10,000 runs (a sweep's cost is
   linear in its runs: docs/sweeps.md); ``--full`` plays all 10,000 in this checkout.
2. The cost per run-round against nations (identical nations, noise 0.02, all rounds
   played, the sweep engine in one process): N = 34, 100, 300, 1,000.
3. The first round against nations (the textbook game, where all but three of N
   nations leave: the membership step's worst case) for N = 50, 100, 200, 400, 1,000,
   one Mesa model; a measurement slower than ``--timeout`` seconds is stopped and shown
   as "> T s".
4. The app: median time from a click on Step to the updated banner (benchmarks/bench_app.py,
   Debian's chromium), unless ``--no-app``.

Timings are CPU seconds of the measured process where one process runs (1-3 below
the sweep), wall seconds for the sweep and the app. Other work on the machine makes
them noisy: read ratios, not the last digit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SWEEP_RUNS = 10_000
NATIONS = (34, 100, 300, 1000)
FIRST_ROUND = (50, 100, 200, 400, 1000)

# Each runs inside the checkout being measured and prints one JSON line.
SWEEP = r"""
import json, sys, tempfile, time
from pathlib import Path
from experiments.sweep import run_sweep
runs, workers = int(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    file = Path(tmp) / "walks.toml"
    file.write_text(f'scenario = "us-walks-away"\nseed = 5\nrounds = 100\nreplicates = {runs}\n'
                    f'chunk_size = {max(1, min(1024, runs // (2 * workers)))}\n'
                    '[parameters]\nstop_on_verdict = false\n')
    warm = Path(tmp) / "warm.toml"  # imports, calibration, the kernel's cache
    warm.write_text('scenario = "us-walks-away"\nseed = 1\nrounds = 2\nreplicates = 4\n')
    run_sweep(warm, Path(tmp) / "warm", workers=1, progress=False)
    t0 = time.perf_counter()
    run_sweep(file, Path(tmp) / "out", workers=workers, progress=False, force=True)
    print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

NATION_COST = r"""
import json, sys, time
from experiments.design import RunSpec, run_seed
from experiments.engine import run_vectorised
n = int(sys.argv[1])
runs, rounds = max(1, min(64, 40000 // n ** 2 * 4)), 3 if n < 1000 else 2
params = {"nations": "identical", "n_nations": n, "noise": 0.02, "stop_on_verdict": False}
warm = dict(params, n_nations=100)  # imports, calibration, the kernel's cache
run_vectorised("baseline", [RunSpec(0, 0, 0, run_seed(0, 0), warm, {})], 1)
specs = [RunSpec(i, 0, i, run_seed(1, i), params, {}) for i in range(runs)]
t0 = time.process_time()
run_vectorised("baseline", specs, rounds)
print(json.dumps({"ms": 1000 * (time.process_time() - t0) / (runs * rounds)}))
"""

FIRST = r"""
import json, sys, time
import numpy as np
from agents.coalition_model import CoalitionModel
n = int(sys.argv[1])
CoalitionModel("lq-textbook", rng=1, n_nations=120).step()  # imports, the kernel's cache
model = CoalitionModel("lq-textbook", rng=3, n_nations=n, stop_on_verdict=False)
t0 = time.process_time()
model.step()
print(json.dumps({"seconds": time.process_time() - t0,
                  "switches": int(np.abs(model.state.switched).sum())}))
"""


def measure(path: Path, code: str, *args, timeout: float | None = None,
            env: dict | None = None) -> dict | None:
    """Run ``code`` in a fresh process of the checkout at ``path``; its JSON, or None
    if it took longer than ``timeout``."""
    environ = {"PYTHONPATH": str(path), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "HOME": os.environ.get("HOME", "/root"), "OMP_NUM_THREADS": "1", **(env or {})}
    try:
        result = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=path,
                                env=environ, capture_output=True, text=True, check=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"measurement failed in {path}:\n{exc.stderr[-2000:]}") from None
    return json.loads(result.stdout.strip().splitlines()[-1])


def app_median(path: Path, steps: int) -> float | None:
    """bench_app's median Step latency (ms) in the checkout at ``path``."""
    try:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_app", "--steps", str(steps)],
                             cwd=path, env={**os.environ, "PYTHONPATH": str(path)},
                             capture_output=True, text=True, check=True, timeout=600).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"  (app benchmark failed in {path.name}: {str(exc)[:200]})")
        return None
    found = re.search(r"median (\d+) ms", out)
    return float(found.group(1)) if found else None


def seconds(result: dict | None, key: str, timeout: float) -> str:
    return f"> {timeout:.0f} s" if result is None else f"{result[key]:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="ae129ef")
    parser.add_argument("--runs", type=int, default=512)
    parser.add_argument("--ref-runs", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="all 10,000 runs in this checkout")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--no-app", action="store_true")
    args = parser.parse_args(argv)
    runs = SWEEP_RUNS if args.full else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(ref), args.against],
                       cwd=ROOT, check=True)
        try:
            report(ref, args, runs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, check=True)
    return 0


def report(ref: Path, args, runs: int) -> None:
    name = args.against
    print(f"1. us-walks-away x 100 rounds, every round played, sweep on {args.workers} processes")
    now = measure(ROOT, SWEEP, runs, args.workers)["seconds"]
    before = measure(ref, SWEEP, args.ref_runs, args.workers)["seconds"]
    now_10k, before_10k = now * SWEEP_RUNS / runs, before * SWEEP_RUNS / args.ref_runs
    print(f"   {name}: {args.ref_runs} runs in {before:.1f} s -> 10,000 runs {before_10k:.0f} s")
    print(f"   now:    {runs} runs in {now:.1f} s -> 10,000 runs {now_10k:.0f} s"
          f"{' (measured)' if runs == SWEEP_RUNS else ''}   x{before_10k / now_10k:.1f}"
          f"   (goal: under 60 s)")

    print("2. cost per run-round against nations (identical nations, sweep engine, 1 process)")
    for n in NATIONS:
        b = measure(ref, NATION_COST, n, timeout=args.timeout)
        a = measure(ROOT, NATION_COST, n, timeout=args.timeout)
        fmt = (lambda r: f"> {args.timeout:.0f} s" if r is None else f"{r['ms']:9.2f} ms")
        ratio = f"x{b['ms'] / a['ms']:.1f}" if a and b else ""
        print(f"   N = {n:5d}: {name} {fmt(b)}   now {fmt(a)}   {ratio}"
              + (f"   ({1e6 * a['ms'] / n ** 2:.2f} ns per N^2)" if a else ""))

    print("3. first round against nations (textbook game: all but three leave; one Mesa model)")
    for n in FIRST_ROUND:
        b = measure(ref, FIRST, n, timeout=args.timeout)
        a = measure(ROOT, FIRST, n, timeout=args.timeout)
        a_np = measure(ROOT, FIRST, n, timeout=args.timeout, env={"COALITION_KERNEL": "numpy"})
        print(f"   N = {n:5d}: {name} {seconds(b, 'seconds', args.timeout):>9}   now "
              f"{seconds(a, 'seconds', args.timeout):>9} (NumPy only: "
              f"{seconds(a_np, 'seconds', args.timeout)})   "
              f"{'' if a is None else str(a['switches']) + ' switches'}")

    if not args.no_app:
        print(f"4. app: Step to updated banner, baseline, median of {args.steps} steps")
        b, a = app_median(ref, args.steps), app_median(ROOT, args.steps)
        print(f"   {name}: {b} ms   now: {a} ms   (goal: under 100 ms)")


if __name__ == "__main__":
    sys.exit(main())
