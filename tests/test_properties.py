"""Properties over the whole valid parameter space (hypothesis): no NaN or inf
anywhere, contributions within bounds, members pay at least the floor."""

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from agents.coalition_model import CoalitionModel
from helpers.params import PARAMS, valid
from model import game as g


def check_state(model):
    st_, world = model.state, model.world
    for name in ("contribution", "expected_us_effort", "rally", "us_level", "us_effort", "target",
                 "force_troops", "force_credibility", "force_deterrence"):
        assert np.all(np.isfinite(getattr(st_, name))), name
    s = st_.contribution
    lower, upper = g.contribution_bounds(model.current_game(), st_.member)
    assert np.all(s >= lower - 1e-15) and np.all(s <= upper + 1e-15)
    assert np.all(s[st_.member] >= world.game.pledge_floor[0, 0] - 1e-15)
    assert 0.0 <= st_.us_level[0, 0] <= 1.0
    assert np.all((st_.troops >= 0) & (st_.troops <= st_.troops_offer))
    assert np.all(st_.troops_offer <= world.troop_capacity)
    assert 0.0 <= st_.force_credibility[0, 0] <= 1.0
    for nation in model.nation_agents[:3]:
        assert all(math.isfinite(v) for v in nation.utility_terms().values())
    assert math.isfinite(model.deterrence)


@given(params=PARAMS, scenario=st.sampled_from(["baseline", "lq-textbook"]), seed=st.integers(0, 2**32))
def test_any_valid_parameters_give_finite_bounded_runs(params, scenario, seed):
    assume(valid(params, scenario))
    model = CoalitionModel(scenario, rng=seed, **params)
    check_state(model)
    for _ in range(4):
        model.step()
        check_state(model)
    frame = model.datacollector.get_model_vars_dataframe()
    numeric = frame.select_dtypes("number").to_numpy()
    assert np.all(np.isfinite(numeric))


@given(e=st.floats(0, 50), x=st.floats(0, 50), rho=st.floats(-4, 1), a=st.floats(0.01, 0.99))
def test_deterrence_is_finite_non_negative_and_monotone(e, x, rho, a):
    d = g.deterrence(np.array([e, e * 1.1 + 0.01]), np.array([x, x]), np.array(rho), np.array(a))
    assert np.all(np.isfinite(d)) and np.all(d >= 0)
    assert d[1] >= d[0] * (1 - 1e-12)
