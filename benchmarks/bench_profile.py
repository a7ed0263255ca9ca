"""Benchmark: where the time of a moving run-round goes, part by part.

    python -m benchmarks.bench_profile [--runs 256] [--rounds 50] [--scenario us-walks-away]

Plays ``--runs`` runs of ``--scenario`` (every round played) in the sweep engine, in
one process, and prints the CPU time per run-round of each part of the round (each
part's own function wrapped with a timer: the membership step, within it the compiled
counterfactuals and the interpolant's build, the best response, the EU Council, ...),
the equilibria solved per run-round, and what the whole costs. The membership kernel
is loaded (and compiled if need be) by a warm-up first. CPU seconds of this process:
other work on the machine still slows it (shared caches), so read shares, not digits.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter

from experiments import engine
from experiments.design import RunSpec, run_seed
from model import compiled, council, game, kernels, rounds

# (module, function, label): the parts timed; nested ones are indented in the label
PARTS = (
    (rounds, "revise_membership", "membership step (model.rounds.revise_membership)"),
    (compiled, "kernel", "  counterfactual equilibria (compiled kernel)"),
    (compiled, "build", "  value-curve interpolant, built (compiled)"),
    (compiled, "utilities", "  payoffs after a switch (compiled)"),
    (game, "best_response", "best response (model.game.best_response)"),
    (council, "decide", "EU Council (model.council.decide)"),
    (rounds, "nations_learn", "beliefs about the US"),
    (rounds, "adversary_probes", "adversary probes"),
    (rounds, "reassurance_force", "reassurance force"),
    (rounds, "update_verdict", "verdict"),
    (engine, "draw_round", "random draws (one Generator per run)"),
    (engine, "summarize", "end of run: outcome rows"),
    (engine, "nation_rows", "end of run: per-nation rows"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--scenario", default="us-walks-away")
    args = parser.parse_args(argv)
    if not kernels.available():
        print("numba is not installed or COALITION_KERNEL=numpy: profiling the NumPy path")
    params = {"stop_on_verdict": False}
    warm = [RunSpec(i, 0, i, run_seed(0, i), params, {}) for i in range(args.runs)]
    engine.run_vectorised(args.scenario, warm, 2)  # imports, calibration, the kernel

    spent: Counter = Counter()
    solved: Counter = Counter()

    def timed(fn, label):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            if fn.__name__ == "kernel":  # nations (B, K): switches; solve_stay: stays
                solved["equilibria"] += a[7].size + int(a[12].sum())
            start = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.process_time() - start
        return wrapper

    for module, name, label in PARTS:
        setattr(module, name, timed(getattr(module, name), label))
    specs = [RunSpec(i, 0, i, run_seed(1, i), params, {}) for i in range(args.runs)]
    start = time.process_time()
    engine.run_vectorised(args.scenario, specs, args.rounds)
    total = time.process_time() - start
    run_rounds = args.runs * args.rounds
    print(f"{args.scenario}: {args.runs} runs x {args.rounds} rounds, every round played, "
          "the sweep engine in 1 process")
    print(f"  whole run-round                                      {1e6 * total / run_rounds:8.1f} us")
    for _, _, label in PARTS:
        print(f"  {label:52s} {1e6 * spent[label] / run_rounds:8.1f} us"
              f"  ({100 * spent[label] / total:4.1f}%)")
    print(f"  equilibria solved per run-round: {solved['equilibria'] / run_rounds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
