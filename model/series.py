"""The per-round series of a run: one definition for every path that records them.

The Mesa model's DataCollector (one run) and the sweep engine's ``series/`` tables
(many runs at once) both read :data:`SERIES`, so a column means the same wherever it
was recorded. Each entry is a pure function of the world and the state, returning one
value per run, shape ``(B,)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata

from model import game as g
from model.rounds import true_deterrence
from model.state import State, World

SeriesFn = Callable[[World, State], np.ndarray]


def european_effort_bn(world: World, state: State) -> np.ndarray:
    return g.european_effort(world.game, state.contribution)[:, 0]


def us_share(world: World, state: State) -> np.ndarray:
    """The US share of the combined effort, X / (E + X)."""
    us = state.us_effort[:, 0].astype(float)
    return us / np.maximum(european_effort_bn(world, state) + us, 1e-12)


def burden_gdp_rank_correlation(world: World, state: State) -> np.ndarray:
    """Spearman rank correlation of burden (share of GDP) and GDP among members.

    Positive: the great carry more than the small (Olson & Zeckhauser 1966). Where it
    is undefined (fewer than three members, or all members' GDPs or burdens equal) it
    is 0. Ranks are taken among members only (outsiders ranked last, then ignored).
    """
    member = state.member
    gdp = np.broadcast_to(world.game.gdp, member.shape)
    burden = state.contribution
    out = np.zeros(member.shape[0])
    k = member.sum(-1)

    def spread(x: np.ndarray) -> np.ndarray:
        hi = np.where(member, x, -np.inf).max(-1)
        lo = np.where(member, x, np.inf).min(-1)
        return hi - lo

    ok = (k >= 3) & (spread(gdp) > 0) & (spread(burden) > 0)
    if not ok.any():
        return out
    m = member[ok]
    rx = rankdata(np.where(m, gdp[ok], np.inf), axis=-1)
    ry = rankdata(np.where(m, burden[ok], np.inf), axis=-1)
    n = k[ok][:, None]
    dx = np.where(m, rx - (np.where(m, rx, 0).sum(-1, keepdims=True) / n), 0.0)
    dy = np.where(m, ry - (np.where(m, ry, 0).sum(-1, keepdims=True) / n), 0.0)
    out[ok] = (dx * dy).sum(-1) / np.sqrt((dx * dx).sum(-1) * (dy * dy).sum(-1))
    return out


# name -> (Arrow/NumPy type, function). The order is the column order.
SERIES: dict[str, tuple[str, SeriesFn]] = {
    "round": ("int64", lambda w, s: s.round[:, 0]),
    "coalition_size": ("int64", lambda w, s: s.member.sum(-1)),
    "european_effort_bn": ("float64", european_effort_bn),
    "us_effort_bn": ("float64", lambda w, s: s.us_effort[:, 0]),
    "us_level": ("float64", lambda w, s: s.us_level[:, 0]),
    "deterrence": ("float64", lambda w, s: true_deterrence(w, s.contribution, s.us_effort)[:, 0]),
    "us_share": ("float64", us_share),
    "burden_gdp_rank_correlation": ("float64", burden_gdp_rank_correlation),
    "verdict": ("int8", lambda w, s: s.verdict[:, 0]),
}


def series_values(world: World, state: State) -> dict[str, np.ndarray]:
    """Every series of :data:`SERIES` for each run of ``state``, as typed arrays."""
    return {name: np.asarray(fn(world, state)).astype(dtype) for name, (dtype, fn) in SERIES.items()}
