"""'Why did Germany do that?': a nation's choice explained term by term.

Each term of the nation's utility at its current contribution and at its best
response, and what moves it, in plain words. Used by ``Nation.explain()`` and the app.
"""

from __future__ import annotations

import numpy as np

from model import game as g
from model.events import belief_words, pct


def explain_nation(nation) -> str:
    """The text of ``Nation.explain()`` for a :class:`agents.nation.Nation`."""
    model = nation.model
    now = nation.contribution
    best = nation.best_response()
    t_now, t_best = nation.utility_terms(now), nation.utility_terms(best)
    game, st = model.current_game(), model.state
    ref = float(g.fair_reference(game, st.contribution, st.member, st.us_effort)[0, nation.index])
    x_share = nation.expected_us_effort / float(game.us_effort_ref[0, 0])
    side = "a member of" if nation.member else "outside"
    lines = [
        f"{nation.name} (round {model.round}) is {side} the coalition and gives "
        f"{pct(now)} of GDP (USD {now * nation.gdp:.2f} bn a year).",
        f"It expects US effort at {100 * x_share:.0f}% of the 2022-24 level and "
        f"{belief_words(nation.us_reliance)} (us_reliance {nation.us_reliance:+.2f}); "
        f"the deterrence it perceives is {nation.perceived_deterrence:.2f} (status quo = 1).",
        f"Its best response to the others' pledges is {pct(best)} of GDP.",
        "Utility terms, USD bn a year (now -> at the best response):",
        f"  security benefit   {t_now['benefit']:9.3f} -> {t_best['benefit']:9.3f}"
        + ("" if nation.member else "  (as an outsider it gets only the spillover share)"),
        f"  domestic cost      {-t_now['cost']:9.3f} -> {-t_best['cost']:9.3f}",
        f"  sucker cost        {-t_now['fairness']:9.3f} -> {-t_best['fairness']:9.3f}"
        f"  (fair reference {pct(ref)} of GDP)",
        f"  utility            {t_now['utility']:9.3f} -> {t_best['utility']:9.3f}",
    ]
    if abs(best - now) <= 1e-6 * max(now, 1e-9):
        lines.append("It is already at its best response: a little more would cost more than the "
                     "security it buys, a little less would lose more security than it saves.")
    elif best < now:
        lines.append("It is moving down: the extra security from its last dollars is worth less "
                     "than their political cost" + (" and the sucker cost of paying above its "
                                                   "fair reference." if now > ref else "."))
    else:
        lines.append("It is moving up: more security is worth more to it than the extra cost.")
    gain = nation.switch_gain()
    penalty = float((model.world.exit_penalty if nation.member else model.world.join_penalty)[0, 0])
    verb = "Leaving" if nation.member else "Joining"
    switches = bool(g.wants_to_switch(np.array(nation.member), np.array(penalty * nation.gdp - gain)))
    lines.append(f"{verb} (with the others re-optimising) would change its payoff by "
                 f"{gain:+.3f} bn a year against a penalty of {penalty * nation.gdp:.3f} bn: "
                 + ("it would switch." if switches else "it stays where it is."))
    return "\n".join(lines)
