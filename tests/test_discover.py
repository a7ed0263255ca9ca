"""Scenario discovery (issue 12, item 3): `coalition discover OUTDIR --outcome fractured`
prints PRIM's boxes (parameter ranges, coverage, density), CART's and the feature
scores, and draws the trade-off curve; bad input is one line and exit 2."""

from __future__ import annotations

import pytest

from experiments.cli import main
from experiments.design import experiment_from_dict
from experiments.discovery import discover
from experiments.store import load_runs
from experiments.sweep import run_sweep


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover")
    e = experiment_from_dict({
        "scenario": "baseline", "seed": 8, "rounds": 5, "replicates": 2,
        "parameters": {"nations": "identical", "n_nations": 5, "noise": 0.05},
        "design": {"method": "lhs", "samples": 40},
        "vary": {"us_level": {"low": 0.0, "high": 1.0},
                 "us_reliance": {"low": -2.0, "high": 1.0},
                 "spillover": {"low": 0.1, "high": 0.9}}}, name="lhs", folder=folder)
    file = folder / "lhs.toml"
    file.write_text(e.text)
    run_sweep(file, folder / "out", progress=False)
    return folder / "out"


def test_prim_finds_the_box_that_holds_the_fractures(swept):
    runs = load_runs(swept)
    d = discover(swept, "fractured")
    assert d.hits == int(runs["fractured"].sum()) and 0 < d.hits < len(runs)
    row = d.trajectory.set_index("id").loc[d.chosen]
    inside = runs["run"] >= 0
    for name, lim in d.limits.iterrows():
        inside &= runs[name].between(lim["min"], lim["max"])
    hits = (inside & runs["fractured"]).sum()
    # coverage and density as defined, recomputed from the runs
    assert row["coverage"] == pytest.approx(hits / d.hits)
    assert row["density"] == pytest.approx(hits / inside.sum())
    assert row["density"] >= 0.8
    # a low US commitment is what fractures it
    assert d.limits.loc["us_level", "max"] < 0.5 and d.scores.index[0] == "us_level"


def test_the_command_prints_the_boxes_and_draws_the_tradeoff(swept, capsys):
    assert main(["discover", str(swept), "--outcome", "fractured"]) == 0
    out = capsys.readouterr().out
    assert "PRIM (EMA Workbench)" in out and "<- chosen" in out and "coverage" in out
    assert "us_level" in out and "CART boxes" in out and "Feature scores" in out
    png = swept / "plots" / "discover-fractured.png"
    assert str(png) in out and png.read_bytes()[:4] == b"\x89PNG"
    assert main(["discover", str(swept), "--outcome", "european_effort_end_bn",
                 "--below", "0.3"]) == 0
    assert "european_effort_end_bn < 0.3" in capsys.readouterr().out


@pytest.mark.parametrize("args,expected", [
    (["--outcome", "nope"], "--outcome 'nope' is not allowed"),
    (["--outcome", "deterrence_end"], "is a number: add --above X or --below X"),
    (["--outcome", "deterrence_end", "--above", "1_0"], "--above = '1_0' is not allowed"),
    (["--outcome", "verdict"], "add --equals VALUE"),
    (["--outcome", "members_joined", "--equals", "N01"], "holds in none of the"),
    (["--density", "0"], "--density 0.0 is not allowed"),
])
def test_bad_input_is_one_line_and_exit_2(swept, capsys, args, expected):
    assert main(["discover", str(swept), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
