"""The compiled kernel for the membership counterfactuals against the NumPy reference.

``model.game.switch_payoffs`` is the rule; ``model.compiled`` (numba) must give the same
payoffs within 1e-12 (on this project's machines, with the exact curve: to the bit) in
every regime of the game: individual and coordinated mode, Cobb-Douglas beliefs, a
linear benefit, a reassurance force deterring, many identical nations (sums of more
than 128 terms), with the exact value curve and with the round's interpolant of it
(``model.interpolant``, ``tests/test_interpolant.py``). The membership step, which
solves only the nations still to come after a switch and takes the coalition after a
switch from the switch's own solve, must decide exactly as solving every nation again
would, with at most 2N + 1 equilibria a round.
"""

from dataclasses import replace

import numpy as np
import pytest

from agents.coalition_model import CoalitionModel
from helpers.solves import count_coalitions
from model import choices as ch
from model import game as g
from model import kernels
from model import rounds as r
from model.rounds import round_game
from model.state import stack

numba = pytest.importorskip("numba")

CASES = [
    ("us-walks-away", {}),
    ("baseline", {"mode": "coordinated", "us_policy": "erratic", "noise": 0.02}),
    ("ceasefire-with-backstop", {"ceasefire_round": 1}),
    ("baseline", {"us_reliance": 0.0}),  # Cobb-Douglas for every nation
    ("lq-textbook", {}),  # linear benefit
    ("baseline", {"nations": "identical", "n_nations": 150, "noise": 0.05}),
]


def states(scenario, params, rounds=4):
    """A model's game and state after each of a few rounds (moving, with switches)."""
    model = CoalitionModel(scenario, rng=5, stop_on_verdict=False, **params)
    for _ in range(rounds):
        model.step()
        yield round_game(model.world, model.state), model.state


def assert_close(kernel, reference):
    scale = np.maximum(1.0, np.abs(reference))
    assert np.all(np.abs(kernel - reference) <= 1e-12 * scale), \
        f"worst relative difference {np.max(np.abs(kernel - reference) / scale):.3g}"


@pytest.mark.parametrize("interpolate", [False, True], ids=["exact curve", "interpolant"])
@pytest.mark.parametrize("scenario,params", CASES)
def test_the_kernel_gives_the_reference_payoffs(scenario, params, interpolate):
    for game, st in states(scenario, params):
        args = (game, st.member, st.expected_us_effort, st.us_effort, st.contribution)
        stay, switch = g.switch_payoffs(*args)
        k_stay, k_switch = kernels.payoffs(*args, compiled=True, interpolate=interpolate)
        assert_close(k_stay, stay)
        assert_close(k_switch, switch)


def test_the_coalition_after_a_switch_is_the_one_solved_for_the_switch():
    """The kernel keeps each switched coalition's equilibrium: the payoffs read there
    are, to the bit, those of solving that coalition as it then stands."""
    game, st = list(states("baseline", {"us_policy": "erratic", "noise": 0.05}))[-1]
    solver = kernels.Counterfactuals(game, st.expected_us_effort, st.us_effort, st.contribution,
                                     compiled=True)
    rows = np.arange(st.member.shape[0])
    _, _, profiles = solver.payoffs(rows, st.member)
    for who in (0, 7, 20):
        after = st.member.copy()
        after[:, who] = ~after[:, who]
        solved, _, _ = solver.payoffs(rows, after, np.zeros((rows.size, 0), dtype=int))
        assert np.array_equal(solver.utilities(rows, after, profiles[:, who]), solved)


def test_the_kernel_solves_any_subset_of_switches_in_a_batch_of_runs():
    games, sts = zip(*states("baseline", {"us_policy": "erratic", "noise": 0.05}))
    game = stack(list(games))  # a batch of different runs: four rounds side by side
    st = stack(list(sts))
    rng = np.random.default_rng(0)
    nations = np.stack([rng.permutation(st.member.shape[1])[:5] for _ in range(len(sts))])
    args = (game, st.member, st.expected_us_effort, st.us_effort, st.contribution, nations)
    stay, switch = g.switch_payoffs(*args)
    assert switch.shape == nations.shape
    full = g.switch_payoffs(*args[:-1])[1]
    assert np.array_equal(switch, np.take_along_axis(full, nations, -1))  # subset = full
    k_stay, k_switch = kernels.payoffs(*args, compiled=True)
    assert_close(k_stay, stay)
    assert_close(k_switch, switch)


def test_numpy_is_used_when_switched_off_or_for_a_small_step(monkeypatch):
    assert kernels.worthwhile(16, 33)  # a sweep's lane
    assert not kernels.worthwhile(1, 33)  # one run of the real nations (the app)
    monkeypatch.setenv(kernels.ENV, "numpy")
    assert not kernels.available() and not kernels.worthwhile(16, 33)


@pytest.mark.parametrize("players", [0, 5])
def test_the_membership_step_decides_alike_on_both_paths(monkeypatch, players):
    """The textbook game of 40 nations, where all but three leave in the first round:
    many switches, so the kernel's one-at-a-time gains and NumPy's batch of the nations
    still to come are both exercised; each must give the members and switches of
    solving every gain again after each switch (also with players who choose to stay,
    model.choices, which changes the coalition the later nations judge)."""
    model = CoalitionModel("lq-textbook", rng=3, n_nations=40, stop_on_verdict=False)
    world, state = model.world, model.state
    uniforms = r.draw_round([np.random.default_rng(7)], 40, [np.random.default_rng(8)])
    choices = None
    if players:
        member = np.full((1, 40), ch.MODEL, np.int8)
        member[0, :players] = 1
        choices = replace(ch.Choices.none(1, 40), member=member)
    results = {}
    solved = []  # coalitions the kernel solves (one list entry per call)
    for label, cells, lazy in (("numpy", 10**12, 10**6), ("numpy one at a time", 10**12, 1),
                               ("kernel", 0, 10**6)):
        monkeypatch.setattr(kernels, "MIN_CELLS", cells)
        monkeypatch.setattr(r, "ONE_AT_A_TIME", lazy)
        if label == "kernel":
            solved = count_coalitions(monkeypatch)
        results[label] = r.play_round(world, state, uniforms, choices)
    assert sum(solved) <= 2 * 40 + 1, sum(solved)  # no coalition solved twice
    monkeypatch.setattr(r, "revise_membership", resolve_all_after_each_switch)
    results["all again"] = r.play_round(world, state, uniforms, choices)
    switches = np.abs(results["all again"].switched).sum()
    assert switches >= 30  # the case exercises switches
    for label in ("numpy", "numpy one at a time", "kernel"):
        assert np.array_equal(results[label].member, results["all again"].member), label
        assert np.array_equal(results[label].switched, results["all again"].switched), label
        assert np.array_equal(results[label].contribution, results["all again"].contribution)


def resolve_all_after_each_switch(world, game, state, contribution, expected, us_effort, order,
                                  choices=None):
    """The membership step as it was: every gain solved again after each switch (a
    player's chosen side, model.choices, taken at its turn)."""
    member = state.member.copy()
    switched = np.zeros(member.shape, dtype=np.int8)
    threshold = g.switching_penalty(game, member, world.exit_penalty, world.join_penalty)

    def gains(rows):
        stay, switch = g.switch_payoffs(game.take(rows), member[rows], expected[rows],
                                        us_effort[rows], contribution[rows])
        return switch - stay, r.SWITCH_RTOL * (np.abs(stay) + np.abs(switch))

    runs = np.arange(member.shape[0])
    gain, tol = gains(runs)
    for position in range(member.shape[-1]):
        who = order[:, position]
        wants = g.wants_to_switch(member[runs, who], threshold[runs, who] - gain[runs, who],
                                  tol[runs, who])
        wants = ch.switches(choices, runs, who, member[runs, who], wants)
        if not wants.any():
            continue
        rows = runs[wants]
        member[rows, who[rows]] = ~member[rows, who[rows]]
        switched[rows, who[rows]] = np.where(member[rows, who[rows]], 1, -1)
        threshold[rows] = g.switching_penalty(game.take(rows), member[rows],
                                              world.exit_penalty[rows], world.join_penalty[rows])
        gain[rows], tol[rows] = gains(rows)
    memo = {"gain_inputs": state.gain_inputs, "gain": gain, "gain_tol": tol}
    return member, switched, memo
