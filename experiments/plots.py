"""Figures of a finished sweep, by the experiment's kind (matplotlib, no display needed).

``coalition plot OUTDIR`` calls :func:`plot_sweep`, which writes PNG and SVG files to
``OUTDIR/plots/``: the phase diagram (share fractured over two parameters, the
boundary at one half marked, one panel per value of any other varied parameter), the
tipping-point curve with the tipping point's bootstrap interval, the policy tournament
table (also as CSV), or the Sobol/Morris indices with confidence intervals and, for
Sobol, their convergence in N (also as CSV). Axis labels come from the parameter
registry (:meth:`model.param.Param.axis_label`) and every figure says how many runs,
design points and replicates it rests on. :func:`phase_figure` is what the browser
app's sweep page shows. Figures are :class:`matplotlib.figure.Figure` objects made
without pyplot, so they work on a server and show in a notebook.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import experiments.analysis as an
from experiments.design import ExperimentSpec
from experiments.store import StoreError

FORMATS = ("png", "svg")
OUTPUT_LABELS = {"fractured": "share of runs fractured",
                 "european_effort_end_bn": "European aid at the end (EUR bn a year)"}


def _label(name: str) -> str:
    return OUTPUT_LABELS.get(name, an.param_label(name))


def _wrap(text: str, width: int = 95) -> str:
    """Title lines wrapped to fit a figure at print size."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _where_text(where: dict) -> str:
    return ", ".join(f"{an.param_label(k)} = {v:g}" if isinstance(v, float)
                     else f"{an.param_label(k)} = {v}" for k, v in where.items())


def phase_figure(outdir: str | Path, runs=None, experiment: ExperimentSpec | None = None, *,
                 where: dict | None = None, outcome: str = "fractured") -> Figure:
    """Share of runs fractured over the two varied parameters, boundary at 1/2 dashed;
    one panel per combination of the other varied parameters (never averaged over)."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    x, y, _ = an.axes(experiment)
    runs = an.select(runs, where)
    panels = an.facets(experiment, runs, [x, y])
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig = Figure(figsize=(5.2 * cols + 1.2, 4.2 * rows + 0.8), layout="constrained")
    axs = fig.subplots(rows, cols, squeeze=False)
    mesh = None
    for ax, panel in zip(axs.flat, panels):
        table = an.phase_table(outdir, runs, experiment, where=panel, outcome=outcome)
        xs, ys, z = table.columns.to_numpy(float), table.index.to_numpy(float), table.to_numpy(float)
        mesh = ax.pcolormesh(xs, ys, z, shading="nearest", cmap="RdYlBu_r", vmin=0, vmax=1)
        if len(xs) > 1 and len(ys) > 1 and np.nanmin(z) < 0.5 < np.nanmax(z):
            ax.contour(xs, ys, z, levels=[0.5], colors="black", linestyles="--", linewidths=1.5)
            ax.plot([], [], "k--", label="half of runs fracture")
            ax.legend(loc="upper right", fontsize="small")
        ax.set_xlabel(_label(x))
        ax.set_ylabel(_label(y))
        if panel:
            ax.set_title(_where_text(panel), fontsize="medium")
    for ax in list(axs.flat)[len(panels):]:
        ax.axis("off")
    fig.colorbar(mesh, ax=axs, label=OUTPUT_LABELS.get(outcome, outcome), shrink=0.9)
    fixed = f"; {_where_text(where)}" if where else ""
    fig.suptitle(_wrap(f"{experiment.title}\n{an.sample_note(experiment, runs)}{fixed}",
                       40 + 45 * cols), fontsize="medium")
    return fig


def tipping_figure(outdir: str | Path, runs=None, experiment: ExperimentSpec | None = None, *,
                   where: dict | None = None) -> Figure:
    """Share fractured along x, one curve per group, and each tipping point with its 95%
    bootstrap interval over design points (shaded)."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.tipping_table(outdir, runs, experiment, where=where)
    x, _, group = an.axes(experiment)
    runs = an.select(runs, where)
    points = an.tipping_intervals(table, x, group, seed=experiment.seed)
    fig = Figure(figsize=(7.2, 4.8), layout="constrained")
    ax = fig.add_subplot()
    styles = [("o", "-"), ("s", "--"), ("^", "-."), ("v", ":")]
    parts = list(table.groupby(group)) if group else [(None, table)]
    for k, (key, part) in enumerate(parts):
        label = f"{_label(group)}: {key}" if group else "all runs"
        marker, style = styles[k % len(styles)]
        line, = ax.plot(part[x], part["share"], marker=marker, linestyle=style, markersize=4,
                        label=label)
        tip = points.iloc[k]
        if np.isfinite(tip["tipping_point"]):
            ax.axvspan(tip["low"], tip["high"], color=line.get_color(), alpha=0.15)
            ax.axvline(tip["tipping_point"], color=line.get_color(), linestyle=":", linewidth=1)
            ax.annotate(f"tipping point {tip['tipping_point']:.3g} "
                        f"[{tip['low']:.3g}, {tip['high']:.3g}]", (tip["tipping_point"], 0.5),
                        textcoords="offset points", xytext=(5, 5 + 12 * k),
                        color=line.get_color(), fontsize="small")
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_label(x))
    ax.set_ylabel("share of runs fractured")
    disagree = int(table["replicates_disagree"].sum())
    ax.set_title(_wrap(f"{experiment.title}\n{an.sample_note(experiment, runs)}; replicates "
                       f"disagree at {disagree} of {len(table)} points; shaded: 95% bootstrap "
                       "interval of the tipping point over design points"), fontsize="small")
    ax.legend(fontsize="small")
    return fig


def tournament_figure(outdir: str | Path, runs=None, experiment: ExperimentSpec | None = None) -> Figure:
    """The policy tournament as a ranked table."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.tournament_table(outdir, runs, experiment)
    cols = ["rank", "runs", "converged", "fractured", "unresolved", "coalition_size_end",
            "european_effort_end_bn", "deterrence_end"]
    heads = ["rank", "runs", "converged", "fractured", "unresolved", "members\n(end)",
             "European aid\n(EUR bn, end)", "deterrence\n(end)"]
    cells = []
    for _, row in table[cols].iterrows():
        cells.append([f"{int(row['rank'])}", f"{int(row['runs'])}", f"{row['converged']:.0%}",
                      f"{row['fractured']:.0%}", f"{row['unresolved']:.0%}",
                      f"{row['coalition_size_end']:.1f}", f"{row['european_effort_end_bn']:.1f}",
                      f"{row['deterrence_end']:.2f}"])
    fig = Figure(figsize=(9, 0.9 + 0.38 * (len(cells) + 2)), layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    tab = ax.table(cellText=cells, rowLabels=list(table.index), colLabels=heads, loc="center",
                   cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(9)
    tab.scale(1, 1.5)
    ax.set_title(f"{experiment.title}: US policies ranked by share of runs fractured\n"
                 f"{an.sample_note(experiment, runs)}", fontsize="medium")
    return fig


def sensitivity_figure(outdir: str | Path, runs=None, experiment: ExperimentSpec | None = None) -> Figure:
    """Sobol first-order and total indices (or Morris mu*) with 95% intervals, per output."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.sensitivity_table(outdir, runs, experiment)
    outputs = list(dict.fromkeys(table["output"]))
    fig = Figure(figsize=(5.5 * len(outputs), 4.8), layout="constrained")
    for k, output in enumerate(outputs):
        ax = fig.add_subplot(1, len(outputs), k + 1)
        part = table[table["output"] == output]
        pos = np.arange(len(part))
        if "S1" in part:
            ax.bar(pos - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], capsize=3, label="first order S1")
            ax.bar(pos + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], capsize=3, label="total ST")
            ax.set_ylabel("Sobol index (95% CI)")
        else:
            ax.bar(pos, part["mu_star"], 0.6, yerr=part["mu_star_conf"], capsize=3, label="mu*")
            ax.set_ylabel("Morris mu* (95% CI)")
        ax.set_xticks(pos, [_label(p) for p in part["parameter"]], rotation=30, ha="right",
                      fontsize="small")
        ax.set_title(_label(output) + (" (does not vary)" if part.filter(like="S").isna().all().all()
                                       and "S1" in part else ""), fontsize="medium")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.legend(fontsize="small")
    base = f"; N = {experiment.samples} base samples" if experiment.method == "sobol" else ""
    fig.suptitle(f"{experiment.title}\n{an.sample_note(experiment, runs)}{base}", fontsize="medium")
    return fig


def convergence_figure(outdir: str | Path, runs=None, experiment: ExperimentSpec | None = None) -> Figure:
    """Total Sobol indices at N/4, N/2 and N base samples side by side, with 95% intervals;
    a parameter whose index moved by more than its interval is marked."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.sobol_convergence(outdir, runs, experiment)
    outputs = list(dict.fromkeys(table["output"]))
    steps = sorted(table["N"].unique())
    fig = Figure(figsize=(5.5 * len(outputs), 4.8), layout="constrained")
    width = 0.8 / len(steps)
    for k, output in enumerate(outputs):
        ax = fig.add_subplot(1, len(outputs), k + 1)
        part = table[table["output"] == output]
        names = list(dict.fromkeys(part["parameter"]))
        pos = np.arange(len(names))
        for j, n in enumerate(steps):
            at = part[part["N"] == n].set_index("parameter").loc[names]
            ax.bar(pos + (j - (len(steps) - 1) / 2) * width, at["ST"], width, yerr=at["ST_conf"],
                   capsize=2, label=f"{n} base samples")
        moved = set(part[part["moved"]]["parameter"])
        ax.set_xticks(pos, [_label(p) + (" *" if p in moved else "") for p in names],
                      rotation=30, ha="right", fontsize="small")
        ax.set_ylabel("total Sobol index ST (95% CI)")
        ax.set_title(_label(output), fontsize="medium")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.legend(fontsize="small")
    fig.suptitle(f"{experiment.title}: convergence in the base samples (* moved by more than "
                 f"its interval from {steps[-2] if len(steps) > 1 else steps[0]} to {steps[-1]})\n"
                 f"{an.sample_note(experiment, runs)}", fontsize="medium")
    return fig


FIGURES = {"phase": phase_figure, "tipping": tipping_figure, "tournament": tournament_figure,
           "sensitivity": sensitivity_figure}
TABLES = {"tournament": an.tournament_table, "sensitivity": an.sensitivity_table,
          "phase": lambda o, r, e: an.phase_table(o, r, e, pool=True),
          "tipping": an.tipping_table}


def _save(fig: Figure, target: Path, name: str) -> list[Path]:
    paths = []
    for fmt in FORMATS:
        path = target / f"{name}.{fmt}"
        fig.savefig(path, dpi=150)
        paths.append(path)
    return paths


def plot_sweep(outdir: str | Path) -> tuple[list[Path], list[str]]:
    """Draw the figure of the sweep's kind (PNG and SVG) and its tables (CSV); the paths
    written and the design's warnings (:func:`experiments.analysis.design_warnings`)."""
    outdir = Path(outdir)
    experiment, runs = an.load_sweep(outdir)
    kind = experiment.kind
    if kind == "table":  # no dedicated figure: the most useful one the axes allow
        _, y, _ = an.axes(experiment)
        kind = "phase" if y is not None else "tipping"
    target = outdir / "plots"
    target.mkdir(exist_ok=True)
    paths = _save(FIGURES[kind](outdir, runs, experiment), target, kind)
    table = TABLES[kind](outdir, runs, experiment)
    path = target / f"{kind}.csv"
    table.to_csv(path)
    paths.append(path)
    convergence = None
    if kind == "tipping":
        x, _, group = an.axes(experiment)
        path = target / "tipping-points.csv"
        an.tipping_intervals(table, x, group, seed=experiment.seed).to_csv(path, index=False)
        paths.append(path)
    if kind == "sensitivity" and experiment.method == "sobol":
        convergence = an.sobol_convergence(outdir, runs, experiment)
        paths += _save(convergence_figure(outdir, runs, experiment), target, "convergence")
        path = target / "convergence.csv"
        convergence.to_csv(path, index=False)
        paths.append(path)
    warnings = an.design_warnings(experiment, runs, convergence)
    path = target / "warnings.txt"
    path.write_text("".join(f"{w}\n" for w in warnings))
    paths.append(path)
    return paths, warnings


__all__ = ["phase_figure", "tipping_figure", "tournament_figure", "sensitivity_figure",
           "convergence_figure", "plot_sweep", "StoreError"]
