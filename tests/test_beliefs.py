"""Learning what kind of US this is (model/beliefs.py): Bayes' rule on what it does."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model import beliefs as bl

PRIOR = bl.normalise(np.array([0.85, 0.05, 0.05, 0.05]))[None, None, :]  # (1, 1, K)
KNOWN = dict(demand=np.array([[1.0]]), hysteresis=np.array([[0.2]]),
             switch_prob=np.array([[0.2]]))


def watch(levels, noise=0.2, hazard=0.0, burden=1.2, announce_at=None, credibility=1.0):
    """The belief after watching the US commit to ``levels``, one round each."""
    belief, previous = PRIOR.copy(), 1.0
    for t, level in enumerate(levels):
        loglik = bl.log_likelihood(np.array([[level]]), np.array([[previous]]),
                                   np.array([[burden]]), KNOWN["demand"], KNOWN["hysteresis"],
                                   KNOWN["switch_prob"], np.array([[noise]]))
        belief = bl.update(belief, PRIOR, loglik, np.array([[hazard]]),
                           np.array([[t == announce_at]]), np.array([[credibility]]))
        previous = level
    return belief[0, 0]


def test_a_us_that_keeps_its_commitment_is_believed_steadfast():
    belief = watch([1.0] * 12)
    # with Europe above the demand a transactional US would do the same: only the prior
    # tells them apart
    assert belief[bl.STEADFAST] + belief[bl.TRANSACTIONAL] > 0.99
    assert belief[bl.STEADFAST] / belief[bl.TRANSACTIONAL] == pytest.approx(0.85 / 0.05)
    assert belief.sum() == pytest.approx(1.0)


def test_a_us_that_stops_is_soon_believed_gone():
    belief = watch([1.0, 1.0, 0.0, 0.0])
    assert belief[bl.GONE] + belief[bl.ERRATIC] > 0.95
    assert belief[bl.STEADFAST] < 0.05


def test_a_us_that_comes_back_after_a_stall_looks_erratic():
    """The 2023-24 stall: engaged, two rounds near zero, engaged again."""
    belief = watch([1.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    assert belief[bl.ERRATIC] > belief[bl.GONE] and belief[bl.ERRATIC] > 0.5


def test_a_us_that_punishes_a_europe_below_its_demand_looks_transactional():
    belief = watch([0.0, 0.0, 0.0], burden=0.5)  # Europe far below the demand of 1.0
    assert belief[bl.TRANSACTIONAL] + belief[bl.GONE] > 0.9
    assert belief[bl.TRANSACTIONAL] == pytest.approx(belief[bl.GONE])  # both predict a stop
    engaged = watch([1.0, 1.0, 1.0], burden=1.5)
    assert engaged[bl.TRANSACTIONAL] < engaged[bl.STEADFAST]


def test_an_announced_stop_is_believed_at_once_in_the_measure_of_its_credibility():
    assert watch([1.0], announce_at=0)[bl.GONE] == pytest.approx(1.0)
    half = watch([1.0], announce_at=0, credibility=0.5)
    assert half[bl.GONE] == pytest.approx(0.5 + 0.5 * watch([1.0])[bl.GONE])


def test_beliefs_drift_back_to_the_prior_at_the_hazard_rate():
    stopped = watch([0.0] * 4, hazard=0.0)
    drifting = watch([0.0] * 4, hazard=0.5)
    assert drifting[bl.STEADFAST] > stopped[bl.STEADFAST]
    assert watch([0.3] * 3, hazard=1.0) == pytest.approx(PRIOR[0, 0])  # forgets at once


def test_the_forecast_is_each_kind_s_next_move_weighted_by_the_belief():
    belief = np.array([[[0.5, 0.0, 0.25, 0.25]]])
    level = np.array([[0.8]])
    forecast = bl.forecast(belief, level, np.array([[1.2]]), **KNOWN)
    # steadfast keeps 0.8; erratic stays (0.8) w.p. 0.8 or switches off (0) w.p. 0.2; gone 0
    assert forecast[0, 0] == pytest.approx(0.5 * 0.8 + 0.25 * (0.8 * 0.8) + 0.0)


@given(levels=st.lists(st.floats(0, 1), min_size=1, max_size=10),
       noise=st.floats(0.01, 2.0), hazard=st.floats(0, 1))
def test_beliefs_stay_probabilities_whatever_the_us_does(levels, noise, hazard):
    belief = watch(levels, noise=noise, hazard=hazard)
    assert np.all(belief >= 0) and belief.sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(belief))


def test_a_yearly_rate_becomes_a_rate_per_round():
    assert bl.per_round(np.array(0.1), np.array(1.0)) == pytest.approx(0.1)
    quarterly = bl.per_round(np.array(0.1), np.array(0.25))
    assert 1 - (1 - quarterly) ** 4 == pytest.approx(0.1)
