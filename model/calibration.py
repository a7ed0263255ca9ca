"""Calibration: start from observed reality.

Observed annual contributions (Kiel, 2022-2024 mean) are taken as best responses at
round 0 under the status-quo US. Each nation's political cost phi_i is solved so that
this holds: first in closed form by inverting the share rule of
:func:`model.game.share_rule`, then polished with ``scipy.optimize.least_squares`` on
log phi against the model's own :func:`model.game.best_response` (so the calibration
is the inverse of the very function the dynamics use). Nations no positive phi can fit
(e.g. observed contribution below the pledge floor) keep a residual, reported. The
report also gives each nation's margin for keeping its side of the coalition at the
status quo (:func:`model.game.stability_margins`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from model import game as g

_CACHE: dict[bytes, "CalibrationReport"] = {}
_CACHE_MAX = 256
LOG_PHI = (np.log(1e-9), np.log(1e12))  # the range searched for a political cost


@dataclass(frozen=True)
class CalibrationReport:
    """phi per nation, the fit and the stability margins at the status quo (B, N)."""

    political_cost: np.ndarray
    observed: np.ndarray
    fitted: np.ndarray  # best response at the status quo with the calibrated phi
    residual: np.ndarray  # fitted - observed (share of GDP)
    calibrated: np.ndarray  # bool: phi was solved (not given)
    stability_margin: np.ndarray  # USD bn a year; >= 0 means the nation keeps its side

    def misfits(self, rtol: float = 1e-6) -> np.ndarray:
        """Nations whose observed contribution the model cannot reproduce."""
        return np.abs(self.residual) > rtol * np.maximum(self.observed, 1e-9)


def _key(*arrays) -> bytes:
    return b"|".join(np.ascontiguousarray(a).tobytes() + str(a.shape).encode() for a in arrays)


def calibrate(game: g.Game, observed: np.ndarray, member: np.ndarray, us_effort: np.ndarray,
              given_cost: np.ndarray, exit_penalty: float = 0.0,
              join_penalty: float = 0.0) -> CalibrationReport:
    """Solve phi so that ``observed`` are best responses at the status quo (B = 1).

    ``given_cost`` holds phi where the scenario fixes it and NaN where it is to be
    solved. The US is at its reference effort and every nation expects it.
    """
    key = _key(*(getattr(game, f) for f in game.__dataclass_fields__), observed, member,
               us_effort, given_cost, np.array([exit_penalty, join_penalty]))
    if key in _CACHE:
        return _CACHE[key]
    xhat = np.broadcast_to(us_effort, observed.shape)
    effort = g.european_effort(game, observed)
    value = g.decision_value(game, effort, xhat, member)
    reference = g.fair_reference(game, observed, member, us_effort)
    above = observed > reference
    net = np.where(above, value - game.sucker_cost, value)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = net / observed
    free = np.isnan(given_cost)
    usable = free & np.isfinite(closed) & (closed > 0)
    fallback = float(np.median(closed[usable])) if usable.any() else 1.0
    start = np.clip(np.where(np.isfinite(closed) & (closed > 0), closed, fallback),
                    np.exp(LOG_PHI[0]), np.exp(LOG_PHI[1]))
    phi = np.where(free, start, given_cost)

    def residual(log_phi_free: np.ndarray) -> np.ndarray:
        trial = phi.copy()
        trial[free] = np.exp(log_phi_free)
        reply = g.best_response(_with_cost(game, trial), observed, member, xhat, us_effort)
        return ((reply - observed) / np.maximum(observed, 1e-9))[free]

    if free.any():
        r0 = residual(np.log(phi[free]))
        if np.max(np.abs(r0)) > 1e-10:
            x0 = np.clip(np.log(phi[free]), LOG_PHI[0], LOG_PHI[1])
            fit = least_squares(residual, x0, bounds=LOG_PHI, xtol=1e-14, ftol=1e-14, gtol=1e-14)
            phi = phi.copy()
            phi[free] = np.exp(fit.x)
    calibrated_game = _with_cost(game, phi)
    fitted = g.best_response(calibrated_game, observed, member, xhat, us_effort)
    margin = g.stability_margins(calibrated_game, member, xhat, us_effort, observed,
                                 exit_penalty, join_penalty)
    report = CalibrationReport(political_cost=phi, observed=observed, fitted=fitted,
                               residual=fitted - observed, calibrated=free,
                               stability_margin=margin)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = report
    return report


def _with_cost(game: g.Game, phi: np.ndarray) -> g.Game:
    return replace(game, political_cost=phi)
