"""Run the README's test command several times in a row while busy loops load every core.

    python -m benchmarks.suite_under_load [--runs 10] [--busy 2] [--stop-on-failure]
                                          [-- extra pytest arguments]

Issue 15 asks that the full suite pass 10 times in a row on a 2-core machine under a
parallel CPU load (its browser tests once failed only on a busy machine). This starts
``--busy`` processes that spin (one per core by default), runs ``python -m pytest -q``
``--runs`` times one after another, and prints one line per run (passed / failed
counts, the failures' names, the minutes it took) and a summary. Each run's full output
is kept in ``--log-dir``. It returns non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPIN = "while True:\n    pass\n"
SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def spin(n: int) -> list[subprocess.Popen]:
    """``n`` processes that each keep one core busy until killed."""
    return [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(n)]


def run_once(index: int, log_dir: Path, extra: list[str]) -> tuple[bool, dict[str, int], list[str], float]:
    """One run of the README's test command: passed?, counts, failed tests, seconds."""
    log = log_dir / f"run-{index:02d}.log"
    start = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    text = log.read_text(errors="replace")
    tail = text.strip().splitlines()[-1] if text.strip() else ""
    counts = {kind.rstrip("s"): int(n) for n, kind in SUMMARY.findall(tail)}
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", text, flags=re.M)
    return code == 0, counts, failed, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                        help="busy-loop processes beside the tests (default: one per core)")
    parser.add_argument("--log-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "coalition-suite-under-load")
    parser.add_argument("--stop-on-failure", action="store_true")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed on to pytest")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.busy < 0:
        parser.error(f"--runs must be at least 1 and --busy at least 0 (got {args.runs}, {args.busy})")
    args.log_dir.mkdir(parents=True, exist_ok=True)
    print(f"{args.runs} runs of `python -m pytest -q` beside {args.busy} busy loops "
          f"({os.cpu_count()} cores); logs in {args.log_dir}", flush=True)
    loops = spin(args.busy)
    results = []
    try:
        for i in range(1, args.runs + 1):
            ok, counts, failed, seconds = run_once(i, args.log_dir, args.pytest_args)
            results.append(ok)
            print(f"run {i}: {'passed' if ok else 'FAILED'}  "
                  + ", ".join(f"{n} {k}" for k, n in counts.items())
                  + f"  in {seconds / 60:.1f} min" + (f"  failed: {' '.join(failed)}" if failed else ""),
                  flush=True)
            if not ok and args.stop_on_failure:
                break
    finally:
        for p in loops:
            p.kill()
            p.wait()
    streak = 0
    for ok in results:
        streak = streak + 1 if ok else 0
    print(f"{sum(results)} of {len(results)} runs passed; the last {streak} in a row", flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
