"""Outcomes of a run: the numbers a summary, the CLI and a sweep row report.

One function for every path (the Mesa model, the vectorised sweep engine), so a
summary means the same thing wherever it was computed: :func:`summarize` gives the
summary, and :func:`outcome_row` flattens it into a sweep's per-run columns
(:data:`OUTCOME_COLUMNS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model import game as g
from model.data import NationTable
from model.events import guarantee_reason, stance, verdict_reason
from model.rounds import move_order, round_game, true_deterrence
from model.state import FORMED, GUARANTEE_NAMES, VERDICT_NAMES, State, World, take


# --------------------------------------------------------------------------- who moved when
MOVE_FIELDS = ("left_round", "left_turn", "joined_round")


def no_moves(state: State) -> dict[str, np.ndarray]:
    """The record of membership moves before any round: -1 everywhere, each (B, N).

    ``left_round``: the round a nation last left the coalition; ``left_turn``: its
    place (0, 1, ...) in that round's order of moves (:func:`model.rounds.move_order`);
    ``joined_round``: the round it last joined.
    """
    return {name: np.full(state.member.shape, -1, dtype=np.int64) for name in MOVE_FIELDS}


def record_moves(moves: dict[str, np.ndarray], state: State, uniforms: np.ndarray) -> dict[str, np.ndarray]:
    """``moves`` after the round that produced ``state`` from ``uniforms``.

    Both the Mesa model and the sweep engine call it after each round, so the order in
    which members left is the same on both paths.
    """
    left, joined = state.switched < 0, state.switched > 0
    turn = np.argsort(move_order(uniforms, state.member.shape[-1]), axis=-1)  # the inverse order
    return {"left_round": np.where(left, state.round, moves["left_round"]),
            "left_turn": np.where(left, turn, moves["left_turn"]),
            "joined_round": np.where(joined, state.round, moves["joined_round"])}


def lost_in_order(nations: NationTable, member: np.ndarray,
                  moves: dict[str, np.ndarray] | None) -> list[int]:
    """Indices of the nations that started in the coalition and ended outside, in the
    order they (last) left: by round, then by their turn within it. Without a record of
    moves, in the order of the data."""
    lost = [i for i in np.flatnonzero(nations.member) if not member[i]]
    if moves is None:
        return lost
    return sorted(lost, key=lambda i: (moves["left_round"][0, i], moves["left_turn"][0, i], i))


def summarize(world: World, state: State, nations: NationTable, run: int = 0,
              moves: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """The outcome of run ``run`` of a (batched) world and state; ``members_lost`` in the
    order they left if ``moves`` (:func:`record_moves`) is given."""
    if world.runs > 1 or run:
        world, state = take(world, [run]), take(state, [run])
        moves = None if moves is None else {k: v[[run]] for k, v in moves.items()}
    codes = nations.iso3
    member = state.member[0]
    first = [codes[i] for i in np.flatnonzero(nations.member)]
    members = [codes[i] for i in np.flatnonzero(member)]
    verdict_round = int(state.verdict_round[0, 0])
    game = round_game(world, state)
    return {
        "rounds_run": int(state.round[0, 0]),
        "verdict": VERDICT_NAMES[int(state.verdict[0, 0])],
        "verdict_round": verdict_round if verdict_round >= 0 else None,
        "reason": verdict_reason(world, state, nations.name),
        "coalition_size_start": len(first),
        "coalition_size_end": len(members),
        "members_end": members,
        "members_lost": [codes[i] for i in lost_in_order(nations, member, moves)],
        "members_joined": [c for c in members if c not in first],
        "european_effort_start_bn": float(state.initial_effort[0, 0]),
        "european_effort_end_bn": float(g.aid_effort(game, state.contribution)[0, 0]),
        "bilateral_aid_end_bn": float(g.bilateral_aid(game, state.contribution)[0, 0]),
        "eu_aid_end_bn": float(state.eu_aid[0, 0]),
        "off_budget_end_bn": float(state.off_budget[0, 0]),
        "eu_opted_out": [codes[i] for i in np.flatnonzero(state.eu_opted_out[0])],
        "us_effort_end_bn": float(state.us_effort[0, 0]),
        "us_level_end": float(state.us_level[0, 0]),
        "expected_us_level_end": float((state.expected_us_effort[0]
                                        / world.game.us_effort_ref[0, 0]).mean()),
        "deterrence_end": float(true_deterrence(world, state)[0, 0]),
        "contributions_end": {c: float(state.contribution[0, i]) for i, c in enumerate(codes)},
        **guarantee_summary(world, state, nations),
    }


def guarantee_summary(world: World, state: State, nations: NationTable) -> dict[str, Any]:
    """The security guarantee at the end of a run (one run, B = 1)."""
    codes, unit = nations.iso3, float(world.force.unit[0, 0])
    began = int(state.ceasefire_began[0, 0])
    unmet = np.flatnonzero((state.troops_offer[0] > 0) & ~state.condition_met[0])
    return {
        "ceasefire_began": began if began >= 0 else None,
        "guarantee": GUARANTEE_NAMES[int(state.guarantee[0, 0])],
        "guarantee_reason": guarantee_reason(world, state, nations.name),
        "force_troops": float(state.force_troops[0, 0]),
        "force_threshold": float(state.force_threshold[0, 0]),
        "force_credible": bool(state.guarantee[0, 0] == FORMED),
        "us_backstop": bool(state.backstop[0, 0]),
        "troops_end": {codes[i]: int(state.troops[0, i] * unit)
                       for i in np.flatnonzero(state.troops[0])},
        "conditions_unmet": [codes[i] for i in unmet],
        "conditions": {codes[i]: stance(world, i, nations.name)[1]
                       for i in np.flatnonzero(state.troops_offer[0] > 0)},
    }


# A sweep's per-run outcome columns, in order, with their Arrow types. Each is read off
# summarize()'s dict: a list becomes comma-separated text, NAME_count its length, and
# "fractured" flags the verdict.
OUTCOME_COLUMNS: dict[str, str] = {
    "rounds_run": "int64", "verdict": "string", "fractured": "bool",
    "verdict_round": "int64", "reason": "string", "coalition_size_start": "int64",
    "coalition_size_end": "int64", "members_lost_count": "int64", "members_lost": "string",
    "members_joined": "string", "european_effort_start_bn": "float64",
    "european_effort_end_bn": "float64", "bilateral_aid_end_bn": "float64",
    "eu_aid_end_bn": "float64", "off_budget_end_bn": "float64", "eu_opted_out": "string",
    "us_effort_end_bn": "float64", "us_level_end": "float64",
    "expected_us_level_end": "float64", "deterrence_end": "float64",
    "ceasefire_began": "int64", "guarantee": "string", "guarantee_reason": "string",
    "force_troops_end": "float64", "force_threshold_end": "float64",
    "force_credible_end": "bool", "us_backstop_end": "bool", "conditions_unmet": "string",
}
# outcome columns named apart from their summary key (parameters have some of the names)
OUTCOME_SOURCES = {f"{k}_end": k for k in ("force_troops", "force_threshold", "force_credible",
                                           "us_backstop")}


def outcome_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The per-run outcome columns (:data:`OUTCOME_COLUMNS`) of a :func:`summarize` dict."""
    row: dict[str, Any] = {}
    for name in OUTCOME_COLUMNS:
        if name == "fractured":
            row[name] = summary["verdict"] == "fractured"
        elif name.endswith("_count"):
            row[name] = len(summary[name.removesuffix("_count")])
        else:
            value = summary[OUTCOME_SOURCES.get(name, name)]
            row[name] = ",".join(value) if isinstance(value, list) else value
    return row


# A sweep's per-nation columns (one row per run and nation), with their Arrow types.
NATION_COLUMNS: dict[str, str] = {
    "iso3": "string", "member_start": "bool", "member_end": "bool", "exit_round": "int64",
    "exit_order": "int64", "joined_round": "int64", "us_reliance": "float64",
    "contribution_end": "float64", "bilateral_aid_end_bn": "float64",
    "troops_offered_end": "int64", "troops_deployed_end": "int64",
}


def nation_rows(world: World, state: State, nations: NationTable,
                moves: dict[str, np.ndarray], run: int = 0) -> list[dict[str, Any]]:
    """One row per nation of run ``run`` (:data:`NATION_COLUMNS`).

    ``exit_round`` is the round a nation that started in the coalition and ended outside
    last left it, and ``exit_order`` its place among those (1 = the first to go);
    ``joined_round`` the round an outsider that ended inside last joined; each is None
    otherwise. ``us_reliance`` is its belief rho_i; the troops are its offer (pledge)
    and what it deploys at the end (0 before a ceasefire).
    """
    if world.runs > 1 or run:
        world, state = take(world, [run]), take(state, [run])
        moves = {k: v[[run]] for k, v in moves.items()}
    member = state.member[0]
    order = {i: k + 1 for k, i in enumerate(lost_in_order(nations, member, moves))}
    unit = float(world.force.unit[0, 0])
    rows = []
    for i, code in enumerate(nations.iso3):
        joined = bool(member[i]) and not nations.member[i]
        rows.append({
            "iso3": code, "member_start": bool(nations.member[i]), "member_end": bool(member[i]),
            "exit_round": int(moves["left_round"][0, i]) if i in order else None,
            "exit_order": order.get(i),
            "joined_round": int(moves["joined_round"][0, i]) if joined else None,
            "us_reliance": float(world.game.us_reliance[0, i]),
            "contribution_end": float(state.contribution[0, i]),
            "bilateral_aid_end_bn": float(state.contribution[0, i] * world.game.gdp[0, i]),
            "troops_offered_end": int(state.troops_offer[0, i] * unit),
            "troops_deployed_end": int(state.troops[0, i] * unit),
        })
    return rows
