"""Plain words for the app: the glossary behind its tooltips and the captions of its
controls.

Every symbol the model's texts use (rho, sigma, beta, ...) and a few terms of the
trade (complements, substitutes, best response, ...) have one entry in
:data:`GLOSSARY`; :func:`gloss_html` turns a text into HTML in which each occurrence
is an ``<abbr class="coalition-term" title="...">``, the browser's own tooltip, so a
student can point at a word and read what it means. :data:`CAPTIONS` says in plain
words what each control of the sidebar does (the parameter's declaration in
``model/config.py`` keeps the symbols and names, for researchers and ``coalition
parameters``).
"""

from __future__ import annotations

import html
import re

# symbol or term -> what it means, in plain words (case-insensitive, whole words)
SYMBOLS = {
    "rho": "US reliance: how a nation sees European and US effort combining in deterrence. "
           "Below 0 they are complements (European effort is weak without the US's); 1 means "
           "substitutes (Europe can stand in for the US).",
    "sigma": "spillover: the share of the security benefit a nation outside the coalition "
             "still gets.",
    "beta": "sucker aversion: how much a nation dislikes paying more than its fair share.",
    "eta": "adjustment speed: the share of the way to its best response a nation moves in a "
           "year (also the weight of own defence in the same budget as aid).",
    "tau": "noise: a random wobble on each nation's aid each round.",
    "phi": "political cost: how quickly giving more gets dearer at home; calibrated so that "
           "2022-24 aid is each nation's best response.",
    "theta": "exposure: how threatened a nation is (nearer Russia, more exposed).",
    "delta": "saturation: the scale at which more deterrence stops adding much security.",
    "omega": "force weight: how much a fully credible reassurance force deters without a US "
             "backstop.",
    "mu": "backstop multiplier: what a US backstop multiplies the force's deterrence by.",
    "gamma": "how steeply the cost of troops rises with the share of a nation's forces "
             "deployed.",
    "kappa": "troop cost: the cost of deploying all of a nation's sustainable forces.",
    "lambda": "joint product: the share of a euro of own defence that also deters.",
    "epsilon": "the political weight of a contribution to the EU's aid in a nation's budget.",
}
TERMS = {
    "Cobb-Douglas": "the middle case of US reliance (0): European and US effort each worth "
                    "more with the other.",
    "complements": "European and US effort work only together: without the US, European "
                   "effort deters little (US reliance below 0).",
    "substitutes": "European effort can replace the US's (US reliance near 1).",
    "best response": "the aid that pays a nation best, given what the others give.",
    "fair reference": "what a nation thinks a fair share is: a mix of its peers' burden and "
                      "the US's, as a share of GDP.",
    "sucker cost": "the cost a nation feels from paying more than its fair reference.",
    "spillover": "the share of the security benefit a nation outside the coalition still "
                 "gets: the free rider's temptation.",
    "hysteresis": "a tolerance band: a transactional US punishes only below its demand less "
                  "half the band, and returns only above its demand plus half the band.",
    "tolerance band": "a transactional US punishes only below its demand less half the band, "
                      "and returns only above its demand plus half the band.",
    "backstop": "US air cover, intelligence and a security guarantee behind the "
                "reassurance force.",
    "assurance game": "a game in which each player does its part only if enough others do "
                      "theirs (a stag hunt): both 'no force' and 'a force at the threshold' "
                      "are equilibria.",
    "stag hunt": "Rousseau's parable: hunting the stag together pays best, but only if no one "
                 "defects to chase a hare; the assurance game.",
    "fear of abandonment": "the weight nations put on a US that is gone or erratic, learned "
                           "from what the US did (Snyder's abandonment).",
    "status quo": "2022-24, the period the model is calibrated to.",
}
GLOSSARY = {**SYMBOLS, **TERMS}

_PATTERN = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(GLOSSARY, key=len,
                                                                      reverse=True)) + r")\b",
                      re.IGNORECASE)
_LOOKUP = {t.lower(): t for t in GLOSSARY}


def meaning(term: str) -> str | None:
    """The glossary's entry for ``term`` (any case), or None."""
    key = _LOOKUP.get(term.lower())
    return GLOSSARY[key] if key else None


def gloss_html(text: str) -> str:
    """``text`` as HTML (escaped), each glossary term wrapped in an ``<abbr>`` tooltip."""
    out, last = [], 0
    for m in _PATTERN.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append(f'<abbr class="coalition-term" title="{html.escape(meaning(m.group(0)))}">'
                   f"{html.escape(m.group(0))}</abbr>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


_CODE = re.compile(r"(`[^`]*`|<[^>]*>)")


def gloss_markdown(text: str) -> str:
    """Markdown with glossary tooltips outside code spans and tags (the Info tab)."""
    parts = _CODE.split(text)
    return "".join(p if _CODE.fullmatch(p) else _gloss_keep(p) for p in parts)


def _gloss_keep(text: str) -> str:
    """Like :func:`gloss_html` but leaves Markdown punctuation alone (no escaping)."""
    return _PATTERN.sub(lambda m: f'<abbr class="coalition-term" title="'
                        f'{html.escape(meaning(m.group(0)))}">{m.group(0)}</abbr>', text)


# What each control does, in plain words (no symbols, no parameter names).
CAPTIONS = {
    "us_level": "its effort when engaged, as a share of its 2022-24 effort",
    "us_low_level": "its effort when punishing or disengaged",
    "us_withdraw_start": "the round in which it starts to cut",
    "us_withdraw_rate": "the share of its 2022-24 effort it cuts each round",
    "us_demand": "the aid burden (share of GDP) it asks of Europe, relative to its own",
    "us_hysteresis": "how far below its demand Europe may fall before it punishes (half the "
                     "band), and how far above it Europe must rise before it returns",
    "us_switch_prob": "the chance each round that it switches between engaged and "
                      "disengaged",
    "us_stake": "how much it values deterrence (1: its 2022-24 effort is what suits it best)",
    "us_backstop": "air cover, intelligence and a guarantee behind the reassurance force, "
                   "while the US is engaged; it lowers the troops the force needs and makes "
                   "it deter more",
    "us_backstop_price": "a transactional US backs the force only once Europe fields this "
                         "many troops",
    "us_reliance": "how nations see European and US effort combining: below 0, Europe's "
                   "effort is weak without the US (complements); at 1, Europe can stand in "
                   "for the US (substitutes)",
    "us_reliance_spread": "how much nations' beliefs differ around that mean",
    "sucker_aversion": "how much a nation dislikes paying more than its fair share",
    "defence_path": "own defence over time: observed (the NATO figures, then held), hague "
                    "(then towards the Hague target), hold (the 2022-24 level)",
    "defence_budget_weight": "how much a euro of own defence weighs in the same budget as "
                             "aid (0: separate budgets)",
    "eu_channel": "the EU's own aid is decided in the Council, where a member can veto (off: "
                  "it stays at its 2022-24 level)",
    "off_budget": "loans serviced by the immobilised Russian assets: the observed schedule, "
                  "held at the 2022-24 rate, or none",
    "reparations_loan": "money lent to Ukraine from the immobilised Russian assets "
                        "themselves",
    "spillover": "the share of the security benefit a nation outside the coalition still "
                 "gets",
    "penalty_scale": "how costly leaving or joining is, as a multiple of the cost the data "
                     "reveal (nobody left or joined in 2022-25)",
    "adjustment_speed": "how far towards its best aid a nation moves in a year",
    "noise": "a random wobble on each nation's aid each round",
    "mode": "nations decide alone (independent) or agree their pledges together "
            "(coordinated)",
    "adversary": "the adversary probes where deterrence is weak; nations near a probe feel "
                 "more exposed for a while",
    "stop_on_verdict": "stop once the coalition converges or fractures",
    "ceasefire_round": "the round in which a ceasefire begins and the reassurance force is "
                       "raised (-1: no ceasefire)",
    "force_threshold": "troops the force needs to be credible without a US backstop",
    "force_threshold_backstop": "troops it needs with a US backstop",
}
