"""`coalition sweep` / `coalition plot` from the command line, and bad input.

Each bad input gets one line `coalition: error: ...`, a non-zero exit, no traceback,
and leaves existing results as they were.
"""

import subprocess
import sys

import pytest

from helpers.sweeps import snapshot, tiny
from experiments.cli import main
from experiments.design import load_experiment
from experiments.store import load_runs, read_manifest

SHIPPED = {"us-commitment-phase": "phase", "policy-tournament": "tournament",
           "tipping-point": "tipping", "sobol": "sensitivity",
           "tipping-plausible": "tipping", "who-defects": "tipping"}


@pytest.mark.parametrize("name,kind", SHIPPED.items())
def test_shipped_experiments_load(name, kind):
    e = load_experiment(name)
    assert e.kind == kind and e.runs == len(e.points) * e.replicates > 0
    seeds = {e.run_spec(r).seed for r in range(e.runs)}
    # every run its own seed, or under common random numbers one per replicate
    assert len(seeds) == (e.replicates if e.crn else e.runs)


def test_tournament_plays_every_policy():
    from model.policies import policy_names

    e = load_experiment("policy-tournament")
    assert sorted(p["us_policy"] for p in e.points) == sorted(policy_names())


def test_sobol_design_uses_saltelli_sample():
    e = load_experiment("sobol")
    assert len(e.points) == e.samples * (len(e.factors) + 2)


def test_sweep_then_plot(tmp_path, capsys):
    file = tiny(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(file), "--out", str(out), "--quiet"]) == 0
    assert "complete: 12 runs" in capsys.readouterr().out
    manifest = read_manifest(out)
    assert manifest["status"] == "complete" and manifest["chunks_done"] == [0, 1, 2]
    assert manifest["experiment_sha256"] == load_experiment(file).sha256
    assert {"numpy", "pyarrow", "mesa", "dask"} <= set(manifest["versions"])
    runs = load_runs(out)
    assert list(runs["run"]) == list(range(12))
    assert {"seed", "us_level", "mode", "verdict", "verdict_round", "coalition_size_end",
            "european_effort_end_bn", "us_effort_end_bn", "deterrence_end",
            "members_lost"} <= set(runs.columns)
    assert main(["plot", str(out)]) == 0
    assert (out / "plots" / "tipping.png").stat().st_size > 0


def bad(tmp_path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


GOOD_HEAD = 'scenario = "baseline"\nseed = 1\nrounds = 3\n'
BAD_FILES = {
    "unknown parameter": (GOOD_HEAD + "[vary.us_levle]\nvalues = [0.5]\n", "unknown parameter 'us_levle'"),
    "unknown scenario": ('scenario = "atlantis"\nseed = 1\n', "scenario 'atlantis' is not known"),
    "empty range": (GOOD_HEAD + "[vary.us_level]\nlow = 0.5\nhigh = 0.5\nsteps = 3\n", "empty or inverted"),
    "inverted range": (GOOD_HEAD + "[vary.us_level]\nlow = 0.9\nhigh = 0.1\nsteps = 3\n", "empty or inverted"),
    "empty values": (GOOD_HEAD + "[vary.mode]\nvalues = []\n", "non-empty list"),
    "replicates < 1": (GOOD_HEAD + "replicates = 0\n", "replicates = 0 is not allowed"),
    "value out of range": (GOOD_HEAD + "[vary.us_level]\nvalues = [0.5, 1.5]\n", "us_level = 1.5"),
    "unknown nation": (GOOD_HEAD + '[parameters]\n"XXX.us_reliance" = 0.5\n', "XXX"),
    "unknown nation field": (GOOD_HEAD + '[vary."DEU.reliance"]\nvalues = [0.5]\n', "DEU.reliance"),
    "bad method": (GOOD_HEAD + '[design]\nmethod = "random"\n', "design.method"),
    "sobol not power of 2": (GOOD_HEAD + '[design]\nmethod = "sobol"\nsamples = 10\n'
                             "[vary.us_level]\nlow = 0\nhigh = 1\n", "power of 2"),
    "grid without steps": (GOOD_HEAD + "[vary.us_level]\nlow = 0\nhigh = 1\n", "steps"),
    "not TOML": ("scenario = \n", "not valid TOML"),
    "unknown key": (GOOD_HEAD + "replicate = 3\n", "replicate"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_experiment_files(tmp_path, capsys, case):
    text, expected = BAD_FILES[case]
    out = tmp_path / "out"
    assert main(["sweep", bad(tmp_path, text), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coalition: error: ") and err.count("\n") == 1, err
    assert expected in err
    assert not out.exists()


@pytest.mark.parametrize("args,expected", [
    (["--workers", "0"], "--workers"),
    (["--engine", "fast"], "invalid choice"),
    (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
])
def test_bad_options(tmp_path, capsys, monkeypatch, args, expected):
    monkeypatch.setenv("COALITION_DASK_TIMEOUT", "1")
    out = tmp_path / "out"
    assert main(["sweep", str(tiny(tmp_path)), "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coalition: error: ") and err.count("\n") == 1 and expected in err
    assert not out.exists() or not any(out.iterdir())


def test_missing_file(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_existing_results_are_never_overwritten(tmp_path, capsys, monkeypatch):
    first = tiny(tmp_path, "first")
    out = tmp_path / "out"
    assert main(["sweep", str(first), "--out", str(out), "--quiet"]) == 0
    before = snapshot(out)
    other = tiny(tmp_path, "other", rounds=5)
    monkeypatch.setenv("COALITION_DASK_TIMEOUT", "1")
    attempts = [
        (["sweep", str(other), "--out", str(out)], "holds a different experiment"),
        (["sweep", str(other), "--out", str(out), "--resume"], "holds a different experiment"),
        (["sweep", str(first), "--out", str(out)], "add --resume"),
        (["sweep", str(first), "--out", str(out), "--resume", "--engine", "mesa"], "same engine"),
        (["sweep", str(first), "--out", str(out), "--resume", "--scheduler", "tcp://127.0.0.1:9"],
         "cannot reach"),
        (["sweep", str(first), "--out", str(out / "runs")], "holds no sweep"),
    ]
    for args, expected in attempts:
        capsys.readouterr()
        assert main(args + ["--quiet"]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("coalition: error: ") and err.count("\n") == 1, err
        assert expected in err, (args, err)
        assert snapshot(out) == before, args


def test_plot_of_a_folder_without_sweep(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


def test_errors_come_without_traceback_from_the_real_command(tmp_path):
    path = bad(tmp_path, GOOD_HEAD + "[vary.us_level]\nlow = 1\nhigh = 0\nsteps = 2\n")
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "sweep", path, "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
