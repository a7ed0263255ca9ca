"""Estimation (model.estimation) and the validation protocol (model.validation).

The small tests estimate two parameters from one start (seconds); one test runs the
whole protocol as a user types it and checks what it reports, and that docs/ODD.md
quotes it.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model import estimation as es
from model.data import DataError
from model.errors import CoalitionError, ParameterError
from model.panel import PANEL_CSV, load_panel

ROOT = Path(__file__).resolve().parent.parent
SMALL = dict(free=("us_reliance", "adjustment_speed"), starts=1, profile_points=3)


@pytest.fixture(scope="module")
def panel():
    return load_panel("2024-Q4")


def synthetic(truth, sd=0.05):
    """Moments the model itself makes at ``truth``, with noise ``sd``: what the
    estimator must give back."""
    panel = load_panel("2024-Q4")
    us = es.us_path(panel, es.STALL)
    model = es.model_moments(es.simulate([truth], es.STALL, us), es.STALL)[0]
    nations = es._nations()
    obs = es.Moments(donors=nations + ("EUI", "nations"), contrasts=tuple(es.STALL.labels()),
                     value=model, sd=np.full(model.shape, sd))
    return obs, us


def test_the_estimator_gives_back_the_parameters_that_made_the_data():
    truth = {"us_reliance": 0.6, "adjustment_speed": 0.7}
    obs, us = synthetic(truth)
    fit = es.fit_moments(obs, es.STALL, us, **SMALL)
    np.testing.assert_allclose(fit.estimate, [0.6, 0.7], atol=1e-4)
    assert fit.chi2 < 1e-8
    assert set(fit.identified.values()) == {"pinned"}
    assert np.all(fit.se < 0.1)


def test_noisy_data_pin_nothing_and_the_diagnostics_say_so():
    obs, us = synthetic({"us_reliance": 0.6, "adjustment_speed": 0.7}, sd=100.0)
    fit = es.fit_moments(obs, es.STALL, us, **SMALL)
    assert all(v.endswith("not pinned") for v in fit.identified.values()), fit.identified


def test_the_plausible_worlds_are_those_the_data_do_not_reject():
    obs, us = synthetic({"us_reliance": 0.6, "adjustment_speed": 0.7}, sd=0.3)
    fit = es.fit_moments(obs, es.STALL, us, **SMALL)
    worlds = es.plausible_set(fit, candidates=80)
    assert 0 < worlds["kept"] < 80
    rho = np.array([p["us_reliance"] for p in worlds["points"]])
    assert np.abs(rho - 0.6).mean() < 0.5 * (1.0 - (-3.0)) / 2  # nearer than uniform draws
    assert max(worlds["delta_chi2"]) <= es.CHI2_95[2] * fit.scale


def test_the_estimator_is_deterministic_for_a_seed(panel):
    a = es.estimate(panel, **SMALL)
    b = es.estimate(panel, **SMALL)
    assert np.array_equal(a.estimate, b.estimate) and a.chi2 == b.chi2


def test_in_validation_mode_nothing_from_2025_is_read(tmp_path, panel):
    """Poison every row from 2025 on: the estimate to 2024-Q4 is the same, to the bit."""
    text = PANEL_CSV.read_text().splitlines()
    header = text[0].split(",")
    col, q = header.index("on_budget_eur_bn_2024"), header.index("quarter")
    poisoned = [text[0]]
    for line in text[1:]:
        cells = line.split(",")
        if cells[q] >= "2025":
            cells[col] = "999999.0"
        poisoned.append(",".join(cells))
    path = tmp_path / "aid_quarterly.csv"
    path.write_text("\n".join(poisoned) + "\n")
    bad = load_panel("2024-Q4", path)
    assert bad.until == "2024-Q4" and bad.quarters[-1] == "2024-Q4"
    assert np.array_equal(bad.aid, panel.aid)
    assert np.array_equal(es.estimate(bad, **SMALL).estimate, es.estimate(panel, **SMALL).estimate)
    with pytest.raises(ParameterError, match="reaches past the data"):
        es.estimate(panel, es.STOP, **SMALL)  # 2025 is not in a panel to 2024-Q4


@pytest.mark.parametrize("edit,words", [
    (lambda lines: [lines[0].replace("on_budget_eur_bn_2024", "amount")] + lines[1:],
     "column 'on_budget_eur_bn_2024' is missing"),
    (lambda lines: [l for l in lines if not l.startswith("DEU,2023-Q4")],
     "no row for DEU in 2023-Q4"),
    (lambda lines: [l for l in lines if not l.startswith("EST,")], "no rows for 'EST'"),
    (lambda lines: [lines[0]] + [l.replace("2023-Q2", "2023-Q9") for l in lines[1:]],
     "'2023-Q9' is not allowed"),
])
def test_a_bad_panel_is_one_line_naming_it(tmp_path, edit, words):
    lines = PANEL_CSV.read_text().splitlines()
    path = tmp_path / "aid_quarterly.csv"
    path.write_text("\n".join(edit(lines)) + "\n")
    with pytest.raises(DataError) as info:
        load_panel("2024-Q4", path, es._nations())
    assert words in str(info.value) and "\n" not in str(info.value)


def test_a_window_with_no_shock_and_a_parameter_fixed_out_of_range_are_refused(panel):
    calm = es.Episode("calm", "2022-Q3", "2023-Q3", windows={"a": ("2022-Q3", "2022-Q4"),
                                                           "b": ("2023-Q1", "2023-Q2")},
                      contrasts=(("b", "a"),), settings={"defence_path": "hold"})
    with pytest.raises(ParameterError, match="has no US shock in it"):
        es.estimate(panel, calm, **SMALL)
    with pytest.raises(ParameterError, match="saturation = 50.0 is not allowed"):
        es.estimate(panel, fixed={"saturation": 50.0}, free=("us_reliance",), starts=1)
    with pytest.raises(ParameterError, match="both fixed and estimated"):
        es.estimate(panel, fixed={"us_reliance": 0.5}, **SMALL)
    with pytest.raises(ParameterError, match="estimated parameter 'colour'"):
        es.estimate(panel, free=("colour",))
    with pytest.raises(DataError, match="until = '2023-Q4' is not allowed"):
        load_panel("2023-Q4")


def cli(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def test_the_stored_estimate_is_what_the_estimator_gives():
    """seeds/estimate.json is `coalition estimate --out` on the shipped data."""
    out = cli("estimate", "--json")
    assert out.returncode == 0, out.stderr
    fresh = json.loads(out.stdout)
    stored = json.loads((ROOT / "seeds" / "estimate.json").read_text())
    assert fresh["panel_sha256"] == stored["panel_sha256"]
    for name, v in stored["estimate"]["parameters"].items():
        assert fresh["estimate"]["parameters"][name]["estimate"] == pytest.approx(v["estimate"],
                                                                                 abs=1e-6)
    assert fresh["plausible"]["kept"] == stored["plausible"]["kept"]


def test_plausible_worlds_answer_in_shares():
    out = cli("run", "--scenario", "us-walks-away", "--plausible", "12", "--robustness", "0",
              "--json")
    p = json.loads(out.stdout)["plausible_worlds"]
    assert p["draws"] == 12 and sum(p["verdicts"].values()) == pytest.approx(1.0)
    e = p["european_effort_end_bn"]
    assert e["p5"] <= e["p50"] <= e["p95"]
    text = cli("run", "--scenario", "us-walks-away", "--plausible", "12", "--robustness", "0")
    assert "Plausible worlds (12 drawn from the" in text.stdout
    bad = cli("run", "--plausible", "-1")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def protocol():
    out = cli("validate", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_validate_reports_the_held_out_test_beside_honest_benchmarks(protocol):
    t = protocol["test_2025"]
    assert t["fit"] == "stall" and t["test"] == "stop"
    assert protocol["estimate"]["until"] == "2024-Q4"
    for k in ("together_nations", "eu", "together"):
        assert set(t["totals"][k]) == {"predicted", "observed"}
    assert len(t["nations"]) >= 30 and {"iso3", "predicted", "observed"} <= set(t["nations"][0])
    names = list(t["scores"])
    assert names[0] == "model" and names[1] == "no change"
    assert any(n.startswith("same ratio") and "from the stall" in n for n in names)
    for s in t["scores"].values():
        assert {"rmse_log", "direction", "rank"} <= set(s)
    assert set(protocol["goals_2025"]) == {"total direction", "total within 25%", "beats no change",
                                           "beats same ratio", "direction >= 70%"}
    assert protocol["reverse"]["test_stall"]["test"] == "stall"
    assert protocol["cross_validation"]["folds"] == 4
    assert protocol["noise_floor"]["per_nation_rmse_log"] > 0
    assert protocol["seconds"] < 600


def test_the_odd_quotes_the_validation_as_measured(protocol):
    odd = (ROOT / "docs" / "ODD.md").read_text().replace("\n", " ")
    t = protocol["test_2025"]
    pred = t["totals"]["together_nations"]["predicted"]
    obs = t["totals"]["together_nations"]["observed"]
    assert f"predicted x{pred:.2f} against an observed x{obs:.2f}" in odd
    s = t["scores"]
    assert f"RMSE of log ratios {s['model']['rmse_log']:.2f}" in odd
    assert f"no change {s['no change']['rmse_log']:.2f}" in odd
    assert f"direction right for {100 * s['model']['direction']:.0f}% of nations" in odd
    r = protocol["reverse"]["test_stall"]["totals"]["together_nations"]
    assert f"x{r['predicted']:.2f} against x{r['observed']:.2f}" in odd
    cv = protocol["cross_validation"]["scores"]
    assert f"cross-validated RMSE {cv['model']['rmse_log']:.2f}" in odd
    m = protocol["mechanisms_2025"]
    assert f"x{m['both']:.2f}" in odd
    diff = s["no change"]["rmse_log"] - s["model"]["rmse_log"]
    assert f"beats no change by {diff:.3f}" in odd
    stored = json.loads((ROOT / "seeds" / "estimate.json").read_text())
    e = stored["estimate"]
    assert f"chi2 {e['chi2']:.1f} on {e['dof']} degrees of freedom" in odd
    assert f"{stored['plausible']['kept']} are not rejected at 5%" in odd
    run = json.loads(cli("run", "--scenario", "us-walks-away", "--plausible", "50",
                         "--robustness", "0", "--json").stdout)["plausible_worlds"]
    share = 100 * run["verdicts"].get("fractured", 0)
    assert f"`us-walks-away` is fractured in {share:.0f}% of 50 plausible worlds" in odd
