"""The nation inspector: a nation's utility against its own contribution, term by term,
and its troop decision after a ceasefire.

Answers "why did Germany leave?" from the model's own numbers: the utility curve with
the current choice and the best response marked, each term of the utility now and at
the best response, the nation's ``explain()`` text and its events; after a ceasefire,
its stance on the reassurance force, its offer, whether its condition holds, and its
payoff from the force against its own offer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import solara

from agents.explain import term_unit
from agents.nation import Nation
from agents.coalition_model import CoalitionModel
from model.events import pct
from viz.components.charts import BLUE, GREEN, GREY, INK, RED, natural_key
from viz.components.echarts import Chart
from viz.glossary import gloss_html
from viz.state import Session

TERMS = (("benefit", "security benefit", 1.0), ("cost", "security budget's political cost", -1.0),
         ("fairness", "sucker cost", -1.0), ("utility", "utility", 1.0))
POINTS = 201


def sig(value: float, digits: int = 7) -> float:
    """``value`` to ``digits`` significant digits (keeps the JSON short, small values exact)."""
    return float(f"{value:.{digits}g}")


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at least ``value`` (an axis end)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value * (1 - 1e-12))


def nation_events(model: CoalitionModel, nation: Nation) -> list[str]:
    """The events that name this nation, newest first ("Nation 1" is not "Nation 10")."""
    name = re.compile(rf"\b{re.escape(nation.name)}\b")
    return [e for e in reversed(model.events) if name.search(e)]


def contribution_range(model: CoalitionModel, nation: Nation) -> np.ndarray:
    """Own contributions (share of GDP) to draw: zero to a round number a little past the
    interesting part (the axis ends at it: 0.25% of GDP, not 0.2205822)."""
    best = nation.best_response()
    top = max(3 * max(nation.contribution, best), 0.002)
    top = min(nice_ceiling(100 * top) / 100, float(model.config.max_contribution))
    return np.unique(np.concatenate([np.linspace(0.0, top, POINTS), [nation.contribution, best]]))


def utility_terms_table(nation: Nation) -> list[tuple[str, float, float]]:
    """(term, now, at the best response), EUR bn a year, costs counted negative."""
    now, best = nation.utility_terms(), nation.utility_terms(nation.best_response())
    return [(label, sign * now[key], sign * best[key]) for key, label, sign in TERMS]


def inspector_option(model: CoalitionModel, nation: Nation) -> dict:
    """Utility (top) and its terms (bottom) against the nation's own contribution."""
    s = contribution_range(model, nation)
    curve = nation.utility_curve(s)
    x = [sig(100 * float(v)) for v in s]
    colours = {"benefit": BLUE, "cost": RED, "fairness": "#e69f00", "utility": INK}
    now, best = 100 * nation.contribution, 100 * nation.best_response()
    marks = {"symbol": "none", "silent": True, "label": {"formatter": "{b}", "fontSize": 10},
             "data": [{"name": "now", "xAxis": sig(now),
                       "lineStyle": {"color": GREY, "type": "solid", "width": 2}},
                      {"name": "best response", "xAxis": sig(best),
                       "lineStyle": {"color": "#2e9d5b", "type": "dashed", "width": 2}}]}
    series = []
    for key, label, sign in TERMS:
        top = key == "utility"
        series.append({"name": label, "type": "line", "showSymbol": False, "color": colours[key],
                       "xAxisIndex": 0 if top else 1, "yAxisIndex": 0 if top else 1,
                       "lineStyle": {"width": 3 if top else 1.5},
                       "data": [[xi, sig(sign * float(v))] for xi, v in zip(x, curve[key])],
                       **({"markLine": marks} if top else {})})
    axis = {"type": "value", "min": 0, "max": x[-1]}
    return {
        "animation": False,
        "title": {"text": f"{nation.name}: payoff against its own contribution",
                  "subtext": "EUR bn a year of security value, the others' pledges held fixed; "
                             "top: utility, bottom: its terms"},
        "tooltip": {"trigger": "axis"},
        "axisPointer": {"link": [{"xAxisIndex": "all"}]},
        "legend": {"bottom": 0, "textStyle": {"fontSize": 11}},
        "grid": [{"left": 60, "right": 24, "top": 30, "height": "36%"},
                 {"left": 60, "right": 24, "bottom": 78, "height": "28%"}],
        "xAxis": [{**axis, "gridIndex": 0, "axisLabel": {"show": False}},
                  {**axis, "gridIndex": 1, "name": "own contribution, % of GDP",
                   "nameLocation": "middle", "nameGap": 22}],
        "yAxis": [{"type": "value", "scale": True, "gridIndex": 0, "name": "utility"},
                  {"type": "value", "scale": True, "gridIndex": 1}],
        "series": series,
    }


def terms_html(rows: list[tuple[str, float, float]]) -> str:
    scale, unit = term_unit([v for _, a, b in rows for v in (a, b)])
    cells = "".join(
        f"<tr><td>{gloss_html(label)}</td><td style='text-align:right'>{scale * now:+.3f}</td>"
        f"<td style='text-align:right'>{scale * best:+.3f}</td></tr>" for label, now, best in rows)
    return ("<table class='coalition-terms' style='border-collapse:collapse;width:100%'>"
            f"<tr><th style='text-align:left'>term, {unit} a year</th>"
            "<th style='text-align:right'>now</th>"
            "<th style='text-align:right'>at best response</th></tr>" + cells + "</table>"
            "<div style='font-size:0.75rem;color:#666'>Values of security, as the government "
            "weighs them: the budget's political cost is what giving costs it at home, not "
            "the money given.</div>")


def headline(nation: Nation) -> str:
    side = "a member of the coalition" if nation.member else "outside the coalition"
    return (f"{nation.name} is {side}: it gives {pct(nation.contribution)} of GDP "
            f"(EUR {nation.contribution_bn:.2f} bn a year); its best response is "
            f"{pct(nation.best_response())}.")


# ---------------------------------------------------------------------- troops
@dataclass(frozen=True)
class TroopDecision:
    """A nation's troop decision as the inspector shows it."""

    stance: str  # "deploys only if the US backs the force"
    condition: str  # what it waits for ("a US backstop"); empty if nothing
    condition_met: bool
    offer: int
    deployed: int
    best: int  # its best offer against the force as it stands
    capacity: int
    ceasefire: bool

    @property
    def text(self) -> str:
        if not self.ceasefire:
            return (f"Troops: no ceasefire yet. After one, it {self.stance} (it can keep "
                    f"{self.capacity:,} deployed).")
        if self.stance.startswith("never"):
            return f"Troops: it {self.stance}."
        held = ("its condition holds" if self.condition_met else
                f"its condition is NOT met: {self.condition}") if self.condition else "no condition"
        return (f"Troops: it {self.stance}. It offers {self.offer:,} and deploys {self.deployed:,} "
                f"({held}); its best offer against the force as it stands is {self.best:,} "
                f"(it can keep {self.capacity:,} deployed).")


def troop_decision(model: CoalitionModel, nation: Nation) -> TroopDecision:
    ceasefire = bool(model.state.ceasefire[0, 0])
    return TroopDecision(nation.troop_stance, nation.troop_condition, nation.condition_met,
                         nation.troop_offer, nation.troops,
                         nation.best_troop_offer() if ceasefire and nation.member else 0,
                         nation.troop_capacity, ceasefire)


def troop_option(model: CoalitionModel, nation: Nation) -> dict:
    """The nation's payoff from the force against its own offer (troops), its offer and
    its best offer marked."""
    curve = nation.troop_payoffs()
    troops, payoff = curve["troops"], curve["payoff"]
    best = int(troops[int(np.argmax(payoff))])
    data = [[int(t), sig(float(p))] for t, p in zip(troops, payoff)]
    marks = {"symbol": "none", "silent": True, "label": {"formatter": "{b}", "fontSize": 10},
             "data": [{"name": "offer", "xAxis": nation.troop_offer,
                       "lineStyle": {"color": GREY, "width": 2}},
                      {"name": "best", "xAxis": best,
                       "lineStyle": {"color": GREEN, "type": "dashed", "width": 2}}]}
    return {"animation": False,
            "title": {"text": f"{nation.name}: payoff from the force against its offer",
                      "subtext": "EUR bn a year of security value net of the troops' cost, the "
                                 "others' troops held as they stand"},
            "tooltip": {"trigger": "axis"}, "grid": {"left": 60, "right": 20, "top": 14, "bottom": 40},
            "xAxis": {"type": "value", "name": "troops offered", "nameLocation": "middle",
                      "nameGap": 24, "min": 0},
            "yAxis": {"type": "value", "scale": True},
            "series": [{"name": "payoff", "type": "line", "color": INK, "showSymbol": len(data) < 40,
                        "data": data, "markLine": marks}]}


@dataclass(frozen=True)
class Inspection:
    """Everything the inspector shows about one nation, read in one go."""

    name: str
    headline: str
    option: dict
    terms: list[tuple[str, float, float]]
    events: list[str]
    explanation: str
    troops: TroopDecision
    troop_option: dict | None


def inspect(model: CoalitionModel, code: str) -> Inspection:
    nation = model.nation(code)
    troops = troop_decision(model, nation)
    chart = troop_option(model, nation) if troops.ceasefire and nation.member \
        and nation.troop_capacity > 0 and not troops.stance.startswith("never") else None
    return Inspection(nation.name, headline(nation), inspector_option(model, nation),
                      utility_terms_table(nation), nation_events(model, nation), nation.explain(),
                      troops, chart)


def nation_items(model: CoalitionModel) -> list[dict]:
    """The nations for a drop-down, by name ("Nation 2" before "Nation 10")."""
    return [{"text": f"{name} ({iso3})", "value": iso3}
            for iso3, name in sorted(zip(model.nations.iso3, model.nations.name),
                                     key=lambda t: natural_key(t[1]))]


@solara.component
def Inspector(session: Session, version: int = 0):
    nations = session.model.nations
    code = session.inspected.value if session.inspected.value in nations.iso3 \
        else session.default_nation()
    seen = session.read(inspect, code)
    solara.v.Select(label="Nation to inspect", items=nation_items(session.model), v_model=code,
                    dense=True, on_v_model=session.inspected.set, style_="max-width: 340px")
    solara.Text(seen.headline, classes=["coalition-inspector-headline"], style={"font-weight": "500"})
    with solara.Div(style={"display": "grid", "gap": "12px",
                           "grid-template-columns": "repeat(auto-fit, minmax(300px, 1fr))"}):
        Chart(seen.option, height=430)
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML=terms_html(seen.terms))
            solara.Text(seen.troops.text, classes=["coalition-inspector-troops"],
                        style={"font-size": "0.85rem", "margin-top": "8px",
                               "color": "#b35900" if seen.troops.ceasefire and seen.troops.condition
                               and not seen.troops.condition_met else "#222"})
            solara.Text(f"{seen.name}'s events, newest first ({len(seen.events)})",
                        style={"font-weight": "500", "margin-top": "8px"})
            solara.HTML(tag="div",
                        unsafe_innerHTML="<br>".join(gloss_html(e) for e in seen.events[:30])
                        or "<i>none yet</i>",
                        style="max-height: 160px; overflow-y: auto; font-size: 0.8rem")
    if seen.troop_option is not None:
        Chart(seen.troop_option, height=220)
    solara.HTML(tag="pre", unsafe_innerHTML=gloss_html(seen.explanation),
                classes=["coalition-explain"],
                style="white-space: pre-wrap; font-size: 0.85rem; background: #f7f7f7; padding: 8px")
