"""Every file the program reads, read as a hostile user would write it (issue 11, item 1).

Each case is a reproduction from the issue: a traceback there, or a value accepted that
should not have been. Now each is one line on stderr naming the file, the field, the
value and what is allowed, and exit code 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.cli import main
from experiments.design import MAX_RUNS, load_experiment
from helpers.sweeps import tiny
from model.config import CoalitionError
from model.data import NATIONS_CSV, load_nations
from model.param import MAX_ROUNDS

HEAD = 'scenario = "baseline"\nseed = 1\nrounds = 3\n'
RANGE = "[vary.us_level]\nlow = 0.0\nhigh = 1.0\n"


def one_line_error(capsys, argv: list[str]) -> str:
    """Run the CLI in-process; assert exit 2 and one stderr line; return that line."""
    capsys.readouterr()
    assert main(argv) == 2, argv
    err = capsys.readouterr().err
    assert err.startswith("coalition: error: ") and err.count("\n") == 1, err
    return err


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


# ---------------------------------------------------------------- scenario and experiment files
NOT_UTF8 = b'title = "Caf\xe9"\n[parameters]\nspillover = 0.2\n'  # Latin-1, not UTF-8


def test_a_scenario_file_that_is_not_utf8(tmp_path, capsys):
    scenario = write(tmp_path, "latin1.toml", NOT_UTF8)
    for argv in (["run", "--scenario", scenario], ["validate", "--scenario", scenario],
                 ["calibration", "--scenario", scenario]):
        err = one_line_error(capsys, argv)
        assert "scenario file latin1.toml is not UTF-8 text (byte 0xe9" in err, err
    experiment = write(tmp_path, "exp.toml", f'scenario = "latin1.toml"\nseed = 1\n')
    err = one_line_error(capsys, ["sweep", experiment, "--out", str(tmp_path / "o")])
    assert "latin1.toml is not UTF-8" in err


def test_an_experiment_file_that_is_not_utf8(tmp_path, capsys):
    err = one_line_error(capsys, ["sweep", write(tmp_path, "x.toml", b"title = '\xff'\n")])
    assert "experiment file x.toml is not UTF-8 text" in err


def test_a_nations_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "nations.csv"
    path.write_bytes(NATIONS_CSV.read_bytes().replace(b"Germany", b"Deutschland\xfc"))
    with pytest.raises(CoalitionError, match=r"nations file nations.csv is not UTF-8 text"):
        load_nations(path)


EXPERIMENTS = {
    "grid of 10^9 steps": (HEAD + RANGE + "steps = 1000000000\n",
                           "vary.us_level.steps = 1,000,000,000 is not allowed: the limit is 1,000,000"),
    "sobol of 2^40 samples": (HEAD + '[design]\nmethod = "sobol"\nsamples = 1099511627776\n' + RANGE,
                              "design.samples = 1,099,511,627,776 is not allowed: the limit is 1,000,000"),
    "grid too large in all": (HEAD + RANGE + "steps = 2000\n[vary.spillover]\nlow = 0.0\n"
                              "high = 1.0\nsteps = 2000\n", "4,000,000 points: the limit is 1,000,000"),
    "replicates 10^9": (HEAD.replace("rounds = 3", "rounds = 3\nreplicates = 1000000000"),
                        "replicates = 1,000,000,000 is not allowed: the limit is 100,000"),
    "rounds 10^9": (HEAD.replace("rounds = 3", "rounds = 1000000000"),
                    f"rounds = 1,000,000,000 is not allowed: the limit is {MAX_ROUNDS:,}"),
    "series as the text false": (HEAD + '[outputs]\nseries = "false"\n',
                                 "outputs.series = 'false' is not allowed: expected true or false"),
    "second_order maybe": (HEAD + '[design]\nmethod = "sobol"\nsamples = 4\nsecond_order = '
                           '"maybe"\n' + RANGE, "design.second_order = 'maybe' is not allowed"),
    "title as a table": (HEAD + "[title]\nen = 'x'\n", "title = a table is not allowed: expected text"),
    "description as a number": (HEAD + "description = 5\n", "description = 5 is not allowed"),
    "kind as a table": (HEAD + "[kind]\n", "kind = a table is not allowed: expected text"),
    "method as a number": (HEAD + "[design]\nmethod = 3\n", "design.method = 3 is not allowed"),
    "nation table out of range": (HEAD + "[parameters.DEU]\nus_reliance = 9\n",
                                  "experiment file bad.toml: DEU.us_reliance = 9.0 is not allowed"),
    "too many nations": (HEAD + '[parameters]\nnations = "identical"\nn_nations = 5000\n',
                         "n_nations = 5000 is not allowed (out of range): expected a whole "
                         "number from 2 to 1000"),
    "a boolean as a number": (HEAD + "[parameters]\nadversary = 1\n", "adversary = 1 is not allowed"),
}


@pytest.mark.parametrize("case", EXPERIMENTS)
def test_bad_experiment_files_are_one_line(tmp_path, capsys, case):
    text, expected = EXPERIMENTS[case]
    err = one_line_error(capsys, ["sweep", write(tmp_path, "bad.toml", text), "--out",
                                  str(tmp_path / "out"), "--quiet"])
    assert expected in err and "DEU.DEU" not in err, err
    assert not (tmp_path / "out").exists()


def test_the_text_false_is_never_true(tmp_path):
    """A quoted "false" in a scenario's parameters reads as false, never as true."""
    path = write(tmp_path, "quoted.toml", '[parameters]\nadversary = "false"\nstop_on_verdict = "off"\n')
    from model.scenarios import load_scenario

    config = load_scenario(path).config()
    assert config.adversary is False and config.stop_on_verdict is False


def test_scenario_fields_of_the_wrong_kind(tmp_path, capsys):
    for text, expected in [("[title]\nen = 'x'\n", "title = a table is not allowed"),
                           ("description = 3\n", "description = 3 is not allowed"),
                           ("[parameters.DEU]\nus_reliance = 9\n",
                            "[parameters.DEU] is not allowed: one nation's values go in [nations.DEU]")]:
        err = one_line_error(capsys, ["run", "--scenario", write(tmp_path, "s.toml", text)])
        assert "scenario file s.toml: " in err and expected in err, err


def test_more_runs_than_the_limit_need_force(tmp_path, capsys):
    text = HEAD.replace("rounds = 3", "rounds = 3\nreplicates = 2000") + RANGE + "steps = 1000\n"
    path = write(tmp_path, "huge.toml", text)
    err = one_line_error(capsys, ["sweep", path, "--out", str(tmp_path / "o")])
    assert f"2,000,000 runs (1,000 points x 2,000 replicates): the limit is {MAX_RUNS:,}; add " \
           "--force" in err
    assert load_experiment(path, force=True).runs == 2_000_000


# ---------------------------------------------------------------- the command line
@pytest.mark.parametrize("args,expected", [
    (["run", "--rounds", "1000000000"], f"--rounds = 1,000,000,000 is not allowed: the limit is {MAX_ROUNDS:,}"),
    (["run", "--rounds", "1_0"], "--rounds = '1_0' is not allowed"),
    (["run", "--seed", "٣"], "--seed = '٣' is not allowed"),
    (["run", "--set", "converge_rounds=1_0"], "converge_rounds = '1_0' is not allowed"),
    (["run", "--set", "spillover=0_5"], "spillover = '0_5' is not allowed"),
    (["run", "--set", "adversary=2"], "adversary = '2' is not allowed: expected true or false"),
    (["run", "--set", "adversary=maybe"], "adversary = 'maybe' is not allowed"),
    (["sweep", "tipping-point", "--workers", "1_0"], "--workers = '1_0' is not allowed"),
])
def test_bad_command_line_values(capsys, args, expected):
    assert expected in one_line_error(capsys, args)


def test_command_line_booleans_take_the_documented_words(capsys):
    for word, value in [("yes", True), ("off", False), ("1", True), ("FALSE", False)]:
        assert main(["run", "--rounds", "1", "--json", "--set", f"stop_on_verdict={word}",
                     "--set", f"adversary={word}"]) == 0
        capsys.readouterr()


# ---------------------------------------------------------------- output folders
def test_out_under_proc_or_under_a_file(tmp_path, capsys):
    file = str(tiny(tmp_path))
    err = one_line_error(capsys, ["sweep", file, "--out", "/proc/coalition-sweep", "--quiet"])
    assert "--out /proc/coalition-sweep: the folder cannot be created" in err
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    for out in (plain, plain / "sub"):
        err = one_line_error(capsys, ["sweep", file, "--out", str(out), "--quiet"])
        assert f"--out {out}" in err and ("not allowed" in err or "cannot be created" in err), err
    assert plain.read_text() == "x"


# ---------------------------------------------------------------- scheduler files and settings
@pytest.mark.parametrize("content,expected", [
    ("", "scheduler file sched.json is not valid JSON"),
    ("[1, 2]", "scheduler file sched.json holds list [1, 2]: expected a JSON object"),
    ('{"address": 5}', "address = 5 is not allowed: expected a scheduler address"),
    (b"\xff\xfe", "scheduler file sched.json is not UTF-8 text"),
])
def test_bad_scheduler_files(tmp_path, capsys, content, expected):
    sched = write(tmp_path, "sched.json", content)
    err = one_line_error(capsys, ["sweep", str(tiny(tmp_path)), "--out", str(tmp_path / "o"),
                                  "--scheduler", sched, "--quiet"])
    assert expected in err, err


def test_a_bad_dask_timeout_is_named_not_taken_for_an_unreachable_scheduler(tmp_path, capsys,
                                                                            monkeypatch):
    monkeypatch.setenv("COALITION_DASK_TIMEOUT", "abc")
    err = one_line_error(capsys, ["sweep", str(tiny(tmp_path)), "--out", str(tmp_path / "o"),
                                  "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert "environment COALITION_DASK_TIMEOUT = 'abc' is not allowed: expected a number" in err
    assert "cannot reach" not in err


# ---------------------------------------------------------------- manifests
@pytest.fixture
def finished(tmp_path):
    file = tiny(tmp_path, rounds=3, replicates=1, chunk_size=2, series=False)
    out = tmp_path / "out"
    assert main(["sweep", str(file), "--out", str(out), "--quiet"]) == 0
    return file, out


@pytest.mark.parametrize("change,expected", [
    (lambda m: b"[]", "holds list []: expected a JSON object"),
    (lambda m: b"\xff" + m, "is not UTF-8 text"),
    (lambda m: json.dumps({**json.loads(m), "resumed": 5}).encode(),
     "field 'resumed' = 5 is not allowed: expected list"),
    (lambda m: json.dumps({**json.loads(m), "chunks": {"0": {"rows": "6"}}}).encode(),
     "field 'rows' = '6' is not allowed: expected int"),
    (lambda m: json.dumps({**json.loads(m), "format": 1}).encode(), "format = 1 is not allowed"),
])
def test_bad_manifests(finished, capsys, change, expected):
    file, out = finished
    manifest = out / "manifest.json"
    manifest.write_bytes(change(manifest.read_bytes()))
    for argv in (["sweep", str(file), "--out", str(out), "--resume", "--quiet"], ["plot", str(out)]):
        err = one_line_error(capsys, argv)
        assert "manifest.json" in err and expected in err, err


def test_no_traceback_from_the_real_command(tmp_path):
    scenario = write(tmp_path, "latin1.toml", NOT_UTF8)
    for args in (["run", "--scenario", scenario], ["run", "--rounds", "1000000000"],
                 ["validate", "--scenario", "lq-textbook"]):
        proc = subprocess.run([sys.executable, "-m", "experiments.cli", *args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr


# ---------------------------------------------------------------- validate (item 5)
def test_validate_refuses_a_scenario_without_observed_data(capsys):
    err = one_line_error(capsys, ["validate", "--scenario", "lq-textbook"])
    assert "scenario 'lq-textbook' has no observed 2025 data" in err
    assert "nations = 'identical'" in err and "us-walks-away" in err
    assert "nan" not in capsys.readouterr().out
