"""The CLI as a user types it."""

import json
import subprocess
import sys

import pytest

COALITION = [sys.executable, "-m", "experiments.cli"]


def coalition(*args):
    return subprocess.run([*COALITION, *args], capture_output=True, text=True, timeout=120)


def test_run_prints_a_readable_summary():
    out = coalition("run", "--scenario", "us-walks-away", "--rounds", "60", "--robustness", "4")
    assert out.returncode == 0, out.stderr
    for words in ("Verdict: FRACTURED", "Reason:", "Coalition: 32 ->", "European aid: EUR",
                  "of which bilateral EUR", "US effort: EUR 0.0 bn/yr", "Deterrence:",
                  "nearby worlds"):
        assert words in out.stdout


def test_run_json_has_the_documented_fields():
    out = coalition("run", "--scenario", "baseline", "--rounds", "30", "--seed", "4", "--json",
                    "--robustness", "3")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("scenario", "seed", "rounds_run", "verdict", "verdict_round", "reason",
                "coalition_size_start", "coalition_size_end", "members_end",
                "european_effort_start_bn", "european_effort_end_bn", "bilateral_aid_end_bn",
                "eu_aid_end_bn", "off_budget_end_bn", "eu_opted_out", "us_effort_end_bn",
                "expected_us_level_end", "deterrence_end", "contributions_end",
                "verdict_robustness"):
        assert key in data
    robust = data["verdict_robustness"]
    assert robust["draws"] == 3 and sum(robust["verdicts"].values()) == 3
    assert robust["share_agreeing"] == robust["verdicts"].get("converged", 0) / 3
    assert data["scenario"] == "baseline" and data["seed"] == 4
    assert data["verdict"] == "converged" and data["coalition_size_end"] == 32
    assert "DEU" in data["members_end"] and set(data["contributions_end"]) >= {"DEU", "FRA", "GBR"}


def test_set_takes_model_and_per_nation_parameters():
    base = json.loads(coalition("run", "--scenario", "us-walks-away", "--rounds", "5", "--json",
                                "--robustness", "0", "--set", "stop_on_verdict=false").stdout)
    changed = coalition("run", "--scenario", "us-walks-away", "--rounds", "5", "--json",
                        "--robustness", "0", "--set", "DEU.us_reliance=1.0",
                        "--set", "stop_on_verdict=false")
    assert changed.returncode == 0, changed.stderr
    data = json.loads(changed.stdout)
    assert data["contributions_end"]["DEU"] > 2 * base["contributions_end"]["DEU"]


def test_events_flag_prints_the_event_log():
    out = coalition("run", "--scenario", "us-walks-away", "--rounds", "3", "--events",
                    "--robustness", "0")
    assert "Round 1: the US cut its commitment from 100% to 0%" in out.stdout


def test_scenarios_and_policies_are_listed_with_descriptions():
    scenarios = coalition("scenarios")
    assert scenarios.returncode == 0 and "lq-textbook" in scenarios.stdout
    policies = coalition("policies")
    assert policies.returncode == 0
    for name in ("steadfast", "withdrawing", "isolationist", "reciprocal", "transactional",
                 "erratic", "strategic"):
        assert name in policies.stdout
    strategies = coalition("strategies")
    assert strategies.returncode == 0
    for line in ("if_us_backstop    deploys only if the US backs the force",
                 "if_others         deploys if at least K other nations deploy"):
        assert line in strategies.stdout
    assert "GBR, DEU, NLD, SWE" in strategies.stdout


def test_a_ceasefire_run_prints_the_guarantee_and_calibration_the_troop_costs():
    out = coalition("run", "--scenario", "ceasefire-no-backstop", "--rounds", "2",
                    "--robustness", "0")
    assert ("Guarantee (ceasefire from round 2): HOLLOW: the guarantee is hollow: the force "
            "reached 10,350 troops of the 64,000 it needs without a US backstop") in out.stdout
    cal = coalition("calibration", "--scenario", "baseline")
    assert "Troops: kappa" in cal.stdout
    assert any(line.startswith("GBR") and "if_us_backstop" in line and "7,350" in line
               for line in cal.stdout.splitlines())


@pytest.mark.parametrize("args,words", [
    (["run", "--scenario", "atlantis"], "scenario 'atlantis' is not known"),
    (["run", "--set", "us_policy=benevolent"], "us_policy = 'benevolent'"),
    (["run", "--set", "colour=blue"], "unknown parameter 'colour'"),
    (["run", "--set", "spilover=0.5"], "unknown parameter 'spilover': did you mean 'spillover'?"),
    (["run", "--set", "spillover=2"], "spillover = 2.0 is not allowed (out of range)"),
    (["run", "--set", "spillover=lots"], "spillover = 'lots'"),
    (["run", "--set", "XYZ.us_reliance=1"], "nation 'XYZ' is not in this model"),
    (["run", "--set", "nonsense"], "expected KEY=VALUE"),
    (["run", "--set", "force_threshold=0"], "force_threshold = 0.0 is not allowed"),
    (["estimate", "--until", "2023-Q4"], "until = '2023-Q4' is not allowed"),
    (["estimate", "--until", "2024-Q9"], "until = '2024-Q9' is not allowed"),
    (["estimate", "--episode", "boom"], "invalid choice: 'boom'"),
    (["estimate", "--episode", "stop", "--until", "2024-Q4"], "reaches past the data"),
    (["run", "--set", "BEL.troop_strategy=if_nations", "--set", "BEL.troop_condition_nations=XX"],
     "'XX' is not a nation of this model"),
    (["run", "--rounds", "many"], "--rounds = 'many'"),
    (["run", "--seed", "-3"], "--seed = '-3'"),
    (["run", "--robustness", "x"], "--robustness = 'x'"),
    (["run", "--set", "EST.off_budget_lending=5"], "EST is not an off-budget lender"),
    (["run", "--set", "DEU.defence=-0.01"], "DEU.defence = -0.01 is not allowed"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, words):
    out = coalition(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr


def test_a_setting_that_changes_nothing_here_gets_a_note_and_the_seed_is_the_apps():
    out = coalition("run", "--rounds", "1", "--robustness", "0", "--json", "--set", "n_nations=5")
    assert out.returncode == 0 and json.loads(out.stdout)["seed"] == 42
    assert out.stderr.strip() == ("coalition: note: n_nations changes nothing here: it applies "
                                  "only to synthetic nations (nations = identical)")


def test_validate_sets_the_first_round_beside_2025():
    out = coalition("validate", "--scenario", "us-walks-away")
    assert out.returncode == 0, out.stderr
    assert "national bilateral aid predicted x" in out.stdout
    assert "observed x1.16 in 2025; EU aid predicted" in out.stdout
    assert out.stdout.count("x ") >= 33


def test_parameters_lists_every_parameter_with_its_range():
    from model.config import NATION_PARAMS, all_params

    out = coalition("parameters")
    assert out.returncode == 0, out.stderr
    for name, spec in all_params().items():
        assert f"  {name} = {spec.default!r}  ({spec.allowed()})" in out.stdout
    assert out.stdout.count("ABSORBED: absorbed by the calibration") == 2  # exposure, V
    for spec in NATION_PARAMS:
        assert f"ISO3.{spec.name}" in out.stdout


def test_calibration_reports_fit_and_stability_margins():
    out = coalition("calibration")
    assert out.returncode == 0, out.stderr
    assert "0 nation(s) the calibration cannot fit; 0 nation(s) with a negative" in out.stdout
    assert out.stdout.count("\n") >= 36
    assert "rho* = 1 - D/delta" in out.stdout and "epsilon = " in out.stdout
    hungary = next(line for line in out.stdout.splitlines() if line.startswith("HUN"))
    assert "outside the coalition" in hungary
    floor = coalition("calibration", "--set", "pledge_floor=1e-4")
    turkey = next(line for line in floor.stdout.splitlines() if line.startswith("TUR"))
    assert "no phi fits" in turkey


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """`coalition parameters | true`: no traceback, the shell's exit code for a closed pipe."""
    proc = subprocess.Popen([*COALITION, "parameters"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader goes away before the command has printed a line
    err = proc.stderr.read()
    assert proc.wait(60) == 141 and err == "", err


def test_the_command_leaves_sigpipe_ignored():
    """The app's server runs in this process: with SIGPIPE at its default action, a write to
    a closed browser tab's socket killed it without a word (issue 15, item 3)."""
    import signal

    from experiments.cli import main

    assert main(["policies"]) == 0
    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
