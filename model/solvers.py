"""Vectorised root finding for the game's one-dimensional equilibrium conditions.

Every solve in the game is a root of a function that is monotone in one aggregate
(the European effort, or the members' effort), so a bracketing method is safe. Each
element of the batch is an independent problem: an element stops changing once it
has converged, so its answer does not depend on what else is in the batch (which is
what makes the Mesa model and the vectorised sweep engine agree to the bit).
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
    """Roots of ``f`` in ``[lo, hi]`` elementwise, by the Illinois method.

    ``f(lo)`` and ``f(hi)`` must not have the same strict sign (a zero counts).
    ``f_lo``/``f_hi`` may carry already known values (NaN where unknown). Converges
    when the bracket is narrower than ``rtol * max(|x|, 1)`` or ``|f|`` is below that
    (Dowell & Jarratt 1971). Returns the bracket end with the smaller ``|f|``.
    """
    lo, hi = (np.array(a, dtype=float, copy=True) for a in np.broadcast_arrays(lo, hi))
    flo = f(lo) if f_lo is None else np.where(np.isnan(f_lo), f(lo), f_lo)
    fhi = f(hi) if f_hi is None else np.where(np.isnan(f_hi), f(hi), f_hi)
    flo, fhi = np.broadcast_to(flo, lo.shape).copy(), np.broadcast_to(fhi, lo.shape).copy()
    side = np.zeros(lo.shape, dtype=np.int8)  # which end was kept last time (+1 lo, -1 hi)
    done = (flo == 0) | (fhi == 0) | (np.abs(hi - lo) <= rtol * np.maximum(np.abs(lo), 1.0))
    for it in range(MAX_ITER):
        if done.all():
            break
        denom = fhi - flo
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lo * fhi - hi * flo) / denom
        bisect = ~np.isfinite(x) | (x <= np.minimum(lo, hi)) | (x >= np.maximum(lo, hi))
        if it >= BISECT_AFTER:
            bisect[...] = True
        x = np.where(bisect, 0.5 * (lo + hi), x)
        x = np.where(done, lo, x)
        fx = f(x)
        active = ~done
        hit = active & (fx == 0)
        to_lo = active & ~hit & (np.sign(fx) == np.sign(flo))  # x replaces lo
        to_hi = active & ~hit & ~to_lo
        # Illinois: if the same end survives twice, halve its function value
        fhi = np.where(to_lo & (side == -1), 0.5 * fhi, fhi)
        flo = np.where(to_hi & (side == 1), 0.5 * flo, flo)
        lo = np.where(to_lo | hit, x, lo)
        flo = np.where(to_lo | hit, fx, flo)
        hi = np.where(to_hi | hit, x, hi)
        fhi = np.where(to_hi | hit, fx, fhi)
        side = np.where(to_lo, -1, np.where(to_hi, 1, side)).astype(np.int8)
        scale = rtol * np.maximum(np.abs(x), 1.0)
        small = (np.abs(hi - lo) <= scale) | (np.abs(fx) <= scale)
        done = done | hit | (active & small)
    return np.where(np.abs(flo) <= np.abs(fhi), lo, hi)
