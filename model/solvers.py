"""Vectorised root finding for the game's one-dimensional equilibrium conditions.

Every solve in the game is a root of a non-increasing function of one aggregate
(European effort, or the members' effort): ``f(lo) >= 0 >= f(hi)``, so a bracketing
method is safe. Each element of the batch is an independent problem: an element stops
changing once it has converged, so its answer does not depend on what else is in the
batch (which is what lets the Mesa model and the vectorised sweep engine agree).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

MAX_ITER = 200
BISECT_AFTER = 60  # fall back to plain bisection if regula falsi is this slow


def bracketed_root(f: Callable[[Array], Array], lo: Array, hi: Array, rtol: float,
                   f_lo: Array | None = None, f_hi: Array | None = None) -> Array:
    """Roots of a non-increasing ``f`` in ``[lo, hi]`` elementwise (Illinois method).

    Needs ``lo <= hi`` and ``f(lo) >= 0 >= f(hi)``. ``f_lo``/``f_hi`` may carry known
    values (NaN where unknown). An element has converged when its bracket is narrower
    than ``rtol * max(|x|, 1)`` or ``|f|`` is below that (Dowell & Jarratt 1971).
    Returns the bracket end with the smaller ``|f|``.
    """
    lo, hi = (np.array(a, dtype=float, copy=True) for a in np.broadcast_arrays(lo, hi))
    flo = f(lo) if f_lo is None else np.where(np.isnan(f_lo), f(lo), f_lo)
    fhi = f(hi) if f_hi is None else np.where(np.isnan(f_hi), f(hi), f_hi)
    flo, fhi = np.broadcast_to(flo, lo.shape).copy(), np.broadcast_to(fhi, lo.shape).copy()
    tol = rtol * np.maximum(np.abs(lo), 1.0)
    done = (hi - lo <= tol) | (np.abs(flo) <= tol) | (np.abs(fhi) <= tol)
    kept_hi = kept_lo = np.zeros(lo.shape, dtype=bool)  # which end survived last time
    for it in range(MAX_ITER):
        if done.all():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lo * fhi - hi * flo) / (fhi - flo)  # regula falsi
        inside = (x > lo) & (x < hi) if it < BISECT_AFTER else False
        x = np.where(inside, x, 0.5 * (lo + hi))
        fx = f(x)
        live = ~done
        up = live & (fx >= 0)  # x replaces lo
        down = live & (fx < 0)  # x replaces hi
        # Illinois: if the same end survives twice, halve its function value
        fhi = np.where(up & kept_hi, 0.5 * fhi, fhi)
        flo = np.where(down & kept_lo, 0.5 * flo, flo)
        lo, flo = np.where(up, x, lo), np.where(up, fx, flo)
        hi, fhi = np.where(down, x, hi), np.where(down, fx, fhi)
        kept_hi, kept_lo = up, down
        tol = rtol * np.maximum(np.abs(x), 1.0)
        done = done | (live & ((hi - lo <= tol) | (np.abs(fx) <= tol)))
    return np.where(np.abs(flo) <= np.abs(fhi), lo, hi)
