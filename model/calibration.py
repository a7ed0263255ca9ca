"""Calibration: start from observed reality, and say what the data reveal.

Three things are solved from the 2022-24 status quo, each by revealed preference:

* **Political cost** phi_i (:func:`political_costs`): observed bilateral aid (Kiel,
  2022-24 mean, on-budget) is each nation's best response at the status quo, given its
  own defence (which shares the budget), its EU contribution and the US it expects.
  First in closed form by inverting :func:`model.game.share_rule`, then polished with
  ``scipy.optimize.least_squares`` on log phi against the model's own
  :func:`model.game.best_response`, so the calibration is the inverse of the function the
  dynamics use. Nations no positive phi can fit keep a residual, reported.
* **The EU contribution's weight** epsilon (:func:`eu_weight`): the Council's deal
  (:func:`model.council.proposal`) reproduces the observed EU-level aid.
* **The cost of troops** kappa_i (:func:`troop_costs`): after a ceasefire each stated
  pledge (seeds/forces.csv) is the nation's best offer when the others deploy theirs
  and the US backs the force (the pledges were made expecting one), by revealed
  bounds on the offer grid. This fits the stated pledges by construction; what the
  force does without a backstop, or from other starts, is not fitted.
* **Exit and join penalties** (:func:`revealed_switch_bounds`): no member left the
  coalition in 2022-2025, not even when the US stopped in 2025, and no outsider joined,
  so each nation's penalty is at least its largest gain from switching side along the
  observed path (the status quo and 2025, others re-optimising); that lower bound is
  the default penalty.

The report also gives each nation's withdrawal threshold rho* (above it a nation
steps up when the US withdraws; :func:`model.game.withdrawal_threshold`) and its
stability margin at the status quo (:func:`model.game.stability_margins`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from model import force as fc
from model import game as g

_CACHE: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
_CACHE_MAX = 256
LOG_PHI = (np.log(1e-9), np.log(1e12))  # the range searched for a political cost


@dataclass(frozen=True)
class CalibrationReport:
    """What the calibration solved and how well it fits, per nation (B, N) or per run (B, 1)."""

    political_cost: np.ndarray
    observed: np.ndarray
    fitted: np.ndarray  # best response at the status quo with the calibrated phi
    residual: np.ndarray  # fitted - observed (share of GDP)
    calibrated: np.ndarray  # bool: phi was solved (not given)
    us_reliance: np.ndarray  # rho_i, the beliefs the calibration assumed
    withdrawal_threshold: np.ndarray  # rho*_i at the status quo
    eu_weight: np.ndarray  # epsilon (B, 1)
    eu_weight_calibrated: np.ndarray  # bool (B, 1)
    eu_fits: np.ndarray  # bool (B, 1): the Council's deal reproduces the observed EU aid
    switch_bound: np.ndarray  # EUR bn a year: the largest gain from switching side (leaving
    # for a member, joining for an outsider) along the observed path
    exit_penalty: np.ndarray  # share of GDP, in force for members
    join_penalty: np.ndarray  # share of GDP, in force for outsiders
    stability_margin: np.ndarray  # EUR bn a year at the status quo; >= 0 keeps its side
    troop_cost: np.ndarray  # kappa_i (B, N); NaN: offers no troops
    troop_cost_calibrated: np.ndarray  # bool (B, N)
    troop_cost_band: np.ndarray  # (B, N, 2): the kappa that make the pledge the best offer
    troops_target: np.ndarray  # the stated pledge, troops
    troops_fitted: np.ndarray  # the best offer with kappa, troops (others at their pledges)
    troops_fits: np.ndarray  # bool (B, N)
    troop_capacity: np.ndarray  # troops the nation can keep deployed (whole units)
    target_capped: np.ndarray  # bool: the data's pledge was above the capacity

    def misfits(self, rtol: float = 1e-6) -> np.ndarray:
        """Nations whose observed aid the model cannot reproduce."""
        return np.abs(self.residual) > rtol * np.maximum(self.observed, 1e-9)


def _key(*arrays) -> bytes:
    return b"|".join(np.ascontiguousarray(a).tobytes() + str(a.shape).encode() for a in arrays)


def _with_cost(game: g.Game, phi: np.ndarray) -> g.Game:
    return replace(game, political_cost=phi)


def political_costs(game: g.Game, observed: np.ndarray, member: np.ndarray,
                    expected_us_effort: np.ndarray, us_effort: np.ndarray,
                    given_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """phi such that ``observed`` are best responses at the status quo; (phi, fitted).

    ``given_cost`` holds phi where the scenario fixes it and NaN where it is solved.
    """
    key = _key(*(getattr(game, f) for f in game.__dataclass_fields__), observed, member,
               expected_us_effort, us_effort, given_cost)
    if key in _CACHE:
        return _CACHE[key]
    effort = g.european_effort(game, observed)
    value = g.decision_value(game, effort, expected_us_effort, member)
    reference = g.fair_reference(game, observed, member, us_effort)
    above = observed + game.eu_share > reference
    net = np.where(above, value - game.sucker_cost, value)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = net / g.security_budget(game, observed)
    free = np.isnan(given_cost)
    usable = free & np.isfinite(closed) & (closed > 0)
    fallback = float(np.median(closed[usable])) if usable.any() else 1.0
    start = np.clip(np.where(np.isfinite(closed) & (closed > 0), closed, fallback),
                    np.exp(LOG_PHI[0]), np.exp(LOG_PHI[1]))
    phi = np.where(free, start, given_cost)

    def residual(log_phi_free: np.ndarray) -> np.ndarray:
        trial = phi.copy()
        trial[free] = np.exp(log_phi_free)
        reply = g.best_response(_with_cost(game, trial), observed, member, expected_us_effort,
                                us_effort)
        return ((reply - observed) / np.maximum(observed, 1e-9))[free]

    if free.any():
        r0 = residual(np.log(phi[free]))
        if np.max(np.abs(r0)) > 1e-10:
            x0 = np.clip(np.log(phi[free]), LOG_PHI[0], LOG_PHI[1])
            fit = least_squares(residual, x0, bounds=LOG_PHI, xtol=1e-14, ftol=1e-14, gtol=1e-14)
            phi = phi.copy()
            phi[free] = np.exp(fit.x)
    fitted = g.best_response(_with_cost(game, phi), observed, member, expected_us_effort, us_effort)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (phi, fitted)
    return phi, fitted


def eu_weight(game: g.Game, contribution: np.ndarray, member: np.ndarray,
              expected_us_effort: np.ndarray, shares: np.ndarray, participating: np.ndarray,
              eu_aid: np.ndarray, off_budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """epsilon such that the Council's deal is the observed EU aid; (epsilon, fits).

    From the deal's first-order condition at the observed aid A0:
    epsilon = [sum_j share_j v_j(E0) - sum_j omega_j] / (A0 sum_j phi_j kappa_j^2 / Y_j).
    Where the right side is not positive (no EU aid, or members who would not want any)
    no epsilon fits: it is set to 1 and ``fits`` is False.
    """
    effort = g.bilateral_aid(game, contribution) + off_budget + g.defence_effort(game) + eu_aid
    v = g.marginal_security_value(game, effort, expected_us_effort)
    weight = np.where(participating, g.benefit_share(game, member), 0.0)
    value = (weight * v).sum(-1, keepdims=True) - np.where(
        participating, game.opposition, 0.0).sum(-1, keepdims=True)
    slope = eu_aid * np.where(participating, game.political_cost * shares**2 / game.gdp,
                              0.0).sum(-1, keepdims=True)
    fits = (value > 0) & (slope > 0)
    return np.where(fits, value / np.where(fits, slope, 1.0), 1.0), fits


def troop_costs(rules: fc.ForceRules, game: g.Game, contribution: np.ndarray,
                member: np.ndarray, expected_us_effort: np.ndarray, target: np.ndarray,
                capacity: np.ndarray, given: np.ndarray, calibrate: np.ndarray):
    """kappa_i such that each stated pledge ``target`` (units) is the nation's best offer,
    with the others at their pledges and a US backstop, at the status quo.

    With B(q) the nation's benefit and C(q) its cost per unit kappa of offering q units,
    the pledge t beats every q < t iff kappa <= (B(t) - B(q)) / (C(t) - C(q)), and every
    q > t iff kappa >= the same ratio: a band [low, high]. The cost is the band's
    geometric mean (half of ``high`` when ``low`` is 0); where the band is empty no kappa
    fits and the pledge is reported as a misfit. Only where ``calibrate``; elsewhere
    ``given`` (NaN: no cost, the nation offers no troops).

    Returns
    -------
    (kappa, band (..., N, 2), fitted offer in units, fits)
    """
    aid_d = g.aid_deterrence(game, g.european_effort(game, contribution), expected_us_effort)
    scale = g.benefit_share(game, member) * game.security_value * game.exposure * game.gdp
    troops = target * rules.unit
    others = troops.sum(-1, keepdims=True) - troops
    backed = np.ones(target.shape, dtype=bool)
    benefit = fc.offer_payoffs(rules, scale, aid_d, game.saturation, game.linear_benefit, others,
                               backed, capacity, np.zeros(target.shape), game.gdp)
    grid = np.arange(benefit.shape[-1], dtype=float)
    cost = fc.troop_cost(grid, capacity[..., None], 1.0, game.gdp[..., None],
                         rules.exponent[..., None])
    t = np.minimum(target, capacity)[..., None]
    b_t = np.take_along_axis(benefit, t, -1)
    c_t = np.take_along_axis(cost, t, -1)
    inside = grid <= capacity[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (b_t - benefit) / (c_t - cost)
    high = np.where((grid < t) & inside, ratio, np.inf).min(-1)
    low = np.maximum(np.where((grid > t) & inside, ratio, -np.inf).max(-1), 0.0)
    fits = calibrate & (target > 0) & (low < high) & (high > 0) & np.isfinite(high)
    mid = np.where(low > 0, np.sqrt(low * np.where(np.isfinite(high), high, low)), high / 2)
    kappa = np.where(calibrate & (target > 0) & np.isfinite(mid), mid, given)
    kappa = np.where(calibrate & (target > 0) & ~np.isfinite(mid), given, kappa)
    payoff = benefit - np.where(np.isfinite(kappa), kappa, 0.0)[..., None] * cost
    fitted = np.where(np.isfinite(kappa), fc.best_offer(payoff), 0)
    band = np.stack([low, high], -1)
    return kappa, band, fitted, fits


def revealed_switch_bounds(states: list[tuple[g.Game, np.ndarray, np.ndarray, np.ndarray,
                                              np.ndarray]]) -> np.ndarray:
    """Each nation's largest gain (EUR bn a year, >= 0) from switching side, over the
    observed states.

    ``states`` lists ``(game, contribution, member, expected_us_effort, us_effort)`` for
    each observed state (the status quo and 2025). Nobody left and nobody joined, so a
    member's exit penalty, and an outsider's join penalty, is at least this large: the
    least penalty consistent with the data.
    """
    bound = None
    for game, contribution, member, expected, us_effort in states:
        stay, switch = g.switch_payoffs(game, member, expected, us_effort, contribution)
        gain = np.maximum(switch - stay, 0.0)
        bound = gain if bound is None else np.maximum(bound, gain)
    return bound
