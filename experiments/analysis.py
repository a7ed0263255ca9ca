"""Analysis of a finished sweep: the tables behind each kind of figure.

Pure functions of a sweep's output folder (or of its run table), returning pandas
DataFrames, so the CLI's plots, the browser app and a notebook read the same numbers:

- :func:`phase_table`: share of runs fractured over the two varied parameters;
- :func:`tipping_table`: share fractured along one parameter, per group, with
  Wilson confidence bands, and :func:`tipping_points` where it crosses one half;
- :func:`tournament_table`: one row per US policy, ranked (Axelrod's tournament table);
- :func:`sensitivity_table`: Sobol (or Morris) indices of the verdict and of European
  effort, with confidence intervals, from SALib.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import Experiment, ExperimentError
from experiments.store import StoreError, load_runs, read_manifest

Z95 = 1.959963984540054
SENSITIVITY_OUTPUTS = ("fractured", "european_effort_end_bn")


def load_sweep(outdir: str | Path) -> tuple[Experiment, pd.DataFrame]:
    """The experiment (from the folder's copy of its file) and the run table."""
    import hashlib

    from experiments.design import parse_experiment
    from model.files import read_toml

    outdir = Path(outdir)
    manifest = read_manifest(outdir)
    if manifest is None:
        raise StoreError(f"{outdir} is not a sweep folder (no manifest.json)")
    path = outdir / "experiment.toml"
    raw, text, data = read_toml(path, "the sweep's copy of its experiment file")
    try:
        experiment = parse_experiment(Path(manifest["experiment_file"]), text,
                                      hashlib.sha256(raw).hexdigest(), data, force=True)
    except ExperimentError as exc:
        raise StoreError(f"{path}: {exc}") from None
    experiment = _with_name(experiment, manifest["experiment_name"])
    return experiment, load_runs(outdir)


def _with_name(experiment: Experiment, name: str) -> Experiment:
    from dataclasses import replace

    return replace(experiment, name=name)


def wilson(successes: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial share (good near 0 and 1, small n)."""
    successes, n = np.asarray(successes, float), np.asarray(n, float)
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo = np.where(p <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    hi = np.where(p >= 1, 1.0, np.clip(centre + half, 0.0, 1.0))
    return lo, hi


def axes(experiment: Experiment) -> tuple[str, str | None, str | None]:
    """(x, y, group) of a sweep: from ``[analysis]`` or the varied parameters' order."""
    ranged = [f.name for f in experiment.factors if f.is_range]
    listed = [f.name for f in experiment.factors if not f.is_range]
    a = experiment.analysis
    x = a.get("x") or (ranged[0] if ranged else experiment.factors[0].name)
    rest = [n for n in ranged if n != x]
    y = a.get("y") or (rest[0] if rest else None)
    group = a.get("group") or (listed[0] if listed else None)
    return x, y, group


# --------------------------------------------------------------------------- phase diagram
def phase_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                experiment: Experiment | None = None) -> pd.DataFrame:
    """Share of runs fractured: rows the y parameter, columns the x parameter."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    x, y, _ = axes(experiment)
    if y is None:
        raise StoreError(f"sweep {experiment.name!r} is not a phase diagram: that needs two "
                         "parameters varied over ranges (low, high)")
    return runs.pivot_table(index=y, columns=x, values="fractured", aggfunc="mean").sort_index()


# --------------------------------------------------------------------------- tipping point
def tipping_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                  experiment: Experiment | None = None) -> pd.DataFrame:
    """Share fractured along x (per group), with its 95% Wilson band."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    x, _, group = axes(experiment)
    keys = [group, x] if group else [x]
    out = runs.groupby(keys, sort=True).agg(runs=("fractured", "size"),
                                              fractured=("fractured", "sum")).reset_index()
    out["share"] = out["fractured"] / out["runs"]
    out["low"], out["high"] = wilson(out["fractured"].to_numpy(), out["runs"].to_numpy())
    return out


def tipping_points(table: pd.DataFrame, x: str, group: str | None) -> dict[Any, float]:
    """Where the share fractured first crosses 1/2 along x (linear interpolation); NaN if never."""
    out = {}
    for key, part in (table.groupby(group) if group else [(None, table)]):
        xs, share = part[x].to_numpy(float), part["share"].to_numpy(float)
        out[key] = math.nan
        for i in range(1, len(xs)):
            a, b = share[i - 1] - 0.5, share[i] - 0.5
            if a == 0:
                out[key] = xs[i - 1]
                break
            if a * b < 0 or b == 0:
                out[key] = xs[i - 1] + (xs[i] - xs[i - 1]) * a / (a - b)
                break
    return out


# --------------------------------------------------------------------------- tournament
def tournament_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                     experiment: Experiment | None = None) -> pd.DataFrame:
    """One row per US policy: verdict shares and mean outcomes, best (least fractured) first."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    key = "us_policy"
    g = runs.groupby(key)
    table = pd.DataFrame({
        "runs": g.size(),
        "converged": g["verdict"].apply(lambda v: (v == "converged").mean()),
        "fractured": g["fractured"].mean(),
        "unresolved": g["verdict"].apply(lambda v: (v == "unresolved").mean()),
        "verdict_round": g["verdict_round"].mean(),
        "coalition_size_end": g["coalition_size_end"].mean(),
        "european_effort_end_bn": g["european_effort_end_bn"].mean(),
        "us_effort_end_bn": g["us_effort_end_bn"].mean(),
        "deterrence_end": g["deterrence_end"].mean(),
    })
    table = table.sort_values(["fractured", "deterrence_end"], ascending=[True, False])
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


# --------------------------------------------------------------------------- sensitivity
def sensitivity_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                      experiment: Experiment | None = None) -> pd.DataFrame:
    """Sobol S1/ST (or Morris mu*/sigma) of each output, per parameter, with 95% CIs.

    Replicates are averaged per design point first (the share fractured and the mean
    European effort), as SALib needs one value per sample.
    """
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    problem = experiment.problem()
    means = runs.groupby("point")[list(SENSITIVITY_OUTPUTS)].mean().sort_index()
    if len(means) != len(experiment.points):
        raise StoreError(f"sweep {experiment.name!r} is not finished ({len(means)} of "
                         f"{len(experiment.points)} points): resume it first")
    rows = []
    for output in SENSITIVITY_OUTPUTS:
        y = means[output].to_numpy(float)
        if experiment.method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=experiment.second_order,
                                seed=experiment.seed % 2**32)
            for i, name in enumerate(problem["names"]):
                rows.append({"output": output, "parameter": name,
                             "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
        elif experiment.method == "morris":
            from SALib.analyze import morris

            x = np.array([[p[n] for n in problem["names"]] for p in experiment.points], float)
            res = morris.analyze(problem, x, y, num_levels=experiment.levels,
                                 seed=experiment.seed % 2**32)
            for i, name in enumerate(problem["names"]):
                rows.append({"output": output, "parameter": name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
        else:
            raise StoreError(f"sweep {experiment.name!r} used design.method = "
                             f"{experiment.method!r}: sensitivity needs sobol or morris")
    return pd.DataFrame(rows)
