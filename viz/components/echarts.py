"""An ECharts chart whose option travels as one JSON string.

Solara's ``FigureEcharts`` passes the option as nested dicts and lists, which the
renderer walks value by value on every redraw (a heat map has thousands). A string
is diffed in one comparison, which keeps a step well under 100 ms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import ipyvuetify
import traitlets


class EchartsJson(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "echarts.vue")
    option_json = traitlets.Unicode("{}").tag(sync=True)
    maps_json = traitlets.Unicode("{}").tag(sync=True)
    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_on_click(self, data: dict) -> None:
        if self.on_click is not None:
            self.on_click(data)


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


def Chart(option: dict, height: int = 300, maps_json: str = "{}",
          on_click: Callable[[dict], None] | None = None):
    """One chart element; ``option`` is an ECharts option (plain JSON values).

    A plain function, not a component: the option dict must never be an element's
    argument, or the renderer would compare and walk it value by value.
    """
    return EchartsJson.element(option_json=to_json(option), maps_json=maps_json,
                               attributes={"style": f"height: {height}px; width: 100%"},
                               on_click=on_click)
