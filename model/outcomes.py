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
from model.rounds import round_game, true_deterrence
from model.state import FORMED, GUARANTEE_NAMES, VERDICT_NAMES, State, World, take


def summarize(world: World, state: State, nations: NationTable, run: int = 0) -> dict[str, Any]:
    """The outcome of run ``run`` of a (batched) world and state."""
    if world.runs > 1 or run:
        world, state = take(world, [run]), take(state, [run])
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
        "members_lost": [c for c in first if c not in members],
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
