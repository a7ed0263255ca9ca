"""'Why did Germany do that?': a nation's choice explained term by term.

Each term of the nation's utility at its current contribution and at its best
response, and what moves it, in plain words. Used by ``Nation.explain()`` and the app.
"""

from __future__ import annotations

import numpy as np

from model import game as g
from model.conditions import assumes_backstop
from model.events import belief_words, pct


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
    lines = [
        f"{nation.name} (round {model.round}) is {side} the coalition and gives "
        f"{pct(now)} of GDP in bilateral aid (EUR {now * nation.gdp:.2f} bn a year)"
        + (f", plus {pct(eu)} through the EU" if eu > 0 else "")
        + f"; its own defence takes {pct(nation.defence)} of GDP.",
        f"It expects US effort at {100 * x_share:.0f}% of the 2022-24 level (it fears a US that "
        f"is gone or erratic at {100 * nation.abandonment_fear:.0f}%) and "
        f"{belief_words(nation.us_reliance)} (us_reliance {nation.us_reliance:+.2f}); "
        f"the deterrence it perceives is {nation.perceived_deterrence:.2f} (status quo = 1).",
        f"Its best response to the others' aid is {pct(best)} of GDP.",
        "Utility terms, EUR bn a year (now -> at the best response):",
        f"  security benefit   {t_now['benefit']:9.3f} -> {t_best['benefit']:9.3f}"
        + ("" if nation.member else "  (as an outsider it gets only the spillover share)"),
        f"  security budget    {-t_now['cost']:9.3f} -> {-t_best['cost']:9.3f}"
        f"  (aid and {float(game.defence_weight[0, 0]):g} x own defence share it)",
        f"  sucker cost        {-t_now['fairness']:9.3f} -> {-t_best['fairness']:9.3f}"
        f"  (fair reference {pct(ref)} of GDP, against its {pct(now + eu)})",
    ]
    for key, label in (("eu_cost", "EU contribution"), ("opposition", "dislike of EU aid")):
        if abs(t_now[key]) > 0:
            lines.append(f"  {label:18s} {-t_now[key]:9.3f} -> {-t_best[key]:9.3f}")
    lines.append(f"  utility            {t_now['utility']:9.3f} -> {t_best['utility']:9.3f}")
    if same:
        lines.append("It is at its best response: a little more would cost more than the "
                     "security it buys, a little less would lose more security than it saves.")
    elif best < now:
        lines.append("It is moving down: the extra security from its last euros is worth less "
                     "than their political cost" + (" and the sucker cost of paying above its "
                                                   "fair reference." if now + eu > ref else "."))
    else:
        lines.append("It is moving up: more security is worth more to it than the extra cost.")
    gain = nation.switch_gain()
    penalty = float((model.world.exit_penalty if nation.member else model.world.join_penalty)[0, i])
    verb = "Leaving" if nation.member else "Joining"
    switches = bool(g.wants_to_switch(np.array(nation.member), np.array(penalty * nation.gdp - gain)))
    lines.append(f"{verb} (with the others re-optimising) would change its payoff by "
                 f"{gain:+.3f} bn a year against a penalty of {penalty * nation.gdp:.3f} bn: "
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
