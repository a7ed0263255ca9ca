"""The reassurance force after a ceasefire: credibility, deterrence, the cost of troops
and each nation's best troop offer, as pure functions over batched arrays.

The force is a threshold public good (Palfrey & Rosenthal 1984; Bagnoli & Lipman
1989): it deters only once it is large enough to be credible, so its value rises
steeply around a threshold ``T`` in troops,

    Lambda(P; T) = [sigma((P - T)/(w T)) - sigma(-1/w)] / [1 - sigma(-1/w)]

(a logistic of relative width ``w`` scaled so Lambda(0) = 0 and Lambda -> 1), and a
US backstop (air cover, intelligence, a guarantee) both lowers the threshold
(``T1 < T0``) and multiplies what the force deters by ``mu``:

    D_F = omega Lambda(P; T(b)) (1 + (mu - 1) b)

D_F adds to the deterrence each nation perceives and the adversary faces (so the
force and aid are substitutes in deterrence). Nation i's troops cost it
``kappa_i Y_i (q_i / Q_i)^gamma`` (gamma > 1: casualty and political risk rise
steeply as a larger share of its sustainable forces ``Q_i`` deploys; Q_i from its
active personnel and NATO's usability target). Troops come in units (a company of
150 by default), and a nation picks its offer on the grid 0..Q_i.

With identical nations and no backstop this is Schelling's (1960) and Skyrms's (2004)
assurance game (stag hunt): no force and a force at the threshold are both equilibria.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from model import game as g

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ForceRules:
    """The force's parameters, each ``(..., 1)``."""

    weight: Array  # omega: deterrence of a fully credible force without a backstop
    multiplier: Array  # mu >= 1: what a US backstop multiplies it by
    threshold_alone: Array  # T0, troops: credible without a US backstop
    threshold_backed: Array  # T1 <= T0, troops: credible with one
    width: Array  # w: the logistic's width, a share of the threshold
    unit: Array  # troops per unit of a pledge
    exponent: Array  # gamma >= 1: how steeply the cost of troops rises

    def take(self, index) -> ForceRules:
        return ForceRules(**{k: v[index] for k, v in self.__dict__.items()})


def threshold(rules: ForceRules, backstop: BoolArray) -> Array:
    """T(b): the troops the force needs to be credible, with or without a US backstop."""
    return np.where(backstop, rules.threshold_backed, rules.threshold_alone)


def credibility(troops: Array, threshold_: Array, width: Array) -> Array:
    """Lambda(P; T) in [0, 1]: 0 with no troops, 1/2 at the threshold, towards 1 above.

    Examples
    --------
    >>> round(float(credibility(np.array(25_000.0), np.array(25_000.0), np.array(0.1))), 3)
    0.5
    >>> float(credibility(np.array(0.0), np.array(25_000.0), np.array(0.1)))
    0.0
    """
    with np.errstate(over="ignore", divide="ignore"):  # a knife-edge width: a step
        z = (troops - threshold_) / (width * threshold_)
        z0 = (0.0 - threshold_) / (width * threshold_)  # as z at P = 0: Lambda(0) = 0 exactly
    s, s0 = _sigmoid(z), _sigmoid(z0)
    return np.maximum((s - s0) / (1 - s0), 0.0)


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def deterrence(rules: ForceRules, troops: Array, backstop: BoolArray) -> Array:
    """D_F = omega Lambda(P; T(b)) (1 + (mu - 1) b): what the force deters (..., 1)."""
    lam = credibility(troops, threshold(rules, backstop), rules.width)
    return rules.weight * lam * np.where(backstop, rules.multiplier, 1.0)


def troop_cost(units: Array, capacity: Array, cost: Array, gdp: Array, exponent: Array) -> Array:
    """kappa_i Y_i (q / Q_i)^gamma, EUR bn: the domestic cost of ``units`` deployed.

    ``capacity`` Q_i in units; a nation with no capacity can deploy nothing.
    """
    share = np.where(capacity > 0, units / np.maximum(capacity, 1), 0.0)
    return cost * gdp * g._pow(share, exponent)


def offer_payoffs(rules: ForceRules, value_scale: Array, aid_deterrence: Array,
                  saturation: Array, linear: BoolArray, others: Array, backstop: BoolArray,
                  capacity: NDArray[np.int_], cost: Array, gdp: Array) -> Array:
    """Each nation's payoff from the force for every offer 0..max capacity (..., N, G).

    ``value_scale`` is m_i V theta_i Y_i (its share of the security value), and
    ``aid_deterrence`` the deterrence i perceives from aid and the US, (..., N);
    ``others`` the troops the others deploy and ``backstop`` the backstop i counts
    on, (..., N). Offers above a nation's capacity get -inf.
    """
    grid = np.arange(int(np.max(capacity, initial=0)) + 1, dtype=float)
    q = grid
    ex = lambda a: np.asarray(a)[..., None]  # noqa: E731 - (..., N) -> (..., N, 1)
    troops = ex(others) + q * ex(rules.unit)
    d = ex(aid_deterrence) + deterrence(
        ForceRules(*(ex(v) for v in rules.__dict__.values())), troops, ex(backstop))
    benefit = ex(value_scale) * g.benefit_curve(d, ex(saturation), ex(linear))
    payoff = benefit - troop_cost(q, ex(capacity), ex(cost), ex(gdp), ex(rules.exponent))
    return np.where(q <= ex(capacity), payoff, -np.inf)


def best_offer(payoffs: Array) -> NDArray[np.int_]:
    """The offer (units) with the highest payoff; ties go to the smaller offer."""
    return np.argmax(payoffs, axis=-1)


def step_offers(offer: NDArray[np.int_], best: NDArray[np.int_], speed: Array) -> NDArray[np.int_]:
    """Partial adjustment in whole units: a share ``speed`` of the way to the best offer,
    at least one unit a round (forces are raised and withdrawn over time)."""
    gap = best - offer
    step = np.ceil(speed * np.abs(gap) - 1e-9).astype(int)
    return offer + np.sign(gap) * np.maximum(step, np.abs(gap) > 0)


__all__ = ["ForceRules", "threshold", "credibility", "deterrence", "troop_cost",
           "offer_payoffs", "best_offer", "step_offers"]
