"""A map of the coalition: capitals over country outlines, drawn offline.

The outlines are ``seeds/europe_outline.geojson`` (Natural Earth, public domain; see
``seeds/europe_outline.md``), registered with ECharts in the page, so no tile or
topojson is fetched. Marker area grows with the contribution (share of GDP), colour
says member / joined / left / never joined, a dark ring marks a frontline state.
Members beyond the map (Canada, Australia, New Zealand, Japan) sit in a strip below
it with the same markers, rather than at misleading positions.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import solara

from agents.coalition_model import CoalitionModel
from model.events import pct
from seeds import SEEDS_DIR
from viz.components.echarts import Chart, to_json
from viz.state import Session

OUTLINE = SEEDS_DIR / "europe_outline.geojson"
BOX = (-25.0, 34.0, 45.0, 71.5)  # lon min, lat min, lon max, lat max (as the outline)
STATUS_COLOURS = {"member": "#1f5fbf", "joined": "#2e9d5b", "left": "#d1495b",
                  "never joined": "#9e9e9e"}
REGION_COLOURS = {"Ukraine": "#fff1a8", "Russia": "#f4dcdc", "Belarus": "#f4dcdc"}


@functools.cache
def maps_json() -> str:
    """The outline registered as ECharts map "europe" (JSON, sent once per chart)."""
    return to_json({"europe": outline()}) if outline() is not None else "{}"


@functools.cache
def outline() -> dict | None:
    """The committed outline, or None if it is missing (the map then shows capitals only)."""
    try:
        return json.loads(OUTLINE.read_text())
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Marker:
    iso3: str
    name: str
    lon: float
    lat: float
    contribution: float  # share of GDP
    contribution_bn: float
    status: str
    frontline: bool

    @property
    def on_map(self) -> bool:
        return BOX[0] <= self.lon <= BOX[2] and BOX[1] <= self.lat <= BOX[3]

    @property
    def size(self) -> float:
        """Marker diameter in pixels: area proportional to the contribution."""
        return round(5 + 22 * math.sqrt(min(self.contribution, 0.03) / 0.01), 2)


def status(was_member: bool, is_member: bool) -> str:
    if is_member:
        return "member" if was_member else "joined"
    return "left" if was_member else "never joined"


def markers(model: CoalitionModel) -> list[Marker]:
    table = model.nations
    return [Marker(n.iso3, n.name, n.lon, n.lat, n.contribution, n.contribution_bn,
                   status(bool(table.member[n.index]), n.member), n.frontline)
            for n in model.nation_agents]


def _point(m: Marker, value: list) -> dict:
    text = (f"{m.name}: {pct(m.contribution)} of GDP (EUR {m.contribution_bn:.2f} bn a year), "
            f"{m.status}{', frontline state' if m.frontline else ''}")
    return {"name": m.name, "iso3": m.iso3, "value": value, "symbolSize": m.size,
            "tooltip": {"formatter": text},
            "itemStyle": {"borderColor": "#111" if m.frontline else "#fff",
                          "borderWidth": 2.5 if m.frontline else 0.8}}


def map_option(model: CoalitionModel) -> dict:
    ms = markers(model)
    far = [m for m in ms if not m.on_map]
    option = {
        "animation": False,
        "title": {"text": "The coalition on the map",
                  "subtext": "marker area = contribution (share of GDP); dark ring = frontline state",
                  "left": 8, "top": 2, "textStyle": {"fontSize": 13}, "subtextStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "data": list(STATUS_COLOURS), "textStyle": {"fontSize": 11}},
        "series": [],
    }
    if outline() is not None:
        option["geo"] = {
            "map": "europe", "roam": True, "silent": True, "aspectScale": 0.62,
            "boundingCoords": [[BOX[0], BOX[3]], [BOX[2], BOX[1]]],
            "top": 48, "bottom": 90 if far else 30, "left": 8, "right": 8,
            "itemStyle": {"areaColor": "#f2f1ec", "borderColor": "#b5b5b5", "borderWidth": 0.6},
            "regions": [{"name": k, "itemStyle": {"areaColor": v}} for k, v in REGION_COLOURS.items()],
        }
        geo = {"coordinateSystem": "geo"}
    else:  # no outline: capitals on plain longitude / latitude axes
        option["grid"] = [{"top": 48, "bottom": 90 if far else 30, "left": 40, "right": 8}]
        option["xAxis"] = [{"type": "value", "min": BOX[0], "max": BOX[2], "name": "longitude"}]
        option["yAxis"] = [{"type": "value", "min": BOX[1], "max": BOX[3], "name": "latitude"}]
        geo = {"xAxisIndex": 0, "yAxisIndex": 0}
    for name, colour in STATUS_COLOURS.items():
        option["series"].append({
            "name": name, "type": "scatter", "color": colour, **geo,
            "data": [_point(m, [m.lon, m.lat, round(100 * m.contribution, 4)])
                     for m in ms if m.status == name and m.on_map]})
    if far:
        n_grids = len(option.get("grid", []))
        option.setdefault("grid", []).append({"left": 110, "right": 16, "bottom": 34, "height": 34})
        option.setdefault("xAxis", []).append({
            "type": "category", "gridIndex": n_grids, "data": [m.name for m in far],
            "axisLine": {"show": False}, "axisTick": {"show": False}, "position": "bottom",
            "axisLabel": {"fontSize": 10}})
        option.setdefault("yAxis", []).append({"type": "value", "gridIndex": n_grids, "show": False,
                                               "min": -1, "max": 1})
        option["graphic"] = [{"type": "text", "left": 10, "bottom": 50,
                              "style": {"text": "Beyond the map:", "fontSize": 11, "fill": "#555"}}]
        for name, colour in STATUS_COLOURS.items():
            option["series"].append({
                "name": name, "type": "scatter", "color": colour, "xAxisIndex": n_grids,
                "yAxisIndex": n_grids,
                "data": [_point(m, [m.name, 0, round(100 * m.contribution, 4)])
                         for m in far if m.status == name]})
    return option


@solara.component
def CoalitionMap(session: Session, version: int = 0):

    def clicked(data):  # a click on a capital opens that nation in the inspector
        code = (data or {}).get("data", {}).get("iso3") if isinstance(data, dict) else None
        if code in session.model.nations.iso3:
            session.inspected.set(code)

    Chart(session.read(map_option), height=480, maps_json=maps_json(), on_click=clicked)
    solara.Text("Click a capital to inspect that nation. Ukraine is shaded yellow, Russia "
                "and Belarus pink.", style={"font-size": "0.8rem", "color": "#666"})
