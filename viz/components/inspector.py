"""The nation inspector: a nation's utility against its own contribution, term by term.

Answers "why did Germany leave?" from the model's own numbers: the utility curve with
the current choice and the best response marked, each term of the utility now and at
the best response, the nation's ``explain()`` text and its events.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
import solara

from agents.nation import Nation
from agents.coalition_model import CoalitionModel
from model.events import pct
from viz.components.charts import BLUE, GREY, INK, RED
from viz.components.echarts import Chart
from viz.state import Session

TERMS = (("benefit", "security benefit", 1.0), ("cost", "domestic cost", -1.0),
         ("fairness", "sucker cost", -1.0), ("utility", "utility", 1.0))
POINTS = 201


def sig(value: float, digits: int = 7) -> float:
    """``value`` to ``digits`` significant digits (keeps the JSON short, small values exact)."""
    return float(f"{value:.{digits}g}")


def nation_events(model: CoalitionModel, nation: Nation) -> list[str]:
    """The events that name this nation, newest first ("Nation 1" is not "Nation 10")."""
    name = re.compile(rf"\b{re.escape(nation.name)}\b")
    return [e for e in reversed(model.events) if name.search(e)]


def contribution_range(model: CoalitionModel, nation: Nation) -> np.ndarray:
    """Own contributions (share of GDP) to draw: zero to a little past the interesting part."""
    best = nation.best_response()
    top = max(3 * max(nation.contribution, best), 0.002)
    top = min(top, float(model.config.max_contribution))
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
                  "subtext": "EUR bn a year, the others' pledges held fixed; top: utility, "
                             "bottom: its terms", "left": 8, "top": 2,
                  "textStyle": {"fontSize": 13}, "subtextStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "axis"},
        "axisPointer": {"link": [{"xAxisIndex": "all"}]},
        "legend": {"bottom": 0, "textStyle": {"fontSize": 11}},
        "grid": [{"left": 60, "right": 24, "top": 56, "height": "36%"},
                 {"left": 60, "right": 24, "bottom": 70, "height": "26%"}],
        "xAxis": [{**axis, "gridIndex": 0, "axisLabel": {"show": False}},
                  {**axis, "gridIndex": 1, "name": "own contribution, % of GDP",
                   "nameLocation": "middle", "nameGap": 22}],
        "yAxis": [{"type": "value", "scale": True, "gridIndex": 0, "name": "utility"},
                  {"type": "value", "scale": True, "gridIndex": 1}],
        "series": series,
    }


def terms_html(rows: list[tuple[str, float, float]]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(label)}</td><td style='text-align:right'>{now:+.3f}</td>"
        f"<td style='text-align:right'>{best:+.3f}</td></tr>" for label, now, best in rows)
    return ("<table class='coalition-terms' style='border-collapse:collapse;width:100%'>"
            "<tr><th style='text-align:left'>term, EUR bn/yr</th><th style='text-align:right'>now</th>"
            "<th style='text-align:right'>at best response</th></tr>" + cells + "</table>")


def headline(nation: Nation) -> str:
    side = "a member of the coalition" if nation.member else "outside the coalition"
    return (f"{nation.name} is {side}: it gives {pct(nation.contribution)} of GDP "
            f"(EUR {nation.contribution_bn:.2f} bn a year); its best response is "
            f"{pct(nation.best_response())}.")


@dataclass(frozen=True)
class Inspection:
    """Everything the inspector shows about one nation, read in one go."""

    name: str
    headline: str
    option: dict
    terms: list[tuple[str, float, float]]
    events: list[str]
    explanation: str


def inspect(model: CoalitionModel, code: str) -> Inspection:
    nation = model.nation(code)
    return Inspection(nation.name, headline(nation), inspector_option(model, nation),
                      utility_terms_table(nation), nation_events(model, nation), nation.explain())


@solara.component
def Inspector(session: Session, version: int = 0):
    nations = session.model.nations
    code = session.inspected.value if session.inspected.value in nations.iso3 \
        else session.default_nation()
    seen = session.read(inspect, code)
    items = [{"text": f"{name} ({iso3})", "value": iso3}
             for iso3, name in sorted(zip(nations.iso3, nations.name), key=lambda t: t[1])]
    solara.v.Select(label="Nation to inspect", items=items, v_model=code, dense=True,
                    on_v_model=session.inspected.set, style_="max-width: 340px")
    solara.Text(seen.headline, classes=["coalition-inspector-headline"], style={"font-weight": "500"})
    with solara.Columns([3, 2], gutters_dense=True):
        Chart(seen.option, height=420)
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML=terms_html(seen.terms))
            solara.Text(f"{seen.name}'s events, newest first ({len(seen.events)})",
                        style={"font-weight": "500", "margin-top": "8px"})
            solara.HTML(tag="div", unsafe_innerHTML="<br>".join(html.escape(e) for e in seen.events[:30])
                        or "<i>none yet</i>",
                        style="max-height: 160px; overflow-y: auto; font-size: 0.8rem")
    solara.HTML(tag="pre", unsafe_innerHTML=html.escape(seen.explanation), classes=["coalition-explain"],
                style="white-space: pre-wrap; font-size: 0.85rem; background: #f7f7f7; padding: 8px")
