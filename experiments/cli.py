"""The ``coalition`` command line.

    coalition run --scenario baseline [--rounds N] [--seed S] [--set KEY=VALUE ...] [--json]
    coalition scenarios
    coalition policies
    coalition strategies
    coalition estimate [--episode stall|stop] [--out FILE] [--json]
    coalition validate [--json] [--folds K] [--scenario S]
    coalition sweep FILE [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume]
    coalition plot DIR
    coalition discover DIR [--outcome NAME] [--above X | --below X | --equals V]

Bad input gives one line naming the field, the value and what is allowed, and exit
code 2; Ctrl-C gives one line (for a sweep, with the command that resumes it) and exit
code 130; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import Any

from model.errors import CoalitionError
from model.param import DEFAULT_ROUNDS, DEFAULT_SEED, MAX_ROUNDS, parse_whole

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a Ctrl-C
MAX_WORKERS = 1024


class UsageError(CoalitionError):
    """The command line itself is malformed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _int(text: str, name: str, low: int = 0, high: int | None = None, limit: str = "") -> int:
    """A whole number option (ASCII digits only: ``1_0`` is not 10)."""
    return parse_whole(text, name, low, high, limit)


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
        f"European aid: EUR {s['european_effort_start_bn']:.1f} bn/yr -> "
        f"{s['european_effort_end_bn']:.1f} bn/yr",
        f"  of which bilateral EUR {s['bilateral_aid_end_bn']:.1f}, EU-level "
        f"{s['eu_aid_end_bn']:.1f}, off-budget {s['off_budget_end_bn']:.1f} bn/yr"
        + (f" (opted out of the EU instrument: {', '.join(s['eu_opted_out'])})"
           if s["eu_opted_out"] else ""),
        f"US effort: EUR {s['us_effort_end_bn']:.1f} bn/yr; nations expect "
        f"{100 * s['expected_us_level_end']:.0f}% of its 2022-24 effort",
        f"Deterrence: {s['deterrence_end']:.2f} (status quo = 1)",
        "Highest bilateral burdens: " + ", ".join(f"{c} {pct(v)}" for c, v in top),
    ] + ([plausible_line(s["plausible_worlds"])] if s.get("plausible_worlds", {}).get("draws")
         else []) + ([f"Guarantee (ceasefire from round {s['ceasefire_began']}): {s['guarantee'].upper()}: "
          f"{s['guarantee_reason']}"] if s.get("ceasefire_began") is not None else []) + ([robustness_line(s["verdict_robustness"], s["verdict"])]
         if s.get("verdict_robustness", {}).get("draws") else []))


def plausible_line(p: dict[str, Any]) -> str:
    shares = ", ".join(f"{v} {100 * share:.0f}%" for v, share in p["verdicts"].items())
    e = p["european_effort_end_bn"]
    return (f"Plausible worlds ({p['draws']} drawn from the {p['worlds_available']} the stall data "
            f"do not reject): {shares}; European aid at the end EUR {e['p5']:.1f} to "
            f"{e['p95']:.1f} bn a year (5-95%), median {e['p50']:.1f}")


def robustness_line(r: dict[str, Any], verdict: str) -> str:
    agree = round(r["share_agreeing"] * r["draws"])
    others = ", ".join(f"{v} {n}" for v, n in r["verdicts"].items())
    return (f"Robustness: {agree} of {r['draws']} nearby worlds (beliefs, saturation, speed, "
            f"budget weight, penalties perturbed) are also {verdict} ({others})")


def cmd_run(args) -> int:
    from agents.coalition_model import CoalitionModel

    from experiments.ensemble import plausible_worlds, robustness
    from model.config import flatten, inert_reason

    params, nations = parse_sets(args.set or [])
    rounds = _int(args.rounds, "--rounds", 0, MAX_ROUNDS, "a round is a year")
    seed = _int(args.seed, "--seed")
    draws = _int(args.robustness, "--robustness")
    worlds = _int(args.plausible, "--plausible", 0, 10_000, "plausible worlds")
    model = CoalitionModel(args.scenario, rng=seed, nation_params=nations, **params)
    for key in flatten(params, nations):
        reason = inert_reason(key, model.config.values)
        if reason:
            print(f"coalition: note: {reason}", file=sys.stderr)
    summary = model.run(rounds)
    summary["verdict_robustness"] = robustness(
        model.preset.name if not str(args.scenario).endswith(".toml") else args.scenario,
        dict(model.config.values), dict(model.config.nation_params), summary["verdict"],
        rounds, seed, draws)
    name = model.preset.name if not str(args.scenario).endswith(".toml") else args.scenario
    from model.config import flatten

    summary["plausible_worlds"] = plausible_worlds(name, flatten(params, nations), rounds, seed,
                                                   worlds)
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


def cmd_estimate(args) -> int:
    import hashlib

    from model.estimation import EPISODES, estimate, estimate_record, plausible_set
    from model.panel import PANEL_CSV, load_panel

    episode = EPISODES[args.episode]
    until = args.until or ("2024-Q4" if episode.name == "stall" else "2025-Q4")
    panel = load_panel(until, PANEL_CSV)
    starts = _int(args.starts, "--starts", 1, 20)
    fit = estimate(panel, episode, starts=starts, seed=_int(args.seed, "--seed"))
    worlds = plausible_set(fit, _int(args.candidates, "--candidates", 10, 100_000))
    record = estimate_record(fit, worlds, hashlib.sha256(PANEL_CSV.read_bytes()).hexdigest())
    if args.out:
        from model.files import write_text

        write_text(args.out, json.dumps(record, indent=1) + "\n", "estimate file")
    if args.json:
        print(json.dumps(record))
        return 0
    e = record["estimate"]
    print(f"Estimation by {e['method']}: the {episode.name} ({episode.first} to {episode.last}), "
          f"data to {until}; {e['moments']} moments, chi2 {e['chi2']:.1f} on {e['dof']} degrees "
          f"of freedom; {e['starts']} starts; {fit.seconds:.0f} s.")
    print(f"{'parameter':24s} {'estimate':>9s} {'s.e.':>9s}  identified    profile: delta chi2 "
          "across its range")
    for name, v in e["parameters"].items():
        prof = " ".join(f"{d:.0f}" for d in e["profile"][name]["delta_chi2"])
        se = "n/a" if v["se"] is None else f"{v['se']:.3g}"
        print(f"{name:24s} {v['estimate']:9.3f} {se:>9s}  {v['identified']:12s}  [{prof}]")
    print("Curvature (eigenvalues of J'J on the search scale): "
          + ", ".join(f"{x:.3g}" for x in e["eigenvalues"]))
    print(f"Plausible worlds: {worlds['kept']} of {worlds['candidates']} ({worlds['rule']})"
          + (f"; written to {args.out}" if args.out else ""))
    return 0


def cmd_validate(args) -> int:
    from model.validation import protocol, protocol_text, scenario_report, validate_2025

    if args.scenario is None:
        p = protocol(folds=_int(args.folds, "--folds", 0, 33),
                     seed=_int(args.seed or "0", "--seed"))
        print(json.dumps(p) if args.json else protocol_text(p))
        return 0
    v = validate_2025(args.scenario, seed=_int(args.seed or str(DEFAULT_SEED), "--seed"))
    if args.json:
        print(json.dumps({"scenario": args.scenario, "totals": {
            "together_nations": {"predicted": v.predicted_effort_ratio,
                                 "observed": v.observed_effort_ratio},
            "eu": {"predicted": v.predicted_eu_ratio, "observed": v.observed_eu_ratio}},
            "nations": [{"iso3": c, "predicted": float(p), "observed": float(o)}
                        for c, p, o in zip(v.iso3, v.predicted_ratio, v.observed_ratio)]}))
        return 0
    print(scenario_report(v))
    return 0


def cmd_calibration(args) -> int:
    import numpy as np

    from agents.coalition_model import CoalitionModel
    from model.events import pct

    params, nations = parse_sets(args.set or [])
    model = CoalitionModel(args.scenario, rng=0, nation_params=nations, **params)
    report, table = model.calibration, model.nations
    misfit = report.misfits()[0]
    member = model.state.member[0]
    print(f"Calibration of {args.scenario}: the political cost phi solved so that observed "
          "bilateral aid is each nation's best response under the status-quo US; rho* the "
          "withdrawal threshold (a nation whose belief rho is above it steps up when the US "
          "withdraws, below it pulls back: rho* = 1 - D/delta); bound the largest gain from "
          "switching side along the observed 2022-2025 path (nobody switched), EUR bn a year.")
    print(f"{'nation':8s} {'observed':>10s} {'fitted':>10s} {'residual':>10s} {'phi':>11s} "
          f"{'rho':>6s} {'rho*':>6s} {'bound':>8s} {'penalty':>9s} {'margin':>9s}  note")
    for i, code in enumerate(table.iso3):
        note = []
        if misfit[i]:
            note.append("no phi fits")
        if not report.calibrated[0, i]:
            note.append("phi given")
        if report.stability_margin[0, i] < 0:
            note.append("would switch side")
        if not member[i]:
            note.append("outside the coalition")
        penalty = (report.exit_penalty if member[i] else report.join_penalty)[0, i]
        print(f"{code:8s} {pct(report.observed[0, i]):>10s} {pct(report.fitted[0, i]):>10s} "
              f"{report.residual[0, i]:>10.1e} {report.political_cost[0, i]:>11.4g} "
              f"{report.us_reliance[0, i]:>+6.2f} {report.withdrawal_threshold[0, i]:>+6.2f} "
              f"{report.switch_bound[0, i]:>8.3f} {pct(penalty):>9s} "
              f"{report.stability_margin[0, i]:>9.3f}  {', '.join(note)}")
    eps = float(report.eu_weight[0, 0])
    if report.eu_weight_calibrated.all():
        print(f"EU channel: the Council's deal reproduces the observed EU aid (EUR "
              f"{table.eu_aid:.1f} bn a year) when an EU contribution weighs epsilon = {eps:.4g} "
              "in a member's political cost.")
    elif not report.eu_fits.all() and model.world.eu_channel.all():
        print(f"EU channel: NO FIT: the members' joint value of EU aid at the status quo is not "
              f"above the veto players' dislike of it, so no weight of EU contributions "
              f"reproduces the observed EU aid (EUR {table.eu_aid:.1f} bn a year); epsilon = "
              f"{eps:.4g} is used.")
    else:
        print(f"EU channel: epsilon = {eps:.4g} (given, or the EU channel is off).")
    print_troop_calibration(model)
    unstable = int((report.stability_margin < 0).sum())
    troop_misfits = int((report.troop_cost_calibrated & ~report.troops_fits).sum())
    print(f"{int(misfit.sum())} nation(s) the calibration cannot fit; {unstable} nation(s) "
          "with a negative stability margin (margin = switching penalty - gain, at the equilibria); "
          f"{troop_misfits} stated troop pledge(s) no troop cost fits.")
    return 0 if np.isfinite(report.political_cost).all() else 1


def print_troop_calibration(model) -> None:
    """The troop costs kappa: the band that makes each stated pledge the best offer."""
    import numpy as np

    report, table = model.calibration, model.nations
    print(f"Troops: kappa (the cost of deploying all of a nation's sustainable forces, share of "
          "GDP) solved so that each stated pledge (seeds/forces.csv) is the nation's best offer "
          "when the others deploy theirs and the US backs the force (this fits the pledges by "
          "construction); band: the kappa that would.")
    print(f"{'nation':8s} {'stance':>17s} {'pledge':>8s} {'fitted':>8s} {'capacity':>9s} "
          f"{'kappa':>10s} {'band':>23s}  note")
    for i, code in enumerate(table.iso3):
        stance = model.nation(code).troop_strategy
        target = int(report.troops_target[0, i])
        if stance == "never" and target == 0:
            continue
        lo, hi = report.troop_cost_band[0, i]
        note = []
        if report.target_capped[0, i]:
            note.append("stated pledge above capacity: capped")
        if report.troop_cost_calibrated[0, i] and not report.troops_fits[0, i]:
            note.append("NO FIT: no kappa makes the pledge the best offer")
        if not report.troop_cost_calibrated[0, i]:
            note.append("kappa given" if np.isfinite(report.troop_cost[0, i]) else "no pledge")
        band = f"[{lo:.3g}, {hi:.3g}]" if report.troop_cost_calibrated[0, i] else ""
        print(f"{code:8s} {stance:>17s} {target:>8,} {int(report.troops_fitted[0, i]):>8,} "
              f"{int(report.troop_capacity[0, i]):>9,} {report.troop_cost[0, i]:>10.4g} "
              f"{band:>23s}  {', '.join(note)}")


def cmd_parameters(args) -> int:
    from model.config import NATION_PARAMS, all_params

    groups: dict[str, list] = {}
    for spec in all_params().values():
        groups.setdefault(spec.group, []).append(spec)
    for group, specs in groups.items():
        print(f"[{group}]")
        for spec in specs:
            print(f"  {spec.name} = {spec.default!r}  ({spec.allowed()})\n      {spec.doc}")
            if spec.absorbed:
                print(f"      ABSORBED: {spec.absorbed}")
    print("[per nation: --set ISO3.NAME=VALUE]")
    for spec in NATION_PARAMS:
        print(f"  ISO3.{spec.name}  ({spec.allowed()})\n      {spec.doc}")
    return 0


def cmd_strategies(args) -> int:
    from model.conditions import REGISTRY
    from model.data import load_nations

    table = load_nations()
    for name, cls in REGISTRY.items():
        who = [c for c, s in zip(table.iso3, table.troop_strategy) if s == name]
        text = (cls.description.replace("{others:g}", "K").replace("{force}", "T troops")
                .replace("{nations}", "the named nations"))
        print(f"{name:17s} {text}"
              f"  [in seeds/forces.csv: {', '.join(who) or 'none'}]")
    print("Set one with --set ISO3.troop_strategy=NAME (and troop_condition_others, "
          "troop_condition_force or troop_condition_nations where the stance needs it).")
    return 0


def cmd_policies(args) -> int:
    from model.policies import POLICY_PARAMS, REGISTRY

    for name, cls in REGISTRY.items():
        params = ", ".join(f"{k}={POLICY_PARAMS[k].default}" for k in cls.reads) or "no parameters"
        print(f"{name:14s} {cls.description}  [{params}]")
    return 0


def cmd_sweep(args) -> int:
    from experiments.sweep import run_sweep

    def note(line: str) -> None:
        print(f"coalition: note: {line}", file=sys.stderr)

    report = run_sweep(args.file, out=args.out,
                       workers=_int(args.workers, "--workers", 1, MAX_WORKERS),
                       scheduler=args.scheduler, resume=args.resume, engine=args.engine,
                       progress=not args.quiet, force=args.force, notes=note)
    print(f"{report['status']}: {report['runs']} runs in {report['out']} ({report['ran']} of them "
          f"run by this command, in {report['seconds']:.1f} s, {report['runs_per_second']:.1f} "
          f"runs/s, {report['executor']})")
    return 0 if report["status"] == "complete" else 1


def cmd_plot(args) -> int:
    from experiments.plots import plot_sweep

    paths, warnings = plot_sweep(args.dir)
    for path in paths:
        print(path)
    for line in warnings:
        print(f"coalition: warning: {line}", file=sys.stderr)
    return 0


def _number(text: str | None, name: str) -> float | None:
    """A number option (plain decimal or exponent notation), or None if not given."""
    from model.param import NUMBER_TEXT

    if text is None:
        return None
    if not NUMBER_TEXT.fullmatch(text.strip()):
        raise UsageError(f"{name} = {text!r} is not allowed: expected a number")
    return float(text)


def cmd_discover(args) -> int:
    from experiments.discovery import discover, discovery_text, write_discovery

    result = discover(args.dir, args.outcome, above=_number(args.above, "--above"),
                      below=_number(args.below, "--below"), equals=args.equals,
                      density=_number(args.density, "--density"))
    print(discovery_text(result))
    for path in write_discovery(args.dir, result):
        print(path)
    return 0


def cmd_cluster(args) -> int:
    from experiments.cluster import job_script, run_on_cluster

    jobs = _int(args.jobs, "--jobs", 1, MAX_WORKERS)
    slurm = {"queue": args.queue, "account": args.account, "memory": args.memory,
             "walltime": args.walltime, "cores": _int(args.cores, "--cores", 1, 1024),
             "prologue": args.prologue or []}
    if args.print_job_script:
        print(job_script(jobs, **slurm))
        return 0
    if args.file is None:
        raise UsageError("coalition cluster: the experiment FILE is missing")
    report = run_on_cluster(args.file, args.out, args.cluster, jobs, args.resume,
                            not args.quiet, **(slurm if args.cluster == "slurm" else {}))
    print(f"{report['status']}: {report['runs']} runs in {report['out']} ({report['ran']} run now "
          f"in {report['seconds']:.1f} s, {report['executor']})")
    return 0 if report["status"] == "complete" else 1


def cmd_app(args) -> int:
    from viz.server import serve

    return serve(host=args.host, port=args.port, sweeps_root=args.sweeps_root,
                 keep_session=args.keep_session)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coalition", description="Burden-sharing and deterrence in a "
                     "volunteer security coalition: an agent-based game-theory model.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    run = sub.add_parser("run", help="run one scenario and print a summary")
    run.add_argument("--scenario", default="baseline", help="scenario name (coalition scenarios)")
    run.add_argument("--rounds", default=str(DEFAULT_ROUNDS),
                     help=f"most rounds to play (default {DEFAULT_ROUNDS}, as the app's round limit)")
    run.add_argument("--seed", default=str(DEFAULT_SEED),
                     help=f"random seed (default {DEFAULT_SEED}, as in the app)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="set a parameter (us_reliance=0.5) or a nation's (DEU.us_reliance=1)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--robustness", default="16", help="nearby worlds to check the verdict "
                     "against (default 16; 0 to skip)")
    run.add_argument("--plausible", default="0", help="also run N plausible worlds: parameter "
                     "points the estimation data do not reject (seeds/estimate.json)")
    run.add_argument("--events", action="store_true", help="also print the event log")
    run.set_defaults(func=cmd_run)
    sub.add_parser("scenarios", help="list the scenarios").set_defaults(func=cmd_scenarios)
    sub.add_parser("policies", help="list the US policies").set_defaults(func=cmd_policies)
    sub.add_parser("strategies", help="list the nations' stances on the reassurance force"
                   ).set_defaults(func=cmd_strategies)
    sub.add_parser("parameters", help="list every parameter with its default and range"
                   ).set_defaults(func=cmd_parameters)
    calibration = sub.add_parser("calibration", help="the calibration report: fit and "
                                 "stability margin of each nation")
    calibration.add_argument("--scenario", default="baseline")
    calibration.add_argument("--set", action="append", metavar="KEY=VALUE")
    calibration.set_defaults(func=cmd_calibration)
    validate = sub.add_parser("validate", help="the validation protocol: estimate to 2024, test "
                              "on 2025, and the other way round (or one scenario's first round)")
    validate.add_argument("--scenario", help="instead: one round of this scenario against 2025")
    validate.add_argument("--folds", default="4", help="folds of the cross-validation across "
                          "nations (default 4; 0 to skip)")
    validate.add_argument("--seed", default=None, help="the estimation's seed (default 0); with "
                          f"--scenario, the round's random numbers (default {DEFAULT_SEED}, as "
                          "coalition run and the app)")
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.set_defaults(func=cmd_validate)
    estimate = sub.add_parser("estimate", help="estimate the pooled parameters on a US shock")
    estimate.add_argument("--episode", default="stall", choices=("stall", "stop"),
                          help="the US funding stall of 2023-24 (default) or the stop of 2025")
    estimate.add_argument("--until", help="the last quarter the estimation may read (default "
                          "2024-Q4 for the stall, 2025-Q4 for the stop)")
    estimate.add_argument("--starts", default="4", help="starting points of the search")
    estimate.add_argument("--candidates", default="400", help="points sampled for the "
                          "plausible worlds")
    estimate.add_argument("--seed", default="0")
    estimate.add_argument("--out", help="write the estimate and its plausible worlds (JSON)")
    estimate.add_argument("--json", action="store_true", help="print one JSON object")
    estimate.set_defaults(func=cmd_estimate)
    sweep = sub.add_parser("sweep", help="run a parameter sweep from an experiment file")
    sweep.add_argument("file", help="experiment file (TOML) or a shipped one's name")
    sweep.add_argument("--out", help="output folder (default sweeps/NAME)")
    sweep.add_argument("--workers", default="1", help="local worker processes (default 1)")
    sweep.add_argument("--scheduler", help="Dask scheduler address or scheduler file")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    sweep.add_argument("--engine", choices=("vectorised", "mesa"), default="vectorised",
                       help="vectorised (default) or mesa, the one-model-per-run reference")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--force", action="store_true", help="run a sweep of more runs than "
                       "the limit (1,000,000)")
    sweep.set_defaults(func=cmd_sweep)
    plot = sub.add_parser("plot", help="draw a finished sweep's figures (PNG and SVG)")
    plot.add_argument("dir", help="the sweep's output folder")
    plot.set_defaults(func=cmd_plot)
    clus = sub.add_parser("cluster", help="run a sweep on a SLURM cluster (dask-jobqueue) from "
                          "one batch job that waits until it is done")
    clus.add_argument("file", nargs="?", help="experiment file (TOML) or a shipped one's name")
    clus.add_argument("--out", help="output folder (default sweeps/NAME)")
    clus.add_argument("--cluster", choices=("slurm", "local"), default="slurm",
                      help="slurm (default) or local: the same steps on worker processes here")
    clus.add_argument("--jobs", default="1", help="SLURM worker jobs (local: worker processes)")
    clus.add_argument("--queue", help="SLURM partition")
    clus.add_argument("--account", help="SLURM account")
    clus.add_argument("--cores", default="32", help="cores per job: one single-threaded worker each")
    clus.add_argument("--memory", default="64GB", help="memory per job")
    clus.add_argument("--walltime", default="04:00:00", help="time limit per worker job")
    clus.add_argument("--prologue", action="append", metavar="LINE", help="a line each worker "
                      "job runs first, e.g. 'source ~/coalition/.venv/bin/activate'")
    clus.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    clus.add_argument("--quiet", action="store_true", help="no progress bar")
    clus.add_argument("--print-job-script", action="store_true", help="print the worker jobs' "
                      "batch script and exit")
    clus.set_defaults(func=cmd_cluster)
    discover = sub.add_parser("discover", help="scenario discovery (PRIM, CART): which "
                              "parameter ranges lead to an outcome in a finished sweep")
    discover.add_argument("dir", help="the sweep's output folder")
    discover.add_argument("--outcome", default="fractured", help="an outcome column (default "
                          "fractured); a number needs --above or --below, text --equals")
    discover.add_argument("--above", help="the outcome is the number being above this")
    discover.add_argument("--below", help="the outcome is the number being below this")
    discover.add_argument("--equals", help="the outcome is the column having this value")
    discover.add_argument("--density", default="0.8", help="the box chosen is the widest whose "
                          "density is at least this (default 0.8)")
    discover.set_defaults(func=cmd_discover)
    app = sub.add_parser("app", help="start the browser app, offline (default 127.0.0.1:8765)")
    app.add_argument("--port", default="8765", help="port to serve on (default 8765)")
    app.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1; "
                     "0.0.0.0 to share it with a room)")
    app.add_argument("--sweeps-root", help="the folder the Sweeps tab may show sweeps from "
                     "(default: COALITION_SWEEPS_ROOT, else ./sweeps)")
    app.add_argument("--keep-session", default="60", metavar="SECONDS",
                     help="how long a closed or disconnected tab's session is kept in case it "
                     "comes back (default 60); Play stops as soon as the tab goes")
    app.set_defaults(func=cmd_app)
    return parser


def interrupted(message: str, args, argv: list[str] | None) -> str:
    """The line for a Ctrl-C: the sweep's own, or one that says how to resume a sweep."""
    if "--resume" in message:
        return message
    words = list(sys.argv[1:] if argv is None else argv)
    if args is not None and args.command == "sweep":
        out = f" --out {args.out}" if args.out else ""
        return f"interrupted; continue with: coalition sweep {args.file}{out} --resume"
    if "sweep" in words:
        return "interrupted; continue with the same command and --resume"
    return message or "interrupted"


BROKEN_PIPE = 141  # what a shell reports for a command ended by SIGPIPE (128 + 13)


def quiet_stdout() -> None:
    """The reader of stdout has gone (`| head`): send the rest, and the final flush at
    exit, to /dev/null, so the command ends without a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    # SIGPIPE keeps Python's disposition (ignored): the app's server writes to sockets
    # whose browser tab may have closed, and the default action would kill it silently.
    # A reader that goes away (`coalition run ... | head`) is handled below instead.
    args = None
    try:  # from the first statement: a Ctrl-C at any instant is the one line below
        args = build_parser().parse_args(argv)
        code = args.func(args)
    except BrokenPipeError:
        quiet_stdout()
        code = BROKEN_PIPE
    except KeyboardInterrupt as exc:
        print(f"coalition: {interrupted(str(exc), args, argv)}", file=sys.stderr)
        code = INTERRUPTED
    except CoalitionError as exc:
        print(f"coalition: error: {exc}", file=sys.stderr)
        code = 2
    except OSError as exc:  # a file the command writes (a plot, the output) cannot be
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"coalition: error: {where}{exc.strerror or exc}", file=sys.stderr)
        code = 2
    if argv is None:  # the command has finished: a late Ctrl-C must not print a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


if __name__ == "__main__":
    sys.exit(main())
