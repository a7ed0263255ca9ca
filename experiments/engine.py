"""The sweep engines: many runs in lockstep as arrays, or one Mesa model per run.

The vectorised engine builds each run's world with :func:`model.state.build_world`
(one per design point and plausible world, shared by its replicates), stacks the runs
that have the same number of nations, records who left or joined in which round
(:func:`model.outcomes.record_moves`), and plays every round with the very functions
the Mesa model's ``step`` calls: :func:`model.rounds.draw_round` (one ``Generator``
per run, seeded with the run's seed) and :func:`model.rounds.play_round`. A run that is
:func:`model.rounds.finished` is frozen exactly where ``CoalitionModel`` stops
stepping, so it draws no more random numbers; same seed, same trajectory.

Rounds are played in *lanes* of runs at a time (:func:`lane_width`): the round's work
is dominated by the membership counterfactuals (N + 1 coalitions x N nations per run).
Solved by NumPy in lockstep, their temporaries stay in the CPU cache for about 16 runs
of 34 nations and spill out of it beyond; solved by the compiled kernel
(:mod:`model.kernels`, one run at a time, the same numbers), a lane holds about 256
runs of 34 nations, so the rest of the round shares NumPy's per-call overhead.

The Mesa engine (``engine="mesa"``) runs :class:`agents.coalition_model.CoalitionModel`
one run at a time: the reference.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from experiments.design import RunSpec
from model import kernels
from model.config import all_params, split_key
from model.data import NationTable
from model.outcomes import nation_rows, no_moves, outcome_row, record_moves, summarize
from model.rounds import draw_round, event_stream, finished, play_round
from model.scenarios import load_scenario
from model.series import SERIES, series_values
from model.state import CalibrationReport, State, World, build_world, stack, take

ENGINES = ("vectorised", "mesa")
NATIONS_KEY = "nations"  # a run row's per-nation rows (model.outcomes.nation_rows)
LANE_CELLS = 16 * 34 * 35  # counterfactual cells per play_round call: 16 runs of 34 nations
KERNEL_LANE = 256 * 34  # with the compiled kernel: nations x runs per play_round call


def lane_width(n: int) -> int:
    """Runs per play_round call for N nations. With NumPy's counterfactuals about
    LANE_CELLS (N + 1) x N cells, so the solver's temporaries stay in cache for large N
    and call overhead is shared for small N; with the compiled kernel
    (:mod:`model.kernels`) the counterfactuals are solved one run at a time, so a lane
    holds about KERNEL_LANE / N runs and the rest of the round shares NumPy's per-call
    overhead among them (us-walks-away, 33 nations: 1.75 ms per run-round at 16 runs,
    1.41 at 64, 1.22 at 256)."""
    if kernels.worthwhile(max(1, KERNEL_LANE // n), n):
        return max(1, KERNEL_LANE // n)
    return max(1, LANE_CELLS // ((n + 1) * n))

def series_rows(world: World, state: State, runs: np.ndarray) -> dict[str, np.ndarray]:
    """One row per run of the round just played: ``run`` and :data:`model.series.SERIES`."""
    return {"run": np.asarray(runs, dtype=np.int64), **series_values(world, state)}


def parameter_row(spec: RunSpec, values: dict[str, Any]) -> dict[str, Any]:
    """The run's identity and every parameter (all model ones, plus varied nation ones)."""
    row = {"run": spec.run, "point": spec.point, "replicate": spec.replicate, "seed": spec.seed,
           "world": spec.world}
    row.update({name: values[name] for name in all_params()})
    row.update({k: v for k, v in spec.varied.items() if split_key(k)[0] is not None})
    return row


class _Built:
    """A design point's single-run world, initial state, nations and config."""

    def __init__(self, scenario: str, spec: RunSpec) -> None:
        self.config = load_scenario(scenario).config(spec.overrides)
        built: tuple[World, State, NationTable, CalibrationReport] = build_world(self.config)
        self.world, self.state, self.nations, _ = built


def run_vectorised(scenario: str, specs: list[RunSpec], rounds: int, series: bool = False,
                   lane: int | None = None) -> tuple[list[dict[str, Any]], list[dict[str, np.ndarray]]]:
    """Play ``specs`` in lockstep; one row per run (in ``specs`` order) and series blocks."""
    built: dict[tuple[int, int], _Built] = {}  # by design point and plausible world
    for spec in specs:
        if (spec.point, spec.world) not in built:
            built[spec.point, spec.world] = _Built(scenario, spec)
    rows: list[dict[str, Any] | None] = [None] * len(specs)
    blocks: list[dict[str, np.ndarray]] = []
    by_size: dict[int, list[int]] = {}
    for k, spec in enumerate(specs):
        by_size.setdefault(built[spec.point, spec.world].nations.n, []).append(k)
    for n, members in by_size.items():
        group = [specs[k] for k in members]
        world = stack([built[s.point, s.world].world for s in group])
        state = stack([built[s.point, s.world].state for s in group])
        state = state.copy()
        runs = np.array([s.run for s in group])
        rngs = [np.random.default_rng(s.seed) for s in group]
        events = [event_stream(r) for r in rngs]
        if series:
            blocks.append(series_rows(world, state, runs))
        moves = no_moves(state)
        state = _play(world, state, rngs, events, n, rounds, lane or lane_width(n),
                      blocks if series else None, runs, moves)
        for j, (k, spec) in enumerate(zip(members, group)):
            b = built[spec.point, spec.world]
            mine = {name: v[[j]] for name, v in moves.items()}
            final = take(state, [j])
            summary = summarize(b.world, final, b.nations, moves=mine)
            rows[k] = {**parameter_row(spec, b.config.values), **outcome_row(summary),
                       NATIONS_KEY: nation_rows(b.world, final, b.nations, mine)}
    return rows, blocks


def _play(world: World, state: State, rngs: list, events: list, n: int, rounds: int, lane: int,
          blocks: list | None, runs: np.ndarray, moves: dict[str, np.ndarray] | None = None) -> State:
    """Advance the active runs round by round, ``lane`` runs per call; freeze finished ones.

    ``moves`` (:func:`model.outcomes.no_moves`), if given, is updated in place with who
    left or joined in which round. Each lane's world and state are cut out of the batch
    once and kept from round to round while no run finishes (a run does not depend on
    its lane, so this only saves the copying); they go back into the batch when the
    active runs change."""
    names = [f.name for f in fields(State)]
    active = np.ones(world.runs, dtype=bool)
    lanes: list[tuple[np.ndarray, World, State]] = []

    def put_back() -> None:
        for sel, _, s in lanes:
            for name in names:
                getattr(state, name)[sel] = getattr(s, name)

    for _ in range(rounds):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        if sum(sel.size for sel, _, _ in lanes) != idx.size:  # a run finished: cut again
            put_back()
            lanes = [(sel, take(world, sel), take(state, sel))
                     for sel in (idx[lo:lo + lane] for lo in range(0, idx.size, lane))]
        for j, (sel, w, s) in enumerate(lanes):
            uniforms = draw_round([rngs[i] for i in sel], n, [events[i] for i in sel])
            new = play_round(w, s, uniforms)
            lanes[j] = (sel, w, new)
            if moves is not None:
                for name, value in record_moves({k: v[sel] for k, v in moves.items()}, new,
                                                uniforms).items():
                    moves[name][sel] = value
            active[sel] = ~finished(w, new)
            if blocks is not None:
                blocks.append(series_rows(w, new, runs[sel]))
    put_back()
    return state


def run_mesa(scenario: str, specs: list[RunSpec], rounds: int, series: bool = False,
             lane: int | None = None) -> tuple[list[dict[str, Any]], list[dict[str, np.ndarray]]]:
    """The reference: one :class:`~agents.coalition_model.CoalitionModel` per run."""
    from agents.coalition_model import CoalitionModel
    from model.state import VERDICT_NAMES

    codes = {name: code for code, name in VERDICT_NAMES.items()}
    rows, blocks = [], []
    for spec in specs:
        model = CoalitionModel(scenario, rng=spec.seed, nation_params=spec.nation_params,
                               **spec.params)
        summary = model.run(rounds)
        if series:  # the model's own DataCollector, which records the same SERIES
            recorded = model.datacollector.model_vars
            block = {"run": np.full(len(recorded["round"]), spec.run, dtype=np.int64)}
            for name, (dtype, _) in SERIES.items():
                values = recorded[name]
                if name == "verdict":
                    values = [codes[v] for v in values]
                block[name] = np.asarray(values).astype(dtype)
            blocks.append(block)
        rows.append({**parameter_row(spec, model.config.values), **outcome_row(summary),
                     NATIONS_KEY: nation_rows(model.world, model.state, model.nations, model.moves)})
    return rows, blocks


def run_specs(engine: str, scenario: str, specs: list[RunSpec], rounds: int, series: bool = False,
              lane: int | None = None):
    """Dispatch to an engine by name."""
    return (run_mesa if engine == "mesa" else run_vectorised)(scenario, specs, rounds, series, lane)
