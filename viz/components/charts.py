"""Time series, the contributions heat map and the burden-against-GDP picture.

Each chart is an ECharts option built from the model's DataCollector: ECharts ships
with Solara's offline assets (``solara-assets``), while Altair's Vega would be
fetched from a CDN by Solara 1.58 and stays blank offline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import solara

from agents.nation import Nation
from agents.coalition_model import CoalitionModel
from viz.components.echarts import Chart
from viz.state import Session

BLUE, RED, GREY, INK = "#1f5fbf", "#d1495b", "#b9b9b9", "#333333"


def _base(title: str, subtitle: str = "") -> dict:
    return {"animation": False,
            "title": {"text": title, "subtext": subtitle, "left": 8, "top": 2,
                      "textStyle": {"fontSize": 13}, "subtextStyle": {"fontSize": 11}},
            "grid": {"left": 52, "right": 16, "top": 48 if subtitle else 36, "bottom": 30},
            "tooltip": {"trigger": "axis"}}


def _rounds_axis(model: CoalitionModel) -> dict:
    # A category axis: ECharts stacks the value dimension only when the other is a
    # category (with two value axes it would stack the rounds).
    return {"type": "category", "boundaryGap": False, "name": "round", "nameLocation": "middle",
            "nameGap": 20, "data": [str(r) for r in model.datacollector.model_vars["round"]]}


def _line(name: str, colour: str, data: list, **style) -> dict:
    """A line series; dots while there are few rounds, so round 0 is visible."""
    return {"name": name, "type": "line", "color": colour, "showSymbol": len(data) <= 30,
            "symbolSize": 5, "data": data, **style}


def series_of(model: CoalitionModel, name: str) -> list[float]:
    """One model-level series of the DataCollector, a value a round."""
    return [float(v) for v in model.datacollector.model_vars[name]]


def coalition_size_option(model: CoalitionModel) -> dict:
    option = _base("Coalition size", "members of the coalition each round")
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0, "minInterval": 1}
    option["series"] = [_line("members", BLUE, series_of(model, "coalition_size"), step="end")]
    return option


def effort_option(model: CoalitionModel) -> dict:
    option = _base("European and US effort", "EUR bn a year at 2024 prices, stacked")
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0}
    option["legend"] = {"right": 8, "top": 4, "itemWidth": 14, "textStyle": {"fontSize": 11}}
    option["series"] = [
        _line("European", BLUE, series_of(model, "european_effort_bn"), stack="effort", areaStyle={}),
        _line("US", RED, series_of(model, "us_effort_bn"), stack="effort", areaStyle={}),
    ]
    return option


def deterrence_option(model: CoalitionModel) -> dict:
    option = _base("Deterrence", "what the adversary faces; status quo = 1")
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0}
    option["series"] = [_line(
        "deterrence", INK, series_of(model, "deterrence"),
        markLine={"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": GREY},
                  "data": [{"yAxis": 1.0}], "label": {"show": False}})]
    return option


# ---------------------------------------------------------------------- the heat map
ORDERS: dict[str, tuple[str, Callable[[Nation, float], float]]] = {
    # label -> (what the order shows, key of a nation and its starting burden)
    "US reliance": ("complements (weak without the US) at the top",
                    lambda n, start: n.us_reliance),
    "exposure": ("most exposed to the threat at the top", lambda n, start: -n.exposure),
    "GDP": ("largest economy at the top", lambda n, start: -n.gdp),
    "starting burden": ("highest burden (share of GDP) at round 0 at the top",
                        lambda n, start: -start),
}


def contribution_history(model: CoalitionModel) -> tuple[list[int], tuple[str, ...], np.ndarray, np.ndarray]:
    """(rounds, ISO3 codes, contributions [round, nation], member flags) from the DataCollector."""
    df = model.datacollector.get_agenttype_vars_dataframe(Nation)
    codes = model.nations.iso3
    n = len(codes)
    order = df["iso3"].to_numpy().reshape(-1, n)
    if (order == np.array(codes)).all():  # one row per nation per round, in model order: reshape
        rounds = [int(r) for r in df.index.get_level_values("Step")[::n]]
        return (rounds, codes, df["contribution"].to_numpy(float).reshape(-1, n),
                df["member"].to_numpy(bool).reshape(-1, n))
    df = df.reset_index()
    contribution = df.pivot(index="Step", columns="iso3", values="contribution")[list(codes)]
    member = df.pivot(index="Step", columns="iso3", values="member")[list(codes)]
    rounds = [int(r) for r in contribution.index]
    return rounds, codes, contribution.to_numpy(float), member.to_numpy(bool)


def nation_order(model: CoalitionModel, order: str, start: np.ndarray) -> list[int]:
    """Indices of the nations in the chosen order (ties by name)."""
    _, key = ORDERS[order]
    agents = model.nation_agents
    return sorted(range(len(agents)), key=lambda i: (key(agents[i], float(start[i])), agents[i].name))


def heatmap_option(model: CoalitionModel, order: str = "US reliance") -> dict:
    rounds, codes, contribution, member = contribution_history(model)
    rows = nation_order(model, order, contribution[0])
    pct = 100 * contribution
    inside, outside = [], []
    for y, i in enumerate(rows):
        for x in range(len(rounds)):
            (inside if member[x, i] else outside).append([x, y, round(float(pct[x, i]), 4)])
    top = max(float(pct.max()), 0.01)
    option = _base("Contributions, % of GDP",
                   f"by {order}: {ORDERS[order][0]}; grey: outside the coalition")
    option["tooltip"] = {"trigger": "item"}
    option["grid"] = {"left": 120, "right": 16, "top": 50, "bottom": 64}
    option["xAxis"] = {"type": "category", "data": [str(r) for r in rounds], "name": "round",
                       "nameLocation": "middle", "nameGap": 22}
    option["yAxis"] = {"type": "category", "inverse": True, "axisLabel": {"fontSize": 10},
                       "data": [model.nations.name[i] for i in rows]}
    option["visualMap"] = [{"type": "continuous", "min": 0, "max": round(top, 4), "seriesIndex": 0,
                           "orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 160,
                           "calculable": False, "text": [f"{top:.2f}% of GDP", "0  "],
                           "inRange": {"color": ["#f7fbff", "#9ecae1", "#2171b5", "#08306b"]}},
                           # outsiders in one grey, whatever they give (ECharts wants a visualMap)
                           {"type": "piecewise", "seriesIndex": 1, "show": False,
                            "pieces": [{"min": -1, "max": 1e9, "color": "#e0e0e0"}]}]
    option["series"] = [
        {"name": "member", "type": "heatmap", "data": inside},
        {"name": "outside the coalition", "type": "heatmap", "data": outside},
    ]
    return option


# ---------------------------------------------------------------------- Olson-Zeckhauser
def burden_points(model: CoalitionModel) -> tuple[list[dict], list[dict]]:
    """Scatter points (GDP, burden in % of GDP) of members and of outsiders, now."""
    inside, outside = [], []
    for n in model.nation_agents:
        point = {"name": n.iso3, "value": [round(n.gdp, 3), round(100 * n.contribution, 5)]}
        (inside if n.member else outside).append(point)
    return inside, outside


def burden_option(model: CoalitionModel) -> dict:
    rho = float(model.datacollector.model_vars["burden_gdp_rank_correlation"][-1])
    sign = "the great carry more" if rho > 0.1 else "the small carry more" if rho < -0.1 else "no clear pattern"
    option = _base("Burden against GDP (Olson and Zeckhauser)",
                   f"rank correlation among members {rho:+.2f}: {sign}")
    inside, outside = burden_points(model)
    option["tooltip"] = {"trigger": "item"}
    option["grid"] = {"left": 56, "right": 24, "top": 56, "bottom": 62}
    option["legend"] = {"right": 8, "bottom": 0, "textStyle": {"fontSize": 11}}
    option["xAxis"] = {"type": "log", "name": "GDP, EUR bn (log scale)", "nameLocation": "middle",
                       "nameGap": 26}
    option["yAxis"] = {"type": "value", "name": "% of GDP", "min": 0}
    style = {"type": "scatter", "symbolSize": 8, "labelLayout": {"hideOverlap": True},
             "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 9,
                       "color": "#555"}}
    option["series"] = [{"name": "member", "color": BLUE, "data": inside, **style},
                        {"name": "outside", "color": GREY, "data": outside, **style}]
    return option


# ---------------------------------------------------------------------- components
@solara.component
def TimeSeries(session: Session, version: int = 0):
    options = [session.read(f) for f in (coalition_size_option, effort_option, deterrence_option)]
    with solara.Columns([1, 1, 1], gutters_dense=True):
        for option in options:
            Chart(option, height=230)


@solara.component
def HeatMap(session: Session, version: int = 0):
    order = solara.use_reactive("US reliance")
    height = 120 + 15 * session.model.nations.n
    Chart(session.read(heatmap_option, order.value), height=height)
    solara.ToggleButtonsSingle(value=order, values=list(ORDERS), dense=True)


@solara.component
def BurdenVsGdp(session: Session, version: int = 0):
    Chart(session.read(burden_option), height=340)
