"""The value curve within one round as a Chebyshev interpolant per nation.

Inside a round's membership step every counterfactual equilibrium evaluates each
nation's value curve v_i(E) (:class:`model.game.ValueCurve`: two ``pow`` and one
``exp`` per nation and evaluation) many times, at efforts E near the round's. The
curve depends on the round's inputs (the game and the US effort each nation expects),
not on who is a member, so one interpolant per nation serves every coalition of the
round: :func:`build` evaluates the exact curve at :data:`NODES` Chebyshev points of a
domain around the effort the profile starts from, and :class:`InterpolatedCurve`
evaluates ``sum_j c_j T_j(x)`` inside the domain and the exact curve outside it.

A nation whose curve is not smooth enough on the domain for the interpolant to be
exact to rounding (its last two coefficients not below :data:`TAIL` of the sum of all)
keeps the exact curve. ``tests/test_interpolant.py`` bounds the error against the
exact curve (about 5e-15 relative) and holds the equilibria and payoffs within 1e-12
of the exact path. :mod:`model.compiled` evaluates the same interpolant with the same
operations in the same order, so NumPy and the compiled kernel agree to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import game as g

Array = g.Array

NODES = 16  # Chebyshev points per nation
HALF_WIDTH = 0.25  # the domain: the round's effort E(start) x (1 -/+ HALF_WIDTH), within reach
TAIL = 1e-14  # the interpolant is used where its truncation error, estimated from the
NOISE = 4e-15  # decay of the last coefficients, is below TAIL of sum |c_j| (or they are noise)
ANGLES = np.pi * (np.arange(NODES) + 0.5) / NODES
POINTS = np.cos(ANGLES)  # Chebyshev points of the first kind on [-1, 1]
# cos(j theta_i) / NODES (2 / NODES for j > 0): coefficients from values, (j, i)
WEIGHTS = np.cos(np.arange(NODES)[:, None] * ANGLES[None, :]) * np.where(
    np.arange(NODES) == 0, 1.0, 2.0)[:, None] / NODES


@dataclass(frozen=True)
class Interpolant:
    """Each nation's interpolant for one round (a batch of runs).

    ``lo``, ``hi``: the domain in E (EUR bn a year), ``(..., 1)``; ``coef``: the
    Chebyshev coefficients, ``(..., NODES, N)``; ``ok``: where the interpolant is used,
    ``(..., N)`` (False: the exact curve).
    """

    lo: Array
    hi: Array
    coef: Array
    ok: np.ndarray

    def take(self, index) -> Interpolant:
        """Select along the leading batch axis."""
        return Interpolant(self.lo[index], self.hi[index], self.coef[index], self.ok[index])

    def expand(self, axis: int = -2) -> Interpolant:
        """Insert a length-1 batch axis before the nation axis (as :meth:`Game.expand`)."""
        return Interpolant(np.expand_dims(self.lo, axis), np.expand_dims(self.hi, axis),
                           np.expand_dims(self.coef, axis - 1), np.expand_dims(self.ok, axis))


def in_order(terms) -> Array:
    """The sum of ``terms`` from the first to the last (the order the kernel adds them)."""
    terms = iter(terms)
    total = next(terms)
    for term in terms:
        total = total + term
    return total


def domain(game: g.Game, start: Array) -> tuple[Array, Array]:
    """Where the round's solves look for E: E(start) x (1 -/+ HALF_WIDTH), cut to the
    efforts any profile within the bounds can give (all at 0 .. all at s_max).

    Parameters
    ----------
    game : Game
    start : Array
        The profile the equilibria start from, ``(..., N)``.

    Returns
    -------
    tuple of Array
        (lo, hi), ``(..., 1)``; lo >= hi where there is no room for an interpolant.
    """
    centre = g.european_effort(game, start)
    least = g.european_effort(game, np.zeros_like(start))
    most = g.european_effort(game, game.max_contribution + 0 * start)
    lo = np.maximum(centre * (1 - HALF_WIDTH), least)
    hi = np.minimum(centre * (1 + HALF_WIDTH), most)
    bad = ~(np.isfinite(lo) & np.isfinite(hi) & (lo > 0))
    return np.where(bad, 0.0, lo), np.where(bad, 0.0, hi)


def build(game: g.Game, expected_us_effort: Array, start: Array) -> Interpolant:
    """Each nation's interpolant of :class:`model.game.ValueCurve` for this round.

    Parameters
    ----------
    game : Game
        The round's game, ``(B, N)``.
    expected_us_effort : Array
        X_hat_i, ``(B, N)``.
    start : Array
        The profile the round's equilibria start from, ``(B, N)``.

    Returns
    -------
    Interpolant
    """
    lo, hi = domain(game, start)
    mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    efforts = mid[..., None, :] + half[..., None, :] * POINTS[:, None]  # (..., NODES, 1)
    exact = g.ValueCurve(game.expand(-2), expected_us_effort[..., None, :])
    values = exact(efforts)  # (..., NODES, N): node i, nation k
    coef = in_order(values[..., i, None, :] * WEIGHTS[:, i, None] for i in range(NODES))
    size = in_order(np.abs(coef[..., j, :]) for j in range(NODES))
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (hi > lo) & np.all(np.isfinite(coef), axis=-2) & converged(coef, size)
    return Interpolant(lo, hi, np.where(ok[..., None, :], coef, 0.0), ok)


def converged(coef: Array, size: Array) -> np.ndarray:
    """Whether the coefficients ``(..., NODES, N)`` have decayed far enough: the last two
    are rounding noise, or they fall geometrically (ratio q over two orders below 1/2)
    and the rest of the series they announce, ``tail q / (1 - q)``, is below TAIL of
    ``size`` (sum |c_j|). Else the nation keeps the exact curve."""
    head = np.abs(coef[..., -4, :]) + np.abs(coef[..., -3, :])
    tail = np.abs(coef[..., -2, :]) + np.abs(coef[..., -1, :])
    q = tail / head
    rest = tail * q / (1 - q)
    return (tail <= NOISE * size) | ((q < 0.5) & (rest <= TAIL * size))


def chebyshev(x: Array) -> Array:
    """T_0(x) .. T_{NODES-1}(x) by the three-term recurrence, on a new last axis."""
    t = [np.ones_like(x), x]
    for _ in range(2, NODES):
        t.append(2 * x * t[-1] - t[-2])
    return np.stack(t, axis=-1)


class InterpolatedCurve:
    """v_i(E) from the round's interpolant inside its domain, exactly outside it.

    Called like :class:`model.game.ValueCurve` (and built from the same game and
    expectations); the interpolant must have the game's batch shape.
    """

    def __init__(self, game: g.Game, expected_us_effort: Array, interpolant: Interpolant) -> None:
        self.exact = g.ValueCurve(game, expected_us_effort)
        while interpolant.ok.ndim < game.gdp.ndim:  # a coalition axis: as Game.expand
            interpolant = interpolant.expand(-2)
        self.interpolant = interpolant

    def __call__(self, european_effort: Array) -> Array:
        ip = self.interpolant
        mid, half = 0.5 * (ip.lo + ip.hi), 0.5 * (ip.hi - ip.lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (european_effort - mid) / half
        inside = (x >= -1.0) & (x <= 1.0)
        use = ip.ok & inside
        t = chebyshev(np.where(inside, x, 0.0))
        value = in_order(ip.coef[..., j, :] * t[..., j] for j in range(NODES))
        if use.all():
            return value
        return np.where(use, value, self.exact(european_effort))


def factory(interpolant: Interpolant | None):
    """The value curve the counterfactual solves use: exact (None) or interpolated."""
    if interpolant is None:
        return g.ValueCurve
    return lambda game, expected: InterpolatedCurve(game, expected, interpolant)


__all__ = ["Interpolant", "InterpolatedCurve", "build", "domain", "factory", "NODES"]
