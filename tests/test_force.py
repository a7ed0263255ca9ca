"""The reassurance force's rules (model.force) and the calibration of troop costs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents import CoalitionModel
from model import force as fc


def rules(**kw):
    base = dict(weight=0.25, multiplier=2.0, threshold_alone=64000.0, threshold_backed=25000.0,
                width=0.1, unit=150.0, exponent=2.0)
    base.update(kw)
    return fc.ForceRules(**{k: np.full((1, 1), float(v)) for k, v in base.items()})


@given(a=st.floats(0, 2e5), b=st.floats(0, 2e5), t=st.floats(100, 1e5), w=st.floats(0.01, 1))
def test_credibility_rises_with_troops_from_0_to_1(a, b, t, w):
    lo, hi = sorted((a, b))
    la, lb = fc.credibility(np.array(lo), np.array(t), np.array(w)), fc.credibility(
        np.array(hi), np.array(t), np.array(w))
    assert 0.0 <= la <= lb <= 1.0
    assert fc.credibility(np.array(0.0), np.array(t), np.array(w)) == 0.0


def test_credibility_is_a_threshold_steep_around_t():
    t, w = np.array(25000.0), np.array(0.1)
    assert fc.credibility(t, t, w) == pytest.approx(0.5, abs=1e-4)
    assert fc.credibility(t * 0.7, t, w) < 0.05 and fc.credibility(t * 1.3, t, w) > 0.95
    # a sharper threshold: less credibility below, more above
    assert fc.credibility(t * 0.9, t, np.array(0.02)) < fc.credibility(t * 0.9, t, w)


def test_a_backstop_lowers_the_threshold_and_multiplies_deterrence():
    r = rules()
    yes, no = np.array([[True]]), np.array([[False]])
    assert fc.threshold(r, yes)[0, 0] == 25000 and fc.threshold(r, no)[0, 0] == 64000
    troops = np.array([[200000.0]])  # credible either way
    assert fc.deterrence(r, troops, yes)[0, 0] == pytest.approx(
        2 * fc.deterrence(r, troops, no)[0, 0], rel=1e-3)
    assert fc.deterrence(r, np.array([[25000.0]]), yes) > 10 * fc.deterrence(
        r, np.array([[25000.0]]), no)


def test_the_cost_of_troops_rises_steeply_and_needs_capacity():
    q = np.arange(6.0)
    cost = fc.troop_cost(q, np.array(5), np.array(0.01), np.array(100.0), np.array(2.0))
    assert cost[0] == 0 and np.all(np.diff(cost, 2) > 0)  # convex
    assert cost[5] == pytest.approx(0.01 * 100.0)  # all of its sustainable forces: kappa Y
    nothing = fc.troop_cost(np.array(0.0), np.array(0), np.array(1.0), np.array(1.0),
                            np.array(2.0))
    assert nothing == 0.0


def test_offers_above_capacity_are_never_best():
    r = rules()
    pay = fc.offer_payoffs(r, np.array([[1.0, 1.0]]), np.zeros((1, 2)), np.ones((1, 1)),
                           np.zeros((1, 1), bool), np.zeros((1, 2)), np.ones((1, 2), bool),
                           np.array([[3, 7]]), np.zeros((1, 2)), np.ones((1, 2)))
    assert pay.shape == (1, 2, 8) and np.all(np.isinf(pay[0, 0, 4:]))
    assert list(fc.best_offer(pay)[0]) == [3, 7]  # troops are free: all it can


@given(offer=st.integers(0, 50), best=st.integers(0, 50), speed=st.floats(0.01, 1.0))
def test_offers_move_towards_the_best_by_at_least_a_unit_and_never_past_it(offer, best, speed):
    new = int(fc.step_offers(np.array(offer), np.array(best), np.array(speed)))
    if offer == best:
        assert new == offer
    else:
        assert 1 <= abs(new - offer) <= abs(best - offer)
        assert (new - offer) * (best - offer) > 0


def test_the_calibrated_costs_make_the_stated_pledges_best_offers():
    """By construction (the calibration solves for it), reported as such: with a US
    backstop and the others at their pledges, each stated pledge is the best offer."""
    model = CoalitionModel("baseline")
    report = model.calibration
    offered = report.troops_target[0] > 0
    assert offered.sum() >= 15
    assert report.troops_fits[0][offered].all()
    np.testing.assert_array_equal(report.troops_fitted[0][offered],
                                  report.troops_target[0][offered])
    lo, hi = report.troop_cost_band[0][offered].T
    kappa = report.troop_cost[0][offered]
    assert np.all((lo <= kappa) & (kappa <= hi))
    gbr, fra, est = (model.nations.index(c) for c in ("GBR", "FRA", "EST"))
    assert report.troops_target[0, gbr] == 7350 and report.troops_target[0, fra] == 6000
    assert report.troops_target[0, est] == 150
    assert report.troops_target[0, model.nations.index("ITA")] == 0


def test_a_pledge_no_cost_can_make_best_is_reported_not_forced():
    """A tiny force weight: no kappa > 0 makes a big pledge worth its cost."""
    model = CoalitionModel("baseline", force_weight=0.0)
    report = model.calibration
    offered = report.troops_target[0] > 0
    assert not report.troops_fits[0][offered].any()


def test_a_pledge_above_the_capacity_in_the_data_is_capped_and_reported():
    model = CoalitionModel("baseline")
    lva = model.nations.index("LVA")
    assert model.calibration.target_capped[0, lva]
    assert model.calibration.troops_target[0, lva] == 450  # 8% of 6,600, whole companies
