"""The round's exogenous inputs: calendar time, own defence and off-budget money.

Round 0 is the 2022-24 status quo; round 1 is the first period after it (the year
2025, or its first quarter when ``round_length = "quarter"``). Own defence follows a
path (NATO and SIPRI series, then the scenario's choice: held, or a straight path to
the Hague target of 3.5% core by 2035). Off-budget money (the G7 ERA loans, windfall
profits on immobilised Russian assets, and an optional reparations loan) follows its
schedule. Pure functions of the round number, batched over runs.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

FIRST_YEAR = 2025  # the calendar year of round 1
PATH_CODES = {"hold": 0, "observed": 1, "hague": 2}


def calendar_year(rnd: Array, round_years: Array) -> Array:
    """The calendar year a round falls in (round 1 is 2025): ``2025 + floor((r-1) L)``."""
    return FIRST_YEAR + np.floor((rnd - 1) * round_years + 1e-9)


def defence(rnd: Array, round_years: Array, path: Array, status_quo: Array, latest: Array,
            nato: Array, target: Array, target_year: Array, fixed: Array) -> Array:
    """Own defence (share of GDP) of every nation in round ``rnd``, (B, N).

    Parameters
    ----------
    rnd : Array
        The round, ``(B, 1)``; round 0 is the 2022-24 status quo.
    round_years : Array
        Length of a round in years, ``(B, 1)``.
    path : Array
        :data:`PATH_CODES` of the defence path, ``(B, 1)``.
    status_quo, latest : Array
        The 2022-24 mean and the latest observed year (2025), ``(B, N)``.
    nato : Array
        NATO members (the Hague commitment applies to them), ``(B, N)``.
    target, target_year : Array
        The Hague core target and the year it is due, ``(B, 1)``.
    fixed : Array
        A nation's own defence fixed by the scenario (NaN: follow the path), ``(B, N)``.

    Returns
    -------
    Array
        ``(B, N)``.
    """
    year = calendar_year(rnd, round_years)
    progress = np.clip((year - FIRST_YEAR) / np.maximum(target_year - FIRST_YEAR, 1), 0.0, 1.0)
    hague = np.where(nato, latest + (np.maximum(latest, target) - latest) * progress, latest)
    value = np.where(path == PATH_CODES["hague"], hague,
                     np.where(path == PATH_CODES["observed"], latest, status_quo))
    value = np.where(rnd <= 0, status_quo, value)
    return np.where(np.isnan(fixed), value, fixed)


def off_budget(rnd: Array, round_years: Array, schedule: Array, tail: Array, first_year: int,
               reparations: Array, reparations_rounds: Array) -> tuple[Array, Array]:
    """Off-budget money in round ``rnd`` (EUR bn a year): the schedule's rate for the
    round's calendar year, and the reparations loan while it pays out.

    ``schedule`` is (B, Y): the yearly rate from ``first_year`` on; ``tail`` (B, 1) the
    rate after it. Returns (scheduled, reparations), each (B, 1).
    """
    year = calendar_year(rnd, round_years)
    index = (year - first_year).astype(int)
    inside = (index >= 0) & (index < schedule.shape[-1])
    scheduled = np.where(inside, np.take_along_axis(
        schedule, np.clip(index, 0, schedule.shape[-1] - 1), axis=-1), tail)
    paying = (rnd >= 1) & (rnd <= reparations_rounds)
    return scheduled, np.where(paying, reparations, 0.0)
