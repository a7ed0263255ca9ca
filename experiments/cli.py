"""The ``coalition`` command line.

    coalition run --scenario baseline [--rounds N] [--seed S] [--set KEY=VALUE ...] [--json]
    coalition scenarios
    coalition policies

Bad input gives one line naming the field, the value and what is allowed, and exit
code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from model.errors import CoalitionError


class UsageError(CoalitionError):
    """The command line itself is malformed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _int(text: str, name: str, low: int = 0) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{name} = {text!r} is not allowed: expected a whole number at least {low}") from None
    if value < low:
        raise UsageError(f"{name} = {text!r} is not allowed: expected a whole number at least {low}")
    return value


def parse_sets(items: list[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``--set`` items into model parameters and per-nation overrides (validated later)."""
    from model.config import nest, parse_assignments

    return nest(parse_assignments(items))


def format_summary(s: dict[str, Any]) -> str:
    from model.events import pct

    lost = ", ".join(s["members_lost"]) or "none"
    joined = ", ".join(s["members_joined"]) or "none"
    verdict = s["verdict"].upper() + (f" at round {s['verdict_round']}" if s["verdict_round"] else "")
    top = sorted(s["contributions_end"].items(), key=lambda kv: -kv[1])[:5]
    return "\n".join([
        f"Scenario {s['scenario']} (US policy: {s['us_policy']}), seed {s['seed']}, "
        f"{s['rounds_run']} rounds",
        f"Verdict: {verdict}",
        f"Reason: {s['reason']}",
        f"Coalition: {s['coalition_size_start']} -> {s['coalition_size_end']} members "
        f"(lost: {lost}; joined: {joined})",
        f"European effort: USD {s['european_effort_start_bn']:.1f} bn/yr -> "
        f"{s['european_effort_end_bn']:.1f} bn/yr",
        f"US effort: USD {s['us_effort_end_bn']:.1f} bn/yr",
        f"Deterrence: {s['deterrence_end']:.2f} (status quo = 1)",
        "Highest burdens: " + ", ".join(f"{c} {pct(v)}" for c, v in top),
    ])


def cmd_run(args) -> int:
    from agents.coalition_model import CoalitionModel

    params, nations = parse_sets(args.set or [])
    rounds = _int(args.rounds, "--rounds")
    seed = _int(args.seed, "--seed")
    model = CoalitionModel(args.scenario, rng=seed, nation_params=nations, **params)
    summary = model.run(rounds)
    if args.json:
        print(json.dumps(summary))
    else:
        print(format_summary(summary))
        if args.events:
            print("\nEvents:")
            print("\n".join(model.events) or "(none)")
    return 0


def cmd_scenarios(args) -> int:
    from model.scenarios import load_scenario, scenario_names

    for name in scenario_names():
        sc = load_scenario(name)
        print(f"{name:24s} {sc.title}")
    return 0


def cmd_validate(args) -> int:
    from model.validation import validate_2025

    v = validate_2025(args.scenario)
    print("The 2025 natural experiment: US allocations stopped. One round from the 2022-24 "
          "status quo, against what each nation did in 2025 (Kiel).")
    print(v.text())
    print(f"{'nation':8s} {'predicted':>10s} {'observed':>10s}")
    for code, p, o in zip(v.iso3, v.predicted_ratio, v.observed_ratio):
        print(f"{code:8s} {p:10.2f}x {o:10.2f}x")
    return 0


def cmd_calibration(args) -> int:
    import numpy as np

    from agents.coalition_model import CoalitionModel
    from model.events import pct

    params, nations = parse_sets(args.set or [])
    model = CoalitionModel(args.scenario, rng=0, nation_params=nations, **params)
    report, table = model.calibration, model.nations
    misfit = report.misfits()[0]
    print(f"Calibration of {args.scenario}: political cost phi solved so that observed "
          "contributions are best responses under the status-quo US.")
    print(f"{'nation':8s} {'observed':>10s} {'fitted':>10s} {'residual':>10s} {'phi':>12s} "
          f"{'margin bn/yr':>13s}  note")
    for i, code in enumerate(table.iso3):
        note = []
        if misfit[i]:
            note.append("no phi fits")
        if not report.calibrated[0, i]:
            note.append("phi given")
        if report.stability_margin[0, i] < 0:
            note.append("would switch side")
        print(f"{code:8s} {pct(report.observed[0, i]):>10s} {pct(report.fitted[0, i]):>10s} "
              f"{report.residual[0, i]:>10.1e} {report.political_cost[0, i]:>12.4g} "
              f"{report.stability_margin[0, i]:>13.3f}  {', '.join(note)}")
    unstable = int((report.stability_margin < 0).sum())
    print(f"{int(misfit.sum())} nation(s) the calibration cannot fit; {unstable} nation(s) "
          "with a negative stability margin (margin = switching penalty - gain, at the equilibria).")
    return 0 if np.isfinite(report.political_cost).all() else 1


def cmd_parameters(args) -> int:
    from model.config import NATION_PARAMS, all_params

    groups: dict[str, list] = {}
    for spec in all_params().values():
        groups.setdefault(spec.group, []).append(spec)
    for group, specs in groups.items():
        print(f"[{group}]")
        for spec in specs:
            print(f"  {spec.name} = {spec.default!r}  ({spec.allowed()})\n      {spec.doc}")
    print("[per nation: --set ISO3.NAME=VALUE]")
    for spec in NATION_PARAMS:
        print(f"  ISO3.{spec.name}  ({spec.allowed()})\n      {spec.doc}")
    return 0


def cmd_policies(args) -> int:
    from model.policies import POLICY_PARAMS, REGISTRY

    for name, cls in REGISTRY.items():
        params = ", ".join(f"{k}={POLICY_PARAMS[k].default}" for k in cls.reads) or "no parameters"
        print(f"{name:14s} {cls.description}  [{params}]")
    return 0


def cmd_sweep(args) -> int:
    from experiments.sweep import run_sweep

    report = run_sweep(args.file, out=args.out, workers=_int(args.workers, "--workers", 1),
                       scheduler=args.scheduler, resume=args.resume, engine=args.engine,
                       progress=not args.quiet)
    print(f"{report['status']}: {report['runs']} runs in {report['out']} ({report['ran']} run now "
          f"in {report['seconds']:.1f} s, {report['runs_per_second']:.1f} runs/s, {report['executor']})")
    return 0 if report["status"] == "complete" else 1


def cmd_plot(args) -> int:
    from experiments.plots import plot_sweep

    for path in plot_sweep(args.dir):
        print(path)
    return 0


def cmd_app(args) -> int:
    from viz.server import serve

    return serve(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coalition", description="Burden-sharing and deterrence in a "
                     "volunteer security coalition: an agent-based game-theory model.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    run = sub.add_parser("run", help="run one scenario and print a summary")
    run.add_argument("--scenario", default="baseline", help="scenario name (coalition scenarios)")
    run.add_argument("--rounds", default="100", help="most rounds to play (default 100)")
    run.add_argument("--seed", default="0", help="random seed (default 0)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="set a parameter (us_reliance=0.5) or a nation's (DEU.us_reliance=1)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--events", action="store_true", help="also print the event log")
    run.set_defaults(func=cmd_run)
    sub.add_parser("scenarios", help="list the scenarios").set_defaults(func=cmd_scenarios)
    sub.add_parser("policies", help="list the US policies").set_defaults(func=cmd_policies)
    sub.add_parser("parameters", help="list every parameter with its default and range"
                   ).set_defaults(func=cmd_parameters)
    calibration = sub.add_parser("calibration", help="the calibration report: fit and "
                                 "stability margin of each nation")
    calibration.add_argument("--scenario", default="baseline")
    calibration.add_argument("--set", action="append", metavar="KEY=VALUE")
    calibration.set_defaults(func=cmd_calibration)
    validate = sub.add_parser("validate", help="compare a scenario's first round with 2025")
    validate.add_argument("--scenario", default="us-walks-away")
    validate.set_defaults(func=cmd_validate)
    sweep = sub.add_parser("sweep", help="run a parameter sweep from an experiment file")
    sweep.add_argument("file", help="experiment file (TOML) or a shipped one's name")
    sweep.add_argument("--out", help="output folder (default sweeps/NAME)")
    sweep.add_argument("--workers", default="1", help="local worker processes (default 1)")
    sweep.add_argument("--scheduler", help="Dask scheduler address or scheduler file")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    sweep.add_argument("--engine", choices=("vectorised", "mesa"), default="vectorised",
                       help="vectorised (default) or mesa, the one-model-per-run reference")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(func=cmd_sweep)
    plot = sub.add_parser("plot", help="draw a finished sweep's figures (PNG and SVG)")
    plot.add_argument("dir", help="the sweep's output folder")
    plot.set_defaults(func=cmd_plot)
    app = sub.add_parser("app", help="start the browser app, offline (default 127.0.0.1:8765)")
    app.add_argument("--port", default="8765", help="port to serve on (default 8765)")
    app.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1; "
                     "0.0.0.0 to share it with a room)")
    app.set_defaults(func=cmd_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    import signal

    if hasattr(signal, "SIGPIPE"):  # `coalition run ... | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except CoalitionError as exc:
        print(f"coalition: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
