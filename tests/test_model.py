"""The Mesa model and its agents: data collection, the event log, explanations."""

import numpy as np
import pytest

from agents.nation import Nation
from agents.united_states import Adversary, UnitedStates
from agents.coalition_model import CoalitionModel
from model.events import pct


def test_model_has_one_agent_per_nation_plus_the_us_and_the_adversary():
    model = CoalitionModel(rng=0)
    assert len(model.agents.select(agent_type=Nation)) == model.nations.n
    assert len(model.agents.select(agent_type=UnitedStates)) == 1
    assert len(model.agents.select(agent_type=Adversary)) == 1
    assert model.nation("DEU").name == "Germany"


def test_data_collector_records_model_and_nation_series_each_round():
    model = CoalitionModel("us-walks-away", rng=0, stop_on_verdict=False)
    model.run(5)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6 and list(frame["round"]) == [0, 1, 2, 3, 4, 5]
    assert frame["us_effort_bn"].iloc[0] > 30 and frame["us_effort_bn"].iloc[-1] == 0
    assert frame["european_effort_bn"].iloc[-1] == pytest.approx(model.european_effort)
    nations = model.datacollector.get_agenttype_vars_dataframe(Nation)
    last = nations.xs(5, level="Step").set_index("iso3")["contribution"]
    assert last["DEU"] == pytest.approx(model.nation("DEU").contribution)


def test_step_runs_one_round_and_run_stops_on_a_verdict():
    model = CoalitionModel(rng=0)
    model.step()
    assert model.round == 1
    summary = model.run(100)
    assert summary["verdict"] == "converged" and summary["rounds_run"] == 10
    assert summary["verdict_round"] == 10 and not model.running


def test_the_run_can_go_on_past_a_verdict():
    model = CoalitionModel(rng=0, stop_on_verdict=False)
    assert model.run(30)["rounds_run"] == 30


def test_event_log_names_the_nation_the_numbers_and_the_reason():
    model = CoalitionModel("us-walks-away", rng=0, us_reliance=-0.5)
    model.run(3)
    text = "\n".join(model.events)
    assert "Round 1: the US cut its commitment from 100% to 0%" in text
    assert "Round 1: Europe's fear of abandonment went from 2% to 91%" in text
    assert "Round 1: off-budget money for Ukraine" in text and "costs no national budget" in text
    assert "Round 1: the EU Council cut EU-level aid" in text
    deu = [e for e in model.events if e.startswith("Round 1: Germany cut its bilateral aid")]
    x = 100 * model.datacollector.get_model_vars_dataframe()["expected_us_level"][1]
    assert deu and f"expects US effort to fall to {x:.0f}%" in deu[0]
    assert "weak without a US backstop (complements)" in deu[0]
    assert "its own defence rose from 1.70% to 2.40% of GDP" in deu[0]


def test_leaving_and_the_verdict_are_logged():
    """Membership must cost something for leaving to pay: a high pledge floor, with
    outsiders getting the whole benefit anyway."""
    model = CoalitionModel("us-walks-away", rng=0, spillover=1.0, pledge_floor=0.002,
                           exit_penalty=0.0)
    model.run(100)
    assert any("left the coalition" in e for e in model.events)
    assert model.events[-1].endswith(model.reason) or model.reason in model.events[-1]


def test_explain_gives_each_utility_term_now_and_at_the_best_response():
    model = CoalitionModel("us-walks-away", rng=0, us_reliance=-0.5)
    model.run(2)
    germany = model.nation("DEU")
    text = germany.explain()
    terms_now = germany.utility_terms()
    terms_best = germany.utility_terms(germany.best_response())
    assert "Germany" in text and "complements" in text
    for label, key in (("security benefit", "benefit"), ("utility", "utility"),
                       ("EU contribution", "eu_cost")):
        line = next(line for line in text.splitlines() if line.strip().startswith(label))
        assert f"{terms_now[key]:.3f}" in line and f"{terms_best[key]:.3f}" in line
    assert terms_best["utility"] >= terms_now["utility"]
    now, best = pct(germany.contribution), pct(germany.best_response())
    assert now != best and f"It gives more than its best response ({now} against {best})" in text


def test_nation_utility_curve_peaks_at_its_best_response():
    model = CoalitionModel("us-walks-away", rng=0)
    model.run(1)
    france = model.nation("FRA")
    grid = np.linspace(0, 0.01, 4001)
    curve = france.utility_curve(grid)
    assert abs(grid[np.argmax(curve["utility"])] - france.best_response()) <= 0.01 / 4000
    costs = sum(curve[k] for k in ("cost", "eu_cost", "fairness", "opposition"))
    np.testing.assert_allclose(curve["utility"], curve["benefit"] - costs)


def test_adversary_probes_raise_exposure_and_are_logged():
    model = CoalitionModel("us-walks-away", rng=3, adversary=True, probe_rate=1.0,
                           stop_on_verdict=False)
    model.run(10)
    assert model.adversary.probes
    assert any("the adversary probed near" in e for e in model.events)
    probed = model.nations.index(model.adversary.probes[-1][1])
    assert model.nation_agents[probed].exposure >= model.world.game.exposure[0, probed]


def test_a_switched_off_adversary_never_probes():
    model = CoalitionModel("us-walks-away", rng=3, adversary=False, probe_rate=1.0,
                           stop_on_verdict=False)
    model.run(20)
    assert model.adversary.probes == []


def test_summary_reports_members_lost_and_efforts():
    s = CoalitionModel("us-walks-away", rng=0, spillover=1.0, pledge_floor=0.002,
                       exit_penalty=0.0).run(150)
    assert s["verdict"] == "fractured" and s["members_lost"]
    outsiders = {"HUN"}  # not a coalition member at the start
    assert set(s["members_lost"]) | set(s["members_end"]) | outsiders == set(s["contributions_end"])
    assert s["us_effort_end_bn"] == 0 and s["coalition_size_end"] == len(s["members_end"])
    assert s["european_effort_end_bn"] == pytest.approx(
        s["bilateral_aid_end_bn"] + s["eu_aid_end_bn"] + s["off_budget_end_bn"])


@pytest.mark.parametrize("scenario", ["baseline", "erratic-us"])
def test_reusing_counterfactuals_in_a_steady_state_changes_nothing(scenario):
    """The membership memo is exact: forcing a fresh solve every round gives the same run."""
    from dataclasses import replace

    memo = CoalitionModel(scenario, rng=4, stop_on_verdict=False)
    fresh = CoalitionModel(scenario, rng=4, stop_on_verdict=False)
    for _ in range(25):
        memo.step()
        fresh.state = replace(fresh.state, gain_inputs=np.full_like(fresh.state.gain_inputs, np.nan))
        fresh.step()
    assert memo.summary() == fresh.summary()
    assert np.array_equal(memo.state.gain, fresh.state.gain)


def test_the_us_agent_shows_the_models_state_not_a_copy_of_its_own():
    """The policy is a class with one vectorised decision; the agent reads the state."""
    model = CoalitionModel("transactional-us", rng=0, stop_on_verdict=False)
    model.run(5)
    us = model.united_states
    assert us.level == float(model.state.us_level[0, 0]) == 0.0  # it punished Europe
    assert us.memory == float(model.state.us_memory[0, 0])
    assert isinstance(us.policy, type) and us.policy.name == "transactional"
    assert not hasattr(us.policy, "level")  # no state of its own to go stale
    assert us.parameters["us_demand"] == 1.5
