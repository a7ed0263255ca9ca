"""Figures of a finished sweep, by the experiment's kind (matplotlib, Agg backend).

``coalition plot OUTDIR`` calls :func:`plot_sweep`, which writes PNG and SVG files to
``OUTDIR/plots/``: the phase diagram (share fractured over two parameters, the
boundary at one half marked), the tipping-point curve with 95% bands, the policy
tournament table (also as CSV), or the Sobol/Morris indices with confidence intervals
(also as CSV). :func:`phase_figure` is what the browser app's sweep page shows.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from experiments import analysis as an  # noqa: E402
from experiments.design import Experiment  # noqa: E402
from experiments.store import StoreError  # noqa: E402

FORMATS = ("png", "svg")


OUTPUT_LABELS = {"fractured": "share of runs fractured",
                 "european_effort_end_bn": "European aid at the end (EUR bn a year)"}


def _label(name: str) -> str:
    return OUTPUT_LABELS.get(name, name.replace("_", " "))


def phase_figure(outdir: str | Path, runs=None, experiment: Experiment | None = None) -> Figure:
    """Share of runs fractured over the two varied parameters, boundary at 1/2 dashed."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.phase_table(outdir, runs, experiment)
    x, y, _ = an.axes(experiment)
    xs, ys = table.columns.to_numpy(float), table.index.to_numpy(float)
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(xs, ys, table.to_numpy(float), shading="nearest", cmap="RdYlBu_r",
                         vmin=0, vmax=1)
    fig.colorbar(mesh, ax=ax, label="share of runs fractured")
    if len(xs) > 1 and len(ys) > 1 and np.nanmin(table) < 0.5 < np.nanmax(table):
        ax.contour(xs, ys, table.to_numpy(float), levels=[0.5], colors="black",
                   linestyles="--", linewidths=1.5)
        ax.plot([], [], "k--", label="boundary: half of runs fracture")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(y))
    reps = experiment.replicates
    ax.set_title(f"{experiment.title}\n({len(runs)} runs, {reps} per point)", fontsize="medium")
    return fig


def tipping_figure(outdir: str | Path, runs=None, experiment: Experiment | None = None) -> Figure:
    """Share fractured along x, one curve per group, 95% Wilson bands, tipping points."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.tipping_table(outdir, runs, experiment)
    x, _, group = an.axes(experiment)
    points = an.tipping_points(table, x, group)
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    styles = [("o", "-"), ("s", "--"), ("^", "-."), ("v", ":")]
    for k, (key, part) in enumerate(table.groupby(group) if group else [(None, table)]):
        label = f"{_label(group)} = {key}" if group else "all runs"
        marker, style = styles[k % len(styles)]
        line, = ax.plot(part[x], part["share"], marker=marker, linestyle=style, markersize=4,
                        label=label)
        ax.fill_between(part[x], part["low"], part["high"], color=line.get_color(), alpha=0.15)
        if np.isfinite(points[key]):  # curves may coincide: labels are stacked
            ax.axvline(points[key], color=line.get_color(), linestyle=":", linewidth=1)
            ax.annotate(f"tipping point {points[key]:.3g}", (points[key], 0.5),
                        textcoords="offset points", xytext=(5, 5 + 12 * k),
                        color=line.get_color(), fontsize="small")
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_label(x))
    ax.set_ylabel("share of runs fractured (95% band)")
    ax.set_title(experiment.title, fontsize="medium")
    ax.legend(fontsize="small")
    return fig


def tournament_figure(outdir: str | Path, runs=None, experiment: Experiment | None = None) -> Figure:
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
    fig = Figure(figsize=(9, 0.5 + 0.38 * (len(cells) + 2)), layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    tab = ax.table(cellText=cells, rowLabels=list(table.index), colLabels=heads, loc="center",
                   cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(9)
    tab.scale(1, 1.5)
    ax.set_title(f"{experiment.title}: US policies ranked by share of runs fractured",
                 fontsize="medium")
    return fig


def sensitivity_figure(outdir: str | Path, runs=None, experiment: Experiment | None = None) -> Figure:
    """Sobol first-order and total indices (or Morris mu*) with 95% intervals, per output."""
    if runs is None or experiment is None:
        experiment, runs = an.load_sweep(outdir)
    table = an.sensitivity_table(outdir, runs, experiment)
    outputs = list(dict.fromkeys(table["output"]))
    fig = Figure(figsize=(5 * len(outputs), 4.2), layout="constrained")
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
        ax.set_xticks(pos, [_label(p) for p in part["parameter"]], rotation=30, ha="right")
        ax.set_title(_label(output), fontsize="medium")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.legend(fontsize="small")
    fig.suptitle(experiment.title, fontsize="medium")
    return fig


FIGURES = {"phase": phase_figure, "tipping": tipping_figure, "tournament": tournament_figure,
           "sensitivity": sensitivity_figure}
TABLES = {"tournament": an.tournament_table, "sensitivity": an.sensitivity_table,
          "phase": an.phase_table, "tipping": an.tipping_table}


def plot_sweep(outdir: str | Path) -> list[Path]:
    """Draw the figure of the sweep's kind (PNG and SVG) and its table (CSV); the paths."""
    outdir = Path(outdir)
    experiment, runs = an.load_sweep(outdir)
    kind = experiment.kind
    if kind == "table":  # no dedicated figure: the most useful one the axes allow
        _, y, _ = an.axes(experiment)
        kind = "phase" if y is not None else "tipping"
    target = outdir / "plots"
    target.mkdir(exist_ok=True)
    paths = []
    fig = FIGURES[kind](outdir, runs, experiment)
    for fmt in FORMATS:
        path = target / f"{kind}.{fmt}"
        fig.savefig(path, dpi=150)
        paths.append(path)
    plt.close("all")
    path = target / f"{kind}.csv"
    TABLES[kind](outdir, runs, experiment).to_csv(path)
    paths.append(path)
    return paths


__all__ = ["phase_figure", "tipping_figure", "tournament_figure", "sensitivity_figure",
           "plot_sweep", "StoreError"]
