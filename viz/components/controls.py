"""The controls: scenario, US policy and its parameters, the seminar's parameters,
Step / Play / Reset. A changed control waits for Reset, and the panel says so."""

from __future__ import annotations

import time
from dataclasses import replace

import solara

from model.policies import REGISTRY, policy_names
from model.config import Param, all_params
from model.scenarios import load_scenario, scenario_names
from viz.state import FOCUS_NATION, LABELS, Session, current_page

# Slider ranges and steps where a parameter's allowed range is wider than a seminar needs.
UI_RANGES: dict[str, tuple[float, float, float]] = {
    "us_level": (0, 1, 0.05), "us_low_level": (0, 1, 0.05), "us_withdraw_start": (0, 40, 1),
    "us_withdraw_rate": (0, 0.5, 0.01), "us_demand": (0.1, 3, 0.05), "us_hysteresis": (0, 1, 0.05),
    "us_switch_prob": (0, 1, 0.05), "us_stake": (0, 5, 0.1), "us_reliance": (-4, 1, 0.1),
    "spillover": (0, 1, 0.05), "penalty_scale": (0, 5, 0.1), "sucker_aversion": (0, 0.95, 0.05),
    "us_reliance_spread": (0, 2, 0.05), "defence_budget_weight": (0, 0.2, 0.005),
    "reparations_loan": (0, 150, 5),
    "adjustment_speed": (0.05, 1, 0.05), "noise": (0, 0.5, 0.01),
}
MIN_DELAY_MS = 50  # the shortest pause between rounds while playing
CAPTION = {"font-size": "0.75rem", "color": "#666", "line-height": "1.2", "margin-bottom": "6px"}


def Heading(text: str):
    return solara.Text(text, style={"font-weight": "bold", "margin-top": "14px", "display": "block"})


def slider_range(name: str, value: float) -> tuple[float, float, float]:
    """(min, max, step) of a slider, widened to include a scenario's value."""
    low, high, step = UI_RANGES[name]
    return min(low, value), max(high, value), step


@solara.component
def ParamControl(session: Session, name: str):
    """One model parameter: a slider, switch or choice built from its spec."""
    spec: Param = all_params()[name]
    value = session.pending.value.values[name]
    label = LABELS.get(name, name)

    def set_value(v):
        session.set_value(name, v)

    if spec.kind is bool:
        solara.Switch(label=label, value=value, on_value=set_value)
    elif spec.choices is not None:
        solara.Text(label)
        solara.ToggleButtonsSingle(value=value, values=list(spec.choices), on_value=set_value, dense=True)
    elif spec.kind is int:
        low, high, step = slider_range(name, value)
        solara.SliderInt(f"{label}: {value}", value=value, min=int(low), max=int(high), step=int(step),
                         on_value=set_value)
    else:
        low, high, step = slider_range(name, value)
        solara.SliderFloat(f"{label}: {value:g}", value=value, min=low, max=high, step=step,
                           on_value=set_value)
    solara.Text(spec.doc, style=CAPTION)


@solara.component
def RunButtons(session: Session):
    playing = session.playing.value
    running = session.running.value

    page = current_page()  # this browser tab's connection to the server

    def play_loop(cancel):
        while not cancel.is_set() and session.playing.value:
            if not page.connected():  # the tab has closed: stop, use no more of the server
                session.playing.set(False)
                break
            start = time.perf_counter()
            if not session.step():
                break
            session.wait_drawn()  # one round drawn before the next is played
            delay = max(session.delay_ms.value, MIN_DELAY_MS) / 1000
            cancel.wait(max(MIN_DELAY_MS / 1000, delay - (time.perf_counter() - start)))

    solara.use_thread(play_loop, dependencies=[playing], intrusive_cancel=False)
    with solara.Row(gap="6px"):
        solara.Button("Reset", on_click=session.reset, color="primary", icon_name="mdi-restart")
        solara.Button("Step", on_click=session.step, disabled=playing or not running,
                      icon_name="mdi-step-forward")
        solara.Button("Pause" if playing else "Play", on_click=lambda: session.playing.set(not playing),
                      disabled=not running and not playing,
                      icon_name="mdi-pause" if playing else "mdi-play")
    solara.SliderInt(f"Delay between rounds: {session.delay_ms.value} ms", value=session.delay_ms,
                     min=MIN_DELAY_MS, max=1000, step=50)


@solara.component
def PendingNotice(session: Session):
    changed = session.changed
    error = session.error.value
    if error:
        with solara.Row(style={"align-items": "start"}):
            solara.Error(error, classes=["coalition-error"], style={"flex": "1"})
            solara.Button(icon_name="mdi-close", icon=True, on_click=lambda: session.error.set(None))
    if changed:
        solara.Info(f"Changed: {', '.join(changed)}. Press Reset to apply.", dense=True,
                    classes=["coalition-pending"])
    else:
        solara.Text("The model runs with these settings.", style=CAPTION)


@solara.component
def NationReliance(session: Session):
    """The nations' mean belief us_reliance and its spread, and one chosen nation's own."""
    pending = session.pending.value
    session.applied.value  # the nations change with the applied model
    model = session.model
    codes = model.nations.iso3
    chosen = solara.use_reactive(FOCUS_NATION if FOCUS_NATION in codes else codes[0])
    code = chosen.value if chosen.value in codes else codes[0]
    name = model.nations.name[codes.index(code)]

    ParamControl(session, "us_reliance")
    ParamControl(session, "us_reliance_spread")

    items = [{"text": f"{n} ({c})", "value": c} for c, n in sorted(zip(codes, model.nations.name),
                                                                   key=lambda t: t[1])]
    solara.v.Select(label="One nation's US reliance", items=items, v_model=code, dense=True,
                    on_v_model=chosen.set)
    key = f"{code}.us_reliance"
    own = pending.values.get(key)

    def override(on: bool) -> None:
        start = round(model.nation(code).us_reliance, 2)
        session.pending.set(pending.with_value(key, start if on else None))

    solara.Switch(label=f"Set {name}'s own", value=own is not None, on_value=override)
    if own is not None:
        low, high, step = slider_range("us_reliance", own)
        solara.SliderFloat(f"{name}: us_reliance {own:g}", value=own, min=low, max=high, step=step,
                           on_value=lambda v: session.pending.set(pending.with_value(key, v)))
    per_nation = pending.nation_values("us_reliance")
    if per_nation:
        solara.Text("Set per nation: " + ", ".join(f"{c} {v:g}" for c, v in
                                                   sorted(per_nation.items())), style=CAPTION)


@solara.component
def Controls(session: Session):
    pending = session.pending.value
    RunButtons(session)
    PendingNotice(session)

    solara.Select("Scenario", values=scenario_names(), value=pending.scenario,
                  on_value=session.choose_scenario)
    preset = load_scenario(pending.scenario)
    with solara.Details(preset.title, expand=False):
        solara.Text(preset.description, style=CAPTION)

    Heading("The United States")
    policy = pending.values["us_policy"]
    solara.Select("US policy", values=policy_names(), value=policy,
                  on_value=lambda v: session.set_value("us_policy", v))
    solara.Text(REGISTRY[policy].description, style=CAPTION)
    for name in REGISTRY[policy].reads:
        ParamControl(session, name)

    Heading("Nations' beliefs and tastes")
    NationReliance(session)
    ParamControl(session, "sucker_aversion")

    Heading("Budgets, the EU and off-budget money")
    for name in ("defence_path", "defence_budget_weight", "eu_channel", "off_budget",
                 "reparations_loan"):
        ParamControl(session, name)

    Heading("The coalition's rules")
    for name in ("spillover", "penalty_scale", "adjustment_speed", "noise", "mode", "adversary"):
        ParamControl(session, name)

    Heading("The run")
    solara.InputInt("Seed", value=pending.seed,
                    on_value=lambda v: session.pending.set(replace(pending, seed=v)))
    ParamControl(session, "stop_on_verdict")
    solara.InputTextArea("More settings, one KEY=VALUE a line (as coalition run --set)",
                         value=pending.extra, continuous_update=True, rows=3,
                         on_value=lambda v: session.pending.set(replace(pending, extra=v)))
