"""The per-round series of a run: one definition for every path that records them.

The Mesa model's DataCollector (one run) and the sweep engine's ``series/`` tables
(many runs at once) both read :data:`SERIES` through :func:`series_values`, so a
column means the same wherever it was recorded. Each entry is a pure function of the
world, the state and the game of the round that produced it
(:func:`model.rounds.round_game`, computed once), returning one value per run,
shape ``(B,)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model import beliefs as bl
from model import game as g
from model.rounds import round_game, true_deterrence
from model.state import FORMED, State, World

SeriesFn = Callable[[World, State, g.Game], np.ndarray]


def european_aid_bn(world: World, state: State, game: g.Game) -> np.ndarray:
    """European aid to Ukraine: bilateral, EU-level and off-budget (EUR bn a year)."""
    return g.aid_effort(game, state.contribution)[:, 0]


def bilateral_aid_bn(world: World, state: State, game: g.Game) -> np.ndarray:
    return g.bilateral_aid(game, state.contribution)[:, 0]


def us_share(world: World, state: State, game: g.Game) -> np.ndarray:
    """The US share of the combined aid, X / (aid + X)."""
    us = state.us_effort[:, 0].astype(float)
    return us / np.maximum(european_aid_bn(world, state, game) + us, 1e-12)


def abandonment_fear(world: World, state: State, game: g.Game) -> np.ndarray:
    """The nations' mean belief that the US is gone or erratic (Snyder's abandonment)."""
    return state.us_belief[..., [bl.ERRATIC, bl.GONE]].sum(-1).mean(-1)


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..N along the last axis, ties given their average rank (as
    ``scipy.stats.rankdata``), for a batch ``(B, N)`` at once."""
    b, n = x.shape
    order = np.argsort(x, axis=-1, kind="stable")
    ordered = np.take_along_axis(x, order, -1)
    starts = np.concatenate([np.ones((b, 1), bool), ordered[:, 1:] != ordered[:, :-1]], -1)
    group = np.cumsum(starts, -1) - 1 + (np.arange(b) * n)[:, None]  # a group id per run
    position = np.broadcast_to(np.arange(1, n + 1, dtype=float), (b, n))
    total = np.bincount(group.ravel(), position.ravel(), minlength=b * n)
    count = np.bincount(group.ravel(), minlength=b * n)
    ranks = np.empty((b, n))
    np.put_along_axis(ranks, order, (total / np.maximum(count, 1))[group], -1)
    return ranks


def burden_gdp_rank_correlation(world: World, state: State, game: g.Game) -> np.ndarray:
    """Spearman rank correlation of aid burden (bilateral plus EU, share of GDP) and GDP
    among members.

    Positive: the great carry more than the small (Olson & Zeckhauser 1966). Where it
    is undefined (fewer than three members, or all members' GDPs or burdens equal) it
    is 0. Ranks are taken among members only (outsiders ranked last, then ignored).
    """
    member = state.member
    gdp = np.broadcast_to(world.game.gdp, member.shape)
    burden = state.contribution + game.eu_share
    out = np.zeros(member.shape[0])
    k = member.sum(-1)

    def spread(x: np.ndarray) -> np.ndarray:
        hi = np.where(member, x, -np.inf).max(-1)
        lo = np.where(member, x, np.inf).min(-1)
        return hi - lo

    ok = (k >= 3) & (spread(gdp) > 0) & (spread(burden) > 1e-15)
    if not ok.any():
        return out
    m = member[ok]
    rx = average_ranks(np.where(m, gdp[ok], np.inf))
    ry = average_ranks(np.where(m, burden[ok], np.inf))
    n = k[ok][:, None]
    dx = np.where(m, rx - (np.where(m, rx, 0).sum(-1, keepdims=True) / n), 0.0)
    dy = np.where(m, ry - (np.where(m, ry, 0).sum(-1, keepdims=True) / n), 0.0)
    out[ok] = (dx * dy).sum(-1) / np.sqrt((dx * dx).sum(-1) * (dy * dy).sum(-1))
    return out


# name -> (Arrow/NumPy type, function). The order is the column order.
SERIES: dict[str, tuple[str, SeriesFn]] = {
    "round": ("int64", lambda w, s, game: s.round[:, 0]),
    "coalition_size": ("int64", lambda w, s, game: s.member.sum(-1)),
    "european_effort_bn": ("float64", european_aid_bn),
    "bilateral_aid_bn": ("float64", bilateral_aid_bn),
    "eu_aid_bn": ("float64", lambda w, s, game: s.eu_aid[:, 0]),
    "off_budget_bn": ("float64", lambda w, s, game: s.off_budget[:, 0]),
    "us_effort_bn": ("float64", lambda w, s, game: s.us_effort[:, 0]),
    "us_level": ("float64", lambda w, s, game: s.us_level[:, 0]),
    "expected_us_level": ("float64", lambda w, s, game: (s.expected_us_effort
                                                         / w.game.us_effort_ref).mean(-1)),
    "abandonment_fear": ("float64", abandonment_fear),
    "deterrence": ("float64", lambda w, s, game: true_deterrence(w, s, game)[:, 0]),
    "us_share": ("float64", us_share),
    "burden_gdp_rank_correlation": ("float64", burden_gdp_rank_correlation),
    "eu_event": ("int8", lambda w, s, game: s.eu_event[:, 0]),
    "verdict": ("int8", lambda w, s, game: s.verdict[:, 0]),
    # after a ceasefire: the reassurance force (0 / False before one)
    "force_troops": ("float64", lambda w, s, game: s.force_troops[:, 0]),
    "force_threshold": ("float64", lambda w, s, game: s.force_threshold[:, 0]),
    "force_credible": ("bool", lambda w, s, game: s.guarantee[:, 0] == FORMED),
    "us_backstop": ("bool", lambda w, s, game: s.backstop[:, 0]),
    "guarantee": ("int8", lambda w, s, game: s.guarantee[:, 0]),
}


def series_values(world: World, state: State) -> dict[str, np.ndarray]:
    """Every series of :data:`SERIES` for each run of ``state``, as typed arrays."""
    game = round_game(world, state)
    return {name: np.asarray(fn(world, state, game)).astype(dtype)
            for name, (dtype, fn) in SERIES.items()}
