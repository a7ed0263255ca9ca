"""The CLI as a user types it."""

import json
import subprocess
import sys

import pytest

COALITION = [sys.executable, "-m", "experiments.cli"]


def coalition(*args):
    return subprocess.run([*COALITION, *args], capture_output=True, text=True, timeout=120)


def test_run_prints_a_readable_summary():
    out = coalition("run", "--scenario", "us-walks-away", "--rounds", "60")
    assert out.returncode == 0, out.stderr
    for words in ("Verdict: FRACTURED", "Reason:", "Coalition: 32 ->", "European effort: USD",
                  "US effort: USD 0.0 bn/yr", "Deterrence:"):
        assert words in out.stdout


def test_run_json_has_the_documented_fields():
    out = coalition("run", "--scenario", "baseline", "--rounds", "30", "--seed", "4", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("scenario", "seed", "rounds_run", "verdict", "verdict_round", "reason",
                "coalition_size_start", "coalition_size_end", "members_end",
                "european_effort_start_bn", "european_effort_end_bn", "us_effort_end_bn",
                "deterrence_end", "contributions_end"):
        assert key in data
    assert data["scenario"] == "baseline" and data["seed"] == 4
    assert data["verdict"] == "converged" and data["coalition_size_end"] == 32
    assert "DEU" in data["members_end"] and set(data["contributions_end"]) >= {"DEU", "FRA", "GBR"}


def test_set_takes_model_and_per_nation_parameters():
    base = json.loads(coalition("run", "--scenario", "us-walks-away", "--rounds", "5", "--json",
                                "--set", "stop_on_verdict=false").stdout)
    changed = coalition("run", "--scenario", "us-walks-away", "--rounds", "5", "--json",
                        "--set", "DEU.us_reliance=1.0", "--set", "stop_on_verdict=false")
    assert changed.returncode == 0, changed.stderr
    data = json.loads(changed.stdout)
    assert data["contributions_end"]["DEU"] > 2 * base["contributions_end"]["DEU"]


def test_events_flag_prints_the_event_log():
    out = coalition("run", "--scenario", "us-walks-away", "--rounds", "3", "--events")
    assert "Round 1: the US cut its commitment from 100% to 0%" in out.stdout


def test_scenarios_and_policies_are_listed_with_descriptions():
    scenarios = coalition("scenarios")
    assert scenarios.returncode == 0 and "lq-textbook" in scenarios.stdout
    policies = coalition("policies")
    assert policies.returncode == 0
    for name in ("steadfast", "withdrawing", "isolationist", "reciprocal", "transactional",
                 "erratic", "strategic"):
        assert name in policies.stdout


@pytest.mark.parametrize("args,words", [
    (["run", "--scenario", "atlantis"], "scenario 'atlantis' is not known"),
    (["run", "--set", "us_policy=benevolent"], "us_policy = 'benevolent'"),
    (["run", "--set", "colour=blue"], "unknown parameter 'colour'"),
    (["run", "--set", "spillover=2"], "spillover = 2.0 is not allowed (out of range)"),
    (["run", "--set", "spillover=lots"], "spillover = 'lots'"),
    (["run", "--set", "XYZ.us_reliance=1"], "nation 'XYZ' is not in this model"),
    (["run", "--set", "nonsense"], "expected KEY=VALUE"),
    (["run", "--rounds", "many"], "--rounds = 'many'"),
    (["run", "--seed", "-3"], "--seed = '-3'"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, words):
    out = coalition(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr


def test_validate_sets_the_first_round_beside_2025():
    out = coalition("validate", "--scenario", "us-walks-away")
    assert out.returncode == 0, out.stderr
    assert "observed x1.72 in 2025" in out.stdout
    assert out.stdout.count("x ") >= 32


def test_parameters_lists_every_parameter_with_its_range():
    from model.config import NATION_PARAMS, all_params

    out = coalition("parameters")
    assert out.returncode == 0, out.stderr
    for name, spec in all_params().items():
        assert f"  {name} = {spec.default!r}  ({spec.allowed()})" in out.stdout
    for spec in NATION_PARAMS:
        assert f"ISO3.{spec.name}" in out.stdout


def test_calibration_reports_fit_and_stability_margins():
    out = coalition("calibration")
    assert out.returncode == 0, out.stderr
    assert "0 nation(s) the calibration cannot fit; 0 nation(s) with a negative" in out.stdout
    assert out.stdout.count("\n") >= 34
    floor = coalition("calibration", "--set", "pledge_floor=1e-4")
    turkey = next(line for line in floor.stdout.splitlines() if line.startswith("TUR"))
    assert "no phi fits" in turkey
