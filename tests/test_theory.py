"""Theory results the model must reproduce, run through the Mesa model itself."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from agents.coalition_model import CoalitionModel
from model import game as g

FIXED = dict(exit_penalty=0.01, join_penalty=0.01, stop_on_verdict=False)


def settle(model, rounds):
    members = model.state.member.copy()
    model.run(rounds)
    assert (model.state.member == members).all(), "membership was meant to stay fixed"
    return model


@pytest.mark.parametrize("mode,us_level,rho", [
    ("individual", 0.5, 0.5), ("individual", 0.0, 1.0), ("individual", 0.8, -1.0),
    ("coordinated", 0.6, 0.0)])
def test_dynamics_settle_on_the_nash_equilibrium_of_the_direct_solver(mode, us_level, rho):
    """Partial adjustment with fixed membership and no noise ends where the direct
    (aggregative) solver says the equilibrium is."""
    model = settle(CoalitionModel("baseline", rng=1, mode=mode, us_level=us_level, us_reliance=rho,
                                  sucker_aversion=0.0, **FIXED), 300)
    st, game = model.state, model.current_game()
    direct = g.nash_equilibrium(game, st.member, st.expected_us_effort, st.us_effort,
                                model.calibration.observed)
    np.testing.assert_allclose(st.contribution, direct, rtol=1e-6, atol=1e-12)


def test_with_fairness_the_dynamics_settle_on_a_nash_equilibrium():
    model = settle(CoalitionModel("baseline", rng=1, us_level=0.3, sucker_aversion=0.6, **FIXED), 300)
    st, game = model.state, model.current_game()
    assert g.is_equilibrium(game, st.contribution, st.member, st.expected_us_effort, st.us_effort,
                            tol=1e-6).all()


def test_simultaneous_best_replies_overshoot_and_partial_adjustment_damps_them():
    """Reaction curves slope down: with eta = 1 twelve identical nations starting off
    equilibrium jump together past it and cycle (the model reports it unresolved);
    eta = 0.3 damps the overshoot and settles on the equilibrium."""
    common = dict(n_nations=12, exit_penalty=0.01, join_penalty=0.01, mode="individual",
                  benefit="saturating", saturation=0.2, political_cost=50.0)
    jumpy = CoalitionModel("lq-textbook", rng=1, adjustment_speed=1.0, **common)
    calm = CoalitionModel("lq-textbook", rng=1, adjustment_speed=0.3, **common)
    jumpy.run(100)
    calm.run(100)
    assert jumpy.verdict == "unresolved"
    effort = jumpy.datacollector.get_model_vars_dataframe()["european_effort_bn"].to_numpy()
    assert np.ptp(effort[-10:]) > 1.0  # still swinging
    assert calm.verdict == "converged"
    st, game = calm.state, calm.current_game()
    assert g.is_equilibrium(game, st.contribution, st.member, st.expected_us_effort,
                            st.us_effort, tol=1e-3).all()


@pytest.mark.parametrize("n", [3, 5, 10])
def test_lq_textbook_grand_coalition_shrinks_to_three(n):
    model = CoalitionModel("lq-textbook", rng=7, n_nations=n)
    summary = model.run(200)
    assert summary["coalition_size_start"] == n
    assert summary["coalition_size_end"] == 3
    assert summary["verdict"] == "converged"


def test_lq_textbook_with_ten_nations_ends_with_exactly_three_for_any_seed():
    sizes = {CoalitionModel("lq-textbook", rng=seed).run(200)["coalition_size_end"] for seed in range(5)}
    assert sizes == {3}


def test_olson_zeckhauser_burden_rises_with_gdp_in_the_dynamics():
    model = CoalitionModel("olson-zeckhauser", rng=3, stop_on_verdict=False)
    model.run(80)
    gdp = model.nations.gdp
    assert spearmanr(gdp, model.state.contribution[0]).statistic > 0.99
    corr = model.datacollector.get_model_vars_dataframe()["burden_gdp_rank_correlation"]
    assert corr.iloc[-1] > 0.99
