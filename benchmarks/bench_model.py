"""Benchmark: one baseline run of 100 rounds through the Mesa model.

    python -m benchmarks.bench_model [--repeat 5] [--profile]

Prints the wall time of a full run (membership counterfactuals included: every round
solves the equilibrium of all N + 1 coalitions) and, with --profile, where it goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from agents.coalition_model import CoalitionModel


def one_run(scenario: str, rounds: int) -> float:
    start = time.perf_counter()
    model = CoalitionModel(scenario, rng=1, stop_on_verdict=False)
    model.run(rounds)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    one_run(args.scenario, 2)  # warm-up: imports, data, calibration cache
    times = [one_run(args.scenario, args.rounds) for _ in range(args.repeat)]
    print(f"{args.scenario}, {args.rounds} rounds, Mesa model, {args.repeat} runs: "
          f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
          f"({1000 * statistics.median(times) / args.rounds:.2f} ms a round)")
    for other in ("us-walks-away", "erratic-us"):
        t = statistics.median(one_run(other, args.rounds) for _ in range(3))
        print(f"{other}, {args.rounds} rounds: median {t:.3f} s")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        one_run(args.scenario, args.rounds)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(18)


if __name__ == "__main__":
    main()
