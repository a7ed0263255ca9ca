"""Common random numbers (issue 12, item 2) and plausible worlds in sweeps (issue 10, item 3).

With ``crn`` every design point of a replicate runs on the replicate's seed, so points
differ only by their parameters: a parameter that does nothing then gets a Sobol
total index of 0 within its interval, instead of seed noise. With ``[plausible]`` each
replicate runs in one plausible world of the estimate, so a point's share fractured
is a share of plausible worlds; the ensemble of ``coalition run --plausible`` is the
same sweep of one point.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from experiments.analysis import sensitivity_table
from experiments.design import experiment_from_dict, load_experiment
from experiments.ensemble import plausible_worlds
from experiments.store import load_runs
from experiments.sweep import run_sweep
from model.estimation import load_plausible
from model.rounds import draw_round, event_stream

NOISY = {"nations": "identical", "n_nations": 4, "noise": 0.05, "us_policy": "steadfast",
         "stop_on_verdict": False}


def sobol(crn: bool) -> dict:
    """rally_radius_km does nothing here: with the adversary off there is no probe to rally
    around; us_level matters."""
    return {"scenario": "baseline", "seed": 17, "rounds": 8, "replicates": 1, "crn": crn,
            "chunk_size": 64, "parameters": NOISY,
            "design": {"method": "sobol", "samples": 16},
            "vary": {"us_level": {"low": 0.2, "high": 1.0},
                     "rally_radius_km": {"low": 100.0, "high": 5000.0}}}


def test_design_points_of_one_replicate_draw_identical_uniforms():
    e = experiment_from_dict({**sobol(True), "replicates": 2})
    specs = [e.run_spec(r) for r in range(e.runs)]
    for replicate in (0, 1):
        seeds = {s.seed for s in specs if s.replicate == replicate}
        assert len(seeds) == 1
    assert specs[0].seed != specs[1].seed  # the replicates differ

    def uniforms(seed):
        rng = np.random.default_rng(seed)
        events = event_stream(rng)
        return np.concatenate([draw_round([rng], 4, [events]) for _ in range(5)])

    a, b = (s for s in specs if s.replicate == 0 and s.point in (0, 7))
    assert a.overrides != b.overrides and np.array_equal(uniforms(a.seed), uniforms(b.seed))
    independent = experiment_from_dict({**sobol(False), "replicates": 2})
    assert len({independent.run_spec(r).seed for r in range(independent.runs)}) == independent.runs


def test_crn_is_on_by_default_for_sensitivity_designs_only():
    assert load_experiment("sobol").crn and not load_experiment("us-commitment-phase").crn
    assert not experiment_from_dict({**sobol(True), "crn": False}).crn
    data = sobol(True)
    del data["crn"]
    assert experiment_from_dict(data).crn


@pytest.fixture(scope="module")
def indices(tmp_path_factory):
    out = {}
    for crn in (True, False):
        folder = tmp_path_factory.mktemp(f"sobol-{crn}")
        e = experiment_from_dict(sobol(crn), folder=folder)
        file = folder / "sobol.toml"
        file.write_text(e.text)
        run_sweep(file, folder / "out", progress=False)
        table = sensitivity_table(folder / "out")
        out[crn] = table[table["output"] == "european_effort_end_bn"].set_index("parameter")
    return out


def test_a_parameter_that_does_nothing_gets_total_index_zero_under_crn(indices):
    crn = indices[True]
    idle, active = crn.loc["rally_radius_km"], crn.loc["us_level"]
    assert abs(idle["ST"]) <= idle["ST_conf"]
    assert active["ST"] > active["ST_conf"] > 0
    # with a seed per run, the same idle parameter is credited with seed noise
    assert indices[False].loc["rally_radius_km", "ST"] > 0


# ------------------------------------------------------------------------ plausible worlds
def test_each_replicate_runs_in_its_own_plausible_world():
    e = experiment_from_dict({"scenario": "us-walks-away", "seed": 3, "rounds": 2,
                              "replicates": 5, "crn": True,
                              "parameters": {"adjustment_speed": 0.5},
                              "vary": {"us_reliance": {"values": [-1.0, 0.0]}},
                              "plausible": {}})
    worlds = load_plausible()
    assert e.worlds_available == len(worlds) and len(set(e.world_index)) == 5
    for r in range(e.runs):
        spec = e.run_spec(r)
        world = worlds[e.world_index[spec.replicate]]
        assert spec.world == e.world_index[spec.replicate]
        # layers: the world < the fixed parameters < the varied ones
        assert spec.overrides["saturation"] == world["saturation"]
        assert spec.overrides["adjustment_speed"] == 0.5
        assert spec.overrides["us_reliance"] == e.points[spec.point]["us_reliance"]


def test_coalition_run_plausible_is_the_sweep_of_one_point(tmp_path):
    """`coalition run --plausible 6` and a sweep of one point in 6 plausible worlds agree
    run by run: an ensemble is one sweep through the vectorised engine."""
    file = tmp_path / "worlds.toml"
    file.write_text('scenario = "us-walks-away"\nseed = 9\nrounds = 12\nreplicates = 6\n'
                    '[plausible]\n')
    run_sweep(file, tmp_path / "out", progress=False)
    runs = load_runs(tmp_path / "out")
    assert runs["world"].nunique() == 6 and runs["saturation"].nunique() == 6
    ensemble = plausible_worlds("us-walks-away", {}, 12, 9, 6)
    shares = runs["verdict"].value_counts(normalize=True).sort_index().to_dict()
    assert ensemble["verdicts"] == pytest.approx(shares)
    effort = runs["european_effort_end_bn"].to_numpy()
    assert ensemble["european_effort_end_bn"]["p50"] == pytest.approx(np.percentile(effort, 50))


def test_a_bad_estimate_file_is_one_line(tmp_path):
    file = tmp_path / "bad.toml"
    (tmp_path / "est.json").write_text(json.dumps({"plausible": {"points": []}}))
    file.write_text('scenario = "baseline"\nseed = 1\n[plausible]\nfile = "est.json"\n')
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "sweep", str(file), "--out",
                           str(tmp_path / "o"), "--quiet"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "est.json" in proc.stderr and "rejected every world" in proc.stderr


@pytest.mark.parametrize("extra,expected", [
    ('crn = "yes"\n', "crn = 'yes' is not allowed: expected true or false (unquoted)"),
    ('[plausible]\nfile = 5\n', "plausible.file = 5 is not allowed: expected text"),
    ('[plausible]\nworlds = 3\n', "key plausible.worlds is not allowed: expected one of file"),
    ('[plausible]\nfile = "missing.json"\n', "missing.json"),
])
def test_bad_crn_and_plausible_settings_are_one_line(tmp_path, capsys, extra, expected):
    from experiments.cli import main

    file = tmp_path / "bad.toml"
    file.write_text('scenario = "baseline"\nseed = 1\n' + extra)
    assert main(["sweep", str(file), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
    assert not (tmp_path / "o").exists()
