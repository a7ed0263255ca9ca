"""An ECharts chart whose option travels as one JSON string, in a card with its title
and its exports.

Solara's ``FigureEcharts`` passes the option as nested dicts and lists, which the
renderer walks value by value on every redraw (a heat map has thousands). A string
is diffed in one comparison, which keeps a step well under 100 ms.

The title and subtitle are drawn as text above the chart, where they wrap on a narrow
screen instead of overlapping the chart's legend or being cut off; the option keeps
them (hidden) for the PNG export, which draws them above the chart. Each chart exports
as PNG (drawn in the browser) and as CSV (its data, :func:`option_csv`, made here when
the browser asks).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from typing import Any

import ipyvuetify
import traitlets

class EchartsJson(ipyvuetify.VuetifyTemplate):
    """One chart with its title, subtitle and PNG / CSV buttons, as one widget (a chart
    made of several Solara elements cost a redraw of each on every step)."""

    template_file = (__file__, "echarts.vue")
    option_json = traitlets.Unicode("{}").tag(sync=True)
    maps_json = traitlets.Unicode("{}").tag(sync=True)
    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    subtitle = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("chart").tag(sync=True)
    csv_data = traitlets.Unicode("").tag(sync=True)  # sent only when the CSV is asked for
    csv_serial = traitlets.Int(0).tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_on_click(self, data: dict) -> None:
        if self.on_click is not None:
            self.on_click(data)

    def vue_csv_request(self, data=None) -> None:
        """The browser asks for the chart's data as CSV (:func:`option_csv`)."""
        self.csv_data = option_csv(json.loads(self.option_json))
        self.csv_serial += 1


def to_json(value: Any) -> str:
    """Compact JSON; a stray NaN or infinity becomes null (JSON.parse rejects NaN)."""
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def slug(text: str) -> str:
    """A file name from a title: "Coalition size" -> "coalition-size"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def titles(option: dict) -> tuple[str, str]:
    title = option.get("title") or {}
    title = title[0] if isinstance(title, list) else title
    return title.get("text", ""), title.get("subtext", "")


def Chart(option: dict, height: int = 300, maps_json: str = "{}",
          on_click: Callable[[dict], None] | None = None):
    """One chart with its title, subtitle and PNG and CSV buttons.

    ``option`` is an ECharts option (plain JSON values). A plain function, not a
    component: the option dict must never be an element's argument, or the renderer
    would compare and walk it value by value; it travels as one string.
    """
    title, subtitle = titles(option)
    hidden = {**option, "title": {"text": title, "subtext": subtitle, "show": False}}
    return EchartsJson.element(option_json=to_json(hidden), maps_json=maps_json, title=title,
                               subtitle=subtitle, filename=slug(title),
                               attributes={"style": f"height: {height}px; width: 100%"},
                               on_click=on_click)


# ---------------------------------------------------------------------- CSV
def _axis(option: dict, key: str) -> dict:
    axis = option.get(key) or {}
    return axis[0] if isinstance(axis, list) and axis else axis if isinstance(axis, dict) else {}


def option_csv(option: dict) -> str:
    """The data of a chart as CSV, read off its option.

    Series over a category axis (rounds) become one column each beside it; points
    (``[x, y, ...]`` or ``{"name", "value"}``) become one row each, with the series'
    name, the point's name and its values under the axes' names.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # a series may carry its own values for the CSV ("csv"): a band stacked on another
    series = [{**s, "data": s.get("csv", s.get("data"))} for s in option.get("series", [])
              if s.get("data") is not None]
    x = _axis(option, "xAxis")
    plain = series and all(not isinstance(v, (list, dict)) for s in series for v in s["data"])
    if x.get("type") == "category" and plain:
        categories = x.get("data", [])
        writer.writerow([x.get("name") or "x", *(s.get("name", "") for s in series)])
        for i, c in enumerate(categories):
            writer.writerow([c, *(s["data"][i] if i < len(s["data"]) else "" for s in series)])
        return out.getvalue()
    y = _axis(option, "yAxis")
    x_name, y_name = x.get("name") or "x", y.get("name") or "y"
    width = max((len(_values(v)) for s in series for v in s["data"]), default=2)
    header = ["series", "name", x_name, y_name] + [f"value {k + 1}" for k in range(2, width)]
    writer.writerow(header)
    for s in series:
        for v in s["data"]:
            values = _values(v)
            name = v.get("name", "") if isinstance(v, dict) else ""
            if x.get("type") == "category" and values and isinstance(values[0], int):
                values = [x.get("data", [])[values[0]], *values[1:]]
            if y.get("type") == "category" and len(values) > 1 and isinstance(values[1], int):
                values = [values[0], y.get("data", [])[values[1]], *values[2:]]
            writer.writerow([s.get("name", ""), name, *values])
    return out.getvalue()


def _values(point: Any) -> list:
    if isinstance(point, dict):
        value = point.get("value", [])
        return list(value) if isinstance(value, (list, tuple)) else [value]
    return list(point) if isinstance(point, (list, tuple)) else [point]
