"""The game's math (model/game.py): limits, derivatives, best responses, equilibrium."""

from dataclasses import replace

import numpy as np
import pytest

from model import game as g
from model.state import build_world
from model.scenarios import load_scenario


def world_of(scenario="baseline", **params):
    return build_world(load_scenario(scenario).config(params))


# --------------------------------------------------------------------------- deterrence
def test_status_quo_deterrence_is_one_for_any_belief():
    for rho in (-3.0, -1.0, -1e-12, 0.0, 0.3, 1.0):
        assert g.deterrence(np.array(1.0), np.array(1.0), np.array(rho), np.array(0.4)) == pytest.approx(1.0)


def test_cobb_douglas_is_the_limit_of_ces():
    e, x, a = np.array(1.7), np.array(0.4), np.array(0.55)
    cd = g.deterrence(e, x, np.array(0.0), a)
    assert cd == pytest.approx(e**a * x ** (1 - a))
    for rho in (1e-4, -1e-4):
        assert g.deterrence(e, x, np.array(rho), a) == pytest.approx(cd, rel=1e-3)


def test_without_us_effort_complements_deter_nothing_substitutes_something():
    e, a = np.array(1.0), np.array(0.5)
    assert g.deterrence(e, np.array(0.0), np.array(-1.0), a) == 0.0
    assert g.deterrence(e, np.array(0.0), np.array(0.0), a) == 0.0
    assert g.deterrence(e, np.array(0.0), np.array(1.0), a) == pytest.approx(0.5)
    assert g.deterrence(e, np.array(0.0), np.array(0.5), a) == pytest.approx(0.25)


def test_deterrence_broadcasts_over_batch_axes():
    e = np.linspace(0.5, 2, 6).reshape(2, 3, 1)
    x = np.array([0.0, 0.5, 1.0, 2.0])
    d = g.deterrence(e, x, np.array(-0.5), np.array(0.6))
    assert d.shape == (2, 3, 4)
    assert np.all(np.diff(d, axis=-1) >= 0) and np.all(np.isfinite(d))


@pytest.mark.parametrize("rho", [-2.0, -0.5, 0.0, 0.5, 1.0])
def test_value_curve_is_the_derivative_of_the_security_benefit(rho):
    world, state, _, _ = world_of(us_reliance=rho)
    game = world.game
    xhat = state.expected_us_effort * 0.6
    for e in (20.0, 52.5, 90.0):
        h = 1e-5 * e
        up = g.security_benefit(game, np.array([[e + h]]), xhat)
        down = g.security_benefit(game, np.array([[e - h]]), xhat)
        numeric = (up - down) / (2 * h)
        analytic = g.marginal_security_value(game, np.array([[e]]), xhat)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-12)


# --------------------------------------------------------------------------- utility
def test_utility_terms_add_up_and_outsiders_get_the_spillover_share():
    world, state, _, _ = world_of(spillover=0.3)
    game = world.game
    s, m = state.contribution, state.member.copy()
    terms = g.utility_terms(game, s, m, state.expected_us_effort, state.us_effort)
    costs = sum(terms[k] for k in ("cost", "eu_cost", "fairness", "opposition"))
    np.testing.assert_allclose(terms["utility"], terms["benefit"] - costs)
    assert terms["eu_cost"][0, 2] > 0 and terms["opposition"][0, 2] == 0  # an EU member, no vetoer
    m[0, 2] = False
    out = g.utility_terms(game, s, m, state.expected_us_effort, state.us_effort)
    assert out["benefit"][0, 2] == pytest.approx(0.3 * terms["benefit"][0, 2])


def test_fair_reference_mixes_us_burden_and_other_members_mean():
    world, state, table, _ = world_of(fair_share_weight=0.25)
    game = world.game
    s, m = state.contribution, state.member
    r = g.fair_reference(game, s, m, state.us_effort)
    i = 2
    others = (np.arange(table.n) != i) & m[0]
    burden = s[0] + game.eu_share[0]  # aid burden: bilateral and through the EU
    peers = (burden[others] * table.gdp[others]).sum() / table.gdp[others].sum()
    s_us = state.us_effort[0, 0] / game.us_gdp[0, 0]
    assert r[0, i] == pytest.approx(0.25 * s_us + 0.75 * peers)


def test_share_rule_sits_at_the_fair_reference_inside_the_kink():
    """Marginal cost phi (s + eta d) below the kink (aid burden s + e at the reference r),
    phi (s + eta d) + beta above it."""
    world, _, _, _ = world_of(sucker_aversion=0.5, defence_budget_weight=0.1)
    game = world.game
    phi, beta, e = game.political_cost, game.sucker_cost, game.eu_share
    budget = 0.1 * game.defence
    ref = np.full_like(phi, 0.002) + e  # the kink at bilateral aid 0.002
    lower, upper = np.zeros_like(phi), np.full_like(phi, 0.03)
    value = phi * (0.002 + budget) + 0.5 * beta  # between the two marginal costs at the kink
    np.testing.assert_allclose(g.share_rule(game, value, ref, lower, upper), 0.002)
    np.testing.assert_allclose(g.share_rule(game, phi * (0.001 + budget), ref, lower, upper), 0.001)
    above = g.share_rule(game, phi * (0.004 + budget) + beta, ref, lower, upper)
    np.testing.assert_allclose(above, 0.004)


def test_own_defence_crowds_out_aid_through_the_shared_budget():
    world, state, _, _ = world_of(defence_budget_weight=0.05, sucker_aversion=0.0)
    game = world.game
    args = (state.member, state.expected_us_effort, state.us_effort, state.contribution)
    before = g.nash_equilibrium(game, *args)
    more = g.this_round(game, defence=game.defence + 0.01)  # one point of GDP more defence
    after = g.nash_equilibrium(more, *args)
    assert np.all(after <= before) and (after < before).sum() > 20
    separate = replace(game, defence_weight=np.zeros_like(game.defence_weight),
                       joint_product=np.zeros_like(game.joint_product))
    np.testing.assert_array_equal(g.nash_equilibrium(separate, *args),
                                  g.nash_equilibrium(g.this_round(separate, defence=game.defence
                                                                  + 0.01), *args))


def test_off_budget_money_costs_no_budget_but_raises_european_effort():
    world, state, _, _ = world_of()
    game = world.game
    richer = g.this_round(game, outside_aid=game.outside_aid + 20.0)
    s = state.contribution
    assert g.european_effort(richer, s)[0, 0] == pytest.approx(g.european_effort(game, s)[0, 0] + 20)
    np.testing.assert_array_equal(g.domestic_cost(richer, s), g.domestic_cost(game, s))


def test_best_response_maximises_each_nations_utility():
    world, state, table, _ = world_of(us_reliance=0.5)
    game = world.game
    xhat = state.expected_us_effort * 0.5
    reply = g.best_response(game, state.contribution, state.member, xhat, state.us_effort)
    for i in (0, 2, 12, 31, 32):
        grid = np.linspace(0, 0.01, 2001)
        s = np.repeat(state.contribution, grid.size, 0)
        s[:, i] = grid
        rows = np.zeros(grid.size, int)
        u = g.utility(game.take(rows), s, state.member[rows], xhat[rows], state.us_effort[rows])[:, i]
        s_best = state.contribution.copy()
        s_best[0, i] = reply[0, i]
        u_best = g.utility(game, s_best, state.member, xhat, state.us_effort)[0, i]
        assert u_best >= u.max() - 1e-9 * abs(u_best)


# --------------------------------------------------------------------------- equilibrium
@pytest.mark.parametrize("mode", ["individual", "coordinated"])
def test_direct_solution_is_an_equilibrium(mode):
    world, state, _, _ = world_of(mode=mode, us_reliance=0.3, sucker_aversion=0.0)
    game = world.game
    xhat = state.expected_us_effort * 0.4
    s = g.nash_equilibrium(game, state.member, xhat, state.us_effort, state.contribution)
    reply = g.best_response(game, s, state.member, xhat, state.us_effort)
    np.testing.assert_allclose(reply, s, rtol=1e-9, atol=1e-15)
    assert g.is_equilibrium(game, s, state.member, xhat, state.us_effort).all()


def test_status_quo_is_an_equilibrium_of_the_calibrated_game():
    world, state, _, _ = world_of()
    game = world.game
    s = g.nash_equilibrium(game, state.member, state.expected_us_effort, state.us_effort,
                           state.contribution)
    np.testing.assert_allclose(s, state.contribution, rtol=1e-9)


def test_equilibrium_is_solved_independently_for_each_batch_element():
    world, state, _, _ = world_of(us_reliance=-0.5)
    game = world.game
    xh = np.concatenate([state.expected_us_effort * f for f in (1.0, 0.5, 0.1)])
    m = np.repeat(state.member, 3, 0)
    s0 = np.repeat(state.contribution, 3, 0)
    batch = g.nash_equilibrium(game.take([0, 0, 0]), m, xh, np.repeat(state.us_effort, 3, 0), s0)
    for b in range(3):
        alone = g.nash_equilibrium(game, m[b:b + 1], xh[b:b + 1], state.us_effort, s0[b:b + 1])
        np.testing.assert_array_equal(batch[b:b + 1], alone)


def test_olson_zeckhauser_burden_rises_with_gdp_in_equilibrium():
    from scipy.stats import spearmanr

    world, state, table, _ = world_of("olson-zeckhauser")
    s = g.nash_equilibrium(world.game, state.member, state.expected_us_effort, state.us_effort,
                           state.contribution)
    assert spearmanr(table.gdp, s[0]).statistic > 0.6
    gives = s[0] > 0
    assert table.gdp[gives].min() > table.gdp[~gives].max()  # the small free ride


# --------------------------------------------------------------------------- stability
def _coalition_of(k, n):
    world, state, table, _ = world_of("lq-textbook", n_nations=n)
    member = np.zeros((1, n), bool)
    member[0, :k] = True
    return world, state, member


@pytest.mark.parametrize("n", [3, 4, 6, 10, 15])
def test_only_the_coalition_of_three_is_internally_and_externally_stable(n):
    """Carraro & Siniscalco (1993), Barrett (1994): linear benefit, quadratic cost."""
    stable_sizes = []
    for k in range(1, n + 1):
        world, state, member = _coalition_of(k, n)
        stay, switch = g.switch_payoffs(world.game, member, state.expected_us_effort,
                                        state.us_effort, state.contribution)
        gain = switch - stay
        tol = 1e-9 * (np.abs(stay) + np.abs(switch))
        # ties favour the coalition: members stay and outsiders join when indifferent
        internal = np.all(gain[member] <= tol[member])
        external = np.all(gain[~member] < -tol[~member])
        if internal and external and k >= 2:
            stable_sizes.append(k)
    assert stable_sizes == [3]
