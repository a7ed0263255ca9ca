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
from model.events import verdict_reason
from model.rounds import true_deterrence
from model.state import VERDICT_NAMES, State, World, take


def summarize(world: World, state: State, nations: NationTable, run: int = 0) -> dict[str, Any]:
    """The outcome of run ``run`` of a (batched) world and state."""
    if world.runs > 1 or run:
        world, state = take(world, [run]), take(state, [run])
    codes = nations.iso3
    member = state.member[0]
    first = [codes[i] for i in np.flatnonzero(nations.member)]
    members = [codes[i] for i in np.flatnonzero(member)]
    verdict_round = int(state.verdict_round[0, 0])
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
        "european_effort_end_bn": float(g.european_effort(world.game, state.contribution)[0, 0]),
        "us_effort_end_bn": float(state.us_effort[0, 0]),
        "us_level_end": float(state.us_level[0, 0]),
        "deterrence_end": float(true_deterrence(world, state.contribution, state.us_effort)[0, 0]),
        "contributions_end": {c: float(state.contribution[0, i]) for i, c in enumerate(codes)},
    }


# A sweep's per-run outcome columns, in order, with their Arrow types. Each is read off
# summarize()'s dict: a list becomes comma-separated text, NAME_count its length, and
# "fractured" flags the verdict.
OUTCOME_COLUMNS: dict[str, str] = {
    "rounds_run": "int64", "verdict": "string", "fractured": "bool",
    "verdict_round": "int64", "reason": "string", "coalition_size_start": "int64",
    "coalition_size_end": "int64", "members_lost_count": "int64", "members_lost": "string",
    "members_joined": "string", "european_effort_start_bn": "float64",
    "european_effort_end_bn": "float64", "us_effort_end_bn": "float64",
    "us_level_end": "float64", "deterrence_end": "float64",
}


def outcome_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The per-run outcome columns (:data:`OUTCOME_COLUMNS`) of a :func:`summarize` dict."""
    row: dict[str, Any] = {}
    for name in OUTCOME_COLUMNS:
        if name == "fractured":
            row[name] = summary["verdict"] == "fractured"
        elif name.endswith("_count"):
            row[name] = len(summary[name.removesuffix("_count")])
        else:
            value = summary[name]
            row[name] = ",".join(value) if isinstance(value, list) else value
    return row
