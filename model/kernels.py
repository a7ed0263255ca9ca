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

:func:`payoffs` uses the kernel when numba is installed, the environment variable
``COALITION_KERNEL`` is not ``numpy``, and the step is large enough to repay loading
it (:func:`worthwhile`). The kernel is compiled on first use and cached on disk
(``cache=True``): the first process after an install pays the compile time (10 to 40 s
on this 2-core machine, depending on its load), later ones load it in under a second.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from model import game as g

ENV = "COALITION_KERNEL"  # "numpy": use the NumPy reference even if numba is installed

HAS_NUMBA = importlib.util.find_spec("numba") is not None  # optional: else NumPy runs


def available() -> bool:
    """Whether the compiled kernel is used (numba installed, not switched off)."""
    return HAS_NUMBA and os.environ.get(ENV, "").strip().lower() != "numpy"


def worthwhile(runs: int, n: int) -> bool:
    """Whether a membership step of ``runs`` runs of ``n`` nations uses the kernel: where
    it is :func:`available` and the step is large enough to repay loading it (a sweep's
    lane, or a single run of more than about 60 nations; one run of the 33 real nations,
    as in the app, stays with NumPy and never imports numba)."""
    return runs * (n + 1) * n >= MIN_CELLS and available()


MIN_CELLS = 4096  # counterfactual cells, (N + 1) x N per run, from which the kernel is used


def payoffs(game: g.Game, member: np.ndarray, expected_us_effort: np.ndarray,
            us_effort: np.ndarray, start: np.ndarray, nations: np.ndarray | None = None,
            compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`model.game.switch_payoffs` for a batch of runs ``(B, N)``: by the kernel if
    ``compiled`` (default: :func:`worthwhile`), else by the reference itself. Same
    arguments and results."""
    if compiled is None:
        compiled = worthwhile(*member.shape)
    if not compiled or not available() or member.ndim != 2:
        return g.switch_payoffs(game, member, expected_us_effort, us_effort, start, nations)
    from model.compiled import NATION_FIELDS, RUN_FIELDS, kernel

    b, n = member.shape
    if nations is None:
        nations = np.broadcast_to(np.arange(n), (b, n))
    per_nation = np.stack([np.broadcast_to(getattr(game, f), (b, n)).astype(float)
                           for f in NATION_FIELDS])
    per_run = np.stack([np.broadcast_to(getattr(game, f), (b, 1))[:, 0].astype(float)
                        for f in RUN_FIELDS])
    stay = np.empty((b, n))
    switch = np.empty(np.shape(nations), dtype=float)
    kernel(per_nation, per_run, np.ascontiguousarray(member, dtype=np.bool_),
           np.broadcast_to(expected_us_effort, (b, n)).astype(float),
           np.broadcast_to(us_effort, (b, 1))[:, 0].astype(float),
           np.broadcast_to(start, (b, n)).astype(float),
           np.ascontiguousarray(nations, dtype=np.int64), stay, switch)
    return stay, switch


__all__ = ["available", "worthwhile", "payoffs", "ENV"]
