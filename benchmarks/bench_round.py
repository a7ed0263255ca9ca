"""Benchmark: the cost of a round, this checkout against an earlier revision, side by side.

    python -m benchmarks.bench_round [--against REV] [--repeat 5] [--rounds 100]

Checks the revision out into a temporary git worktree and times the same scenarios in
both, alternately, in fresh processes (CPU time, the best of ``--repeat`` runs of
``--rounds`` rounds each through the Mesa model, every round played). Default REV:
d5922f1, the last commit of the first version of the model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "us-walks-away", "erratic-us")
# scenarios the reference may not have (the reassurance force): timed in this checkout only
NEW_SCENARIOS = ("ceasefire-with-backstop", "ceasefire-no-backstop", "ceasefire-transactional-us")

# Runs inside the checkout being timed; imports whichever Mesa model it has.
TIMER = r"""
import importlib, json, sys, time
def model_class():
    for name in ("agents.coalition_model", "model.coalition_model"):
        try:
            return importlib.import_module(name).CoalitionModel
        except ImportError:
            pass
CoalitionModel = model_class()
rounds, repeat = int(sys.argv[1]), int(sys.argv[2])
out = {}
for scenario in sys.argv[3:]:
    best = float("inf")
    for _ in range(repeat):
        model = CoalitionModel(scenario, rng=1, stop_on_verdict=False)
        start = time.process_time()
        model.run(rounds)
        best = min(best, time.process_time() - start)
    out[scenario] = 1000 * best / rounds
print(json.dumps(out))
"""


def time_checkout(path: Path, rounds: int, repeat: int,
                  scenarios: tuple[str, ...] = SCENARIOS) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", TIMER, str(rounds), str(repeat), *scenarios],
                            cwd=path, env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="d5922f1")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ref = Path(tmp) / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(ref), args.against],
                       cwd=ROOT, check=True)
        try:
            before = time_checkout(ref, args.rounds, args.repeat)
            now = time_checkout(ROOT, args.rounds, args.repeat, SCENARIOS + NEW_SCENARIOS)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, check=True)
    print(f"cost of a round, Mesa model, best of {args.repeat} x {args.rounds} rounds (CPU ms):")
    for scenario in SCENARIOS:
        print(f"  {scenario:16s} {args.against}: {before[scenario]:6.2f}   now: {now[scenario]:6.2f}"
              f"   x{now[scenario] / before[scenario]:.2f}")
    for scenario in NEW_SCENARIOS:
        print(f"  {scenario:26s} now: {now[scenario]:6.2f}  (x{now[scenario] / now['baseline']:.2f} "
              "of baseline now)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
