"""Screening the membership counterfactuals: a switch is solved only where it could pay.

``model.game.effort_ceiling`` bounds every coalition's equilibrium European effort and
``model.game.switch_payoff_ceiling`` every nation's payoff after it alone switches; the
membership step (``model.rounds.switch_gains``) skips the equilibrium of a switch whose
ceiling falls short of the penalty. The bounds must hold for any valid parameters, on
the exact value curve and on the round's interpolant; the step must decide exactly as
solving every switch does, on both paths, also when a player switches a nation that was
screened out; and it must actually screen where nobody is near their penalty, without
building the round's interpolant (else the speed-up of ``docs/sweeps.md`` is lost
without a failing test).
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from agents.coalition_model import CoalitionModel
from helpers.params import PARAMS, valid
from helpers.solves import count_coalitions
from model import choices as ch
from model import game as g
from model import interpolant as ip
from model import kernels
from model import rounds as r
from model.rounds import round_game


def round_inputs(model):
    """The last round's game and what the membership step saw (as test_kernels reads it)."""
    st_ = model.state
    return round_game(model.world, st_), st_.member, st_.expected_us_effort, st_.us_effort, \
        st_.contribution


def switched_equilibria(game, member, expected, us_effort, start, curve=None):
    """Every coalition where one nation alone switches: (configs, equilibrium profiles)."""
    n = member.shape[-1]
    configs = member[..., None, :] ^ np.eye(n, dtype=bool)
    profile = g.nash_equilibrium(game.expand(-2), configs, expected[..., None, :],
                                 us_effort[..., None, :], start[..., None, :], curve)
    return configs, profile


@given(params=PARAMS, scenario=st.sampled_from(["baseline", "lq-textbook", "us-walks-away"]),
       seed=st.integers(0, 2**32), rounds=st.integers(0, 3))
def test_no_switch_pays_more_than_its_ceiling(params, scenario, seed, rounds):
    """For any valid parameters: each switched coalition's equilibrium effort is at most
    the effort ceiling, and each nation's payoff after switching at most its ceiling, with
    the exact value curve and with the round's interpolant."""
    assume(valid(params, scenario))
    model = CoalitionModel(scenario, rng=seed, **params)
    for _ in range(rounds):
        model.step()
    game, member, expected, us_effort, start = round_inputs(model)
    bar = g.effort_ceiling(game, expected, g.european_effort(game, start))
    ceiling = g.switch_payoff_ceiling(game, member, expected, bar)
    for curve in (None, ip.factory(ip.build(game, expected, start))):
        configs, profile = switched_equilibria(game, member, expected, us_effort, start, curve)
        effort = g.european_effort(game.expand(-2), profile)[..., 0]
        assert np.all(effort <= bar), (effort.max(), bar)
        payoff = np.diagonal(g.utility(game.expand(-2), profile, configs, expected[..., None, :],
                                       us_effort[..., None, :]), axis1=-2, axis2=-1)
        scale = np.abs(payoff) + np.abs(ceiling) + 1.0
        assert np.all(payoff <= ceiling + r.SCREEN_MARGIN * scale), \
            np.max((payoff - ceiling) / scale)


def test_the_ceiling_is_not_vacuous_and_lifts_where_its_premises_fail():
    """The bound is tight enough to rule switches out where nobody is near the penalty,
    and becomes +inf (nothing screened) where the value curve may rise (rho > 1)."""
    model = CoalitionModel("us-walks-away", rng=2, stop_on_verdict=False)
    model.step()
    game, member, expected, us_effort, start = round_inputs(model)
    bar = g.effort_ceiling(game, expected, g.european_effort(game, start))
    configs, profile = switched_equilibria(game, member, expected, us_effort, start)
    effort = g.european_effort(game.expand(-2), profile)[..., 0]
    assert np.all(effort <= bar) and np.all(np.isfinite(bar))
    assert bar[0, 0] < 1.5 * effort.max()  # within 50% of the largest effort solved
    rising = replace(game, us_reliance=game.us_reliance + 1.5)
    assert np.all(np.isinf(g.effort_ceiling(rising, expected, g.european_effort(game, start))))
    assert np.all(np.isinf(g.switch_payoff_ceiling(rising, member, expected, np.array([[np.inf]]))))


CASES = [
    ("us-walks-away", {}),
    ("baseline", {"mode": "coordinated", "us_policy": "erratic", "noise": 0.02}),
    ("ceasefire-with-backstop", {"ceasefire_round": 1}),
    ("olson-zeckhauser", {}),
    ("lq-textbook", {"n_nations": 40}),  # all but three leave: many switches
]


@pytest.mark.parametrize("path", ["numpy", "kernel"])
@pytest.mark.parametrize("scenario,params", CASES)
def test_screening_decides_as_solving_every_switch(monkeypatch, scenario, params, path):
    """Rounds 1-3 of each case, played with and without screening: the same members,
    switches, contributions and verdicts, to the bit."""
    if path == "kernel":
        pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_CELLS", 0 if path == "kernel" else 10**12)
    model = CoalitionModel(scenario, rng=4, stop_on_verdict=False, **params)
    n = model.state.member.shape[-1]
    for k in range(3):
        world, state = model.world, model.state
        uniforms = r.draw_round([np.random.default_rng(k)], n, [np.random.default_rng(k + 9)])
        screened = r.play_round(world, state, uniforms)
        with monkeypatch.context() as m:
            m.setattr(r, "SCREEN_MARGIN", np.inf)  # nothing is ever screened out
            solved = r.play_round(world, state, uniforms)
        for name in ("member", "switched", "contribution", "verdict", "target"):
            assert np.array_equal(getattr(screened, name), getattr(solved, name)), (k, name)
        model.step()


@pytest.mark.parametrize("path", ["numpy", "kernel"])
def test_a_player_may_switch_a_nation_that_was_screened_out(monkeypatch, path):
    """Players make two members leave that the model rules out leaving: the nations
    after them judge the coalition as it then stands, with finite gains (the kernel does
    not read the payoffs of an equilibrium it never solved), and decide as without
    screening."""
    if path == "kernel":
        pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_CELLS", 0 if path == "kernel" else 10**12)
    model = CoalitionModel("us-walks-away", rng=6, stop_on_verdict=False)
    world, state = model.world, model.state
    n = state.member.shape[-1]
    chosen = np.full((1, n), ch.MODEL, np.int8)
    leavers = np.flatnonzero(state.member[0])[:2]
    chosen[0, leavers] = 0
    choices = replace(ch.Choices.none(1, n), member=chosen)
    uniforms = r.draw_round([np.random.default_rng(1)], n, [np.random.default_rng(2)])
    wants = g.wants_to_switch
    margins = []

    def finite(member, margin, tol=0.0):
        margins.append(margin)
        return wants(member, margin, tol)

    monkeypatch.setattr(g, "wants_to_switch", finite)
    screened = r.play_round(world, state, uniforms, choices)
    assert all(np.all(np.isfinite(m)) for m in margins)
    with monkeypatch.context() as m:
        m.setattr(r, "SCREEN_MARGIN", np.inf)
        solved = r.play_round(world, state, uniforms, choices)
    assert np.all(screened.switched[0, leavers] == -1)
    assert np.array_equal(screened.member, solved.member)
    assert np.array_equal(screened.switched, solved.switched)


@pytest.mark.parametrize("path", ["numpy", "kernel"])
def test_where_nobody_is_near_the_penalty_no_switch_is_solved(monkeypatch, path):
    """In the first round of ``us-walks-away`` every switch is screened out: the step
    solves only the coalition as it stands (1 equilibrium, not N + 1), on the exact
    value curve (the interpolant would cost about two equilibria to build)."""
    if path == "kernel":
        pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_CELLS", 0 if path == "kernel" else 10**12)
    model = CoalitionModel("us-walks-away", rng=3, stop_on_verdict=False)
    coalitions = count_coalitions(monkeypatch)
    built = []
    interpolant = kernels.Counterfactuals.interpolant

    def building(self):
        built.append(self)
        return interpolant(self)

    monkeypatch.setattr(kernels.Counterfactuals, "interpolant", building)
    model.step()
    assert sum(coalitions) == 1
    assert not built  # nor is the round's interpolant of the value curve built
