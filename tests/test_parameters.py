"""Every parameter the app offers (its controls, and any KEY=VALUE in its settings box)
either changes a run or is marked as absorbed by the calibration, and an absorbed one
changes no decision. No control that does nothing."""

import numpy as np
import pytest

from agents import CoalitionModel
from model.config import all_params, inert_reason
from model.policies import REGISTRY
from model.scenarios import load_scenario

ROUNDS = 14
# the context in which a parameter can act at all
CONTEXT = {
    "probe_rate": {"adversary": True}, "rally_strength": {"adversary": True},
    "rally_decay": {"adversary": True, "probe_rate": 1.0},
    "rally_radius_km": {"adversary": True, "probe_rate": 1.0},
    "reparations_rounds": {"reparations_loan": 50.0}, "reparations_risk": {"reparations_loan": 2.0},
    "deterrence_rho": {"us_policy": "isolationist"}, "eu_channel": {"us_policy": "isolationist"},
    "fair_share_weight": {"us_policy": "isolationist"}, "spillover": {"us_policy": "isolationist"},
    "hague_target": {"defence_path": "hague"}, "hague_year": {"defence_path": "hague"},
    "n_nations": {"nations": "identical"}, "nation_gdp": {"nations": "identical"},
    "initial_contribution": {"nations": "identical"},
    "belief_draw": {"us_reliance_spread": 1.0},
    "announcement_credibility": {"us_announces": 1},
    "veto_delay": {"us_policy": "isolationist", "us_reliance": 1.0},
    "veto_opposition": {"us_policy": "isolationist", "us_reliance": 1.0},
    "converge_rounds": {"stop_on_verdict": True},
    "converge_tolerance": {"noise": 0.01, "stop_on_verdict": True, "converge_rounds": 3},
    "stop_on_verdict": {"converge_rounds": 3},
    **{name: {"ceasefire_round": 2} for name in (
        "backstop_multiplier", "force_threshold", "force_threshold_backstop",
        "force_threshold_width", "force_weight", "initial_pledges", "troop_cost",
        "troop_cost_exponent", "troop_unit", "us_backstop")},
    # the calibrated cost absorbs the capacity's scale; with a given cost it acts
    "troop_sustainable_share": {"ceasefire_round": 2, "troop_cost": 0.002},
    "us_backstop_price": {"ceasefire_round": 2, "us_policy": "transactional"},
    "fracture_size": {"us_policy": "isolationist", "spillover": 1.0, "pledge_floor": 0.002,
                      "exit_penalty": 0.0, "GBR.core": False, "FRA.core": False},
    "us_hysteresis": {"us_demand": 2.0}, "us_low_level": {"us_demand": 2.0},
    "fracture_effort": {"us_policy": "isolationist"},
    "penalty_scale": {"us_policy": "isolationist", "spillover": 1.0, "pledge_floor": 0.002},
    "exit_penalty": {"us_policy": "isolationist", "spillover": 1.0, "pledge_floor": 0.002},
}
# another value in range, for parameters whose default is at an end or a switch
OTHER = {"us_policy": "isolationist", "us_announces": 1, "belief_draw": 3, "mode": "coordinated",
         "benefit": "linear", "adversary": True, "stop_on_verdict": False, "nations": "identical",
         "round_length": "quarter", "defence_path": "hague", "off_budget": "none",
         "eu_channel": False, "exposure": 0.3, "political_cost": 50.0, "exit_penalty": 0.0,
         "join_penalty": 0.0, "eu_budget_weight": 2.0, "defence": 0.03, "us_level": 0.5,
         "us_low_level": 0.5, "fracture_effort": 0.9, "fracture_size": 0.95,
         "converge_rounds": 3, "stop_on_verdict": True, "max_contribution": 0.004,
         "us_stake": 0.3, "veto_opposition": 0.5, "converge_tolerance": 0.05,
         "ceasefire_round": 2, "force_threshold_backstop": 20000.0, "initial_pledges": "none",
         "us_backstop": False}


def policy_for(name):
    return next((p for p, cls in REGISTRY.items() if name in cls.reads), None)


def other_value(spec):
    if spec.name in OTHER:
        return OTHER[spec.name]
    lo = spec.low if spec.low is not None else 0.0
    hi = spec.high if spec.high is not None else lo + 1.0
    default = spec.default if spec.default is not None else lo
    value = default + 0.3 * (hi - default) if default < hi else default - 0.3 * (default - lo)
    return int(round(value)) if spec.kind is int and round(value) != default else (
        int(value) + 1 if spec.kind is int else value)


def outcome(params):
    model = CoalitionModel("baseline", rng=3, **{"stop_on_verdict": False, **params})
    model.run(ROUNDS)
    frame = model.datacollector.get_model_vars_dataframe()
    decisions = (model.state.contribution.copy(), model.state.member.copy(),
                 model.state.eu_aid.copy())
    return frame, model.summary(), decisions


def differs(a, b):
    (fa, sa, _), (fb, sb, _) = a, b
    if fa.shape != fb.shape or sa != sb:
        return True
    num = fa.select_dtypes("number")
    return not np.allclose(num.to_numpy(float), fb.select_dtypes("number").to_numpy(float),
                           rtol=1e-12, atol=1e-15, equal_nan=True)


@pytest.mark.parametrize("name", sorted(all_params()))
def test_each_parameter_changes_the_run_or_is_marked_absorbed(name):
    spec = all_params()[name]
    context = dict(CONTEXT.get(name, {}))
    if policy_for(name) and "us_policy" not in context:
        context["us_policy"] = policy_for(name)
    base = outcome(context)
    changed = outcome({**context, name: other_value(spec)})
    if spec.absorbed:
        for x, y in zip(base[2], changed[2]):  # no decision moves
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-15)
    else:
        assert differs(base, changed), f"{name} = {other_value(spec)!r} changes nothing"


@pytest.fixture(scope="module")
def plain_outcome():
    return outcome({})


@pytest.mark.parametrize("name", sorted(all_params()))
def test_a_parameter_called_inert_changes_nothing_and_never_where_it_acts(name, plain_outcome):
    """The app refuses a setting that would change nothing (model.config.inert_reason): it
    must really change nothing there, and never be refused where it acts."""
    context = dict(CONTEXT.get(name, {}))
    if policy_for(name) and "us_policy" not in context:
        context["us_policy"] = policy_for(name)
    acting = load_scenario("baseline").config(context).values
    assert inert_reason(name, acting) is None
    plain = load_scenario("baseline").config({"stop_on_verdict": False}).values
    if inert_reason(name, plain):
        frame, summary, decisions = outcome({name: other_value(all_params()[name])})
        if name in summary:  # a setting the run only reports back
            frame = frame.assign(**{name: plain_outcome[0][name]}) if name in frame else frame
            summary = {**summary, name: plain_outcome[1][name]}
        assert not differs(plain_outcome, (frame, summary, decisions)), name


def test_inert_settings_are_named_with_what_they_need():
    values = load_scenario("baseline").config().values
    assert inert_reason("n_nations", values) == (
        "n_nations changes nothing here: it applies only to synthetic nations (nations = identical)")
    assert "does not read it" in inert_reason("us_stake", values)
    assert "after a ceasefire" in inert_reason("DEU.troop_strategy", values)
    assert inert_reason("spillover", values) is None and inert_reason("DEU.us_reliance", values) is None


def test_the_app_offers_no_control_for_an_absorbed_parameter():
    from viz.state import CONTROLLED

    assert not [n for n in CONTROLLED if all_params()[n].absorbed]
