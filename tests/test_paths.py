"""The round's exogenous inputs (model/paths.py): calendar, own defence, off-budget money."""

import numpy as np
import pytest

from model import paths

col = lambda v: np.array([[v]], dtype=float)  # noqa: E731


def test_round_one_is_2025_in_years_and_in_quarters():
    assert paths.calendar_year(col(1), col(1.0))[0, 0] == 2025
    assert paths.calendar_year(col(3), col(1.0))[0, 0] == 2027
    quarters = [paths.calendar_year(col(r), col(0.25))[0, 0] for r in range(1, 10)]
    assert quarters == [2025] * 4 + [2026] * 4 + [2027]


def defence(rnd, path, fixed=np.nan, latest=0.025, nato=True):
    return paths.defence(col(rnd), col(1.0), col(paths.PATH_CODES[path]), col(0.02), col(latest),
                         np.array([[nato]]), col(0.035), col(2035), col(fixed))[0, 0]


def test_defence_paths_hold_observe_or_walk_to_the_hague_target():
    assert defence(0, "hague") == 0.02  # the 2022-24 status quo
    assert defence(5, "hold") == 0.02
    assert defence(5, "observed") == 0.025
    assert defence(1, "hague") == 0.025  # 2025: observed
    assert defence(6, "hague") == pytest.approx(0.025 + 0.01 * 5 / 10)  # 2030: half way
    assert defence(11, "hague") == pytest.approx(0.035) == defence(30, "hague")
    assert defence(30, "hague", latest=0.045) == 0.045  # already above it (Poland)
    assert defence(30, "hague", nato=False) == 0.025  # not a NATO member
    assert defence(30, "hague", fixed=0.01) == 0.01  # fixed by the scenario


def test_off_budget_money_follows_its_schedule_then_its_tail_and_the_reparations_loan():
    schedule = np.array([[20.0, 3.0, 0.0]])  # 2025, 2026, 2027
    got = [paths.off_budget(col(r), col(1.0), schedule, col(1.5), 2025, col(50.0), col(2))
           for r in range(1, 6)]
    assert [float(s[0, 0]) for s, _ in got] == [20.0, 3.0, 0.0, 1.5, 1.5]
    assert [float(rep[0, 0]) for _, rep in got] == [50.0, 50.0, 0.0, 0.0, 0.0]
