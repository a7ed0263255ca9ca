"""Calibration: the baseline starts, and stays, where reality is; what the data reveal."""

import numpy as np
import pytest

from agents import CoalitionModel
from model import game as g
from model.calibration import revealed_switch_bounds
from model.data import load_nations


def test_observed_aid_is_a_best_response_at_the_status_quo():
    model = CoalitionModel("baseline", rng=0)
    report = model.calibration
    assert report.calibrated.all()
    assert not report.misfits().any()
    np.testing.assert_allclose(report.fitted, load_nations().contribution[None], rtol=1e-9)
    assert (report.political_cost > 0).all()


def test_every_nation_keeps_its_side_at_the_status_quo():
    report = CoalitionModel("baseline", rng=0).calibration
    assert (report.stability_margin >= 0).all(), report.stability_margin


def test_baseline_with_a_steadfast_us_stays_within_5_percent_for_100_rounds():
    model = CoalitionModel("baseline", rng=0, noise=0.0, stop_on_verdict=False)
    observed = model.calibration.observed[0]
    start_members = model.state.member.copy()
    start_eu = model.state.eu_aid.copy()
    for _ in range(100):
        model.step()
        assert np.all(np.abs(model.state.contribution[0] / observed - 1) <= 0.05)
        assert (model.state.member == start_members).all()
    np.testing.assert_allclose(model.state.eu_aid, start_eu, rtol=1e-6)
    assert model.round == 100
    assert model.verdict == "converged"


@pytest.mark.parametrize("length", ["year", "quarter"])
def test_the_status_quo_is_a_steady_state_in_years_and_in_quarters(length):
    model = CoalitionModel("baseline", rng=0, round_length=length, stop_on_verdict=False)
    start = model.state.contribution.copy()
    model.run(12)
    np.testing.assert_allclose(model.state.contribution, start, rtol=1e-8)


def test_a_nation_below_the_pledge_floor_is_reported_as_a_misfit():
    # Turkey's observed 2022-24 aid is about 0.002% of GDP: a floor of 0.01% cannot fit it
    model = CoalitionModel("baseline", rng=0, pledge_floor=1e-4)
    misfits = [model.nations.iso3[i] for i in np.flatnonzero(model.calibration.misfits()[0])]
    assert "TUR" in misfits
    i = model.nations.index("TUR")
    assert model.calibration.fitted[0, i] == 1e-4


def test_given_political_cost_is_kept_not_calibrated():
    model = CoalitionModel("olson-zeckhauser", rng=0)
    assert not model.calibration.calibrated.any()
    assert (model.calibration.political_cost == 20.0).all()


def test_the_eu_contributions_weight_is_revealed_by_the_eu_aid():
    """epsilon is solved so the Council's deal is the observed EU aid (test_council.py
    checks the deal); a larger observed EU aid would reveal a smaller weight."""
    report = CoalitionModel("baseline", rng=0).calibration
    assert report.eu_weight_calibrated.all() and report.eu_fits.all()
    given = CoalitionModel("baseline", rng=0, eu_budget_weight=2.0).calibration
    assert not given.eu_weight_calibrated.any() and given.eu_weight[0, 0] == 2.0


def test_the_revealed_penalties_keep_everyone_on_their_side_along_the_observed_path():
    """Nobody left or joined in 2022-2025: the default penalties are the least that
    explain it (each nation's largest gain from switching side on that path)."""
    model = CoalitionModel("baseline", rng=0)
    report, world = model.calibration, model.world
    member = model.state.member[0]
    gdp = model.nations.gdp
    assert (report.switch_bound >= 0).all()
    np.testing.assert_allclose(world.exit_penalty[0, member] * gdp[member],
                               report.switch_bound[0, member])
    assert np.all(world.join_penalty[0, ~member] * gdp[~member] > report.switch_bound[0, ~member])
    hun = model.nations.index("HUN")
    assert not member[hun] and report.switch_bound[0, hun] > 0  # Hungary would gain by joining


def test_a_lower_penalty_than_revealed_would_have_let_someone_switch():
    """The bound is tight: scale it down and the status quo is no longer stable for the
    nation that sets it."""
    model = CoalitionModel("baseline", rng=0)
    st, game = model.state, model.current_game()
    bound = revealed_switch_bounds([(game, st.contribution, st.member, st.expected_us_effort,
                                     st.us_effort)])
    i = int(np.argmax(bound))
    penalty = 0.5 * bound / model.nations.gdp[None]
    margin = g.stability_margins(game, st.member, st.expected_us_effort, st.us_effort,
                                 st.contribution, penalty, penalty)
    assert margin[0, i] < 0


def test_the_withdrawal_threshold_is_reported_per_nation():
    report = CoalitionModel("baseline", rng=0, saturation=2.0).calibration
    assert report.withdrawal_threshold.shape == report.political_cost.shape
    np.testing.assert_allclose(report.withdrawal_threshold, 0.5, atol=0.02)
