"""Analysis of a finished sweep: the tables behind each kind of figure.

Pure functions of a sweep's output folder (or of its run table), returning pandas
DataFrames, so the CLI's plots, the browser app and a notebook read the same numbers:

- :func:`phase_table`: share of runs fractured over the two varied parameters; it
  refuses to pool silently over other varied parameters (:class:`PoolingError`):
  pick their values with ``where`` or facet over them (:func:`facets`);
- :func:`tipping_table`: share fractured along one parameter, per group (with Wilson
  bands, which assume independent replicates), :func:`tipping_points` where it crosses
  one half, and :func:`tipping_intervals` the crossing with a bootstrap interval over
  design points;
- :func:`tournament_table`: one row per US policy, ranked (Axelrod's tournament table);
- :func:`sensitivity_table`: Sobol (or Morris) indices of the verdict and of European
  effort, with confidence intervals, from SALib; :func:`sobol_convergence` the Sobol
  indices at N/4, N/2 and N base samples;
- :func:`design_warnings`: what the design cannot show (an outcome that never varies,
  membership that never moved, indices that have not settled).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import ExperimentSpec, ExperimentError
from experiments.store import StoreError, load_runs, read_manifest
from model.errors import CoalitionError

Z95 = 1.959963984540054
SENSITIVITY_OUTPUTS = ("fractured", "european_effort_end_bn")
BOOTSTRAP = 2000  # resamples of design points for a tipping point's interval
# Parameters that act only through nations switching side: with no switch in any run,
# they cannot show an effect.
MEMBERSHIP_PARAMS = ("exit_penalty", "join_penalty", "penalty_scale", "spillover")


class PoolingError(StoreError):
    """A table would average over varied parameters that are not on its axes."""


def param_label(name: str) -> str:
    """An axis label from the parameter registry (``ISO3.field`` as "ISO3: label")."""
    from model.config import spec_for, split_key

    try:
        spec = spec_for(name)
    except CoalitionError:
        return name.replace("_", " ")
    code, _ = split_key(name)
    return f"{code}: {spec.axis_label()}" if code else spec.axis_label()


def sample_note(experiment: ExperimentSpec, runs: pd.DataFrame) -> str:
    """How many runs a figure rests on: N, design points, replicates and how they differ."""
    points = runs["point"].nunique()
    how = ("one plausible world each" if experiment.worlds
           else "common random numbers" if experiment.crn else "each its own seed")
    return (f"N = {len(runs):,} runs: {points:,} design points x {experiment.replicates} "
            f"replicate{'s' if experiment.replicates != 1 else ''} ({how})")

def load_sweep(outdir: str | Path) -> tuple[ExperimentSpec, pd.DataFrame]:
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


def _with_name(experiment: ExperimentSpec, name: str) -> ExperimentSpec:
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


def axes(experiment: ExperimentSpec) -> tuple[str, str | None, str | None]:
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
def pooled_factors(experiment: ExperimentSpec, runs: pd.DataFrame, shown: list[str | None]) -> list[str]:
    """Varied parameters not among ``shown`` that take more than one value in ``runs``."""
    return [f.name for f in experiment.factors
            if f.name not in shown and f.name in runs and runs[f.name].nunique() > 1]


def select(runs: pd.DataFrame, where: dict[str, Any] | None) -> pd.DataFrame:
    """The runs whose parameters have the values ``where`` names."""
    for name, value in (where or {}).items():
        if name not in runs:
            raise StoreError(f"where {name!r} is not allowed: expected a parameter of the sweep")
        runs = runs[np.isclose(runs[name], value) if isinstance(value, float) else runs[name] == value]
        if runs.empty:
            raise StoreError(f"where {name} = {value!r}: no run of the sweep has that value")
    return runs


def _unpooled(experiment: ExperimentSpec, runs: pd.DataFrame, shown: list[str | None],
              where: dict[str, Any] | None, pool: bool, what: str) -> pd.DataFrame:
    runs = select(runs, where)
    rest = pooled_factors(experiment, runs, shown)
    if rest and not pool:
        values = "; ".join(f"{n} takes {runs[n].nunique()} values" for n in rest)
        raise PoolingError(f"the {what} of sweep {experiment.name!r} would average over "
                           f"{', '.join(rest)} ({values}): pick a value with where={{...}}, "
                           "draw one panel per value (facets), or pass pool=True to average "
                           "on purpose")
    return runs


def phase_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                experiment: ExperimentSpec | None = None, *, where: dict[str, Any] | None = None,
                pool: bool = False, outcome: str = "fractured") -> pd.DataFrame:
    """Share of runs fractured (or the mean of ``outcome``): rows the y parameter,
    columns the x parameter; :class:`PoolingError` if other varied parameters would be
    averaged over (unless ``where`` fixes them or ``pool`` is set)."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    x, y, _ = axes(experiment)
    if y is None:
        raise StoreError(f"sweep {experiment.name!r} is not a phase diagram: that needs two "
                         "parameters varied over ranges (low, high)")
    runs = _unpooled(experiment, runs, [x, y], where, pool, "phase diagram")
    return runs.pivot_table(index=y, columns=x, values=outcome, aggfunc="mean").sort_index()


def facets(experiment: ExperimentSpec, runs: pd.DataFrame, shown: list[str | None],
           limit: int = 12) -> list[dict[str, Any]]:
    """One ``where`` per combination of the varied parameters not on the axes (``[{}]``
    if there are none); :class:`PoolingError` if there are more than ``limit``."""
    rest = pooled_factors(experiment, runs, shown)
    if not rest:
        return [{}]
    combos = runs[rest].drop_duplicates().sort_values(rest)
    if len(combos) > limit:
        raise PoolingError(f"sweep {experiment.name!r}: {', '.join(rest)} take {len(combos)} "
                           f"combinations, more than {limit} panels: pick values with "
                           "where={...}")
    return [{k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
            for row in combos.to_dict("records")]


# --------------------------------------------------------------------------- tipping point
def tipping_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                  experiment: ExperimentSpec | None = None, *, where: dict[str, Any] | None = None,
                  pool: bool = False) -> pd.DataFrame:
    """Share fractured along x (per group), with its 95% Wilson band (which assumes
    independent replicates) and whether the point's replicates disagree."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    x, _, group = axes(experiment)
    runs = _unpooled(experiment, runs, [x, group], where, pool, "tipping curve")
    keys = [group, x] if group else [x]
    out = runs.groupby(keys, sort=True).agg(runs=("fractured", "size"),
                                              fractured=("fractured", "sum")).reset_index()
    out["share"] = out["fractured"] / out["runs"]
    out["low"], out["high"] = wilson(out["fractured"].to_numpy(), out["runs"].to_numpy())
    out["replicates_disagree"] = (out["fractured"] > 0) & (out["fractured"] < out["runs"])
    return out


def _crossing(xs: np.ndarray, share: np.ndarray) -> float:
    """Where ``share`` (along increasing ``xs``) first crosses 1/2, linearly; NaN if never."""
    for i in range(1, len(xs)):
        a, b = share[i - 1] - 0.5, share[i] - 0.5
        if a == 0:
            return float(xs[i - 1])
        if a * b < 0 or b == 0:
            return float(xs[i - 1] + (xs[i] - xs[i - 1]) * a / (a - b))
    return math.nan


def tipping_points(table: pd.DataFrame, x: str, group: str | None) -> dict[Any, float]:
    """Where the share fractured first crosses 1/2 along x (linear interpolation); NaN if never."""
    return {key: _crossing(part[x].to_numpy(float), part["share"].to_numpy(float))
            for key, part in (table.groupby(group) if group else [(None, table)])}


def tipping_intervals(table: pd.DataFrame, x: str, group: str | None, seed: int = 0,
                      reps: int = BOOTSTRAP) -> pd.DataFrame:
    """Each group's tipping point with a 95% bootstrap interval over design points.

    The design points (each x with its replicates) are resampled with replacement,
    the share per x recomputed and the crossing found again; the interval is the 2.5
    and 97.5 percentiles of the crossings, and ``no_crossing`` the share of resamples
    without one. It reflects the grid's resolution and the scatter between points,
    where a binomial band over near-deterministic replicates would be far too narrow.
    """
    rng = np.random.default_rng(np.random.SeedSequence([20261207, int(seed)]))
    rows = []
    for key, part in (table.groupby(group) if group else [(None, table)]):
        xs = part[x].to_numpy(float)
        fr, n = part["fractured"].to_numpy(float), part["runs"].to_numpy(float)
        found = []
        for _ in range(reps):
            pick = rng.integers(0, len(xs), len(xs))
            ux, inv = np.unique(xs[pick], return_inverse=True)
            share = np.bincount(inv, fr[pick]) / np.bincount(inv, n[pick])
            found.append(_crossing(ux, share))
        found = np.array(found)
        ok = found[np.isfinite(found)]
        rows.append({"group": key, "tipping_point": _crossing(xs, fr / n),
                     "low": float(np.percentile(ok, 2.5)) if ok.size else math.nan,
                     "high": float(np.percentile(ok, 97.5)) if ok.size else math.nan,
                     "no_crossing": 1 - ok.size / reps, "points": len(xs),
                     "points_replicates_disagree": int(((fr > 0) & (fr < n)).sum())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- tournament
def tournament_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                     experiment: ExperimentSpec | None = None) -> pd.DataFrame:
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
def _point_means(experiment: ExperimentSpec, runs: pd.DataFrame) -> pd.DataFrame:
    means = runs.groupby("point")[list(SENSITIVITY_OUTPUTS)].mean().sort_index()
    if len(means) != len(experiment.points):
        raise StoreError(f"sweep {experiment.name!r} is not finished ({len(means)} of "
                         f"{len(experiment.points)} points): resume it first")
    return means.astype(float)


def sensitivity_table(outdir: str | Path, runs: pd.DataFrame | None = None,
                      experiment: ExperimentSpec | None = None, base: int | None = None) -> pd.DataFrame:
    """Sobol S1/ST (or Morris mu*/sigma) of each output, per parameter, with 95% CIs.

    Replicates are averaged per design point first (the share fractured and the mean
    European effort), as SALib needs one value per sample. ``base`` (Sobol only) uses
    the first ``base`` of the N base samples (a power of 2, as Saltelli's scheme lays
    out its points sample by sample). An output that does not vary gets NaN indices
    (:func:`design_warnings` says so).
    """
    import warnings

    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    problem = experiment.problem()
    means = _point_means(experiment, runs)
    if experiment.method not in ("sobol", "morris"):
        raise StoreError(f"sweep {experiment.name!r} used design.method = "
                         f"{experiment.method!r}: sensitivity needs sobol or morris")
    rows = []
    for output in SENSITIVITY_OUTPUTS:
        y = means[output].to_numpy(float)
        names = problem["names"]
        if experiment.method == "sobol":
            from SALib.analyze import sobol

            per = (2 if experiment.second_order else 1) * len(names) + 2
            n = base or experiment.samples
            if np.ptp(y[:n * per]) == 0:
                rows += [{"output": output, "parameter": name, "N": n, "S1": math.nan,
                          "S1_conf": math.nan, "ST": math.nan, "ST_conf": math.nan}
                         for name in names]
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SALib warns of constant parts; we say so
                res = sobol.analyze(problem, y[:n * per], calc_second_order=experiment.second_order,
                                    seed=experiment.seed % 2**32)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "N": n,
                             "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
        else:
            from SALib.analyze import morris

            x = np.array([[p[n] for n in names] for p in experiment.points], float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SALib warns of constant parts; we say so
                res = morris.analyze(problem, x, y, num_levels=experiment.levels,
                                     seed=experiment.seed % 2**32)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows)


def sobol_convergence(outdir: str | Path, runs: pd.DataFrame | None = None,
                      experiment: ExperimentSpec | None = None) -> pd.DataFrame:
    """Sobol indices at N/4, N/2 and N base samples, one row each per output and
    parameter; ``moved`` flags an index whose last step (N/2 to N) is larger than its
    95% interval at N: it has not settled, and N is too small."""
    if runs is None or experiment is None:
        experiment, runs = load_sweep(outdir)
    if experiment.method != "sobol":
        raise StoreError(f"sweep {experiment.name!r} used design.method = "
                         f"{experiment.method!r}: convergence needs sobol")
    n = experiment.samples
    steps = [b for b in (n // 4, n // 2, n) if b >= 2]
    table = pd.concat([sensitivity_table(outdir, runs, experiment, base=b) for b in steps])
    table = table.reset_index(drop=True)
    table["moved"] = False
    if len(steps) > 1:
        for (output, name), part in table.groupby(["output", "parameter"]):
            last, before = part[part["N"] == steps[-1]].iloc[0], part[part["N"] == steps[-2]].iloc[0]
            moved = any(abs(last[k] - before[k]) > last[f"{k}_conf"] for k in ("S1", "ST"))
            table.loc[part.index, "moved"] = bool(moved)
    return table


# --------------------------------------------------------------------------- warnings
def design_warnings(experiment: ExperimentSpec, runs: pd.DataFrame,
                    convergence: pd.DataFrame | None = None) -> list[str]:
    """What this design cannot show, one sentence each (empty if nothing)."""
    out = []
    varied = [f.name for f in experiment.factors]
    for outcome in ("fractured", "european_effort_end_bn", "members_lost_count"):
        values = runs[outcome]
        if values.nunique() == 1:
            value = values.iloc[0]
            value = value.item() if hasattr(value, "item") else value
            out.append(f"{outcome} does not vary in this design (it is {value!r} in all "
                       f"{len(runs):,} runs): nothing here can be said about what drives it")
    stops = bool(runs["stop_on_verdict"].all())
    acting = [n for n in varied if n in MEMBERSHIP_PARAMS]
    if runs["members_lost_count"].eq(0).all() and acting:
        why = (" before it stopped at its verdict (stop_on_verdict = true; every fracture is by "
               "size of aid, not by members leaving): set stop_on_verdict = false to let runs go on"
               if stops else "")
        out.append(f"no member left the coalition in any run{why}; {', '.join(acting)} "
                   f"act{'s' if len(acting) == 1 else ''} only through members switching side, "
                   "so any effect they show here is noise")
    if "us_withdraw_rate" in varied and runs["us_level_end"].nunique() == 1:
        out.append(f"the US ends at the same commitment ({runs['us_level_end'].iloc[0]:g}) whatever "
                   f"us_withdraw_rate: the rate changes only how soon, so a tipping rate depends on "
                   f"the horizon (rounds = {experiment.rounds}); compare at a fixed round instead")
    if experiment.method in ("sobol", "morris") and not experiment.crn:
        out.append("crn = false: every design point has its own seed, so seed noise is credited "
                   "to the parameters (set crn = true)")
    if convergence is not None:
        moved = convergence[convergence["moved"]].drop_duplicates(["output", "parameter"])
        for _, row in moved.iterrows():
            out.append(f"the Sobol indices of {row['parameter']} on {row['output']} moved by more "
                       f"than their 95% interval between N/2 and N = {experiment.samples}: "
                       "they have not settled; use more samples")
    return out
