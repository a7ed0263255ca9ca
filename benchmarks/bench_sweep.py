"""Benchmarks of the sweep tool; prints figures (see docs/sweeps.md for results).

    python -m benchmarks.bench_sweep compare   # vectorised sweep vs mesa.batch_run, 2 processes
    python -m benchmarks.bench_sweep baseline  # 10,000 baseline runs x up to 100 rounds
    python -m benchmarks.bench_sweep nations   # cost per run-round for 34, 100, 300 nations
    python -m benchmarks.bench_sweep runs      # cost against the number of runs
    python -m benchmarks.bench_sweep profile   # where a round's time goes
    python -m benchmarks.bench_sweep all [--quick]

``mesa.batch_run`` forces the "spawn" start method for the whole program, so it is
run in a process of its own (``_batch_run``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


COMPARE_LEVELS = (0.25, 0.5, 0.75, 1.0)


def _experiment(folder: Path, name: str, seed: int, rounds: int, replicates: int,
                chunk_size: int, tables: str = "") -> Path:
    """A baseline experiment file; ``tables`` adds [parameters] and [vary.*] tables."""
    path = folder / f"{name}.toml"
    path.write_text(f'scenario = "baseline"\nseed = {seed}\nrounds = {rounds}\n'
                    f"replicates = {replicates}\nchunk_size = {max(1, chunk_size)}\n{tables}")
    return path


def _sweep(file: Path, out: Path, workers: int) -> dict:
    from experiments.sweep import run_sweep

    t0 = time.perf_counter()
    report = run_sweep(file, out, workers=workers, progress=False)
    report["wall"] = time.perf_counter() - t0
    return report


# --------------------------------------------------------------------------- vs batch_run
def _batch_run(replicates: int, rounds: int, workers: int) -> None:
    """(Own process.) mesa.batch_run of CoalitionModel; prints seconds as JSON."""
    import mesa

    from agents.coalition_model import CoalitionModel

    t0 = time.perf_counter()
    rows = mesa.batch_run(CoalitionModel, {"scenario": "baseline", "us_policy": "steadfast",
                                           "us_level": list(COMPARE_LEVELS)},
                          rng=list(range(replicates)), max_steps=rounds,
                          number_processes=workers, data_collection_period=-1,
                          display_progress=False)
    runs = len({r["RunId"] for r in rows})
    print(json.dumps({"seconds": time.perf_counter() - t0, "runs": runs}))


def compare(replicates: int = 16, rounds: int = 30, workers: int = 2) -> dict:
    """Same model, parameters and worker count: the sweep tool against mesa.batch_run."""
    runs = replicates * len(COMPARE_LEVELS)
    with tempfile.TemporaryDirectory() as tmp:
        file = _experiment(Path(tmp), "compare", 1, rounds, replicates, runs // (2 * workers),
                           '[parameters]\nus_policy = "steadfast"\n'
                           f"[vary.us_level]\nvalues = {list(COMPARE_LEVELS)}\n")
        ours = _sweep(file, Path(tmp) / "out", workers)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_sweep", "_batch_run",
                           str(replicates), str(rounds), str(workers)],
                          capture_output=True, text=True, check=True)
    mesa = json.loads(proc.stdout.strip().splitlines()[-1])
    out = {"runs": runs, "rounds": rounds, "workers": workers,
           "vectorised_s": ours["wall"], "batch_run_s": mesa["seconds"],
           "vectorised_runs_per_s": runs / ours["wall"],
           "batch_run_runs_per_s": mesa["runs"] / mesa["seconds"]}
    out["ratio"] = out["vectorised_runs_per_s"] / out["batch_run_runs_per_s"]
    print(f"[compare] {runs} baseline runs (steadfast US at {COMPARE_LEVELS}), up to {rounds} "
          f"rounds, {workers} processes each")
    print(f"  vectorised sweep (incl. Parquet): {ours['wall']:7.2f} s  "
          f"{out['vectorised_runs_per_s']:8.2f} runs/s")
    print(f"  mesa.batch_run(CoalitionModel):   {mesa['seconds']:7.2f} s  "
          f"{out['batch_run_runs_per_s']:8.2f} runs/s")
    print(f"  ratio: {out['ratio']:.2f}x")
    return out


# --------------------------------------------------------------------------- 10k baseline
def baseline(runs: int = 10_000, rounds: int = 100, workers: int = 2,
             forced_runs: int = 256) -> dict:
    """10,000 baseline runs x up to 100 rounds (the model stops a run at its verdict), and
    a sample played for all 100 rounds (stop_on_verdict = false) to extrapolate."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        file = _experiment(Path(tmp), "baseline", 2, rounds, runs, 256)
        rep = _sweep(file, Path(tmp) / "out", workers)
        from experiments.store import load_runs

        rounds_run = load_runs(Path(tmp) / "out")["rounds_run"]
        out["stop_on_verdict"] = {"runs": runs, "seconds": rep["wall"],
                                  "mean_rounds": float(rounds_run.mean())}
        print(f"[baseline] {runs} runs, up to {rounds} rounds, {workers} processes: "
              f"{rep['wall']:.1f} s ({runs / rep['wall']:.1f} runs/s; runs stop at their "
              f"verdict after {rounds_run.mean():.1f} rounds on average)")
        file = _experiment(Path(tmp), "forced", 2, rounds, forced_runs,
                           forced_runs // (2 * workers), "[parameters]\nstop_on_verdict = false\n")
        rep = _sweep(file, Path(tmp) / "forced", workers)
        per = rep["wall"] / forced_runs
        out["all_rounds"] = {"runs": forced_runs, "seconds": rep["wall"],
                             "extrapolated_10k_s": per * 10_000,
                             "ms_per_run_round": 1000 * rep["wall"] * workers / (forced_runs * rounds)}
        print(f"[baseline] {forced_runs} runs x all {rounds} rounds (stop_on_verdict = false): "
              f"{rep['wall']:.1f} s -> 10,000 runs would take {per * 10_000:.0f} s "
              f"({out['all_rounds']['ms_per_run_round']:.2f} ms per run-round per core)")
    return out


# --------------------------------------------------------------------------- scaling
def _engine_time(params: dict, runs: int, rounds: int, lane: int | None = None) -> float:
    """Seconds of the vectorised engine alone (one process), world building excluded."""
    from experiments.design import RunSpec, run_seed
    from experiments.engine import run_vectorised

    warm = [RunSpec(0, 0, 0, run_seed(0, 0), params, {})]
    run_vectorised("baseline", warm, 1)  # calibration cache, imports
    specs = [RunSpec(i, 0, i, run_seed(1, i), params, {}) for i in range(runs)]
    t0 = time.perf_counter()
    run_vectorised("baseline", specs, rounds, lane=lane)
    return time.perf_counter() - t0


def nations(sizes=(34, 100, 300), rounds: int = 3) -> dict:
    """Cost per run-round against the number of (synthetic, identical) nations."""
    out = {}
    print("[nations] identical nations, all rounds played, one process")
    for n in sizes:
        runs = max(4, int(2 * 34**2 * 16 / n**2))
        params = {"nations": "identical", "n_nations": n, "noise": 0.02, "stop_on_verdict": False}
        t = _engine_time(params, runs, rounds)
        ms = 1000 * t / (runs * rounds)
        out[n] = ms
        print(f"  N = {n:4d}: {ms:9.2f} ms per run-round ({runs} runs x {rounds} rounds; "
              f"{1e6 * t / (runs * rounds * n * (n + 1)):.3f} us per counterfactual cell)")
    return out


def runs_curve(counts=(64, 256, 1024), rounds: int = 10) -> dict:
    """Cost against the number of runs (baseline, all rounds played, one process)."""
    out = {}
    print(f"[runs] baseline, {rounds} rounds each, one process")
    for runs in counts:
        t = _engine_time({"stop_on_verdict": False, "noise": 0.01}, runs, rounds)
        out[runs] = t
        print(f"  {runs:6d} runs: {t:7.2f} s  ({1000 * t / (runs * rounds):.2f} ms per run-round)")
    return out


def lanes(widths=(1, 2, 4, 8, 16, 32, 64), runs: int = 64, rounds: int = 5) -> dict:
    """Runs per play_round call against the cost (baseline, one process)."""
    out = {}
    print(f"[lanes] {runs} baseline runs x {rounds} rounds, one process")
    for w in widths:
        t = _engine_time({"stop_on_verdict": False, "noise": 0.01}, runs, rounds, lane=w)
        out[w] = 1000 * t / (runs * rounds)
        print(f"  lane {w:3d}: {out[w]:.2f} ms per run-round")
    return out


def profile(runs: int = 32, rounds: int = 5, top: int = 12) -> None:
    """cProfile of the engine: the functions a round spends its time in."""
    import cProfile
    import pstats

    from experiments.design import RunSpec, run_seed
    from experiments.engine import run_vectorised

    params = {"stop_on_verdict": False, "noise": 0.01}
    run_vectorised("baseline", [RunSpec(0, 0, 0, 1, params, {})], 1)
    specs = [RunSpec(i, 0, i, run_seed(1, i), params, {}) for i in range(runs)]
    prof = cProfile.Profile()
    prof.enable()
    run_vectorised("baseline", specs, rounds)
    prof.disable()
    print(f"[profile] {runs} baseline runs x {rounds} rounds (cumulative time, top {top})")
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["all", "compare", "baseline", "nations", "runs", "lanes",
                                 "profile", "_batch_run"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a minute or two)")
    a = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if a.what == "_batch_run":
        _batch_run(*(int(x) for x in a.args))
        return 0
    q = a.quick
    results = {}
    if a.what in ("all", "compare"):
        results["compare"] = compare(replicates=4 if q else 16, rounds=20 if q else 30)
    if a.what in ("all", "baseline"):
        results["baseline"] = baseline(runs=1000 if q else 10_000, forced_runs=32 if q else 256)
    if a.what in ("all", "nations"):
        results["nations"] = nations(sizes=(34, 100) if q else (34, 100, 300))
    if a.what in ("all", "runs"):
        results["runs"] = runs_curve(counts=(32, 64, 128) if q else (64, 256, 1024))
    if a.what == "lanes":
        results["lanes"] = lanes()
    if a.what in ("all", "profile"):
        profile()
    print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
