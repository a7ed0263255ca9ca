"""What nations believe about the kind of US they face, and how they learn it.

Each nation holds a belief (a probability distribution) over four kinds of US, the
hypotheses a European capital weighs (Snyder 1984 on the fear of abandonment):

    steadfast      keeps its commitment where it is, whatever Europe does
    transactional  engaged while Europe's burden meets its demand, with hysteresis
    erratic        switches between engaged and gone at random
    gone           has walked away

Every round it sees what the US did and updates by Bayes' rule: each kind predicts the
commitment it would have chosen, and the observed commitment is taken as that
prediction plus noise (``belief_noise``). Kinds of US can change (a new
administration): after each update the belief drifts back towards the prior at the
hazard rate. An announced stop is believed at once, in the measure of
``announcement_credibility``. The US effort a nation expects is its belief's forecast of
the next commitment. Abandonment fear is then a belief, the weight on "gone" and
"erratic", not a constant. All functions are pure and batched: arrays ``(B, N, K)``
for beliefs, ``(B, 1)`` for what the US did.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

KINDS = ("steadfast", "transactional", "erratic", "gone")
STEADFAST, TRANSACTIONAL, ERRATIC, GONE = range(4)
ENGAGED, DISENGAGED = 1.0, 0.0  # the commitments a nation's hypotheses predict


def normalise(weights: Array) -> Array:
    """Weights over the kinds (last axis) scaled to sum to one."""
    return weights / weights.sum(-1, keepdims=True)


def transactional_engaged(was_engaged: Array, burden_ratio: Array, demand: Array,
                          hysteresis: Array) -> Array:
    """Whether a transactional US is engaged, given Europe's burden ratio (as
    :class:`model.policies.Transactional` decides it)."""
    half = hysteresis / 2
    return np.where(was_engaged, burden_ratio >= demand - half, burden_ratio >= demand + half)


def _other(level: Array) -> Array:
    """The commitment an erratic US switches to from ``level``."""
    return np.where(level >= 0.5, DISENGAGED, ENGAGED)


def log_likelihood(observed: Array, previous: Array, burden_ratio: Array, demand: Array,
                   hysteresis: Array, switch_prob: Array, noise: Array) -> Array:
    """log P(observed commitment | kind), up to a constant common to the kinds, (B, K).

    Parameters
    ----------
    observed : Array
        The US commitment this round, u_t, ``(B, 1)``.
    previous : Array
        Its commitment last round, u_{t-1}, ``(B, 1)``.
    burden_ratio : Array
        Europe's burden ratio the US looked at (last round's), ``(B, 1)``.
    demand, hysteresis, switch_prob : Array
        What nations take a transactional and an erratic US to do, ``(B, 1)``.
    noise : Array
        The standard deviation of a signal around a kind's prediction, ``(B, 1)``.

    Returns
    -------
    Array
        ``(B, K)``, in the order of :data:`KINDS`.
    """
    def term(predicted: Array) -> Array:
        return -((observed - predicted) ** 2) / (2 * noise**2)

    engaged = transactional_engaged(previous >= 0.5, burden_ratio, demand, hysteresis)
    stay, switch = term(previous), term(_other(previous))
    erratic = np.logaddexp(np.log1p(-np.minimum(switch_prob, 1 - 1e-12)) + stay,
                           np.log(np.maximum(switch_prob, 1e-12)) + switch)
    return np.concatenate([term(previous), term(np.where(engaged, ENGAGED, DISENGAGED)), erratic,
                           term(np.full_like(observed, DISENGAGED))], axis=-1)


def update(belief: Array, prior: Array, log_lik: Array, hazard: Array,
           announced: Array, credibility: Array) -> Array:
    """Bayes' rule on what the US did, then the drift to the prior, then an announcement.

    Parameters
    ----------
    belief : Array
        Each nation's belief before the round, ``(B, N, K)``.
    prior : Array
        The prior, ``(B, N, K)``.
    log_lik : Array
        :func:`log_likelihood`, ``(B, K)``.
    hazard : Array
        Chance per round that the kind of US changes, ``(B, 1)``.
    announced : Array
        True where the US announces this round that it stops, ``(B, 1)``.
    credibility : Array
        Weight of the announcement, ``(B, 1)``.

    Returns
    -------
    Array
        The belief after the round, ``(B, N, K)``.
    """
    log_post = np.log(np.maximum(belief, 1e-300)) + log_lik[:, None, :]
    log_post -= log_post.max(-1, keepdims=True)
    posterior = normalise(np.exp(log_post))
    h = hazard[:, :, None]
    posterior = (1 - h) * posterior + h * prior
    gone = np.zeros_like(posterior)
    gone[..., GONE] = 1.0
    c = np.where(announced, credibility, 0.0)[:, :, None]
    return (1 - c) * posterior + c * gone


def forecast(belief: Array, level: Array, burden_ratio: Array, demand: Array,
             hysteresis: Array, switch_prob: Array) -> Array:
    """The commitment each nation expects next, sum_k belief_k * E[u_{t+1} | kind k], (B, N).

    Parameters
    ----------
    belief : Array
        ``(B, N, K)``.
    level : Array
        The commitment just observed, ``(B, 1)``.
    burden_ratio : Array
        Europe's burden ratio now, ``(B, 1)``: what a transactional US will look at.
    demand, hysteresis, switch_prob : Array
        As for :func:`log_likelihood`.

    Returns
    -------
    Array
        Expected commitment in [0, 1], ``(B, N)``.
    """
    transactional = np.where(transactional_engaged(level >= 0.5, burden_ratio, demand,
                                                   hysteresis), ENGAGED, DISENGAGED)
    erratic = (1 - switch_prob) * level + switch_prob * _other(level)
    expected = np.concatenate([level, transactional, erratic,
                               np.full_like(level, DISENGAGED)], axis=-1)  # (B, K)
    return (belief * expected[:, None, :]).sum(-1)


def per_round(rate_per_year: Array, round_years: Array) -> Array:
    """A yearly probability as the probability over one round of ``round_years`` years."""
    return 1 - (1 - rate_per_year) ** round_years
