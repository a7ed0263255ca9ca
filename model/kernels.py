"""Which code solves the membership counterfactuals: NumPy, or a compiled kernel.

:func:`model.game.switch_payoffs` is the rule: the equilibrium of the current coalition
and of each coalition in which one nation alone switches side, and each nation's payoff
there. It stays the reference. :mod:`model.compiled` (numba, optional) computes the
same numbers one (run, coalition) at a time in compiled loops, step for step as the
NumPy functions of :mod:`model.game` and :mod:`model.solvers` do (the same operations
in the same order, the same Illinois iterations, sums over nations in NumPy's own
pairwise order), without the work a lockstep batch spends on elements that have
converged and without NumPy's per-call overhead. ``tests/test_kernels.py`` holds it to
the reference within 1e-12; on this project's machines it agrees to the bit (NumPy and
numba both call the C library's ``pow``, ``exp`` and ``expm1``; a NumPy built with
other vector maths may differ in the last bit, and then only a tie within 1e-12 of a
switching threshold could decide differently).

The value curve inside the switched coalitions' solves is, by default, the round's
interpolant (:mod:`model.interpolant`: one Chebyshev interpolant per nation and round,
within about 5e-15 of the exact curve; the coalition as it stands is solved on the
exact curve, ``payoffs(exact=True)``, see :func:`model.rounds.switch_gains`), on both
paths alike, so the Mesa model and the sweep engine still agree to the bit; ``COALITION_CURVE=exact`` evaluates the exact curve instead
(the reference's own numbers). ``tests/test_interpolant.py`` holds the interpolated
payoffs within 1e-12 of the exact ones.

:class:`Counterfactuals` uses the kernel when numba is installed, the environment
variable ``COALITION_KERNEL`` is not ``numpy``, and the step is large enough to repay
loading it (:func:`worthwhile`). The kernel is compiled on first use and cached on
disk (``cache=True``): the first process after an install pays the compile time (10 to
40 s on this 2-core machine, depending on its load), later ones load it in under a
second.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from model import game as g
from model import interpolant as ip

ENV = "COALITION_KERNEL"  # "numpy": use the NumPy reference even if numba is installed
CURVE_ENV = "COALITION_CURVE"  # "exact": no interpolant (the reference's own numbers)

HAS_NUMBA = importlib.util.find_spec("numba") is not None  # optional: else NumPy runs


def available() -> bool:
    """Whether the compiled kernel is used (numba installed, not switched off)."""
    return HAS_NUMBA and os.environ.get(ENV, "").strip().lower() != "numpy"


def interpolated() -> bool:
    """Whether the counterfactual solves use the round's interpolant of the value curve
    (default) rather than the exact curve (``COALITION_CURVE=exact``)."""
    return os.environ.get(CURVE_ENV, "").strip().lower() != "exact"


def worthwhile(runs: int, n: int) -> bool:
    """Whether a membership step of ``runs`` runs of ``n`` nations uses the kernel: where
    it is :func:`available` and the step is large enough to repay loading it (a sweep's
    lane, or a single run of more than about 60 nations; one run of the 33 real nations,
    as in the app, stays with NumPy and never imports numba)."""
    return runs * (n + 1) * n >= MIN_CELLS and available()


MIN_CELLS = 4096  # counterfactual cells, (N + 1) x N per run, from which the kernel is used


class Counterfactuals:
    """The membership counterfactuals of one round for a batch of runs ``(B, N)``.

    Holds what every solve of the round shares (the game, the US effort expected and
    seen, the profile every equilibrium starts from, and the value curve's interpolant,
    built once on first use). :meth:`payoffs` solves the coalition as it stands and
    single switches, by the kernel if ``compiled`` (default: :func:`worthwhile`), else by
    the reference; each equilibrium depends only on the round and its coalition, not
    on the rows or other coalitions solved with it.
    """

    def __init__(self, game: g.Game, expected_us_effort: np.ndarray, us_effort: np.ndarray,
                 start: np.ndarray, compiled: bool | None = None,
                 interpolate: bool | None = None) -> None:
        self.game, self.expected, self.us_effort, self.start = (game, expected_us_effort,
                                                                 us_effort, start)
        self.compiled = (worthwhile(*start.shape) if compiled is None else compiled) \
            and available() and start.ndim == 2
        self.interpolate = interpolated() if interpolate is None else interpolate
        self._interpolant: ip.Interpolant | None = None
        self._arrays: tuple | None = None

    def interpolant(self) -> ip.Interpolant | None:
        """The round's interpolant of each nation's value curve (None: the exact curve),
        built by the kernel where it is used (the same numbers)."""
        if self.interpolate and self._interpolant is None:
            if not self.compiled:
                self._interpolant = ip.build(self.game, self.expected, self.start)
                return self._interpolant
            from model.compiled import build

            per_nation, per_run = self._fields()
            b, n = self.start.shape
            lo, hi, ok = np.empty(b), np.empty(b), np.empty((b, n), dtype=bool)
            cheb = np.empty((b, ip.NODES, n))
            build(per_nation, per_run, self.expected, self.start, ip.POINTS, ip.WEIGHTS,
                  ip.HALF_WIDTH, ip.TAIL, ip.NOISE, lo, hi, cheb, ok)
            self._interpolant = ip.Interpolant(lo[:, None], hi[:, None], cheb, ok)
        return self._interpolant

    def payoffs(self, rows: np.ndarray, member: np.ndarray, nations: np.ndarray | None = None,
                stay: bool | np.ndarray = True,
                exact: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(stay, switch, profiles) for runs ``rows`` with coalitions ``member`` (one row
        each): :func:`model.game.switch_payoffs`'s (stay, switch), and with the kernel
        each switched coalition's equilibrium profile ``(rows, K, N)`` (None with NumPy).
        ``stay`` (one flag, or one per row; kernel only) False skips the coalition as it
        stands in that row (its stay payoffs are then left unset). ``exact`` solves on
        the exact value curve, without building the round's interpolant (worth it only
        for a few equilibria a run: the interpolant's 16 nodes cost about two solves)."""
        curve = None if exact else self.interpolant()
        if not self.compiled:
            every = rows.size == self.start.shape[0]  # rows are sorted and distinct
            sel = slice(None) if every else rows
            game = self.game if every else self.game.take(rows)
            curve = curve if every or curve is None else curve.take(rows)
            st, sw = g.switch_payoffs(game, member, self.expected[sel], self.us_effort[sel],
                                      self.start[sel], nations, ip.factory(curve))
            return st, sw, None
        from model.compiled import kernel

        b, n = member.shape
        if nations is None:
            nations = np.broadcast_to(np.arange(n), (b, n))
        per_nation, per_run = self._fields()
        if curve is None:
            lo = hi = np.zeros(self.start.shape[0])
            cheb = np.zeros((self.start.shape[0], ip.NODES, n))
            ok = np.zeros(self.start.shape, dtype=bool)
        else:
            lo, hi, cheb, ok = curve.lo[:, 0], curve.hi[:, 0], curve.coef, curve.ok
        out_stay = np.empty((b, n))
        switch = np.empty(np.shape(nations), dtype=float)
        profiles = np.empty(np.shape(nations) + (n,))
        kernel(per_nation, per_run, np.asarray(rows, dtype=np.int64),
               np.ascontiguousarray(member, dtype=np.bool_), self.expected, self.us_effort[:, 0],
               self.start, np.ascontiguousarray(nations, dtype=np.int64),
               np.ascontiguousarray(lo), np.ascontiguousarray(hi), np.ascontiguousarray(cheb),
               np.ascontiguousarray(ok), np.ascontiguousarray(np.broadcast_to(stay, (b,)),
                                                              dtype=np.bool_),
               out_stay, switch, profiles)
        return out_stay, switch, profiles

    def utilities(self, rows: np.ndarray, member: np.ndarray, profile: np.ndarray) -> np.ndarray:
        """Every nation's utility at ``profile`` with coalition ``member`` (runs ``rows``):
        :func:`model.game.utility`, by the kernel where :meth:`payoffs` uses it."""
        if not self.compiled:
            return g.utility(self.game.take(rows), profile, member, self.expected[rows],
                             self.us_effort[rows])
        from model.compiled import utilities

        per_nation, per_run = self._fields()
        out = np.empty(member.shape)
        utilities(per_nation, per_run, np.asarray(rows, dtype=np.int64),
                  np.ascontiguousarray(member, dtype=np.bool_), self.expected,
                  self.us_effort[:, 0], np.ascontiguousarray(profile), out)
        return out

    def _fields(self) -> tuple[np.ndarray, np.ndarray]:
        """The game's fields as the kernel reads them (the whole batch, made once)."""
        if self._arrays is None:
            from model.compiled import NATION_FIELDS, RUN_FIELDS

            b, n = self.start.shape
            per_nation = np.empty((len(NATION_FIELDS), b, n))
            for row, f in zip(per_nation, NATION_FIELDS):
                row[...] = getattr(self.game, f)
            per_run = np.empty((len(RUN_FIELDS), b))
            for row, f in zip(per_run, RUN_FIELDS):
                row[...] = np.broadcast_to(getattr(self.game, f), (b, 1))[:, 0]
            self.expected = np.ascontiguousarray(
                np.broadcast_to(self.expected, (b, n)), dtype=float)
            self.us_effort = np.ascontiguousarray(np.broadcast_to(self.us_effort, (b, 1)), dtype=float)
            self.start = np.ascontiguousarray(np.broadcast_to(self.start, (b, n)), dtype=float)
            self._arrays = (per_nation, per_run)
        return self._arrays


def payoffs(game: g.Game, member: np.ndarray, expected_us_effort: np.ndarray,
            us_effort: np.ndarray, start: np.ndarray, nations: np.ndarray | None = None,
            compiled: bool | None = None,
            interpolate: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`model.game.switch_payoffs` for a batch of runs ``(B, N)``, as the membership
    step computes it (:class:`Counterfactuals`). Same arguments and results."""
    if member.ndim != 2:
        return g.switch_payoffs(game, member, expected_us_effort, us_effort, start, nations)
    solver = Counterfactuals(game, expected_us_effort, us_effort, start, compiled, interpolate)
    stay, switch, _ = solver.payoffs(np.arange(member.shape[0]), member, nations)
    return stay, switch


__all__ = ["available", "interpolated", "worthwhile", "payoffs", "Counterfactuals", "ENV",
           "CURVE_ENV"]
