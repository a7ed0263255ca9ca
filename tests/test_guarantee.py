"""The security guarantee after a ceasefire: theory from the mechanics, the scenarios,
what a user sees (JSON, events, the inspector) and bad input.

The theory tests use identical nations with a given troop cost (no calibration), so
nothing is fitted: the equilibria and where the dynamics go come from the payoffs.
"""

import itertools
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from agents import CoalitionModel
from model import force as fc
from model.errors import CoalitionError
from model.rounds import force_payoffs, round_game
from model.state import FORMED, NOT_FORMED

N, UNIT, CAPACITY = 3, 1000, 6000.0  # three nations, each up to six units of 1,000
ALONE, BACKED = 12000.0, 6000.0  # the force needs 12,000 troops, 6,000 with a backstop


def assurance(troop_cost=0.002, start=None, backstop=False, **kw):
    """Identical nations, a ceasefire in round 1, costs given (nothing calibrated)."""
    nations = {f"N{i + 1:02d}": {"troop_capacity": CAPACITY} for i in range(N)}
    if start is not None:
        for code in nations:
            nations[code]["troops_start"] = float(start * UNIT)
    params = dict(nations="identical", n_nations=N, us_backstop=backstop, troop_unit=UNIT,
                  force_threshold=ALONE, force_threshold_backstop=BACKED,
                  troop_cost=troop_cost, ceasefire_round=1, initial_pledges="none",
                  stop_on_verdict=False)
    params.update(kw)
    return CoalitionModel("lq-textbook", rng=1, nation_params=nations, **params)


def pure_equilibria(model, backstop=False):
    """Every profile of offers (units) in which each nation's offer is its best offer."""
    w, s = model.world, model.state
    cap = int(w.troop_capacity[0, 0])
    found = []
    for profile in itertools.product(range(cap + 1), repeat=N):
        st = replace(s, troops=np.array([profile]), troops_offer=np.array([profile]),
                     ceasefire=np.array([[True]]), backstop=np.array([[backstop]]))
        best = fc.best_offer(force_payoffs(w, st, round_game(w, st), st.expected_us_effort))
        if tuple(best[0]) == profile:
            found.append(profile)
    return found


@pytest.mark.parametrize("troop_cost", [0.002, 0.004, 0.008])
def test_without_a_backstop_the_pledge_game_is_an_assurance_game(troop_cost):
    """Two kinds of equilibrium only: no force, or a force at the threshold (credible,
    within a few units above it); nothing in between, and no lone deployer."""
    found = pure_equilibria(assurance(troop_cost))
    forces = sorted({sum(p) * UNIT for p in found})
    assert (0, 0, 0) in found
    high = [f for f in forces if f > 0]
    assert high, "a force at the threshold is an equilibrium"
    assert all(ALONE <= f <= ALONE * 1.5 for f in high), forces


def test_with_identical_nations_the_two_equilibria_are_none_and_all_alike():
    assert pure_equilibria(assurance(0.002)) == [(0, 0, 0), (5, 5, 5)]


@pytest.mark.parametrize("start,formed", [(0, False), (1, False), (2, False), (3, True),
                                          (4, True), (6, True)])
def test_which_equilibrium_the_dynamics_reach_depends_on_the_starting_pledges(start, formed):
    model = assurance(start=start)
    model.run(15)
    troops = model.state.troops[0]
    assert (model.state.guarantee[0, 0] == FORMED) == formed
    assert list(troops) == ([5, 5, 5] if formed else [0, 0, 0])


@pytest.mark.parametrize("start", [0, 1, 2])
def test_a_backstop_lowers_the_threshold_and_the_force_forms_where_it_would_not(start):
    without, with_ = assurance(start=start), assurance(start=start, backstop=True)
    without.run(15)
    with_.run(15)
    assert without.state.guarantee[0, 0] == NOT_FORMED
    assert with_.state.guarantee[0, 0] == FORMED
    assert with_.state.force_threshold[0, 0] == BACKED < without.state.force_threshold[0, 0]
    # a backstop removes the bad equilibrium: one nation alone now finds it worth deploying
    assert (0, 0, 0) not in pure_equilibria(assurance(backstop=True), backstop=True)


def test_with_no_ceasefire_the_force_changes_nothing():
    """No ceasefire: every force parameter is idle and the aid game is the same run."""
    plain = CoalitionModel("transactional-us", rng=3, stop_on_verdict=False)
    other = CoalitionModel("transactional-us", rng=3, stop_on_verdict=False, force_weight=5.0,
                           backstop_multiplier=9.0, force_threshold=1000.0,
                           force_threshold_backstop=500.0, troop_unit=7, troop_cost=0.5,
                           initial_pledges="none", nation_params={"DEU": {"troop_strategy":
                                                                          "unconditional"}})
    plain.run(12)
    other.run(12)
    for name in ("contribution", "member", "us_level", "eu_aid", "expected_us_effort"):
        assert np.array_equal(getattr(plain.state, name), getattr(other.state, name)), name
    assert plain.events == other.events
    assert not plain.state.ceasefire.any() and plain.state.force_troops[0, 0] == 0
    assert plain.summary()["guarantee"] == "no ceasefire"


def test_a_credible_force_and_aid_are_substitutes():
    """The force deters too, so once it stands the marginal value of aid falls."""
    peace = CoalitionModel("ceasefire-with-backstop", rng=1, stop_on_verdict=False)
    war = CoalitionModel("baseline", rng=1, stop_on_verdict=False)
    peace.run(8)
    war.run(8)
    assert peace.state.guarantee[0, 0] == FORMED
    assert peace.european_effort < 0.95 * war.european_effort


def test_a_ceasefire_by_chance_draws_from_its_own_stream():
    """ceasefire_chance changes when the force is raised, not the aid game's draws."""
    a = CoalitionModel("baseline", rng=5, stop_on_verdict=False, noise=0.05)
    b = CoalitionModel("baseline", rng=5, stop_on_verdict=False, noise=0.05, ceasefire_chance=0.4,
                       force_weight=0.0)
    a.run(10)
    b.run(10)
    assert b.state.ceasefire[0, 0] and 1 <= b.state.ceasefire_began[0, 0] <= 10
    assert np.array_equal(a.state.contribution, b.state.contribution)  # same noise draws
    c = CoalitionModel("baseline", rng=5, stop_on_verdict=False, noise=0.05, ceasefire_chance=0.4,
                       force_weight=0.0)
    c.run(10)
    assert c.state.ceasefire_began[0, 0] == b.state.ceasefire_began[0, 0]


# --------------------------------------------------------------------------- the scenarios
def test_with_a_backstop_the_stated_pledges_form_a_credible_force():
    model = CoalitionModel("ceasefire-with-backstop", rng=1)
    s = model.run(40)
    assert s["ceasefire_began"] == 2 and s["guarantee"] == "formed"
    assert s["force_credible"] and s["us_backstop"]
    assert s["force_troops"] >= s["force_threshold"] == 25000
    assert s["troops_end"]["GBR"] >= 7000 and s["troops_end"]["FRA"] >= 6000
    assert "ITA" not in s["troops_end"] and "POL" not in s["troops_end"]
    assert "formed" in s["guarantee_reason"] and "with a US backstop" in s["guarantee_reason"]


def test_without_a_backstop_the_conditions_fail_and_the_force_is_hollow_then_gone():
    model = CoalitionModel("ceasefire-no-backstop", rng=1, stop_on_verdict=False)
    model.step()
    model.step()  # the ceasefire round
    s = model.summary()
    assert s["guarantee"] == "hollow" and not s["us_backstop"]
    assert 10000 <= s["force_troops"] < s["force_threshold"] == 64000
    assert {"GBR", "DEU", "SWE", "NLD", "BEL"} <= set(s["conditions_unmet"])
    assert "Germany" in s["guarantee_reason"] and "a US backstop" in s["guarantee_reason"]
    assert "of the 64,000 it needs without a US backstop" in s["guarantee_reason"]
    model.run(20)
    assert model.summary()["guarantee"] == "not formed"
    events = "\n".join(model.events)
    assert "a ceasefire began" in events and "the guarantee is hollow" in events
    assert "the guarantee did not form" in events


def test_a_transactional_us_prices_its_backstop():
    cheap = CoalitionModel("ceasefire-transactional-us", rng=1, us_backstop_price=0.0,
                           stop_on_verdict=False)
    dear = CoalitionModel("ceasefire-transactional-us", rng=1, us_backstop_price=30000.0,
                          stop_on_verdict=False)
    cheap.step(), cheap.step()
    dear.step(), dear.step()
    assert cheap.state.backstop[0, 0] and cheap.state.guarantee[0, 0] == FORMED
    # Europe offers about 25,500: below the price, the backstop and its conditions fail
    assert dear.state.backstop_offered[0, 0] and not dear.state.backstop[0, 0]
    assert "asked for a force of at least 30,000 troops" in dear.summary()["guarantee_reason"]


def test_the_inspector_explains_a_troop_decision_and_its_condition():
    model = CoalitionModel("ceasefire-no-backstop", rng=1)
    before = model.nation("DEU").explain()
    assert "no ceasefire yet" in before and "only if the US backs the force" in before
    model.run(2)
    text = model.nation("DEU").explain()
    assert "its condition (a US backstop) is not met, so none deploy" in text
    assert model.nation("DEU").troop_offer > 0 and model.nation("DEU").troops == 0
    assert "deploys whatever" in model.nation("FRA").explain()
    assert model.nation("ITA").troop_strategy == "never"


def test_json_carries_the_guarantee(tmp_path):
    out = subprocess.run([sys.executable, "-m", "experiments.cli", "run", "--scenario",
                          "ceasefire-no-backstop", "--rounds", "2", "--json"],
                         capture_output=True, text=True, check=True)
    s = json.loads(out.stdout)
    for key in ("ceasefire_began", "guarantee", "guarantee_reason", "force_troops",
                "force_threshold", "force_credible", "us_backstop", "troops_end",
                "conditions_unmet", "conditions"):
        assert key in s
    assert s["guarantee"] == "hollow" and s["conditions"]["DEU"].startswith("deploys only if")
    frame = CoalitionModel("ceasefire-with-backstop", rng=1).datacollector
    assert {"force_troops", "force_threshold", "force_credible", "us_backstop",
            "guarantee"} <= set(frame.model_reporters)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("overrides,words", [
    ({"nation_params": {"GBR": {"troops_start": 21000.0}}},
     ["GBR.troops_start = 21,000", "capacity of 10,950 troops"]),
    ({"nation_params": {"GBR": {"troops_target": 1000.0}}},
     ["GBR.troops_target = 1000", "whole number of troop_unit = 150"]),
    ({"nation_params": {"BEL": {"troop_strategy": "if_nations",
                                "troop_condition_nations": "GBR ATL"}}},
     ["BEL.troop_condition_nations", "'ATL' is not a nation", "DEU"]),
    ({"nation_params": {"BEL": {"troop_condition_nations": "BEL"}}}, ["cannot name itself"]),
    ({"nation_params": {"DEU": {"troop_strategy": "if_nations"}}},
     ["DEU.troop_strategy = 'if_nations' needs DEU.troop_condition_nations"]),
    ({"nation_params": {"DEU": {"troop_strategy": "if_others",
                                "troop_condition_others": 40}}}, ["at most 32"]),
    ({"nation_params": {"DEU": {"troop_strategy": "sometimes"}}}, ["if_us_backstop"]),
    ({"force_threshold": 0.0}, ["force_threshold = 0.0", "(exclusive)"]),
    ({"force_threshold_backstop": -5.0}, ["force_threshold_backstop", "(exclusive)"]),
    ({"force_threshold_backstop": 70000.0}, ["at most force_threshold = 64000"]),
    ({"ceasefire_round": 2, "nation_params": {"ITA": {"troop_strategy": "unconditional"}}},
     ["troop_cost: ITA may offer troops", "ITA.troops_target"]),
])
def test_bad_troop_input_gets_one_line_naming_it(overrides, words):
    with pytest.raises(CoalitionError) as info:
        CoalitionModel("baseline", **overrides)
    message = str(info.value)
    assert "\n" not in message
    for w in words:
        assert w in message, message


def test_a_pledge_above_capacity_in_a_scenario_file_is_one_line_from_the_cli(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text('title = "t"\ndescription = "d"\n[parameters]\nceasefire_round = 2\n'
                    '[nations.EST]\ntroops_start = 3000\n')
    out = subprocess.run([sys.executable, "-m", "experiments.cli", "run", "--scenario",
                          str(path)], capture_output=True, text=True)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "EST.troops_start = 3,000" in lines[0]
    assert "capacity of 450 troops" in lines[0]
