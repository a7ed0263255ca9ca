"""The event log and the verdict's reason, in plain words for a seminar.

Events are read off the difference between two states, so the same function serves
the Mesa model and the app. Reasons are worked out from the model's own numbers (the
nation's belief rho, the US it expects, its fair reference, its budget, the Council's
vote); nothing here is written per country or per policy. A change is logged only if
it shows at the precision printed.
"""

from __future__ import annotations

import numpy as np

from model import beliefs as bl
from model import conditions
from model import council
from model import game as g
from model.policies import get_policy, policy_names
from model.rounds import round_game, us_observation
from model.state import (CAUSE_CORE, CAUSE_EFFORT, CAUSE_SIZE, CONVERGED, FORMED, FRACTURED,
                         HOLLOW, NO_CEASEFIRE, State, World)

NOTABLE_CHANGE = 0.10  # log a contribution change of at least 10% ...
NOTABLE_SHARE = 0.01  # ... by a nation carrying at least 1% of European aid


def pct(share: float) -> str:
    """A share of GDP as a percentage with sensible precision: two decimals from 0.01%,
    four below, and "0%" for what rounds to nothing at four decimals.

    Two shares that print the same are the same for every text of the model: a change
    is reported only when its printed numbers differ.

    Examples
    --------
    >>> pct(0.0013), pct(0.0000123), pct(3e-9), pct(0.0)
    ('0.13%', '0.0012%', '0%', '0%')
    """
    value = 100 * share
    if abs(value) < 5e-5:
        return "0%"
    return f"{value:.2f}%" if abs(value) >= 0.01 else f"{value:.4f}%"


def belief_words(rho: float) -> str:
    if rho >= 0.75:
        return "sees European effort as able to stand in for the US's (substitutes)"
    if rho > 0.05:
        return "sees European effort as partly able to replace the US's"
    if rho > -0.05:
        return "sees European and US effort as working together, each worth more with the other"
    return "sees European effort as weak without a US backstop (complements)"


def names_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def contribution_reason(world: World, old: State, new: State, i: int,
                        games: tuple[g.Game, g.Game] | None = None) -> str:
    """Why nation i moved its bilateral aid this round (``games``: the rounds' games of
    ``old`` and ``new``, if the caller has them)."""
    before, game = games if games is not None else (round_game(world, old), round_game(world, new))
    rho = float(game.us_reliance[0, i])
    x_old = float(old.expected_us_effort[0, i] / game.us_effort_ref[0, 0])
    x_new = float(new.expected_us_effort[0, i] / game.us_effort_ref[0, 0])
    up = new.contribution[0, i] > old.contribution[0, i]
    reasons = []
    if round(100 * x_new) != round(100 * x_old):
        trend = "fall" if x_new < x_old else "rise"
        reasons.append(f"it expects US effort to {trend} to {100 * x_new:.0f}% of its "
                       f"2022-24 level and {belief_words(rho)}")
    if new.rally[0, i] > old.rally[0, i] + 1e-9:
        reasons.append("it feels more exposed after the adversary's probe")
    d_old, d_new = float(old.defence[0, i]), float(new.defence[0, i])
    if not up and pct(d_new) != pct(d_old) and d_new > d_old and game.defence_weight[0, 0] > 0:
        reasons.append(f"its own defence rose from {pct(d_old)} to {pct(d_new)} of GDP, "
                       "and the two share one political budget")
    e_old = float(before.eu_share[0, i])
    e_new = float(game.eu_share[0, i])
    if not up and pct(e_new) != pct(e_old) and e_new > e_old:
        reasons.append(f"the EU now gives more on its behalf ({pct(e_new)} of its GDP)")
    ref = float(g.fair_reference(game, new.contribution, new.member, new.us_effort)[0, i])
    best, eu = float(new.target[0, i]), float(game.eu_share[0, i])
    burden = best + eu
    if not up and burden <= ref * (1 + 1e-6) and burden >= ref * (1 - 1e-6) \
            and game.sucker_cost[0, i] > 0:
        reasons.append(f"it will not pay more than its fair reference of {pct(ref)} of GDP"
                       + (f", which its best bilateral aid ({pct(best)}) and its share of the "
                          f"EU's aid ({pct(eu)}) together reach" if pct(eu) != "0%" else ""))
    if not reasons:
        reasons.append("the others' aid changed its best response to "
                       f"{pct(new.target[0, i])} of GDP")
    return "; ".join(reasons)


def stance(world: World, i: int, names: tuple[str, ...]):
    """Nation i's stance on the force: (its class, "deploys only if ...", "a US backstop")."""
    cls = conditions.REGISTRY[conditions.strategy_names()[int(world.troop_strategy[0, i])]]
    args = (float(world.condition_others[0, i]), float(world.condition_force[0, i]),
            [names[j] for j in np.flatnonzero(world.condition_nations[0, i])])
    return cls, cls.describe(*args), cls.condition(*args)


def troops_text(units: float, world: World) -> str:
    return f"{int(round(units * float(world.force.unit[0, 0]))):,} troops"


def unmet_conditions(world: World, state: State, names: tuple[str, ...]) -> list[str]:
    """Offers not honoured because their condition failed, grouped by condition:
    "the conditions of Germany and Sweden (a US backstop) were not met"."""
    groups: dict[str, list[str]] = {}
    for i in np.flatnonzero((state.troops_offer[0] > 0) & ~state.condition_met[0]):
        groups.setdefault(stance(world, i, names)[2], []).append(names[i])
    return [(f"{who[0]}'s condition ({what}) was not met" if len(who) == 1 else
             f"the conditions of {names_list(who)} ({what}) were not met")
            for what, who in groups.items()]


def backstop_words(state: State) -> str:
    if bool(state.backstop[0, 0]):
        return "with a US backstop"
    if bool(state.backstop_offered[0, 0]) and state.backstop_price[0, 0] > 0:
        return (f"without a US backstop (the US asked for a force of at least "
                f"{float(state.backstop_price[0, 0]):,.0f} troops first)")
    return "without a US backstop"


def guarantee_reason(world: World, state: State, names: tuple[str, ...]) -> str:
    """One sentence: the security guarantee after a ceasefire, and why."""
    code = int(state.guarantee[0, 0])
    if code == NO_CEASEFIRE:
        return "no ceasefire: no reassurance force is raised."
    total, need = float(state.force_troops[0, 0]), float(state.force_threshold[0, 0])
    unmet = unmet_conditions(world, state, names)
    tail = ("; " + "; ".join(unmet)) if unmet else ""
    if code == FORMED:
        top = np.argsort(-state.troops[0], kind="stable")[:3]
        lead = ", ".join(f"{names[i]} {troops_text(state.troops[0, i], world)}"
                         for i in top if state.troops[0, i] > 0)
        return (f"the guarantee formed: the force reached {total:,.0f} troops, above the "
                f"{need:,.0f} it needs {backstop_words(state)} ({lead}){tail}.")
    if code == HOLLOW:
        return (f"the guarantee is hollow: the force reached {total:,.0f} troops of the "
                f"{need:,.0f} it needs {backstop_words(state)}{tail}.")
    offers = int((state.troops_offer[0] > 0).sum())
    stand = "1 offer stands, but it is not" if offers == 1 else f"{offers} offers stand, but none is"
    why = (f"{stand} honoured{tail}" if offers else
           f"no nation offers troops for a force that would fall short of the {need:,.0f} it "
           f"needs {backstop_words(state)}")
    return f"the guarantee did not form: no troops deploy; {why}."


def force_event(r: int, world: World, old: State, new: State, names: tuple[str, ...]) -> list[str]:
    """The ceasefire, the backstop, the guarantee's state and who deploys or withdraws."""
    out = []
    if not bool(new.ceasefire[0, 0]):
        return out
    if not bool(old.ceasefire[0, 0]):
        offered = float(new.troops_offer[0].sum()) * float(world.force.unit[0, 0])
        out.append(f"Round {r}: a ceasefire began; the coalition raises a reassurance force "
                   f"(offers of {offered:,.0f} troops).")
    elif bool(new.backstop[0, 0]) != bool(old.backstop[0, 0]):
        out.append(f"Round {r}: the US " + ("now backs" if new.backstop[0, 0] else "no longer backs")
                   + f" the force: it needs {float(new.force_threshold[0, 0]):,.0f} troops to be "
                   "credible.")
    for i, name in enumerate(names):
        was, now = int(old.troops[0, i]), int(new.troops[0, i])
        if was > 0 and now == 0 and new.troops_offer[0, i] > 0 and not new.condition_met[0, i]:
            out.append(f"Round {r}: {name} withdrew its {troops_text(was, world)}: its condition "
                       f"({stance(world, i, names)[2]}) is no longer met.")
        elif was == 0 and now > 0 and bool(old.ceasefire[0, 0]):
            out.append(f"Round {r}: {name} deploys {troops_text(now, world)}.")
    if new.guarantee[0, 0] != old.guarantee[0, 0]:
        out.append(f"Round {r}: {guarantee_reason(world, new, names)}")
    return out


def us_reason(world: World, old: State, new: State, game: g.Game) -> str:
    """Why the US set its commitment this round, in its policy's words, with the numbers
    it looked at (last round's Europe; ``game``: the round that produced ``old``)."""
    policy = get_policy(policy_names()[int(world.policy_code[0, 0])])
    obs = us_observation(world, old, new.round, game)
    params = {k: float(np.asarray(v)[0, 0]) for k, v in world.policy_params.items()}
    return policy.explain({k: float(np.asarray(v).reshape(-1)[0]) for k, v in vars(obs).items()},
                          params, float(new.us_level[0, 0]), float(new.us_memory[0, 0]))


def us_event(r: int, world: World, old: State, new: State, game: g.Game) -> list[str]:
    out = []
    lv_old, lv_new = float(old.us_level[0, 0]), float(new.us_level[0, 0])
    if round(100 * lv_new) != round(100 * lv_old):
        verb = "cut" if lv_new < lv_old else "raised"
        out.append(f"Round {r}: the US {verb} its commitment from {100 * lv_old:.0f}% to "
                   f"{100 * lv_new:.0f}% of its 2022-24 effort "
                   f"(EUR {float(new.us_effort[0, 0]):.1f} bn a year): "
                   f"{us_reason(world, old, new, game)}.")
    if bool(new.announced[0, 0]):
        out.append(f"Round {r}: the US announced that it stops all effort.")
    fear_old = float(old.us_belief[0, :, [bl.ERRATIC, bl.GONE]].sum(0).mean())
    fear_new = float(new.us_belief[0, :, [bl.ERRATIC, bl.GONE]].sum(0).mean())
    if round(100 * fear_new) // 10 != round(100 * fear_old) // 10:
        out.append(f"Round {r}: Europe's fear of abandonment went from {100 * fear_old:.0f}% to "
                   f"{100 * fear_new:.0f}% (the weight nations put on a US that is gone or "
                   "erratic, learned from what it did).")
    return out


def eu_event(r: int, world: World, old: State, new: State, names: tuple[str, ...]) -> list[str]:
    code = int(new.eu_event[0, 0])
    a_old, a_new = float(old.eu_aid[0, 0]), float(new.eu_aid[0, 0])
    proposed = float(new.eu_proposal[0, 0])
    blockers = [names[i] for i in np.flatnonzero(new.eu_blockers[0])]
    if code == council.EU_BLOCKED:
        linkage = ", ".join(f"{names[i]} EUR {float(world.veto_linkage[0, i]):.1f} bn"
                            for i in np.flatnonzero(new.eu_blockers[0]))
        return [f"Round {r}: {names_list(blockers)} vetoed the EU's proposal of EUR {proposed:.1f} "
                f"bn a year (from EUR {a_old:.1f} bn): its loss from it is more than the most it "
                f"can be offered ({linkage}); EU aid stays where it is while the others prepare "
                f"to go ahead without it (blocked {int(new.eu_blocked[0, 0])} of "
                f"{int(world.veto_delay[0, 0])} rounds before they do)."]
    if code == council.EU_WORKAROUND:
        out_now = [names[i] for i in np.flatnonzero(new.eu_opted_out[0] & ~old.eu_opted_out[0])]
        return [f"Round {r}: the other EU members went ahead without {names_list(out_now)} "
                f"(enhanced cooperation; they opt out and stop paying): EU aid goes towards "
                f"EUR {proposed:.1f} bn a year."]
    if code == council.EU_PRICE_PAID:
        return [f"Round {r}: the EU agreed EUR {proposed:.1f} bn a year of aid; the veto players "
                f"were paid EUR {float(new.eu_price[0, 0]):.2f} bn a year (linkage) to let it pass."]
    if code == council.EU_ADOPTED and f"{a_new:.1f}" != f"{a_old:.1f}":
        verb = "raised" if a_new > a_old else "cut"
        return [f"Round {r}: the EU Council {verb} EU-level aid from EUR {a_old:.1f} to "
                f"EUR {a_new:.1f} bn a year (towards its deal of EUR {proposed:.1f} bn)."]
    return []


def describe_round(world: World, old: State, new: State, names: tuple[str, ...]) -> list[str]:
    """Plain-words events of the round that turned ``old`` into ``new``."""
    r = int(new.round[0, 0])
    games = (round_game(world, old), round_game(world, new))
    out = us_event(r, world, old, new, games[0])
    target = int(new.probe_target[0, 0])
    if target >= 0:
        out.append(f"Round {r}: the adversary probed near {names[target]}; nations nearby feel "
                   "more exposed for a while (rally effect).")
    o_old, o_new = float(old.off_budget[0, 0]), float(new.off_budget[0, 0])
    if f"{o_new:.1f}" != f"{o_old:.1f}":
        out.append(f"Round {r}: off-budget money for Ukraine (loans serviced by Russian assets) "
                   f"went from EUR {o_old:.1f} to {o_new:.1f} bn a year; it costs no national "
                   "budget.")
    out += eu_event(r, world, old, new, names)
    out += force_event(r, world, old, new, names)
    gdp = world.game.gdp[0]
    effort = float(g.aid_effort(games[1], new.contribution)[0, 0])
    for i, name in enumerate(names):
        s0, s1 = float(old.contribution[0, i]), float(new.contribution[0, i])
        big = max(s0, s1) * gdp[i] >= NOTABLE_SHARE * effort
        if (new.switched[0, i] == 0 and s0 > 0 and abs(s1 - s0) >= NOTABLE_CHANGE * s0 and big
                and pct(s1) != pct(s0)):
            verb = "raised" if s1 > s0 else "cut"
            out.append(f"Round {r}: {name} {verb} its bilateral aid from {pct(s0)} to {pct(s1)} of "
                       f"GDP: {contribution_reason(world, old, new, i, games)}.")
    for i, name in enumerate(names):
        if new.switched[0, i] == -1:
            penalty = float(world.exit_penalty[0, i])
            out.append(f"Round {r}: {name} left the coalition: staying out, with the others "
                       "re-optimising, pays more than staying in"
                       + (f" by more than its exit penalty of {pct(penalty)} of GDP."
                          if penalty > 0 else "."))
        elif new.switched[0, i] == 1:
            out.append(f"Round {r}: {name} joined the coalition: being in, with the others "
                       "re-optimising, pays more than staying out.")
    if new.verdict[0, 0] != old.verdict[0, 0] and new.verdict[0, 0] != 0:
        out.append(f"Round {r}: {verdict_reason(world, new, names, games[1])}")
    return out


def verdict_reason(world: World, state: State, names: tuple[str, ...],
                   game: g.Game | None = None) -> str:
    """One sentence: the verdict and why (``game``: :func:`model.rounds.round_game` of
    ``state``, if the caller has it)."""
    v = int(state.verdict[0, 0])
    size = int(state.member[0].sum())
    start = int(state.initial_size[0, 0])
    game = round_game(world, state) if game is None else game
    effort = float(g.aid_effort(game, state.contribution)[0, 0])
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
            return (f"the coalition fractured: European aid fell to EUR {effort:.1f} bn a year, "
                    f"{100 * effort / e0:.0f}% of its start (below "
                    f"{100 * float(world.fracture_effort[0, 0]):.0f}%).")
    if v == CONVERGED:
        return (f"the coalition converged: {size} members and every contribution unchanged for "
                f"{int(world.converge_rounds[0, 0])} rounds; European aid EUR {effort:.1f} bn "
                f"a year ({100 * effort / e0:.0f}% of its start).")
    rounds = int(state.round[0, 0])
    if rounds == 0:
        return f"no verdict yet: the coalition starts with {size} members."
    word = "round" if rounds == 1 else "rounds"
    stable, needed = int(state.stable_rounds[0, 0]), int(world.converge_rounds[0, 0])
    if stable > 0:
        moving = (f"nothing has changed for {stable} of the {needed} rounds that make it "
                  "converged")
    else:
        moving = "membership or contributions were still changing"
    return f"unresolved after {rounds} {word}: {moving} ({size} members)."
