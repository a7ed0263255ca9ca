"""The round's interpolant of the value curve against the exact curve.

The membership counterfactuals evaluate each nation's value curve through one
Chebyshev interpolant per nation and round (``model.interpolant``). It must be exact to
rounding where it is used (relative error below 1e-14 at every effort the solves
actually visit, in every regime of the game), give equilibria and payoffs within 1e-12
of the exact curve's, and give the same membership decisions: on every scenario's
golden run (``test_golden.py`` plays them on the interpolated path against outputs
stored from the exact curve: members, verdicts and events equal, floats within 1e-9)
and on a sample of sweep runs (below). NumPy and the compiled kernel evaluate the same
interpolant with the same operations.
"""

import numpy as np
import pytest

from experiments.design import RunSpec, run_seed
from experiments.engine import run_vectorised
from model import game as g
from model import interpolant as ip
from model import kernels
from test_kernels import CASES, assert_close, states


class Spy:
    """The interpolated curve, recording its error against the exact curve at every
    effort a solve asks for (where the interpolant, not the exact curve, answered)."""

    worst = 0.0
    used = 0
    asked = 0

    def __init__(self, interpolant):
        self.interpolant = interpolant

    def __call__(self, game, expected):
        curve = ip.InterpolatedCurve(game, expected, self.interpolant)
        exact = g.ValueCurve(game, expected)

        def evaluate(effort):
            value, truth = curve(effort), exact(effort)
            ip_ = curve.interpolant
            x = (effort - 0.5 * (ip_.lo + ip_.hi)) / (0.5 * (ip_.hi - ip_.lo))
            used = ip_.ok & (np.abs(x) <= 1) & np.ones(truth.shape, dtype=bool)
            scale = np.maximum(np.abs(truth), 1e-300)
            Spy.worst = max(Spy.worst, float(np.max(np.where(used, np.abs(value - truth) / scale, 0))))
            Spy.used += int(used.sum())
            Spy.asked += used.size
            return value

        return evaluate


@pytest.mark.parametrize("scenario,params", CASES)
def test_the_interpolant_is_exact_to_rounding_where_the_solves_use_it(scenario, params):
    Spy.worst, Spy.used, Spy.asked = 0.0, 0, 0
    for game, st in states(scenario, params):
        curve = ip.build(game, st.expected_us_effort, st.contribution)
        g.switch_payoffs(game, st.member, st.expected_us_effort, st.us_effort, st.contribution,
                         value_curve=Spy(curve))
    assert Spy.worst <= 1e-14, f"worst relative error {Spy.worst:.3g}"
    assert Spy.used > 0  # the interpolant answered (outside its domain the exact curve does)


def test_a_nation_whose_curve_is_not_smooth_on_the_domain_keeps_the_exact_curve():
    game, st = next(states("us-walks-away", {}, rounds=1))
    wide = ip.HALF_WIDTH
    try:
        ip.HALF_WIDTH = 0.99  # a domain reaching almost to zero effort: no 16-point fit
        curve = ip.build(game, st.expected_us_effort, st.contribution)
    finally:
        ip.HALF_WIDTH = wide
    assert not curve.ok.all()
    exact = g.ValueCurve(game, st.expected_us_effort)
    effort = 0.5 * (curve.lo + curve.hi)
    value = ip.InterpolatedCurve(game, st.expected_us_effort, curve)(effort)
    assert np.array_equal(value[~curve.ok], exact(effort)[~curve.ok])


def test_outside_its_domain_the_exact_curve_answers():
    game, st = next(states("us-walks-away", {}, rounds=1))
    curve = ip.build(game, st.expected_us_effort, st.contribution)
    exact = g.ValueCurve(game, st.expected_us_effort)
    for effort in (curve.lo * 0.9, curve.hi * 1.1):
        assert np.array_equal(ip.InterpolatedCurve(game, st.expected_us_effort, curve)(effort),
                              exact(effort))


@pytest.mark.parametrize("scenario,params", CASES)
def test_interpolated_equilibria_and_payoffs_are_within_1e12_of_the_exact_ones(scenario, params):
    for game, st in states(scenario, params):
        args = (game, st.member, st.expected_us_effort, st.us_effort, st.contribution)
        curve = ip.factory(ip.build(*args[:1], st.expected_us_effort, st.contribution))
        n = st.member.shape[-1]
        configs = st.member[:, None, :] ^ np.vstack([np.zeros(n, bool), np.eye(n, dtype=bool)])
        eq = [g.nash_equilibrium(game.expand(-2), configs, st.expected_us_effort[:, None],
                                 st.us_effort[:, None], st.contribution[:, None], vc)
              for vc in (None, curve)]
        assert_close(eq[1], eq[0])
        exact = g.switch_payoffs(*args)
        interpolated = g.switch_payoffs(*args, value_curve=curve)
        for mine, ref in zip(interpolated, exact):
            assert_close(mine, ref)


def test_numpy_and_the_kernel_build_and_use_the_same_interpolant():
    numba = pytest.importorskip("numba")  # noqa: F841
    game, st = next(states("baseline", {"us_policy": "erratic", "noise": 0.05}, rounds=2))
    args = (game, st.expected_us_effort, st.us_effort, st.contribution)
    by_numpy = kernels.Counterfactuals(*args, compiled=False)
    by_kernel = kernels.Counterfactuals(*args, compiled=True)
    a, b = by_numpy.interpolant(), by_kernel.interpolant()
    for field in ("lo", "hi", "coef", "ok"):
        assert_close(getattr(b, field).astype(float), getattr(a, field).astype(float))
    rows = np.arange(st.member.shape[0])
    for mine, ref in zip(by_kernel.payoffs(rows, st.member)[:2], by_numpy.payoffs(rows, st.member)[:2]):
        assert_close(mine, ref)


def test_sampled_sweep_runs_decide_alike_on_the_exact_and_the_interpolated_curve(monkeypatch):
    """24 runs drawn at random over beliefs, sucker aversion, penalties, US policy and
    noise, 25 rounds, through the sweep engine: the same members, switches and verdicts,
    and every reported float within 1e-12."""
    rng = np.random.default_rng(13)
    policies = ["isolationist", "erratic", "transactional", "withdrawing", "steadfast"]
    specs = [RunSpec(i, i, 0, run_seed(77, i), {
        "us_policy": policies[i % len(policies)], "us_reliance": float(rng.uniform(-2, 1)),
        "sucker_aversion": float(rng.uniform(0, 0.95)), "exit_penalty": float(rng.uniform(0, 0.002)),
        "noise": float(rng.choice([0.0, 0.03])), "stop_on_verdict": False}, {})
        for i in range(24)]
    rows = {}
    for curve in ("exact", "interpolated"):
        monkeypatch.setenv(kernels.CURVE_ENV, curve)
        rows[curve], _ = run_vectorised("us-walks-away", specs, 25)
    sizes = {(r["coalition_size_start"], r["coalition_size_end"]) for r in rows["exact"]}
    assert any(start != end for start, end in sizes)  # the sample exercises switches
    for mine, ref in zip(rows["interpolated"], rows["exact"]):
        for key, value in ref.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
            else:
                assert mine[key] == value, key
