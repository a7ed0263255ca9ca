"""The compiled kernel behind :mod:`model.kernels` (numba; imported only when used).

Each function mirrors its NumPy original in :mod:`model.game` / :mod:`model.solvers`
for one (run, coalition) at a time: the same operations in the same order, the same
Illinois iterations, and sums over nations in NumPy's own pairwise order
(:func:`pairwise`). Compiled on first use and cached on disk (``cache=True``).
"""

from __future__ import annotations

import numba
import numpy as np

from model import game as g
from model.interpolant import NODES
from model.solvers import BISECT_AFTER, MAX_ITER

# the per-nation fields of a Game the kernel reads, and the per-run (scalar) ones
NATION_FIELDS = ("gdp", "exposure", "us_reliance", "fair_share_weight", "sucker_cost",
                 "political_cost", "defence", "eu_share", "opposition", "asset_risk",
                 "pledge_floor", "max_contribution", "spillover", "coordinated", "security_value",
                 "saturation", "linear_benefit", "european_weight", "effort_ref", "us_effort_ref",
                 "us_gdp", "defence_weight", "eu_weight", "eu_aid", "force_deterrence")
RUN_FIELDS = ("outside_aid", "joint_product")

RHO_EPS, TINY, ROOT_TOL = g.RHO_EPS, g.TINY, g.ROOT_TOL
(GDP, EXPOSURE, RELIANCE, W, BETA, PHI, DEFENCE, EU, OPPOSITION, ASSET, FLOOR, SMAX, SIGMA,
 COORD, V, DELTA, LINEAR, A, E0, X0, USGDP, ETA, EPS, EUAID, DF) = range(len(NATION_FIELDS))
OUTSIDE, LAMBDA = range(len(RUN_FIELDS))


def _jit(fn):
    """numba.njit, cached on disk, with NumPy's floating-point error model (x/0 = inf)."""
    return numba.njit(cache=True, error_model="numpy")(fn)


@_jit
def _block(a, lo, n):
    """NumPy's pairwise sum of a[lo:lo+n] for n <= 128 (numpy/_core/src/umath/loops_utils.h)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        while i < n - (n % 8):
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    res = 0.0  # longer: never reached (the callers split first)
    for i in range(n):
        res += a[lo + i]
    return res


@_jit
def pairwise(a, lo, n):
    """NumPy's pairwise sum of a[lo:lo+n]: blocks of at most 128 terms, halves (at a
    multiple of 8) summed left + right, walked with a stack instead of recursion (a
    recursive numba function compiles slowly and is not cached)."""
    if n <= 128:
        return _block(a, lo, n)
    starts, sizes = np.empty(64, np.int64), np.empty(64, np.int64)
    stage, values = np.zeros(64, np.int8), np.empty(64)
    top, filled = 0, 0
    starts[0], sizes[0] = lo, n
    while top >= 0:
        start, size = starts[top], sizes[top]
        half = size // 2 - (size // 2) % 8
        if size <= 128:  # a leaf
            values[filled] = _block(a, start, size)
            filled += 1
            top -= 1
        elif stage[top] == 0:  # the left half first
            stage[top] = 1
            top += 1
            starts[top], sizes[top], stage[top] = start, half, 0
        elif stage[top] == 1:  # then the right half
            stage[top] = 2
            top += 1
            starts[top], sizes[top], stage[top] = start + half, size - half, 0
        else:  # both done: left + right
            values[filled - 2] = values[filled - 2] + values[filled - 1]
            filled -= 1
            top -= 1
    return values[0]


@_jit
def clip(x, lo, hi):
    """np.clip for one float: min(max(x, lo), hi), NaN passing through."""
    if not (x >= lo or x != x):
        x = lo
    if not (x <= hi or x != x):
        x = hi
    return x

@_jit
def curve(P, b, k, e_total, us_part, cd_us, cobb, r, inv_r, coef):
    """ValueCurve.__call__ for nation k."""
    a = P[A, b, k]
    e = e_total / P[E0, b, k]
    if not (e >= TINY or e != e):
        e = TINY
    er = e ** r[k]
    total = a * er + us_part[k]
    d = total ** inv_r[k]
    slope = a * er / e * (d / total)
    if cobb[k]:
        d_cd = e ** a * cd_us[k]
        d = d_cd
        slope = a * d_cd / e
    if not np.isfinite(slope):
        slope = 0.0
    if not np.isfinite(d):
        d = 0.0
    d = d + P[DF, b, k]
    if P[LINEAR, b, k] != 0.0:
        bs = 1.0
    else:
        bs = np.exp(-d / P[DELTA, b, k]) / P[DELTA, b, k]
    return coef[k] * bs * slope

@_jit
def values(P, b, n, effort, cv, ip, v):
    """The value curve of every nation at ``effort``, into ``v``: the round's interpolant
    where it is used and ``effort`` lies in its domain (InterpolatedCurve.__call__, the
    same operations in the same order), else the exact curve."""
    us_part, cd_us, cobb, r, inv_r, coef, budget = cv
    lo, hi, cheb, ok, t, all_ok = ip
    mid, half = 0.5 * (lo[b] + hi[b]), 0.5 * (hi[b] - lo[b])
    x = (effort - mid) / half
    if not (x >= -1.0 and x <= 1.0):
        for k in range(n):
            v[k] = curve(P, b, k, effort, us_part, cd_us, cobb, r, inv_r, coef)
        return
    t[0], t[1] = 1.0, x
    for j in range(2, NODES):
        t[j] = 2 * x * t[j - 1] - t[j - 2]
    c = cheb[b]
    # sum_j c_j T_j from j = 0 up, every nation at once (unrolled: numba vectorises it
    # over the nations), then the exact curve where the interpolant is not used
    t0, t1, t2, t3, t4, t5, t6, t7 = t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]
    t8, t9, t10, t11, t12, t13, t14, t15 = t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]
    for k in range(n):
        a = c[0, k] * t0
        a = a + c[1, k] * t1
        a = a + c[2, k] * t2
        a = a + c[3, k] * t3
        a = a + c[4, k] * t4
        a = a + c[5, k] * t5
        a = a + c[6, k] * t6
        a = a + c[7, k] * t7
        a = a + c[8, k] * t8
        a = a + c[9, k] * t9
        a = a + c[10, k] * t10
        a = a + c[11, k] * t11
        a = a + c[12, k] * t12
        a = a + c[13, k] * t13
        a = a + c[14, k] * t14
        v[k] = a + c[15, k] * t15
    if not all_ok[b]:
        for k in range(n):
            if not ok[b, k]:
                v[k] = curve(P, b, k, effort, us_part, cd_us, cobb, r, inv_r, coef)


@_jit
def setup(P, b, n, xhat_b, cv):
    """ValueCurve.__init__ and committed_budget for run b, into the arrays of ``cv``."""
    us_part, cd_us, cobb, r, inv_r, coef, budget = cv
    for k in range(n):
        x = xhat_b[k] / P[X0, b, k]
        cobb[k] = abs(P[RELIANCE, b, k]) < RHO_EPS
        r[k] = 1.0 if cobb[k] else P[RELIANCE, b, k]
        inv_r[k] = 1 / r[k]
        a = P[A, b, k]
        us_part[k] = (1 - a) * x ** r[k]
        cd_us[k] = x ** (1 - a)
        coef[k] = P[V, b, k] * P[EXPOSURE, b, k] * P[GDP, b, k] / P[E0, b, k]
        budget[k] = P[ETA, b, k] * P[DEFENCE, b, k] + P[ASSET, b, k] / P[GDP, b, k]


@_jit
def new_cv(n):
    """Work arrays for :func:`setup`."""
    return (np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_), np.empty(n), np.empty(n),
            np.empty(n), np.empty(n))


assert NODES == 16  # values() is unrolled for 16 terms


@_jit
def build(P, R, xhat, start, points, weights, half_width, tail_share, noise, lo, hi, cheb,
          ok):
    """model.interpolant.build for every run b, into lo, hi (B,), cheb (B, NODES, N) and
    ok (B, N): the same operations in the same order."""
    _, runs, n = P.shape
    cv = new_cv(n)
    t = np.empty(n)
    s = np.empty(n)
    f = np.empty((NODES, n))
    c = np.empty((NODES, n))
    for b in range(runs):
        setup(P, b, n, xhat[b], cv)
        us_part, cd_us, cobb, r, inv_r, coef, budget = cv
        for k in range(n):
            t[k] = P[DEFENCE, b, k] * P[GDP, b, k]
        defence_sum = pairwise(t, 0, n)
        for k in range(n):
            s[k] = start[b, k]
        centre = effort_of(P, R, b, n, s, defence_sum, t)
        for k in range(n):
            s[k] = 0.0 * start[b, k]
        least = effort_of(P, R, b, n, s, defence_sum, t)
        for k in range(n):
            s[k] = P[SMAX, b, k] + 0 * start[b, k]
        most = effort_of(P, R, b, n, s, defence_sum, t)
        low, high = centre * (1 - half_width), centre * (1 + half_width)
        low = low if low >= least or low != low else least
        high = high if high <= most or high != high else most
        if least != least:
            low = least
        if most != most:
            high = most
        if not (np.isfinite(low) and np.isfinite(high) and low > 0):
            low = high = 0.0
        lo[b], hi[b] = low, high
        mid, half = 0.5 * (low + high), 0.5 * (high - low)
        for i in range(NODES):
            e = mid + half * points[i]
            for k in range(n):
                f[i, k] = curve(P, b, k, e, us_part, cd_us, cobb, r, inv_r, coef)
        # c_j = sum_i f_i w_ji from i = 0 up, every nation at once (numba vectorises it)
        for j in range(NODES):
            w0 = weights[j, 0]
            for k in range(n):
                c[j, k] = f[0, k] * w0
            for i in range(1, NODES):
                w = weights[j, i]
                for k in range(n):
                    c[j, k] = c[j, k] + f[i, k] * w
        for k in range(n):
            finite = True
            for j in range(NODES):
                finite = finite and np.isfinite(c[j, k])
            size = abs(c[0, k])
            for j in range(1, NODES):
                size = size + abs(c[j, k])
            head = abs(c[NODES - 4, k]) + abs(c[NODES - 3, k])  # interpolant.converged
            tail = abs(c[NODES - 2, k]) + abs(c[NODES - 1, k])
            q = tail / head
            rest = tail * q / (1 - q)
            ok[b, k] = (high > low) and finite and (
                tail <= noise * size or (q < 0.5 and rest <= tail_share * size))
        for j in range(NODES):
            for k in range(n):
                cheb[b, j, k] = c[j, k] if ok[b, k] else 0.0


@_jit
def profile(P, b, n, m, v, fair, coordinated, cv, line, bounds, member_gdp, current,
            totals, out, work):
    """nash_equilibrium's profile(effort) for one coalition, written into ``out``, from
    the value curve ``v`` at that effort."""
    budget = cv[6]
    intercept, slope = line
    lower, upper = bounds[0], bounds[1]
    lo_all, hi_all = totals
    joint = 0.0
    if coordinated:
        t = work[1]
        for k in range(n):
            t[k] = v[k] if m[k] else 0.0
        joint = pairwise(t, 0, n)
    low, high, share = work[2], work[3], bounds[2]
    if coordinated:
        for k in range(n):
            value = share[k] * v[k]
            if P[COORD, b, k] != 0.0 and m[k]:
                value = joint
            low[k] = clip((value - P[BETA, b, k]) / P[PHI, b, k] - budget[k], lower[k], upper[k])
            high[k] = clip(value / P[PHI, b, k] - budget[k], lower[k], upper[k])
    else:  # the same without branches, on plain vectors (numba vectorises it)
        beta, phi = P[BETA, b], P[PHI, b]
        for k in range(n):
            value = share[k] * v[k]
            lo_k, hi_k = lower[k], upper[k]
            x = (value - beta[k]) / phi[k] - budget[k]
            y = value / phi[k] - budget[k]
            x = lo_k if x < lo_k else x  # clip(), NaN passing through
            low[k] = hi_k if x > hi_k else x
            y = lo_k if y < lo_k else y
            high[k] = hi_k if y > hi_k else y
    if not fair:
        for k in range(n):
            out[k] = clip(intercept[k] + slope[k] * current, low[k], high[k])
        return
    t = work[1]

    # gap(E_M) = sum_j clip(a_j + b_j E_M, low_j, high_j) Y_j [member] - E_M
    for k in range(n):
        t[k] = clip(intercept[k] + slope[k] * current, low[k], high[k]) * member_gdp[k]
    at_start = pairwise(t, 0, n) - current
    settled = abs(at_start) <= ROOT_TOL * max(current, 1.0)
    point = current
    if not settled:
        up = at_start > 0
        lo = current if up else lo_all
        hi = hi_all if up else current
        if up:
            flo = at_start
            for k in range(n):
                t[k] = clip(intercept[k] + slope[k] * hi, low[k], high[k]) * member_gdp[k]
            fhi = pairwise(t, 0, n) - hi
        else:
            fhi = at_start
            for k in range(n):
                t[k] = clip(intercept[k] + slope[k] * lo, low[k], high[k]) * member_gdp[k]
            flo = pairwise(t, 0, n) - lo
        tol = ROOT_TOL * max(abs(lo), 1.0)
        done = (hi - lo <= tol) or (abs(flo) <= tol) or (abs(fhi) <= tol)
        kept_hi = kept_lo = False
        for it in range(MAX_ITER):
            if done:
                break
            x = (lo * fhi - hi * flo) / (fhi - flo)
            if not (it < BISECT_AFTER and x > lo and x < hi):
                x = 0.5 * (lo + hi)
            for k in range(n):
                t[k] = clip(intercept[k] + slope[k] * x, low[k], high[k]) * member_gdp[k]
            fx = pairwise(t, 0, n) - x
            up, down = fx >= 0, fx < 0
            if up and kept_hi:
                fhi = 0.5 * fhi
            if down and kept_lo:
                flo = 0.5 * flo
            if up:
                lo, flo = x, fx
            if down:
                hi, fhi = x, fx
            kept_hi, kept_lo = up, down
            tol = ROOT_TOL * max(abs(x), 1.0)
            done = (hi - lo <= tol) or (abs(fx) <= tol)
        point = lo if abs(flo) <= abs(fhi) else hi
    for k in range(n):
        out[k] = clip(intercept[k] + slope[k] * point, low[k], high[k])

@_jit
def effort_of(P, R, b, n, s, defence_sum, t):
    """european_effort(game, s) for run b."""
    for k in range(n):
        t[k] = s[k] * P[GDP, b, k]
    return (pairwise(t, 0, n) + R[OUTSIDE, b]) + R[LAMBDA, b] * defence_sum

@_jit
def profile_at(P, b, n, m, effort, fair, coordinated, cv, ip, line, bounds, member_gdp,
               current, totals, out, work):
    """profile(effort): the value curve at ``effort`` (:func:`values`), then the profile."""
    values(P, b, n, effort, cv, ip, work[0])
    profile(P, b, n, m, work[0], fair, coordinated, cv, line, bounds, member_gdp, current,
            totals, out, work)


@_jit
def equilibrium(P, R, b, n, m, xhat_b, us_effort, guess, at_guess_v, fair, coordinated, cv,
                ip, defence_sum, out, bufs, work):
    """nash_equilibrium for run b and coalition m, written into ``out``; ``guess`` is
    the effort of the start profile and ``at_guess_v`` the value curve there (the same
    for every coalition of the run)."""
    t = work[1]
    lower, upper, member_gdp, intercept, slope = bufs[0], bufs[1], bufs[2], bufs[3], bufs[4]
    share = bufs[9]  # benefit_share: 1 for members, sigma for outsiders
    for k in range(n):
        lower[k] = P[FLOOR, b, k] if m[k] else 0.0
        upper[k] = P[SMAX, b, k] + 0 * lower[k]
        member_gdp[k] = P[GDP, b, k] if m[k] else 0.0
        share[k] = 1.0 if m[k] else P[SIGMA, b, k]
    start = bufs[8]
    for k in range(n):
        t[k] = start[k] * member_gdp[k]
    current = pairwise(t, 0, n)
    # _reference_line
    for k in range(n):
        t[k] = member_gdp[k]
    size = pairwise(t, 0, n)
    for k in range(n):
        t[k] = (P[EU, b, k] if m[k] else 0.0) * P[GDP, b, k]
    eu_paid = pairwise(t, 0, n)
    for k in range(n):
        w, y = P[W, b, k], P[GDP, b, k]
        s_us = us_effort / P[USGDP, b, k]
        others = size - member_gdp[k]
        peers = (others > 1e-9 * y) if m[k] else (size > 0)
        denom = (size - w * y) if m[k] else size
        if not peers:
            denom = 1.0
        icpt = (w * s_us * others if m[k] else w * s_us * size) + (1 - w) * eu_paid
        icpt = icpt / denom if peers else s_us
        intercept[k] = icpt - P[EU, b, k]
        slope[k] = (1 - w) / denom if peers else 0.0
    for k in range(n):
        t[k] = lower[k] * member_gdp[k]
    lo_all = pairwise(t, 0, n)
    for k in range(n):
        t[k] = upper[k] * member_gdp[k]
    hi_all = pairwise(t, 0, n)
    line, bounds, totals = (intercept, slope), (lower, upper, share), (lo_all, hi_all)
    p_lo, p_hi, p_x = bufs[5], bufs[6], bufs[7]

    # root_from: f(E) = european_effort(profile(E)) - E, from the guess
    profile(P, b, n, m, at_guess_v, fair, coordinated, cv, line, bounds, member_gdp, current,
            totals, p_lo, work)
    at_guess = effort_of(P, R, b, n, p_lo, defence_sum, t) - guess
    step = guess + at_guess
    profile_at(P, b, n, m, step, fair, coordinated, cv, ip, line, bounds, member_gdp, current,
               totals, p_hi, work)
    at_step = effort_of(P, R, b, n, p_hi, defence_sum, t) - step
    up = at_guess > 0
    if up:
        lo, hi, flo, fhi = guess, step, at_guess, at_step
    else:
        lo, hi, flo, fhi = step, guess, at_step, at_guess
        p_lo, p_hi = p_hi, p_lo
    if flo != flo or fhi != fhi:  # bracketed_root evaluates unknown ends again
        profile_at(P, b, n, m, lo, fair, coordinated, cv, ip, line, bounds, member_gdp,
                   current, totals, p_lo, work)
        if flo != flo:
            flo = effort_of(P, R, b, n, p_lo, defence_sum, t) - lo
        profile_at(P, b, n, m, hi, fair, coordinated, cv, ip, line, bounds, member_gdp,
                   current, totals, p_hi, work)
        if fhi != fhi:
            fhi = effort_of(P, R, b, n, p_hi, defence_sum, t) - hi
    tol = ROOT_TOL * max(abs(lo), 1.0)
    done = (hi - lo <= tol) or (abs(flo) <= tol) or (abs(fhi) <= tol)
    kept_hi = kept_lo = False
    for it in range(MAX_ITER):
        if done:
            break
        x = (lo * fhi - hi * flo) / (fhi - flo)
        if not (it < BISECT_AFTER and x > lo and x < hi):
            x = 0.5 * (lo + hi)
        profile_at(P, b, n, m, x, fair, coordinated, cv, ip, line, bounds, member_gdp,
                   current, totals, p_x, work)
        fx = effort_of(P, R, b, n, p_x, defence_sum, t) - x
        up, down = fx >= 0, fx < 0
        if up and kept_hi:
            fhi = 0.5 * fhi
        if down and kept_lo:
            flo = 0.5 * flo
        if up:
            lo, flo = x, fx
            p_lo, p_x = p_x, p_lo
        if down:
            hi, fhi = x, fx
            p_hi, p_x = p_x, p_hi
        kept_hi, kept_lo = up, down
        tol = ROOT_TOL * max(abs(x), 1.0)
        done = (hi - lo <= tol) or (abs(fx) <= tol)
    # the profile at the root: the bracket end's, already evaluated there
    best = p_lo if abs(flo) <= abs(fhi) else p_hi
    for k in range(n):
        out[k] = best[k]

@_jit
def coalition_sums(P, R, b, n, s, m, defence_sum, t):
    """What every nation's utility at profile s and coalition m shares: European effort,
    the members' aid paid and their GDP (utility_terms, fair_reference)."""
    effort = effort_of(P, R, b, n, s, defence_sum, t)
    for j in range(n):
        t[j] = (s[j] + P[EU, b, j]) * P[GDP, b, j] if m[j] else 0.0
    paid_all = pairwise(t, 0, n)
    for j in range(n):
        t[j] = P[GDP, b, j] if m[j] else 0.0
    return effort, paid_all, pairwise(t, 0, n)


@_jit
def utility_of(P, b, s, m, k, xhat_b, us_effort, sums):
    """utility_terms(...)["utility"] of nation k at profile s and coalition m."""
    effort, paid_all, size_all = sums
    # security_benefit: deterrence(E/E0, xhat/X0, rho, a) + D_F
    e = effort / P[E0, b, k]
    x = xhat_b[k] / P[X0, b, k]
    rho, a = P[RELIANCE, b, k], P[A, b, k]
    cobb = abs(rho) < RHO_EPS
    r = 1.0 if cobb else rho
    if cobb:
        d = e ** a * x ** (1 - a)
    else:
        d = (a * e ** r + (1 - a) * x ** r) ** (1 / r)
    zero_input = (e <= 0) or (x <= 0)
    if ((r <= 0) and zero_input) or (cobb and zero_input):
        d = 0.0
    d = d + P[DF, b, k]
    curve_b = d if P[LINEAR, b, k] != 0.0 else -np.expm1(-d / P[DELTA, b, k])
    share = 1.0 if m[k] else P[SIGMA, b, k]
    y = P[GDP, b, k]
    benefit = share * (P[V, b, k] * P[EXPOSURE, b, k] * y * curve_b)
    sb = s[k] + (P[ETA, b, k] * P[DEFENCE, b, k] + P[ASSET, b, k] / y)
    cost = y * P[PHI, b, k] * (sb * sb) / 2
    eu_k = P[EU, b, k]
    eu = y * P[PHI, b, k] * P[EPS, b, k] * (eu_k * eu_k) / 2
    # fair_reference
    paid_k = (s[k] + eu_k) * y if m[k] else 0.0
    size_k = y if m[k] else 0.0
    others_paid, others_size = paid_all - paid_k, size_all - size_k
    s_us = us_effort / P[USGDP, b, k]
    has_peers = others_size > 1e-9 * y
    peers = others_paid / others_size if has_peers else s_us
    w = P[W, b, k]
    ref = w * s_us + (1 - w) * peers
    gap = s[k] + eu_k - ref
    fair = P[BETA, b, k] * y * (gap if gap > 0.0 or gap != gap else 0.0)
    opposed = P[OPPOSITION, b, k] * P[EUAID, b, k]
    return benefit - cost - eu - fair - opposed

@_jit
def kernel(P, R, rows, member, xhat, us_effort, start, nations, lo, hi, cheb, ok, solve_stay,
           stay, switch, profiles):
    """switch_payoffs for the runs b = rows[i] of the round's batch (P, R, xhat,
    us_effort, start and the interpolant are the whole batch's; the rest is the call's,
    row i): the coalition member[i] as it stands (if ``solve_stay[i]``) and each
    coalition where ``nations[i, c]`` alone switches, each switched coalition's
    equilibrium profile into ``profiles[i, c]``. The value curve is the interpolant
    (lo, hi (B,), cheb (B, NODES, N), ok (B, N): :func:`build`) where ``ok``, else exact."""
    n = P.shape[2]
    flips = nations.shape[1]
    bufs = np.empty((10, n))
    work = np.empty((4, n))
    at_guess_v = np.empty(n)
    s = np.empty(n)
    m = np.empty(n, dtype=np.bool_)
    cv = new_cv(n)
    all_ok = np.ones(P.shape[1], dtype=np.bool_)
    ip = (lo, hi, cheb, ok, np.empty(NODES), all_ok)
    for i in range(rows.size):
        b = rows[i]
        for k in range(n):
            all_ok[b] = all_ok[b] and ok[b, k]
        # batch-level switches of the NumPy code, per run (same numbers: see game.py)
        fair = False
        coordinated = False
        for k in range(n):
            fair = fair or P[BETA, b, k] * (1 - P[W, b, k]) > 0
            coordinated = coordinated or P[COORD, b, k] != 0.0
        setup(P, b, n, xhat[b], cv)
        t = work[1]
        for k in range(n):
            t[k] = P[DEFENCE, b, k] * P[GDP, b, k]
        defence_sum = pairwise(t, 0, n)
        # every coalition starts from the same profile: its effort and the curve there
        for k in range(n):
            bufs[8, k] = start[b, k]
        guess = effort_of(P, R, b, n, bufs[8], defence_sum, t)
        values(P, b, n, guess, cv, ip, at_guess_v)
        for c in range(0 if solve_stay[i] else 1, flips + 1):
            for k in range(n):
                m[k] = member[i, k]
            flip = -1 if c == 0 else nations[i, c - 1]
            if flip >= 0:
                m[flip] = not m[flip]
            equilibrium(P, R, b, n, m, xhat[b], us_effort[b], guess, at_guess_v, fair,
                        coordinated, cv, ip, defence_sum, s, bufs, work)
            sums = coalition_sums(P, R, b, n, s, m, defence_sum, t)
            if c == 0:
                for k in range(n):
                    stay[i, k] = utility_of(P, b, s, m, k, xhat[b], us_effort[b], sums)
            else:
                switch[i, c - 1] = utility_of(P, b, s, m, flip, xhat[b], us_effort[b], sums)
                for k in range(n):
                    profiles[i, c - 1, k] = s[k]


@_jit
def utilities(P, R, rows, member, xhat, us_effort, s, out):
    """utility(...) of every nation at profile s[i] and coalition member[i], run rows[i]."""
    n = P.shape[2]
    t = np.empty(n)
    for i in range(rows.size):
        b = rows[i]
        for k in range(n):
            t[k] = P[DEFENCE, b, k] * P[GDP, b, k]
        defence_sum = pairwise(t, 0, n)
        sums = coalition_sums(P, R, b, n, s[i], member[i], defence_sum, t)
        for k in range(n):
            out[i, k] = utility_of(P, b, s[i], member[i], k, xhat[b], us_effort[b], sums)
