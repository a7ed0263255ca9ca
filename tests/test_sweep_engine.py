"""The vectorised sweep engine against the Mesa reference, run by run.

Runs of different policies, modes and random settings are played together in one
batch by the engine and one by one by ``CoalitionModel`` with the same seeds: the
trajectories must agree (bitwise where the operations are the same, else to 1e-12).
"""

from dataclasses import fields

import numpy as np
import pytest

from experiments.design import RunSpec, run_seed
from experiments.engine import _play, run_mesa, run_vectorised
from agents.coalition_model import CoalitionModel
from model import kernels
from model.rounds import event_stream
from model.scenarios import load_scenario
from model.state import State, build_world, stack

ROUNDS = 40
CASES = [  # (scenario, parameters): stochastic, reactive, strategic, coordinated, noisy
    ("baseline", {"us_policy": "erratic", "us_switch_prob": 0.3, "adversary": True}),
    ("baseline", {"us_policy": "transactional", "us_demand": 1.3, "noise": 0.02}),
    ("baseline", {"us_policy": "strategic", "us_stake": 0.6, "mode": "coordinated"}),
    ("baseline", {"us_policy": "steadfast", "us_level": 0.3, "us_reliance": -1.0}),
    ("baseline", {"us_policy": "withdrawing", "noise": 0.05, "adversary": True,
                  "mode": "coordinated"}),
    ("baseline", {"us_policy": "reciprocal", "us_demand": 1.5, "adversary": True}),
    ("baseline", {"us_policy": "isolationist"}),
    ("baseline", {"us_policy": "erratic", "mode": "coordinated", "noise": 0.03}),
    # a ceasefire: on a round, and by chance (the event stream)
    ("baseline", {"us_policy": "transactional", "us_demand": 1.2, "ceasefire_round": 3}),
    ("baseline", {"us_policy": "erratic", "us_switch_prob": 0.3, "ceasefire_chance": 0.3}),
]


def specs():
    return [RunSpec(run=i, point=i, replicate=0, seed=run_seed(2026, i), overrides=p,
                    varied={}) for i, (_, p) in enumerate(CASES)]


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal integers and booleans; floats within 1e-12 of the quantity's scale."""
    if a.dtype.kind in "biu":
        return np.array_equal(a, b)
    scale = max(1.0, float(np.nanmax(np.abs(b), initial=0.0)))
    return np.allclose(a, b, rtol=1e-12, atol=1e-12 * scale, equal_nan=True)


def series_table(blocks: list[dict]) -> dict[str, np.ndarray]:
    """The series blocks as one table, rows ordered by (run, round)."""
    cols = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    order = np.lexsort((cols["round"], cols["run"]))
    return {k: v[order] for k, v in cols.items()}


# The trajectory itself: bitwise. The membership-gain memo (gain, gain_tol) comes out of
# nash_equilibrium, whose warm start (`last` in model/game.py) moves with the extra outer
# iterations other runs of a batch cause, so it agrees to the solver tolerance only.
TRAJECTORY = ("round", "contribution", "member", "expected_us_effort", "rally", "us_level",
              "ceasefire", "ceasefire_began", "troops_offer", "troops", "condition_met",
              "backstop", "force_troops", "force_deterrence", "guarantee",
              "us_memory", "us_effort", "target", "switched", "probe_target", "stable_rounds",
              "verdict", "verdict_round", "cause", "initial_size", "initial_effort")


def test_engine_state_equals_mesa_model_run_by_run():
    """All cases in one lockstep batch; each run's final state equals the Mesa model's."""
    runs = specs()
    built = [build_world(load_scenario("baseline").config(s.params)) for s in runs]
    world = stack([b[0] for b in built])
    state = stack([b[1] for b in built]).copy()
    n = built[0][2].n
    rngs = [np.random.default_rng(s.seed) for s in runs]
    events = [event_stream(r) for r in rngs]
    state = _play(world, state, rngs, events, n, ROUNDS, lane=3, blocks=None,
                  runs=np.arange(len(runs)))
    for j, spec in enumerate(runs):
        model = CoalitionModel("baseline", rng=spec.seed, **spec.params)
        model.run(ROUNDS)
        for f in fields(State):
            mine, ref = getattr(state, f.name)[j], getattr(model.state, f.name)[0]
            assert close(mine, ref), (CASES[j], f.name)
            if f.name in TRAJECTORY:  # the same operations: to the bit
                assert np.array_equal(mine, ref), (CASES[j], f.name)
        # the generators were left in the same place: no draw more, none fewer
        assert rngs[j].random() == model.rng.random()


@pytest.mark.parametrize("curve", ["exact", "interpolated"])
def test_engine_rows_and_series_equal_mesa_engine(curve, monkeypatch):
    """With the exact value curve and with the round's interpolant of it (the engine's
    lanes solve the counterfactuals by the compiled kernel, the Mesa model's single
    run by NumPy): the same rows and series."""
    monkeypatch.setenv(kernels.CURVE_ENV, curve)
    runs = specs()
    rows, blocks = run_vectorised("baseline", runs, ROUNDS, series=True)
    ref_rows, ref_blocks = run_mesa("baseline", runs, ROUNDS, series=True)
    assert rows == ref_rows
    verdicts = {r["verdict"] for r in rows}
    assert len(verdicts) >= 2  # the sample covers different outcomes

    mine, ref = series_table(blocks), series_table(ref_blocks)
    for key in mine:
        assert close(mine[key], ref[key]), key


def test_lane_width_does_not_change_results():
    runs = specs()[:4]
    a, _ = run_vectorised("baseline", runs, 15, lane=1)
    b, _ = run_vectorised("baseline", runs, 15, lane=4)
    assert a == b


def test_runs_with_different_nation_counts_are_grouped():
    runs = [RunSpec(0, 0, 0, run_seed(1, 0), {"nations": "identical", "n_nations": 4}, {}),
            RunSpec(1, 1, 0, run_seed(1, 1), {"nations": "identical", "n_nations": 7}, {}),
            RunSpec(2, 0, 1, run_seed(1, 2), {"nations": "identical", "n_nations": 4}, {})]
    rows, _ = run_vectorised("baseline", runs, 10)
    ref, _ = run_mesa("baseline", runs, 10)
    assert [r["run"] for r in rows] == [0, 1, 2]
    assert rows == ref


def test_identical_nations_agree_to_1e12():
    """Identical nations without US data: the CES weight a is exactly 1/2, so a single
    run's ``e ** a`` (shape (1, N) ** (1, 1)) goes through numpy's sqrt fast path and a
    batch's through pow, 1 ulp apart: the engine equals the Mesa model to 1e-12."""
    params = [{"nations": "identical", "n_nations": 6, "noise": 0.04, "adversary": True,
               "us_policy": "erratic", "mode": m} for m in ("individual", "coordinated")]
    runs = [RunSpec(i, i % 2, i // 2, run_seed(3, i), params[i % 2], {}) for i in range(6)]
    rows, blocks = run_vectorised("baseline", runs, 20, series=True)
    ref, ref_blocks = run_mesa("baseline", runs, 20, series=True)
    assert len(rows) == len(ref) == len(runs)
    for mine, theirs in zip(rows, ref):
        assert_close_rows(mine, theirs, where=f"run {mine['run']}")
    mine, theirs = series_table(blocks), series_table(ref_blocks)
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert close(mine[key], theirs[key]), key


def assert_close_rows(mine, theirs, where: str) -> None:
    """Equal rows, floats to 1e-12 relative, at every depth (a run row holds a list of
    per-nation dicts, whose floats can also be 1 ulp apart)."""
    if isinstance(mine, float) and isinstance(theirs, float):
        assert mine == pytest.approx(theirs, rel=1e-12, abs=1e-15), where
    elif isinstance(mine, dict) and isinstance(theirs, dict):
        assert mine.keys() == theirs.keys(), where
        for key in mine:
            assert_close_rows(mine[key], theirs[key], f"{where}: {key}")
    elif isinstance(mine, list) and isinstance(theirs, list):
        assert len(mine) == len(theirs), where
        for i, (a, b) in enumerate(zip(mine, theirs)):
            assert_close_rows(a, b, f"{where}[{i}]")
    else:
        assert mine == theirs, where


def test_row_comparison_reaches_nested_floats():
    """The helper above tolerates 1 ulp inside the per-nation rows, and still catches a
    real difference there."""
    row = {"run": 0, "verdict": "converged", "nations": [{"iso3": "N01", "aid": 0.000953234164491655}]}
    ulp = {**row, "nations": [{"iso3": "N01", "aid": 0.0009532341644916548}]}
    assert_close_rows(row, ulp, "row")
    for changed in ({**row, "nations": [{"iso3": "N01", "aid": 0.00095324}]},
                    {**row, "nations": [{"iso3": "N02", "aid": 0.000953234164491655}]},
                    {**row, "verdict": "fractured"}):
        with pytest.raises(AssertionError):
            assert_close_rows(row, changed, "row")


def test_run_seeds_are_the_spawned_children():
    children = np.random.SeedSequence(99).spawn(5)
    for i, child in enumerate(children):
        assert run_seed(99, i) == int(child.generate_state(1, np.uint64)[0]) & ((1 << 63) - 1)
    assert len({run_seed(99, i) for i in range(1000)}) == 1000


@pytest.mark.parametrize("seed", [5, 123])
def test_model_and_generator_streams_agree(seed):
    assert CoalitionModel(rng=seed).rng.random() == np.random.default_rng(seed).random()
