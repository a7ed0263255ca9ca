"""The event log and the verdict's reason, in plain words for a seminar.

Events are read off the difference between two states, so the same function serves
the Mesa model and the app. Reasons are worked out from the model's own numbers (the
nation's belief rho, its expectation of US effort, its fair reference); nothing here
is written per country or per policy.
"""

from __future__ import annotations

import numpy as np

from model import game as g
from model.state import (CAUSE_CORE, CAUSE_EFFORT, CAUSE_SIZE, CONVERGED, FRACTURED,
                         State, World)

NOTABLE_CHANGE = 0.10  # log a contribution change of at least 10% ...
NOTABLE_SHARE = 0.01  # ... by a nation carrying at least 1% of European effort


def pct(share: float) -> str:
    """A share of GDP as a percentage with sensible precision."""
    value = 100 * share
    return f"{value:.2f}%" if value >= 0.01 or value == 0 else f"{value:.4f}%"


def belief_words(rho: float) -> str:
    if rho >= 0.75:
        return "sees European effort as able to stand in for the US's (substitutes)"
    if rho > 0.05:
        return "sees European effort as partly able to replace the US's"
    if rho > -0.05:
        return "sees European and US effort as working together (Cobb-Douglas)"
    return "sees European effort as weak without a US backstop (complements)"


def contribution_reason(world: World, old: State, new: State, i: int) -> str:
    """Why nation i moved its pledge this round."""
    game = world.game
    rho = float(game.us_reliance[0, i])
    x_old = float(old.expected_us_effort[0, i] / game.us_effort_ref[0, 0])
    x_new = float(new.expected_us_effort[0, i] / game.us_effort_ref[0, 0])
    up = new.contribution[0, i] > old.contribution[0, i]
    reasons = []
    if abs(x_new - x_old) > 0.02:
        trend = "fall" if x_new < x_old else "rise"
        reasons.append(f"it expects US effort to {trend} to {100 * x_new:.0f}% of its "
                       f"2022-24 level and {belief_words(rho)}")
    if new.rally[0, i] > old.rally[0, i] + 1e-9:
        reasons.append("it feels more exposed after the adversary's probe")
    ref = g.fair_reference(game, new.contribution, new.member, new.us_effort)[0, i]
    if not up and new.target[0, i] <= ref * (1 + 1e-6) and game.sucker_cost[0, i] > 0:
        reasons.append(f"it will not pay above its fair reference of {pct(ref)} of GDP")
    if not reasons:
        reasons.append("the others' pledges changed its best response to "
                       f"{pct(new.target[0, i])} of GDP")
    return "; ".join(reasons)


def describe_round(world: World, old: State, new: State, names: tuple[str, ...]) -> list[str]:
    """Plain-words events of the round that turned ``old`` into ``new``."""
    r = int(new.round[0, 0])
    out = []
    lv_old, lv_new = float(old.us_level[0, 0]), float(new.us_level[0, 0])
    if abs(lv_new - lv_old) > 1e-9:
        verb = "cut" if lv_new < lv_old else "raised"
        out.append(f"Round {r}: the US {verb} its commitment from {100 * lv_old:.0f}% to "
                   f"{100 * lv_new:.0f}% of its 2022-24 effort "
                   f"(USD {float(new.us_effort[0, 0]):.1f} bn a year).")
    target = int(new.probe_target[0, 0])
    if target >= 0:
        out.append(f"Round {r}: the adversary probed near {names[target]}; nations nearby feel "
                   "more exposed for a while (rally effect).")
    gdp = world.game.gdp[0]
    effort = float(g.european_effort(world.game, new.contribution)[0, 0])
    for i, name in enumerate(names):
        s0, s1 = float(old.contribution[0, i]), float(new.contribution[0, i])
        big = max(s0, s1) * gdp[i] >= NOTABLE_SHARE * effort
        if new.switched[0, i] == 0 and s0 > 0 and abs(s1 - s0) >= NOTABLE_CHANGE * s0 and big:
            verb = "raised" if s1 > s0 else "cut"
            out.append(f"Round {r}: {name} {verb} its pledge from {pct(s0)} to {pct(s1)} of GDP: "
                       f"{contribution_reason(world, old, new, i)}.")
    for i, name in enumerate(names):
        if new.switched[0, i] == -1:
            out.append(f"Round {r}: {name} left the coalition: staying out, with the others "
                       "re-optimising, pays more than staying in"
                       + (f" (net of an exit penalty of {pct(float(world.exit_penalty[0, 0]))} "
                          "of GDP)." if world.exit_penalty[0, 0] > 0 else "."))
        elif new.switched[0, i] == 1:
            out.append(f"Round {r}: {name} joined the coalition: being in, with the others "
                       "re-optimising, pays more than staying out.")
    if new.verdict[0, 0] != old.verdict[0, 0] and new.verdict[0, 0] != 0:
        out.append(f"Round {r}: {verdict_reason(world, new, names)}")
    return out


def verdict_reason(world: World, state: State, names: tuple[str, ...]) -> str:
    """One sentence: the verdict and why."""
    v = int(state.verdict[0, 0])
    size = int(state.member[0].sum())
    start = int(state.initial_size[0, 0])
    effort = float(g.european_effort(world.game, state.contribution)[0, 0])
    e0 = float(state.initial_effort[0, 0])
    if v == FRACTURED:
        cause = int(state.cause[0, 0])
        if cause == CAUSE_CORE:
            gone = [names[i] for i in np.flatnonzero(world.core[0] & ~state.member[0])]
            return f"the coalition fractured: core nation {' and '.join(gone)} left."
        if cause == CAUSE_SIZE:
            return (f"the coalition fractured: it shrank to {size} of its {start} members "
                    f"(below {100 * float(world.fracture_size[0, 0]):.0f}%).")
        if cause == CAUSE_EFFORT:
            return (f"the coalition fractured: European effort fell to USD {effort:.1f} bn a year, "
                    f"{100 * effort / e0:.0f}% of its start (below "
                    f"{100 * float(world.fracture_effort[0, 0]):.0f}%).")
    if v == CONVERGED:
        return (f"the coalition converged: {size} members and every contribution unchanged for "
                f"{int(world.converge_rounds[0, 0])} rounds; European effort USD {effort:.1f} bn "
                f"a year ({100 * effort / e0:.0f}% of its start).")
    rounds = int(state.round[0, 0])
    if rounds == 0:
        return f"no verdict yet: the coalition starts with {size} members."
    moving = "membership or contributions were still changing"
    return f"unresolved after {rounds} rounds: {moving} ({size} members)."
