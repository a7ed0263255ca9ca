"""'Why did Germany do that?': a nation's choice explained term by term.

Each term of the nation's utility at its current contribution and at its best
response, and what moves it, in plain words. Used by ``Nation.explain()`` and the app.
"""

from __future__ import annotations

import numpy as np

from model import game as g
from model.conditions import assumes_backstop
from model.events import belief_words, pct


def term_unit(values) -> tuple[float, str]:
    """(scale, unit) to print utility terms in: EUR bn a year, or EUR m a year when every
    term is below 1 bn (a small nation's would otherwise print as 0.000)."""
    top = max((abs(v) for v in values), default=0.0)
    return (1.0, "EUR bn") if top >= 1 else (1000.0, "EUR m")


def explain_nation(nation) -> str:
    """The text of ``Nation.explain()`` for a :class:`agents.nation.Nation`."""
    model = nation.model
    now = nation.contribution
    best = nation.best_response()
    t_now, t_best = nation.utility_terms(now), nation.utility_terms(best)
    game, st = model.current_game(), model.state
    i = nation.index
    ref = float(g.fair_reference(game, st.contribution, st.member, st.us_effort)[0, i])
    eu = nation.eu_contribution
    x_share = nation.expected_us_effort / float(game.us_effort_ref[0, 0])
    side = "a member of" if nation.member else "outside"
    same = pct(best) == pct(now)
    scale, unit = term_unit([*t_now.values(), *t_best.values()])

    def row(label: str, key: str, sign: float = 1.0, note: str = "") -> str:
        return (f"  {label:18s} {sign * scale * t_now[key]:9.3f} -> "
                f"{sign * scale * t_best[key]:9.3f}" + (f"  {note}" if note else ""))

    lines = [
        f"{nation.name} (round {model.round}) is {side} the coalition and gives "
        f"{pct(now)} of GDP in bilateral aid (EUR {now * nation.gdp:.2f} bn a year)"
        + (f", plus {pct(eu)} through the EU" if pct(eu) != "0%" else "")
        + f"; its own defence takes {pct(nation.defence)} of GDP.",
        f"It expects US effort at {100 * x_share:.0f}% of the 2022-24 level (it fears a US that "
        f"is gone or erratic at {100 * nation.abandonment_fear:.0f}%) and "
        f"{belief_words(nation.us_reliance)} (US reliance {nation.us_reliance:+.2f}); "
        f"the deterrence it perceives is {nation.perceived_deterrence:.2f} (status quo = 1).",
        f"Its best response to the others' aid is {pct(best)} of GDP.",
        f"Utility terms, {unit} a year of security value (now -> at the best response); the "
        "budget's cost is what giving costs its government at home, not the money given:",
        row("security benefit", "benefit",
            note="" if nation.member else "(as an outsider it gets only the spillover share)"),
        row("security budget", "cost", -1.0,
            f"(aid and {float(game.defence_weight[0, 0]):g} x own defence share it)"),
        row("sucker cost", "fairness", -1.0,
            f"(fair reference {pct(ref)} of GDP, against its {pct(now + eu)})"),
    ]
    for key, label in (("eu_cost", "EU contribution"), ("opposition", "dislike of EU aid")):
        if abs(t_now[key]) > 0:
            lines.append(row(label, key, -1.0))
    lines.append(row("utility", "utility"))
    if same:
        lines.append("It is at its best response: a little more would cost more than the "
                     "security it buys, a little less would lose more security than it saves.")
    elif best < now:
        lines.append(f"It gives more than its best response ({pct(now)} against {pct(best)}), so "
                     "it will cut towards it: the extra security from its last euros is worth "
                     "less than their political cost"
                     + (f" and the sucker cost of paying above its fair reference of {pct(ref)}."
                        if pct(now + eu) != pct(ref) and now + eu > ref else "."))
    else:
        lines.append(f"It gives less than its best response ({pct(now)} against {pct(best)}), so "
                     "it will raise its aid towards it: more security is worth more to it than "
                     "the extra cost.")
    gain = nation.switch_gain()
    penalty = float((model.world.exit_penalty if nation.member else model.world.join_penalty)[0, i])
    verb = "Leaving" if nation.member else "Joining"
    switches = bool(g.wants_to_switch(np.array(nation.member), np.array(penalty * nation.gdp - gain)))
    scale, unit = term_unit([gain, penalty * nation.gdp])
    lines.append(f"{verb} (with the others re-optimising) would change its payoff by "
                 f"{scale * gain:+.3f} {unit[4:]} a year against a penalty of "
                 f"{scale * penalty * nation.gdp:.3f} {unit[4:]}: "
                 + ("it would switch." if switches else "it stays where it is."))
    lines += explain_troops(nation)
    return "\n".join(lines)


def explain_troops(nation) -> list[str]:
    """Its troop decision: its stance, its offer, whether its condition holds, and why
    it offers what it does (the payoff of the force against the cost of its troops)."""
    model = nation.model
    st = model.state
    stated = int(model.calibration.troops_target[0, nation.index])
    if not bool(st.ceasefire[0, 0]):
        return [f"Troops: no ceasefire yet. After one, {nation.name} {nation.troop_stance}; "
                f"its stated pledge is {stated:,} troops (it can keep {nation.troop_capacity:,} "
                "deployed)."]
    if nation.troop_strategy == "never":
        return [f"Troops: {nation.name} {nation.troop_stance}."]
    if not nation.member:
        return [f"Troops: outside the coalition, {nation.name} offers none."]
    offer, deployed = nation.troop_offer, nation.troops
    if offer == 0:
        held = "It offers no troops"
    elif nation.condition_met:
        held = f"It offers {offer:,} troops and deploys them"
    else:
        held = (f"It offers {offer:,} troops, but its condition ({nation.troop_condition}) is "
                "not met, so none deploy")
    lines = [f"Troops: {nation.name} {nation.troop_stance}. {held}."]
    curve = nation.troop_payoffs()
    k = int(np.argmax(curve["payoff"]))
    best = int(curve["troops"][k])
    force = float(st.force_troops[0, 0])
    need = float(st.force_threshold[0, 0])
    unit = float(model.world.force.unit[0, 0])
    if k + 1 < len(curve["payoff"]):
        more = float(curve["payoff"][k] - curve["payoff"][k + 1])
        why = (f"one more unit ({unit:,.0f} troops) would cost it {more:.4f} bn a year more than "
               "the security it adds")
    else:
        why = "it offers all it can keep deployed"
    if k > 0:
        less = float(curve["payoff"][k] - curve["payoff"][k - 1])
        why += f"; one unit fewer would lose {less:.4f} bn a year of security net of the saving"
    if assumes_backstop(model.world.troop_strategy)[0, nation.index] and not st.backstop[0, 0]:
        need = float(model.world.force.threshold_backed[0, 0])
        lines.append(f"Its best offer for the force that would stand if the US backed it "
                     f"({need:,.0f} troops needed) is {best:,} troops: {why}.")
    else:
        lines.append(f"Its best offer against the force as it stands ({force:,.0f} troops; "
                     f"{need:,.0f} needed) is {best:,} troops: {why}.")
    return lines
