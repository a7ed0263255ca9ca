"""Per-nation outputs (issue 12, item 1): who left, in which order, with what.

A sweep keeps one row per run and nation in ``nations/`` (exit round and order, final
contribution, troops), and ``members_lost`` lists the nations in the order they left:
by round, then by their turn in that round's random order of moves. The Mesa model
and the sweep engine record the same moves.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.coalition_model import CoalitionModel
from experiments.design import RunSpec, run_seed
from experiments.engine import NATIONS_KEY, run_mesa, run_vectorised
from experiments.store import load_nation_rows, load_runs
from experiments.sweep import run_sweep
from model.outcomes import NATION_COLUMNS, lost_in_order, no_moves, record_moves
from model.rounds import draw_round, event_stream, move_order


class _State:  # the two fields record_moves reads
    def __init__(self, rnd, switched):
        self.round = np.array([[rnd]])
        self.switched = np.array([switched], dtype=np.int8)
        self.member = self.switched != 99


def test_record_moves_orders_departures_by_round_then_turn():
    n = 4
    first = np.zeros((1, 2 * n + 4))
    first[0, n:2 * n] = [0.9, 0.1, 0.5, 0.3]  # turns: nation 1, 3, 2, 0
    moves = record_moves(no_moves(_State(0, [0] * n)), _State(1, [-1, 0, -1, 0]), first)
    assert moves["left_round"][0].tolist() == [1, -1, 1, -1]
    assert moves["left_turn"][0, [0, 2]].tolist() == [3, 2]  # nation 2 moved before nation 0
    second = np.zeros((1, 2 * n + 4))
    moves = record_moves(moves, _State(2, [0, -1, 0, 0]), second)

    class Nations:
        member = np.array([True, True, True, False])

    assert lost_in_order(Nations, np.array([False, False, False, False]), moves) == [2, 0, 1]
    assert lost_in_order(Nations, np.array([False, False, False, False]), None) == [0, 1, 2]


def test_members_lost_follow_the_rounds_order_of_moves():
    """The textbook coalition: seven of ten leave in round 1, in their turn's order."""
    model = CoalitionModel("lq-textbook", rng=3)
    summary = model.run(5)
    rng = np.random.default_rng(3)
    order = move_order(draw_round([rng], 10, [event_stream(rng)]), 10)[0]
    lost = [model.nations.iso3[i] for i in order if model.nations.iso3[i] in summary["members_lost"]]
    assert len(lost) == 7 and summary["members_lost"] == lost
    assert summary["members_lost"] != sorted(summary["members_lost"])  # not the data's order


def test_engine_and_mesa_give_the_same_nation_rows():
    specs = [RunSpec(k, k, 0, run_seed(4, k), {"noise": 0.1 * k, "n_nations": 6 + k}, {})
             for k in range(3)]
    rows, _ = run_vectorised("lq-textbook", specs, 8)
    ref, _ = run_mesa("lq-textbook", specs, 8)
    assert rows == ref
    for row in rows:
        nations = row[NATIONS_KEY]
        assert set(nations[0]) == set(NATION_COLUMNS)
        left = sorted((n for n in nations if n["exit_order"] is not None),
                      key=lambda n: n["exit_order"])
        assert [n["iso3"] for n in left] == row["members_lost"].split(",")
        assert all(n["exit_round"] >= 1 and not n["member_end"] for n in left)
        assert all(n["exit_round"] is None for n in nations if n["member_end"])


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nations")
    file = folder / "exp.toml"
    file.write_text('scenario = "lq-textbook"\nseed = 5\nrounds = 6\nreplicates = 2\n'
                    'chunk_size = 3\n[vary.n_nations]\nvalues = [5, 8]\n')
    run_sweep(file, folder / "out", progress=False)
    return folder / "out"


def test_the_nations_table_is_one_row_per_run_and_nation(swept):
    runs, nations = load_runs(swept), load_nation_rows(swept)
    assert len(nations) == int(runs["n_nations"].sum())
    assert list(nations.columns) == ["run", *NATION_COLUMNS]
    for _, run in runs.iterrows():
        mine = nations[nations["run"] == run["run"]]
        assert len(mine) == run["n_nations"]
        assert int((~mine["member_end"] & mine["member_start"]).sum()) == run["members_lost_count"]
        gone = mine.dropna(subset=["exit_order"]).sort_values("exit_order")
        assert ",".join(gone["iso3"]) == run["members_lost"]
