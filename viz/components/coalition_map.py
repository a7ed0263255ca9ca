"""A map of the coalition: nations over country outlines, drawn offline.

The outlines are ``seeds/europe_outline.geojson`` (Natural Earth, public domain; see
``seeds/europe_outline.md``), registered with ECharts in the page, so no tile or
topojson is fetched. Two views:

- **aid**: marker area grows with the contribution (share of GDP); colour says member /
  joined / never joined; a nation that left is an outlined red ring with its name, of
  a size a projector shows; a dark ring marks a frontline state;
- **troops** (after a ceasefire): marker area grows with the troops a nation deploys in
  the reassurance force; an amber ring marks an offer whose condition is not met.

Markers sit at the capitals; where they would overlap at the map's scale (the Baltic
states and Finland) they are pushed apart (:func:`declutter`) and a thin line leads
back to the capital. Members beyond the map (Canada, Australia, New Zealand, Japan)
sit in a strip below it with the same markers. Synthetic nations (``nations =
identical``) have no geography: they are drawn on a circle, with no map behind them.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, replace

import numpy as np
import solara

from agents.coalition_model import CoalitionModel
from model.events import pct
from seeds import SEEDS_DIR
from viz.components.echarts import Chart, to_json
from viz.state import Session

OUTLINE = SEEDS_DIR / "europe_outline.geojson"
BOX = (-25.0, 34.0, 45.0, 71.5)  # lon min, lat min, lon max, lat max (as the outline)
ASPECT = 0.62  # ECharts geo aspectScale: a degree of longitude is 0.62 of one of latitude
HEIGHT = 480  # the map chart's height in pixels
TOP, BOTTOM, BOTTOM_FAR = 8, 34, 96  # the geo box's margins (with the strip below it)
STATUS_COLOURS = {"member": "#1f5fbf", "joined": "#2e9d5b", "left": "#d1495b",
                  "never joined": "#9e9e9e"}
TROOP_COLOURS = {"deploys": "#2e9d5b", "condition not met": "#e69f00", "no troops": "#9e9e9e"}
REGION_COLOURS = {"Ukraine": "#fff1a8", "Russia": "#f4dcdc", "Belarus": "#f4dcdc"}
MODES = ("aid", "troops")
MIN_SIZE = 11.0  # px: the smallest marker, visible on a projector
GAP = 1.5  # px between markers after declutter


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
    troops: int = 0  # deployed in the reassurance force
    offer: int = 0  # offered (deployed only if its condition holds)
    condition: str = ""  # what its offer waits for, if it is not met
    at: tuple[float, float] | None = None  # where it is drawn, if not at its capital

    @property
    def on_map(self) -> bool:
        return BOX[0] <= self.lon <= BOX[2] and BOX[1] <= self.lat <= BOX[3]

    @property
    def size(self) -> float:
        """Marker diameter in pixels, aid view: area grows with the contribution."""
        return round(MIN_SIZE + 11 * math.sqrt(min(self.contribution, 0.01) / 0.01), 2)

    @property
    def troop_size(self) -> float:
        """Marker diameter in pixels, troops view: area grows with the troops deployed."""
        return round(MIN_SIZE + 13 * math.sqrt(min(self.troops, 10_000) / 10_000), 2)

    @property
    def troop_status(self) -> str:
        if self.troops > 0:
            return "deploys"
        return "condition not met" if self.offer > 0 else "no troops"

    @property
    def position(self) -> tuple[float, float]:
        return self.at if self.at is not None else (self.lon, self.lat)


def status(was_member: bool, is_member: bool) -> str:
    if is_member:
        return "member" if was_member else "joined"
    return "left" if was_member else "never joined"


def markers(model: CoalitionModel) -> list[Marker]:
    table = model.nations
    return [Marker(n.iso3, n.name, n.lon, n.lat, n.contribution, n.contribution_bn,
                   status(bool(table.member[n.index]), n.member), n.frontline, n.troops,
                   n.troop_offer, "" if n.condition_met else n.troop_condition)
            for n in model.nation_agents]


def geo_scale(far: bool) -> tuple[float, float]:
    """Pixels per degree (longitude, latitude) of the geo box at :data:`HEIGHT`, where the
    box's height binds (the map's panel is wide enough: the browser tests check it)."""
    per_lat = (HEIGHT - TOP - (BOTTOM_FAR if far else BOTTOM)) / (BOX[3] - BOX[1])
    return ASPECT * per_lat, per_lat


def declutter(points: list[tuple[float, float]], sizes: list[float],
              scale: tuple[float, float], rounds: int = 300) -> list[tuple[float, float]]:
    """Positions (lon, lat) moved apart until no two markers of these diameters (px)
    overlap at ``scale`` (px per degree), each moved as little as it can.

    Deterministic: in each sweep every overlapping pair is pushed apart along the line
    between them by half its overlap each (all pairs at once), until none overlaps or
    ``rounds`` sweeps have passed.
    """
    sx, sy = scale
    xy = np.array([[lon * sx, -lat * sy] for lon, lat in points], dtype=float).reshape(-1, 2)
    r = np.asarray(sizes, dtype=float) / 2
    need = r[:, None] + r[None, :] + GAP
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        d = xy[None, :, :] - xy[:, None, :]  # i -> j
        dist = np.hypot(d[..., 0], d[..., 1])
        overlap = np.triu(need - dist > 1e-6, 1)
        if not overlap.any():
            break
        i, j = np.nonzero(overlap)
        ok = dist[i, j] > 1e-9
        direction = np.where(ok[:, None], d[i, j] / np.where(ok, dist[i, j], 1)[:, None],
                             np.array([1.0, 0.0]))
        push = ((need[i, j] - dist[i, j]) / 2 + 0.05)[:, None] * direction
        shift = np.zeros_like(xy)
        np.add.at(shift, i, -push)
        np.add.at(shift, j, push)
        xy += shift / np.maximum(1, np.bincount(np.concatenate([i, j]), minlength=len(xy)))[:, None]
    return [(float(x / sx), float(-y / sy)) for x, y in xy]


def placed(ms: list[Marker], sizes: list[float], far: bool) -> list[Marker]:
    """The on-map markers with their drawn positions (decluttered)."""
    spots = declutter([(m.lon, m.lat) for m in ms], sizes, geo_scale(far))
    out = []
    for m, (lon, lat) in zip(ms, spots):
        moved = math.hypot(lon - m.lon, lat - m.lat) > 1e-6
        out.append(replace(m, at=(round(lon, 4), round(lat, 4))) if moved else m)
    return out


def _tooltip(m: Marker, mode: str) -> str:
    if mode == "troops":
        text = f"{m.name}: {m.troops:,} troops deployed"
        if m.offer and not m.troops:
            text += f" (offers {m.offer:,}; its condition, {m.condition}, is not met)"
        return text
    return (f"{m.name}: {pct(m.contribution)} of GDP (EUR {m.contribution_bn:.2f} bn a year), "
            f"{m.status}{', frontline state' if m.frontline else ''}")


def _point(m: Marker, value: list, mode: str) -> dict:
    ring = (mode == "aid" and m.status == "left") or (mode == "troops" and m.troop_status ==
                                                      "condition not met")
    colour = (STATUS_COLOURS[m.status] if mode == "aid" else TROOP_COLOURS[m.troop_status])
    size = m.size if mode == "aid" else m.troop_size
    style = {"borderColor": "#111" if m.frontline else "#fff",
             "borderWidth": 2.5 if m.frontline else 0.8}
    if ring:
        style = {"color": "rgba(255,255,255,0.85)", "borderColor": colour, "borderWidth": 3}
    point = {"name": m.name, "iso3": m.iso3, "value": value, "symbolSize": size,
             "tooltip": {"formatter": _tooltip(m, mode)}, "itemStyle": style}
    if ring or (mode == "troops" and m.troops > 0):
        text = m.name if mode == "aid" else f"{m.iso3} {m.troops:,}" if m.troops else m.iso3
        point["label"] = {"show": True, "formatter": text, "position": "right", "fontSize": 10,
                          "color": "#222", "fontWeight": "bold"}
    return point


def _groups(mode: str) -> dict[str, str]:
    return STATUS_COLOURS if mode == "aid" else TROOP_COLOURS


def _group_of(m: Marker, mode: str) -> str:
    return m.status if mode == "aid" else m.troop_status


def map_option(model: CoalitionModel, mode: str = "aid") -> dict:
    ms = markers(model)
    if model.config.nations == "identical":
        return circle_option(model, ms, mode)
    far = [m for m in ms if not m.on_map]
    near = [m for m in ms if m.on_map]
    sizes = [m.size if mode == "aid" else m.troop_size for m in near]
    near = placed(near, sizes, bool(far))
    if mode == "aid":
        title = ("The coalition on the map", "marker area = aid (share of GDP); red rings: "
                 "nations that left; dark ring = frontline state")
    else:
        title = ("Who deploys what in the reassurance force",
                 "marker area = troops deployed; amber rings: offers whose condition is not met")
    option = {"animation": False, "title": {"text": title[0], "subtext": title[1]},
              "tooltip": {"trigger": "item"},
              "legend": {"bottom": 0, "data": list(_groups(mode)), "textStyle": {"fontSize": 11}},
              "series": []}
    bottom = BOTTOM_FAR if far else BOTTOM
    if outline() is not None:
        option["geo"] = {
            "map": "europe", "roam": True, "silent": True, "aspectScale": ASPECT,
            "boundingCoords": [[BOX[0], BOX[3]], [BOX[2], BOX[1]]],
            "top": TOP, "bottom": bottom, "left": 8, "right": 8,
            "itemStyle": {"areaColor": "#f2f1ec", "borderColor": "#b5b5b5", "borderWidth": 0.6},
            "regions": [{"name": k, "itemStyle": {"areaColor": v}} for k, v in REGION_COLOURS.items()],
        }
        geo = {"coordinateSystem": "geo"}
    else:  # no outline: capitals on plain longitude / latitude axes
        option["grid"] = [{"top": TOP, "bottom": bottom, "left": 40, "right": 8}]
        option["xAxis"] = [{"type": "value", "min": BOX[0], "max": BOX[2], "name": "longitude"}]
        option["yAxis"] = [{"type": "value", "min": BOX[1], "max": BOX[3], "name": "latitude"}]
        geo = {"xAxisIndex": 0, "yAxisIndex": 0}
    leaders = [{"coords": [[m.lon, m.lat], list(m.at)]} for m in near if m.at is not None]
    if leaders:
        option["series"].append({"name": "capital", "type": "lines", **geo, "silent": True,
                                 "lineStyle": {"color": "#777", "width": 0.8, "opacity": 0.9},
                                 "data": leaders})
    for name, colour in _groups(mode).items():
        option["series"].append({
            "name": name, "type": "scatter", "color": colour, **geo,
            "labelLayout": {"hideOverlap": True},
            "data": [_point(m, [*m.position, round(100 * m.contribution, 4)], mode)
                     for m in near if _group_of(m, mode) == name]})
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
        for name, colour in _groups(mode).items():
            option["series"].append({
                "name": name, "type": "scatter", "color": colour, "xAxisIndex": n_grids,
                "yAxisIndex": n_grids,
                "data": [_point(m, [m.name, 0, round(100 * m.contribution, 4)], mode)
                         for m in far if _group_of(m, mode) == name]})
    return option


def circle_option(model: CoalitionModel, ms: list[Marker], mode: str) -> dict:
    """Synthetic nations on a circle, with no map (they have no geography)."""
    n = len(ms)
    option = {"animation": False,
              "title": {"text": "The coalition (synthetic nations: no geography)",
                        "subtext": "each nation on a circle; marker area = "
                                   + ("aid (share of GDP)" if mode == "aid" else "troops deployed")
                                   + "; red rings: nations that left"},
              "tooltip": {"trigger": "item"},
              "legend": {"bottom": 0, "data": list(_groups(mode)), "textStyle": {"fontSize": 11}},
              "grid": [{"top": 20, "bottom": 40, "left": 20, "right": 20}],
              "xAxis": [{"type": "value", "min": -1.4, "max": 1.4, "show": False}],
              "yAxis": [{"type": "value", "min": -1.25, "max": 1.25, "show": False}],
              "series": []}
    for name, colour in _groups(mode).items():
        data = []
        for k, m in enumerate(ms):
            if _group_of(m, mode) == name:
                angle = math.pi / 2 - 2 * math.pi * k / n
                point = _point(m, [round(math.cos(angle), 4), round(math.sin(angle), 4)], mode)
                point["label"] = {"show": True, "formatter": m.name, "position": "right",
                                  "fontSize": 10, "color": "#222"}
                data.append(point)
        option["series"].append({"name": name, "type": "scatter", "color": colour,
                                 "xAxisIndex": 0, "yAxisIndex": 0, "data": data})
    return option


def default_mode(model: CoalitionModel) -> str:
    """Troops once a ceasefire has begun, aid before."""
    return "troops" if bool(model.state.ceasefire[0, 0]) else "aid"


@solara.component
def CoalitionMap(session: Session, version: int = 0):
    chosen = solara.use_reactive(None)  # None: follow the run (troops after a ceasefire)
    mode = chosen.value or session.read(default_mode)

    def clicked(data):  # a click on a marker opens that nation in the inspector
        code = (data or {}).get("data", {}).get("iso3") if isinstance(data, dict) else None
        if code in session.model.nations.iso3:
            session.inspected.set(code)

    synthetic = session.model.config.nations == "identical"
    Chart(session.read(map_option, mode), height=HEIGHT,
          maps_json="{}" if synthetic else maps_json(), on_click=clicked)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.ToggleButtonsSingle(value=mode, values=list(MODES), on_value=chosen.set, dense=True,
                                   classes=["coalition-map-mode"])
        solara.Text("Click a marker to inspect that nation."
                    + ("" if synthetic else " Ukraine is shaded yellow, Russia and Belarus pink."),
                    style={"font-size": "0.8rem", "color": "#666"})
