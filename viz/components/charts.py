"""Time series, the force against its threshold, the contributions heat map and the
burden-against-GDP picture.

Each chart is an ECharts option built from the model's DataCollector: ECharts ships
with Solara's offline assets (``solara-assets``), while Altair's Vega would be
fetched from a CDN by Solara 1.58 and stays blank offline. The time series can carry
a second run (:class:`Overlay`, dashed) and, for European effort, the band of the
plausible worlds (:class:`Band`); while the round slider shows an earlier round, a
line marks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import solara

from agents.nation import Nation
from agents.coalition_model import CoalitionModel
from viz.components.echarts import Chart
from viz.state import Session

BLUE, RED, GREY, INK, GREEN, AMBER = "#1f5fbf", "#d1495b", "#b9b9b9", "#333333", "#2e9d5b", "#e69f00"
LEGEND = {"top": 0, "right": 4, "itemWidth": 14, "itemGap": 8, "textStyle": {"fontSize": 11}}


@dataclass(frozen=True)
class Overlay:
    """A second run drawn over the first, dashed: its label and series by name."""

    label: str
    series: dict[str, list[float]]


@dataclass(frozen=True)
class Band:
    """The spread of European aid over plausible worlds, round by round (EUR bn a year)."""

    draws: int
    rounds: list[int]
    low: list[float]  # 5th percentile
    median: list[float]
    high: list[float]  # 95th percentile


def natural_key(text: str) -> list:
    """Sort key that puts "Nation 2" before "Nation 10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def base_option(title: str, subtitle: str = "", legend: bool = False) -> dict:
    return {"animation": False, "title": {"text": title, "subtext": subtitle},
            "grid": {"left": 46, "right": 14, "top": 26 if legend else 12, "bottom": 34},
            "tooltip": {"trigger": "axis"}}


def recorded_rounds(model: CoalitionModel) -> list[int]:
    return [int(r) for r in model.datacollector.model_vars["round"]]


def _rounds_axis(model: CoalitionModel, extra: int = 0) -> dict:
    # A category axis: ECharts stacks the value dimension only when the other is a
    # category (with two value axes it would stack the rounds).
    rounds = recorded_rounds(model)
    rounds += list(range(rounds[-1] + 1, rounds[-1] + 1 + extra))
    return {"type": "category", "boundaryGap": False, "name": "round", "nameLocation": "middle",
            "nameGap": 20, "data": [str(r) for r in rounds]}


def _line(name: str, colour: str, data: list, **style) -> dict:
    """A line series; dots while there are few rounds, so round 0 is visible."""
    return {"name": name, "type": "line", "color": colour, "showSymbol": len(data) <= 30,
            "symbolSize": 5, "data": data, **style}


def _dashed(name: str, colour: str, data: list) -> dict:
    return _line(name, colour, data, showSymbol=False, lineStyle={"type": "dashed", "width": 2})


def shown_round(model: CoalitionModel) -> int | None:
    """The round the round slider shows, if it is not the latest recorded."""
    return model.round if model.round < recorded_rounds(model)[-1] else None


def _mark_shown(option: dict, model: CoalitionModel) -> dict:
    """A vertical line at the round shown, while the round slider shows an earlier one."""
    r = shown_round(model)
    if r is not None and option["series"]:
        option["series"][0]["markLine"] = {
            "silent": True, "symbol": "none", "label": {"formatter": f"round {r}", "fontSize": 10},
            "lineStyle": {"color": INK, "type": "solid", "width": 1.5},
            "data": [{"xAxis": str(r)}]}
    return option


def series_of(model: CoalitionModel, name: str) -> list[float]:
    """One model-level series of the DataCollector, a value a round."""
    return [float(v) for v in model.datacollector.model_vars[name]]


def _with_overlay(option: dict, overlay: Overlay | None, name: str, colour: str) -> dict:
    if overlay is not None and name in overlay.series:
        option["series"].append(_dashed(overlay.label, colour, overlay.series[name]))
        option["legend"] = LEGEND
        option["grid"]["top"] = 26
    return option


def _extend(option: dict, model: CoalitionModel, rounds: int) -> dict:
    """Lengthen the rounds axis to ``rounds`` (a second run or the band may be longer)."""
    have = len(option["xAxis"]["data"])
    if rounds > have:
        option["xAxis"] = _rounds_axis(model, rounds - have)
    return option


def coalition_size_option(model: CoalitionModel, overlay: Overlay | None = None) -> dict:
    option = base_option("Coalition size", "members of the coalition each round")
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0, "minInterval": 1}
    option["series"] = [_line("members", BLUE, series_of(model, "coalition_size"), step="end")]
    option = _with_overlay(option, overlay, "coalition_size", INK)
    if overlay is not None:
        option = _extend(option, model, len(overlay.series["coalition_size"]))
    return _mark_shown(option, model)


def effort_option(model: CoalitionModel, overlay: Overlay | None = None,
                  band: Band | None = None) -> dict:
    subtitle = "EUR bn a year at 2024 prices, stacked"
    if band is not None:
        subtitle += (f"; shaded: European aid in 90% of {band.draws} plausible worlds, dotted: "
                     "their median")
    option = base_option("European and US effort", subtitle, legend=True)
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0}
    option["legend"] = LEGEND
    option["series"] = [
        _line("European", BLUE, series_of(model, "european_effort_bn"), stack="effort", areaStyle={}),
        _line("US", RED, series_of(model, "us_effort_bn"), stack="effort", areaStyle={}),
    ]
    if band is not None:
        n = len(band.rounds)
        option["series"] += [
            {"name": "plausible worlds, 5%", "type": "line", "stack": "band", "data": band.low,
             "lineStyle": {"opacity": 0}, "showSymbol": False, "silent": True,
             "tooltip": {"show": False}},
            # stacked on the 5% line, so its data is the band's width; the CSV gets the 95%
            {"name": "plausible worlds, 95%", "type": "line", "stack": "band", "color": BLUE,
             "data": [round(h - lo, 6) for h, lo in zip(band.high, band.low)], "csv": band.high,
             "lineStyle": {"opacity": 0}, "areaStyle": {"opacity": 0.18}, "showSymbol": False,
             "tooltip": {"show": False}},
            _line("plausible worlds, median", BLUE, band.median, showSymbol=False,
                  lineStyle={"type": "dotted", "width": 1.5})]
        option["legend"] = {**LEGEND, "data": ["European", "US", "plausible worlds, median"]}
        option = _extend(option, model, n)
    if overlay is not None:
        option = _with_overlay(option, overlay, "european_effort_bn", INK)
        option = _extend(option, model, len(overlay.series["european_effort_bn"]))
        option["legend"] = {**LEGEND, "data": ["European", "US", overlay.label]
                            + (["plausible worlds, median"] if band is not None else [])}
    return _mark_shown(option, model)


def deterrence_option(model: CoalitionModel, overlay: Overlay | None = None) -> dict:
    option = base_option("Deterrence", "what the adversary faces; status quo = 1")
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0}
    option["series"] = [_line(
        "deterrence", INK, series_of(model, "deterrence"),
        markLine={"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": GREY},
                  "data": [{"yAxis": 1.0}], "label": {"show": False}})]
    option = _with_overlay(option, overlay, "deterrence", RED)
    if overlay is not None:
        option = _extend(option, model, len(overlay.series["deterrence"]))
    if shown_round(model) is not None:  # the marker goes on a line of its own
        option["series"][0].pop("markLine")
    return _mark_shown(option, model)


def has_ceasefire(model: CoalitionModel) -> bool:
    """Whether the run has or may have a ceasefire (and so a reassurance force)."""
    c = model.config
    return c.ceasefire_round >= 0 or c.ceasefire_chance > 0


def force_option(model: CoalitionModel, overlay: Overlay | None = None) -> dict:
    """The reassurance force against the troops it needs to be credible, each round;
    shaded where the US backs it."""
    troops = series_of(model, "force_troops")
    need = series_of(model, "force_threshold")
    backed = [bool(v) for v in model.datacollector.model_vars["us_backstop"]]
    start = int(model.state.ceasefire_began[0, 0])
    option = base_option("The reassurance force against its threshold",
                   "troops deployed each round; dashed: the troops it needs to be credible "
                   "(fewer with a US backstop); shaded: the US backs it", legend=True)
    option["xAxis"] = _rounds_axis(model)
    option["yAxis"] = {"type": "value", "min": 0, "name": "troops", "nameGap": 8,
                       "axisLabel": {"formatter": "{value}"}}
    option["legend"] = LEGEND
    before = [r for r in range(len(troops)) if start < 0 or r < start]
    option["series"] = [
        _line("force", GREEN, troops, step="end", areaStyle={"opacity": 0.25}),
        _line("needed", INK, [None if r in before else v for r, v in enumerate(need)],
              step="end", showSymbol=False, lineStyle={"type": "dashed", "width": 1.5})]
    spans, first = [], None
    for r, b in enumerate(backed + [False]):
        if b and first is None:
            first = r
        elif not b and first is not None:
            spans.append([{"xAxis": str(first)}, {"xAxis": str(r - 1)}])
            first = None
    if spans:
        option["series"][0]["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(31,95,191,0.08)"},
                                           "data": spans}
    option = _with_overlay(option, overlay, "force_troops", INK)
    if overlay is not None:
        option = _extend(option, model, len(overlay.series["force_troops"]))
    return _mark_shown(option, model)


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
    """Indices of the nations in the chosen order (ties by name, "Nation 2" before "Nation 10")."""
    _, key = ORDERS[order]
    agents = model.nation_agents
    return sorted(range(len(agents)),
                  key=lambda i: (key(agents[i], float(start[i])), natural_key(agents[i].name)))


def heatmap_option(model: CoalitionModel, order: str = "US reliance") -> dict:
    rounds, codes, contribution, member = contribution_history(model)
    rows = nation_order(model, order, contribution[0])
    pct = 100 * contribution
    inside, outside = [], []
    for y, i in enumerate(rows):
        for x in range(len(rounds)):
            (inside if member[x, i] else outside).append([x, y, round(float(pct[x, i]), 4)])
    top = max(float(pct.max()), 0.01)
    option = base_option("Contributions, % of GDP",
                   f"sorted by {order}: {ORDERS[order][0]}; grey: outside the coalition")
    option["tooltip"] = {"trigger": "item"}
    option["grid"] = {"left": 110, "right": 12, "top": 8, "bottom": 64}
    option["xAxis"] = {"type": "category", "data": [str(r) for r in rounds], "name": "round",
                       "nameLocation": "middle", "nameGap": 22}
    option["yAxis"] = {"type": "category", "inverse": True, "axisLabel": {"fontSize": 10},
                       "name": "nation", "nameTextStyle": {"fontSize": 0},
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
    return _mark_shown(option, model)


# ---------------------------------------------------------------------- Olson-Zeckhauser
def burden_points(model: CoalitionModel) -> tuple[list[dict], list[dict]]:
    """Scatter points (GDP, burden in % of GDP) of members and of outsiders, now."""
    inside, outside = [], []
    for n in model.nation_agents:
        point = {"name": n.iso3, "value": [round(n.gdp, 3), round(100 * n.contribution, 5)]}
        (inside if n.member else outside).append(point)
    return inside, outside


def burden_option(model: CoalitionModel) -> dict:
    rho = float(model.datacollector.model_vars["burden_gdp_rank_correlation"][model.round])
    sign = "the great carry more" if rho > 0.1 else "the small carry more" if rho < -0.1 else "no clear pattern"
    option = base_option("Burden against GDP (Olson and Zeckhauser)",
                   f"rank correlation among members {rho:+.2f}: {sign}; outsiders grey, "
                   "unlabelled (point at one to see it)", legend=True)
    inside, outside = burden_points(model)
    option["tooltip"] = {"trigger": "item"}
    option["grid"] = {"left": 50, "right": 24, "top": 28, "bottom": 40}
    option["legend"] = LEGEND
    option["xAxis"] = {"type": "log", "name": "GDP, EUR bn (log scale)", "nameLocation": "middle",
                       "nameGap": 24}
    option["yAxis"] = {"type": "value", "name": "% of GDP", "min": 0, "nameGap": 8}
    style = {"type": "scatter", "symbolSize": 8}
    labels = {"labelLayout": {"hideOverlap": True},
              "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 9,
                        "color": "#555"}}
    option["series"] = [{"name": "member", "color": BLUE, "data": inside, **style, **labels},
                        {"name": "outside", "color": GREY, "data": outside, **style}]
    return option


# ---------------------------------------------------------------------- components
@solara.component
def TimeSeries(session: Session, version: int = 0, overlay: Overlay | None = None,
               band: Band | None = None):
    options = [session.read(coalition_size_option, overlay), session.read(effort_option, overlay, band),
               session.read(deterrence_option, overlay)]
    if session.read(has_ceasefire):
        options.append(session.read(force_option, overlay))
    with solara.Div(classes=["coalition-grid"], style=grid_style(300)):
        for option in options:
            Chart(option, height=230)


def grid_style(min_px: int) -> dict:
    """A grid of panels that wraps to fewer columns on a narrow screen."""
    return {"display": "grid", "gap": "12px",
            "grid-template-columns": f"repeat(auto-fill, minmax({min_px}px, 1fr))"}


@solara.component
def HeatMap(session: Session, version: int = 0):
    order = solara.use_reactive("US reliance")
    height = 110 + 15 * session.model.nations.n
    Chart(session.read(heatmap_option, order.value), height=height)
    solara.ToggleButtonsSingle(value=order, values=list(ORDERS), dense=True)


@solara.component
def BurdenVsGdp(session: Session, version: int = 0):
    Chart(session.read(burden_option), height=340)
