"""Model vs reality: the current scenario's first round against what the nations did in
2025, when US allocations stopped (``coalition validate --scenario NAME``).

The panel shows what that command prints for the applied settings (the scenario's own,
plus any control or ``KEY=VALUE`` changed), a chart of each nation's predicted against
its observed change, and says in plain words where the model is wrong: the direction of
the nations' total, and the nations it gets most wrong.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import solara

from model.errors import CoalitionError
from model.validation import Validation2025, scenario_report, validate_2025
from viz.components.charts import BLUE, GREY, RED, base_option
from viz.components.echarts import Chart
from viz.state import Session, Settings

MISSES = 5  # nations named as the largest misses


@dataclass(frozen=True)
class RealityCheck:
    scenario: str
    report: str  # what `coalition validate --scenario` prints
    verdict: str  # where the model is right and where it is wrong, in plain words
    validation: Validation2025 | None
    problem: str | None = None  # why there is no check (a scenario without 2025 data)


def _direction(ratio: float) -> str:
    return "up" if ratio > 1 else "down" if ratio < 1 else "unchanged"


def reality_check(settings: Settings) -> RealityCheck:
    """The applied settings' first round against 2025, or the one-line reason there is none."""
    try:
        v = validate_2025(settings.scenario, seed=settings.seed, **settings.model_inputs())
    except CoalitionError as exc:
        return RealityCheck(settings.scenario, "", "", None, str(exc))
    pred, obs = v.predicted_effort_ratio, v.observed_effort_ratio
    right = _direction(pred) == _direction(obs)
    size = abs(pred / obs - 1)
    words = [f"The model predicts the nations' bilateral aid {_direction(pred)} (x{pred:.2f}) where "
             f"in 2025 it went {_direction(obs)} (x{obs:.2f}): "
             + ("the direction is right" if right else "the direction is WRONG")
             + f", the size {100 * size:.0f}% off."]
    words.append(f"Per nation the direction is right for {100 * v.direction_agreement:.0f}% of "
                 f"nations; rank correlation {v.rank_correlation:+.2f} (0: no better than chance).")
    with np.errstate(divide="ignore", invalid="ignore"):
        miss = np.abs(np.log(np.maximum(v.predicted_ratio, 0.05))
                      - np.log(np.maximum(v.observed_ratio, 0.05)))
    worst = [i for i in np.argsort(-np.nan_to_num(miss, nan=-1.0))[:MISSES] if np.isfinite(miss[i])]
    words.append("Largest misses: " + ", ".join(
        f"{v.iso3[i]} predicted x{v.predicted_ratio[i]:.2f}, observed x{v.observed_ratio[i]:.2f}"
        for i in worst) + ".")
    return RealityCheck(settings.scenario, scenario_report(v), " ".join(words), v)


def reality_option(v: Validation2025) -> dict:
    """Each nation's predicted against its observed 2025 ratio (log axes), the diagonal
    where they agree, and the lines at x1 that split the directions."""
    points = [{"name": c, "value": [round(float(o), 4), round(float(p), 4)]}
              for c, p, o in zip(v.iso3, v.predicted_ratio, v.observed_ratio)
              if math.isfinite(p) and math.isfinite(o) and p > 0 and o > 0]
    right = [q for q in points if _direction(q["value"][0]) == _direction(q["value"][1])]
    wrong = [q for q in points if q not in right]
    values = [x for q in points for x in q["value"]] or [1.0]
    lo, hi = min(values + [0.5]) * 0.9, max(values + [2.0]) * 1.1
    style = {"type": "scatter", "symbolSize": 9, "labelLayout": {"hideOverlap": True},
             "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 9}}
    option = base_option(f"{v.scenario}: predicted against observed, 2025 / 2022-24",
                         "each nation's bilateral aid; on the diagonal the model is right; red: "
                         "the direction is wrong", legend=True)
    axis = {"type": "log", "min": round(lo, 3), "max": round(hi, 3), "nameLocation": "middle"}
    option.update({
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0, "right": 4, "textStyle": {"fontSize": 11}},
        "grid": {"left": 60, "right": 20, "top": 28, "bottom": 44},
        "xAxis": {**axis, "name": "observed in 2025 (x 2022-24)", "nameGap": 26},
        "yAxis": {**axis, "name": "predicted (x 2022-24)", "nameGap": 40},
        "series": [
            {**style, "name": "direction right", "color": BLUE, "data": right},
            {**style, "name": "direction wrong", "color": RED, "data": wrong},
            {"name": "model = reality", "type": "line", "color": GREY, "showSymbol": False,
             "silent": True, "lineStyle": {"type": "dashed"},
             "data": [[round(lo, 3), round(lo, 3)], [round(hi, 3), round(hi, 3)]],
             "markLine": {"silent": True, "symbol": "none", "label": {"show": False},
                          "lineStyle": {"color": GREY, "type": "dotted"},
                          "data": [{"xAxis": 1}, {"yAxis": 1}]}}],
    })
    return option


@solara.component
def ModelVsReality(session: Session):
    settings = session.applied.value
    check = solara.use_memo(lambda: reality_check(settings), dependencies=[settings])
    with solara.Column(style={"max-width": "1100px", "padding": "8px 16px"}):
        solara.HTML(tag="h3", unsafe_innerHTML="Model vs reality: 2025, when US allocations stopped")
        solara.Text("What the model's first round predicts for each nation against what it did in "
                    "2025 (Kiel Support Tracker), for the scenario and settings applied now; "
                    f"`coalition validate --scenario {settings.scenario}` prints the same for the "
                    "scenario's own settings. The fitted model's held-out test (`coalition "
                    "validate`, about 100 s) and what the misses point to are in docs/ODD.md, "
                    "\"Validation\".", style={"font-size": "0.85rem", "color": "#444"})
        if check.problem:
            solara.Warning(check.problem, classes=["coalition-reality-problem"])
            return
        solara.Info(check.verdict, classes=["coalition-reality-verdict"])
        Chart(reality_option(check.validation), height=420)
        solara.HTML(tag="pre", unsafe_innerHTML=html.escape(check.report), classes=["coalition-reality-report"],
                    style="white-space: pre-wrap; font-size: 0.8rem; background: #f7f7f7; "
                          "padding: 8px; max-height: 360px; overflow-y: auto")
