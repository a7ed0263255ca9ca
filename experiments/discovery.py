"""Scenario discovery over a finished sweep: which parameter ranges lead to an outcome?

``coalition discover OUTDIR --outcome fractured`` asks, of every run of a sweep, which
box of the varied parameters (and, in a sweep over plausible worlds, of the estimated
parameters the worlds vary) holds the runs with the outcome: PRIM, the Patient Rule
Induction Method (Friedman and Fisher 1999; Bryant and Lempert 2010), peels the
parameter space box by box and traces the trade-off between *coverage* (the share of
all runs with the outcome that fall in the box) and *density* (the share of the box's
runs that have it). CART (a classification tree) gives a second set of boxes, and
extra-trees feature scores rank the parameters.

The algorithms are the EMA Workbench's (``ema_workbench.analysis``: ``prim``, ``cart``,
``feature_scoring``): maintained by the TU Delft group that wrote the standard
references on scenario discovery (Kwakkel 2017), it implements PRIM with pasting,
categorical inputs and quasi-p-values for each restriction, which a hand-written
peeler would not; its dependencies (scikit-learn, statsmodels, seaborn) install from
PyPI on Python 3.12. It is imported only here, when a discovery runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import experiments.analysis as an
from experiments.design import ExperimentSpec, ExperimentError

DENSITY = 0.8  # the box chosen is the widest whose density is at least this


@dataclass
class Discovery:
    """The result of :func:`discover`: PRIM's trajectory and chosen box, CART's boxes,
    the feature scores."""

    experiment: ExperimentSpec
    outcome: str  # the rule, e.g. "fractured" or "european_effort_end_bn < 30"
    runs: int
    hits: int
    inputs: list[str]
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step
    chosen: int  # the id of the chosen box in the trajectory
    limits: pd.DataFrame  # the chosen box: min, max (or the values kept) and qp value
    cart: list[dict[str, Any]] = field(default_factory=list)
    scores: pd.Series | None = None
    note: str = ""  # the sample the discovery rests on (analysis.sample_note)


def _ema():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns of optional parts not installed
        from ema_workbench.analysis import cart, feature_scoring, prim
    return prim, cart, feature_scoring


def target(runs: pd.DataFrame, outcome: str, above: float | None = None,
           below: float | None = None, equals: str | None = None) -> tuple[np.ndarray, str]:
    """The runs that have the outcome (boolean per run) and the rule in words."""
    if outcome not in runs:
        from model.outcomes import OUTCOME_COLUMNS

        raise ExperimentError(f"--outcome {outcome!r} is not allowed: expected an outcome "
                              "column such as " + ", ".join(list(OUTCOME_COLUMNS)[:8]) + ", ...")
    values = runs[outcome]
    given = [v is not None for v in (above, below, equals)]
    if sum(given) > 1:
        raise ExperimentError("give at most one of --above, --below, --equals")
    if values.dtype == bool and not any(given):
        return values.to_numpy(bool), outcome
    if pd.api.types.is_numeric_dtype(values) and values.dtype != bool:
        if above is not None:
            return (values > above).to_numpy(bool), f"{outcome} > {above:g}"
        if below is not None:
            return (values < below).to_numpy(bool), f"{outcome} < {below:g}"
        raise ExperimentError(f"--outcome {outcome} is a number: add --above X or --below X")
    if equals is not None:
        return (values.astype(str) == equals).to_numpy(bool), f"{outcome} = {equals}"
    raise ExperimentError(f"--outcome {outcome} is not true/false: add --equals VALUE "
                          f"(one of {', '.join(sorted(map(str, values.unique()))[:6])})")


def inputs(experiment: ExperimentSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """The parameters the runs differ in: the varied ones and the plausible worlds' own."""
    names = [f.name for f in experiment.factors]
    for world in experiment.worlds[:1]:
        names += [n for n in world if n not in names]
    x = pd.DataFrame({n: runs[n] for n in names if n in runs and runs[n].nunique() > 1})
    if x.empty:
        raise ExperimentError(f"sweep {experiment.name!r} varies no parameter: nothing to discover")
    for name in x:
        if not pd.api.types.is_numeric_dtype(x[name]) or x[name].dtype == bool:
            x[name] = pd.Categorical(x[name].astype(str))
        else:
            x[name] = x[name].astype(float)
    return x.reset_index(drop=True)


def discover(outdir: str | Path, outcome: str = "fractured", above: float | None = None,
             below: float | None = None, equals: str | None = None,
             density: float = DENSITY) -> Discovery:
    """PRIM, CART and feature scores of ``outcome`` over a finished sweep."""
    if not 0 < density <= 1:
        raise ExperimentError(f"--density {density!r} is not allowed: expected a share above 0 "
                              "and at most 1")
    experiment, runs = an.load_sweep(outdir)
    y, rule = target(runs, outcome, above, below, equals)
    if y.all() or not y.any():
        raise ExperimentError(f"{rule} holds in {'all' if y.all() else 'none'} of the {len(y):,} "
                              "runs: there is no boundary to discover")
    x = inputs(experiment, runs)
    prim, cart, scoring = _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y).find_box()
        trajectory = box.peeling_trajectory.copy()
        ok = trajectory[trajectory["density"] >= density]
        chosen = int(ok.loc[ok["coverage"].idxmax(), "id"] if len(ok)
                     else trajectory.loc[trajectory["density"].idxmax(), "id"])
        limits = box.inspect(chosen, style="data")[0][1]
        limits.columns = ["min", "max", "qp value (lower)", "qp value (upper)"]
        tree = cart.CART(x, y, mass_min=0.05)
        tree.build_tree()
        leaves = [{**stats, "limits": _restricted(lims, x)}
                  for stats, lims in zip(tree.stats, tree.boxes)]
        scores = scoring.get_ex_feature_scores(
            x, y, mode=scoring.RuleInductionType.CLASSIFICATION,
            random_state=experiment.seed % 2**32)[0].iloc[:, 0]
    return Discovery(experiment, rule, len(y), int(y.sum()), list(x.columns), trajectory,
                     chosen, limits, leaves, scores.sort_values(ascending=False),
                     an.sample_note(experiment, runs))


def _restricted(limits: pd.DataFrame, x: pd.DataFrame) -> dict[str, Any]:
    """A CART box's limits on the parameters it restricts."""
    out = {}
    for name in limits.columns:
        lo, hi = limits[name].iloc[0], limits[name].iloc[1]
        if isinstance(x[name].dtype, pd.CategoricalDtype):
            kept = set(lo) if isinstance(lo, set) else {lo}
            if kept != set(x[name].cat.categories):
                out[name] = sorted(kept)
        elif lo > x[name].min() or hi < x[name].max():
            out[name] = (float(lo), float(hi))
    return out


def _range(lo: Any, hi: Any) -> str:
    if isinstance(lo, set):
        return "one of " + ", ".join(sorted(map(str, lo)))
    return f"{lo:.4g} to {hi:.4g}"


def discovery_text(d: Discovery) -> str:
    """What ``coalition discover`` prints: the boxes with coverage and density."""
    row = d.trajectory.set_index("id").loc[d.chosen]
    lines = [
        f"Scenario discovery in {d.experiment.name!r}: {d.outcome} in {d.hits:,} of {d.runs:,} "
        f"runs ({d.hits / d.runs:.0%}); inputs: {', '.join(d.inputs)}.",
        "PRIM (EMA Workbench): coverage = share of those runs inside the box, density = share "
        "of the box's runs with the outcome, mass = share of all runs inside the box.",
        f"{'box':>4s} {'coverage':>9s} {'density':>8s} {'mass':>6s} {'restricted':>10s}"]
    steps = d.trajectory.drop_duplicates("res_dim", keep="last")
    for _, r in pd.concat([steps, d.trajectory[d.trajectory["id"] == d.chosen]]).drop_duplicates(
            "id").sort_values("id").iterrows():
        mark = "  <- chosen" if int(r["id"]) == d.chosen else ""
        lines.append(f"{int(r['id']):>4d} {r['coverage']:>9.2f} {r['density']:>8.2f} "
                     f"{r['mass']:>6.2f} {int(r['res_dim']):>10d}{mark}")
    lines.append(f"Chosen box {d.chosen} (coverage {row['coverage']:.2f}, density "
                 f"{row['density']:.2f}, mass {row['mass']:.2f}):")
    for name, lim in d.limits.iterrows():
        qp = [v for v in (lim["qp value (lower)"], lim["qp value (upper)"]) if not pd.isna(v)]
        p = f"  (quasi-p {max(qp):.2g})" if qp else ""
        lines.append(f"  {name:26s} {_range(lim['min'], lim['max'])}{p}")
    if not len(d.limits):
        lines.append("  (no restriction: the outcome is spread over the whole space)")
    good = sorted((b for b in d.cart if b["density"] >= 0.5), key=lambda b: -b["coverage"])
    lines.append(f"CART boxes where the outcome is the majority ({len(good)} of {len(d.cart)}):")
    for b in good:
        where = "; ".join(f"{k} {_range(*v) if isinstance(v, tuple) else 'in ' + ', '.join(v)}"
                          for k, v in b["limits"].items()) or "everywhere"
        lines.append(f"  coverage {b['coverage']:.2f}, density {b['density']:.2f}, mass "
                     f"{b['mass']:.2f}: {where}")
    if d.scores is not None:
        lines.append("Feature scores (extra trees): " + ", ".join(
            f"{k} {v:.2f}" for k, v in d.scores.items()))
    return "\n".join(lines)


def tradeoff_figure(d: Discovery) -> Figure:
    """PRIM's peeling trajectory: density against coverage, coloured by the number of
    restricted parameters, the chosen box circled."""
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.add_subplot()
    t = d.trajectory
    dims = int(t["res_dim"].max())
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18,
                        vmin=0, vmax=max(dims, 1))
    fig.colorbar(points, ax=ax, label="parameters restricted")
    row = t.set_index("id").loc[d.chosen]
    ax.scatter([row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="red",
               label=f"chosen box {d.chosen}")
    ax.set_xlabel("coverage (share of the outcome's runs inside the box)")
    ax.set_ylabel("density (share of the box's runs with the outcome)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title(f"PRIM trade-off: {d.outcome} ({d.hits:,} of {d.runs:,} runs)\n{d.note}",
                 fontsize="medium")
    return fig


def write_discovery(outdir: str | Path, d: Discovery) -> list[Path]:
    """The trade-off figure (PNG, SVG) and the trajectory (CSV) in ``OUTDIR/plots/``."""
    target_dir = Path(outdir) / "plots"
    target_dir.mkdir(exist_ok=True)
    stem = "discover-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in d.outcome)
    paths = []
    fig = tradeoff_figure(d)
    for fmt in ("png", "svg"):
        paths.append(target_dir / f"{stem}.{fmt}")
        fig.savefig(paths[-1], dpi=150)
    paths.append(target_dir / f"{stem}.csv")
    d.trajectory.to_csv(paths[-1], index=False)
    return paths
