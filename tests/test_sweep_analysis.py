"""Honest analysis (issue 12, items 4 and 7): no silent pooling, tipping points with
bootstrap intervals over design points, Sobol convergence in N, warnings where a design
cannot show something, and labels and sample sizes on every figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments import analysis as an
from experiments.cli import main
from experiments.design import experiment_from_dict
from experiments.plots import phase_figure, sensitivity_figure, tipping_figure
from experiments.sweep import run_sweep
from model.config import all_params

IDENTICAL = {"nations": "identical", "n_nations": 5, "noise": 0.05}


def sweep(folder, data, name="exp"):
    e = experiment_from_dict(data, name=name, folder=folder)
    file = folder / f"{name}.toml"
    file.write_text(e.text)
    run_sweep(file, folder / name, progress=False)
    return folder / name


@pytest.fixture(scope="module")
def phase3(tmp_path_factory):
    """A phase diagram with a third varied parameter (the exit penalty)."""
    return sweep(tmp_path_factory.mktemp("phase3"), {
        "title": "three factors", "scenario": "baseline", "seed": 2, "rounds": 5,
        "replicates": 2, "parameters": IDENTICAL,
        "vary": {"us_level": {"low": 0.0, "high": 1.0, "steps": 3},
                 "us_reliance": {"low": -2.0, "high": 1.0, "steps": 3},
                 "exit_penalty": {"values": [0.0, 0.001]}}})


def test_the_phase_table_refuses_to_pool_silently(phase3):
    with pytest.raises(an.PoolingError, match="would average over exit_penalty"):
        an.phase_table(phase3)
    one = an.phase_table(phase3, where={"exit_penalty": 0.001})
    experiment, runs = an.load_sweep(phase3)
    mine = runs[runs["exit_penalty"] == 0.001]
    assert one.loc[-2.0, 0.0] == mine[(mine["us_level"] == 0) & (mine["us_reliance"] == -2)][
        "fractured"].mean()
    assert an.phase_table(phase3, pool=True).shape == one.shape


def test_the_phase_figure_has_a_panel_per_other_value(phase3):
    fig = phase_figure(phase3)
    panels = [ax for ax in fig.axes if ax.collections and ax.get_xlabel()]
    assert len(panels) == 2
    assert sorted(ax.get_title() for ax in panels) == [
        "exit penalty (share of GDP) = 0", "exit penalty (share of GDP) = 0.001"]
    label = all_params()["us_level"].label
    assert label == "US commitment (1 = its 2022-24 effort)"
    assert all(ax.get_xlabel() == label for ax in panels)
    assert "N = 36 runs: 18 design points x 2 replicates" in fig._suptitle.get_text()


def test_warnings_say_what_the_design_cannot_show(phase3, capsys):
    experiment, runs = an.load_sweep(phase3)
    warnings = an.design_warnings(experiment, runs)
    assert any("no member left the coalition in any run before it stopped at its verdict"
               in w and "exit_penalty" in w for w in warnings)
    assert any(w.startswith("members_lost_count does not vary") for w in warnings)
    assert main(["plot", str(phase3)]) == 0
    err = capsys.readouterr().err
    assert err.count("coalition: warning:") == len(warnings)
    assert (phase3 / "plots" / "warnings.txt").read_text().count("\n") == len(warnings)


def test_tipping_point_interval_comes_from_the_design_points():
    """A deterministic step between x = 0.4 and 0.6: binomial bands over replicates would
    be zero wide; the bootstrap over design points spans the grid's resolution."""
    xs = np.round(np.linspace(0, 1, 11), 2)
    table = pd.DataFrame({"x": xs, "runs": 4, "fractured": np.where(xs < 0.5, 4, 0)})
    table["share"] = table["fractured"] / table["runs"]
    tip = an.tipping_intervals(table, "x", None, seed=1).iloc[0]
    assert tip["tipping_point"] == pytest.approx(0.45)
    assert tip["low"] <= 0.4 and 0.5 <= tip["high"] and tip["high"] - tip["low"] <= 0.5
    assert tip["points_replicates_disagree"] == 0 and tip["no_crossing"] < 0.05
    # the same within-point certainty, but the points scatter: a wider interval
    noisy = table.assign(fractured=[4, 4, 0, 4, 4, 0, 0, 4, 0, 0, 0])
    noisy["share"] = noisy["fractured"] / noisy["runs"]
    wide = an.tipping_intervals(noisy, "x", None, seed=1).iloc[0]
    assert wide["high"] - wide["low"] > tip["high"] - tip["low"]


@pytest.fixture(scope="module")
def tipping(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("tipping"), {
        "title": "tipping", "scenario": "baseline", "seed": 3, "rounds": 5, "replicates": 2,
        "parameters": IDENTICAL, "vary": {"us_level": {"low": 0.0, "high": 0.6, "steps": 7}}})


def test_the_tipping_figure_shows_the_bootstrap_interval(tipping):
    fig = tipping_figure(tipping)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "US commitment (1 = its 2022-24 effort)"
    assert "N = 14 runs: 7 design points x 2 replicates" in ax.get_title()
    assert "bootstrap interval" in ax.get_title()
    assert main(["plot", str(tipping)]) == 0
    points = pd.read_csv(tipping / "plots" / "tipping-points.csv")
    assert {"tipping_point", "low", "high", "no_crossing"} <= set(points.columns)


@pytest.fixture(scope="module")
def sobol(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("sobol"), {
        "title": "sobol", "scenario": "baseline", "seed": 5, "rounds": 6,
        "parameters": {**IDENTICAL, "stop_on_verdict": False}, "chunk_size": 64,
        "design": {"method": "sobol", "samples": 16},
        "vary": {"us_level": {"low": 0.0, "high": 1.0},
                 "sucker_aversion": {"low": 0.0, "high": 0.9}}})


def test_sobol_convergence_shows_n_over_4_2_and_n(sobol):
    table = an.sobol_convergence(sobol)
    assert sorted(table["N"].unique()) == [4, 8, 16]
    full = an.sensitivity_table(sobol)
    at_n = table[table["N"] == 16].reset_index(drop=True)
    assert np.allclose(at_n["ST"], full["ST"], equal_nan=True)
    for (output, name), part in table.groupby(["output", "parameter"]):
        last, before = (part[part["N"] == n].iloc[0] for n in (16, 8))
        expected = any(abs(last[k] - before[k]) > last[f"{k}_conf"] for k in ("S1", "ST"))
        assert part["moved"].all() == expected
    experiment, runs = an.load_sweep(sobol)
    moved = table[table["moved"]].drop_duplicates(["output", "parameter"])
    warned = [w for w in an.design_warnings(experiment, runs, table) if "have not settled" in w]
    assert len(warned) == len(moved)


def test_sensitivity_plots_say_n(sobol, capsys):
    fig = sensitivity_figure(sobol)
    assert "N = 64 runs: 64 design points x 1 replicate (common random numbers); N = 16 base " \
           "samples" in fig._suptitle.get_text()
    assert main(["plot", str(sobol)]) == 0
    printed = capsys.readouterr().out
    assert "convergence.png" in printed and "convergence.csv" in printed


def test_a_withdrawal_rate_that_always_ends_at_zero_is_flagged(tmp_path):
    """Every rate takes the US to 0 within the horizon: the 'tipping rate' is how soon,
    so it depends on the number of rounds, and the warning says so."""
    out = sweep(tmp_path, {
        "scenario": "baseline", "seed": 6, "rounds": 12, "replicates": 1,
        "parameters": {**IDENTICAL, "us_policy": "withdrawing", "us_withdraw_start": 1,
                       "stop_on_verdict": False},
        "vary": {"us_withdraw_rate": {"values": [0.2, 0.5, 1.0]}}})
    experiment, runs = an.load_sweep(out)
    assert (runs["us_level_end"] == 0).all()
    assert any("whatever us_withdraw_rate" in w and "rounds = 12" in w
               for w in an.design_warnings(experiment, runs))
