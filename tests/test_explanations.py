"""Explanations that agree with the numbers: the event log and ``Nation.explain()`` say
what the state says, at the precision they print it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from agents.coalition_model import CoalitionModel
from model.events import pct
from model.rounds import burden_ratio, round_game

# "from 0.06% to 0.05%", "from EUR 16.8 to EUR 13.2 bn", "from 100% to 0%"
FROM_TO = re.compile(r"(cut|raised|went)[^:;]*? from (?:EUR )?([\d.]+)%? to (?:EUR )?([\d.]+)%?")

RUNS = [("us-walks-away", {}), ("erratic-us", {}), ("transactional-us", {}),
        ("us-withdraws-gradually", dict(sucker_aversion=0.5, fair_share_weight=1.0)),
        ("us-walks-away", dict(spillover=1.0, pledge_floor=0.002, exit_penalty=0.0,
                               us_reliance_spread=1.0))]


@pytest.fixture(scope="module", params=range(len(RUNS)), ids=[f"{n}-{i}" for i, (n, _) in
                                                                enumerate(RUNS)])
def played(request) -> CoalitionModel:
    name, params = RUNS[request.param]
    model = CoalitionModel(name, rng=7, stop_on_verdict=False, **params)
    model.run(20)
    return model


def test_every_change_reported_shows_two_different_numbers_in_its_direction(played):
    seen = 0
    for event in played.events:
        for verb, a, b in FROM_TO.findall(event):
            seen += 1
            assert a != b, event
            if verb == "cut":
                assert float(b) < float(a), event
            elif verb == "raised":
                assert float(b) > float(a), event
    assert seen > 5


def test_the_us_says_why_it_moved_with_the_burden_it_looked_at():
    model = CoalitionModel("transactional-us", rng=7)
    before = model.state
    ratio = float(burden_ratio(model.world, before, round_game(model.world, before))[0, 0])
    model.step()
    move = next(e for e in model.events if "the US cut its commitment" in e)
    demand, band = model.config.us_demand, model.config.us_hysteresis
    assert (f"Europe's aid burden was {ratio:.2f} x the US's own, below "
            f"{demand - band / 2:.2f}, the least it tolerates (its demand of {demand:.2f}") in move
    for name in ("us-walks-away", "us-withdraws-gradually", "erratic-us"):
        m = CoalitionModel(name, rng=7, stop_on_verdict=False)
        m.run(15)
        moves = [e for e in m.events if "its commitment from" in e]
        assert moves and all(re.search(r"bn a year\): an? [a-z]+ US ", e) for e in moves), moves


def test_a_fair_reference_reason_adds_up_bilateral_aid_and_the_eu_share():
    model = CoalitionModel("us-withdraws-gradually", rng=7, stop_on_verdict=False,
                           sucker_aversion=0.5, fair_share_weight=1.0)
    model.run(3)
    reasons = [e for e in model.events if "fair reference" in e]
    assert reasons
    for event in reasons:
        ref, best, eu = (float(x) for x in re.search(
            r"fair reference of ([\d.]+)% of GDP, which its best bilateral aid \(([\d.]+)%\) and "
            r"its share of the EU's aid \(([\d.]+)%\)", event).groups())
        assert best + eu == pytest.approx(ref, abs=0.011), event  # two decimals each


def test_explain_says_at_the_best_response_exactly_when_the_printed_numbers_agree():
    model = CoalitionModel("us-walks-away", rng=7, stop_on_verdict=False, us_reliance_spread=1.0)
    model.run(4)
    kinds = set()
    for nation in model.nation_agents:
        text = nation.explain()
        now, best = pct(nation.contribution), pct(nation.best_response())
        assert f"Its best response to the others' aid is {best} of GDP." in text
        if now == best:
            kinds.add("at")
            assert "It is at its best response" in text and "will cut" not in text
        elif nation.best_response() < nation.contribution:
            kinds.add("down")
            assert f"It gives more than its best response ({now} against {best})" in text
        else:
            kinds.add("up")
            assert f"It gives less than its best response ({now} against {best})" in text
        assert "us_reliance" not in text and "Cobb-Douglas" not in text
    assert len(kinds) >= 2


def test_a_small_nations_utility_terms_are_printed_in_millions_not_as_zero():
    model = CoalitionModel("us-walks-away", rng=7)
    model.run(2)
    estonia = model.nation("EST")
    text = estonia.explain()
    assert "EUR m a year of security value" in text
    cost = -1000 * estonia.utility_terms()["cost"]
    line = next(x for x in text.splitlines() if x.strip().startswith("security budget"))
    assert f"{cost:9.3f}" in line and abs(cost) >= 0.001


def test_pct_prints_zero_once_and_small_shares_with_four_decimals():
    assert pct(0.0) == pct(1e-9) == "0%"
    assert pct(0.00001234) == "0.0012%" and pct(0.0123) == "1.23%"
    assert np.isclose(float(pct(0.0006)[:-1]), 0.06)
