"""The controls: scenario, US policy and its parameters, the seminar's parameters, the
ceasefire and the guarantee, the run (seed, round limit), any other parameter as
``KEY=VALUE``, and Step / Play / Reset. A changed control waits for Reset, and the panel
says so; a setting typed in the box shows in its control, which it then overrides."""

from __future__ import annotations

import time

import solara

from model.policies import REGISTRY, policy_names
from model.config import Param, all_params
from model.param import MAX_ROUNDS
from model.scenarios import load_scenario, scenario_names
from viz.components.inspector import nation_items
from viz.glossary import CAPTIONS, gloss_html
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
    "us_backstop_price": (0, 60000, 1000), "ceasefire_round": (-1, 40, 1),
    "force_threshold": (5000, 100000, 1000), "force_threshold_backstop": (5000, 100000, 1000),
}
PARAMETERS_TAB = 3  # the tab the settings box links to (viz/app.py)
MIN_DELAY_MS = 50  # the shortest pause between rounds while playing
CAPTION = {"font-size": "0.75rem", "color": "#666", "line-height": "1.2", "margin-bottom": "6px"}


def Heading(text: str):
    return solara.Text(text, style={"font-weight": "bold", "margin-top": "14px", "display": "block"})


def slider_range(name: str, value: float) -> tuple[float, float, float]:
    """(min, max, step) of a slider, widened to include a scenario's value."""
    low, high, step = UI_RANGES[name]
    return min(low, value), max(high, value), step


def Caption(text: str, classes: list[str] | None = None):
    """A control's caption in plain words, glossary terms with tooltips."""
    return solara.HTML(tag="div", unsafe_innerHTML=gloss_html(text), style=CAPTION_CSS,
                       classes=["coalition-caption", *(classes or [])])


CAPTION_CSS = "font-size: 0.75rem; color: #666; line-height: 1.2; margin-bottom: 6px"


@solara.component
def ParamControl(session: Session, name: str):
    """One model parameter: a slider, switch or choice built from its spec. A value typed in
    the settings box is shown here, and the control is disabled while the box sets it."""
    spec: Param = all_params()[name]
    value, boxed = session.pending.value.effective(name)
    label = LABELS.get(name, name)

    def set_value(v):
        session.set_value(name, v)

    if spec.kind is bool:
        solara.Switch(label=label, value=value, on_value=set_value, disabled=boxed)
    elif spec.choices is not None:
        solara.Text(f"{label}: {value}" if boxed else label)
        if not boxed:
            solara.ToggleButtonsSingle(value=value, values=list(spec.choices), on_value=set_value,
                                       dense=True)
    elif spec.kind is int:
        low, high, step = slider_range(name, value)
        solara.SliderInt(f"{label}: {value}", value=value, min=int(low), max=int(high), step=int(step),
                         on_value=set_value, disabled=boxed)
    else:
        low, high, step = slider_range(name, value)
        solara.SliderFloat(f"{label}: {value:g}", value=value, min=low, max=high, step=step,
                           on_value=set_value, disabled=boxed)
    if boxed:
        Caption(f"set to {value} in More settings below, which overrides this control",
                classes=["coalition-boxed"])
    Caption(CAPTIONS.get(name, spec.doc))


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
    """The nations' mean belief (US reliance) and its spread, and one chosen nation's own."""
    pending = session.pending.value
    session.applied.value  # the nations change with the applied model
    model = session.model
    codes = model.nations.iso3
    chosen = solara.use_reactive(FOCUS_NATION if FOCUS_NATION in codes else codes[0])
    code = chosen.value if chosen.value in codes else codes[0]
    name = model.nations.name[codes.index(code)]

    ParamControl(session, "us_reliance")
    ParamControl(session, "us_reliance_spread")

    solara.v.Select(label="One nation's US reliance", items=nation_items(model), v_model=code,
                    dense=True, on_v_model=chosen.set)
    key = f"{code}.us_reliance"
    own, boxed = pending.effective(key)

    def override(on: bool) -> None:
        start = round(model.nation(code).us_reliance, 2)
        session.set_value(key, start if on else None)

    solara.Switch(label=f"Set {name}'s own", value=own is not None, on_value=override,
                  disabled=boxed)
    if own is not None:
        low, high, step = slider_range("us_reliance", own)
        solara.SliderFloat(f"{name}'s US reliance: {own:g}", value=own, min=low, max=high,
                           step=step, disabled=boxed,
                           on_value=lambda v: session.set_value(key, v))
    per_nation = {**pending.nation_values("us_reliance"),
                  **{k.split(".")[0]: v for k, v in pending.box()[0].items()
                     if k.endswith(".us_reliance")}}
    if per_nation:
        solara.Text("Set per nation: " + ", ".join(f"{c} {v:g}" for c, v in
                                                   sorted(per_nation.items())), style=CAPTION)


@solara.component
def SettingsBox(session: Session):
    """Any other parameter as KEY=VALUE lines, checked as they are typed."""
    pending = session.pending.value
    read, problems = pending.box()
    solara.Text("More settings", style={"font-weight": "bold", "display": "block",
                                        "margin-top": "14px"})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="2px"):
        solara.Text("Any parameter, one KEY=VALUE a line, as coalition run --set: see the",
                    style=CAPTION)
        solara.Button("parameter list", text=True, small=True, classes=["coalition-parameters-link"],
                      on_click=lambda: session.tab.set(PARAMETERS_TAB),
                      style={"text-transform": "none", "padding": "0 2px", "min-width": "0"})
    # a plain Vuetify text area: its label stays above the text (Solara's solo style hides it)
    solara.v.Textarea(label="KEY=VALUE lines, e.g. deterrence_rho=1", v_model=pending.extra,
                      rows=3, auto_grow=True, outlined=True, hide_details="auto", dense=True,
                      on_v_model=lambda v: session.set_extra(v or ""))
    for problem in problems:
        solara.Error(problem, dense=True, classes=["coalition-box-problem"],
                     style={"font-size": "0.8rem"})
    if read and not problems:
        Caption("Read: " + ", ".join(f"{k} = {v}" for k, v in read.items()),
                classes=["coalition-box-read"])


@solara.component
def Guarantee(session: Session):
    """The ceasefire, the US backstop and the force's thresholds."""
    policy = session.pending.value.effective("us_policy")[0]
    ParamControl(session, "ceasefire_round")
    if "us_backstop" in REGISTRY[policy].reads:
        ParamControl(session, "us_backstop")
    else:
        Caption(f"The {policy} US never backs the force.")
    if "us_backstop_price" in REGISTRY[policy].reads:
        ParamControl(session, "us_backstop_price")
    ParamControl(session, "force_threshold")
    ParamControl(session, "force_threshold_backstop")


def parse_round_limit(text: str | None) -> int:
    """The round limit typed in the box: a whole number from 1 to MAX_ROUNDS."""
    cleaned = (text or "").strip().replace(",", "").replace("_", "")
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= MAX_ROUNDS:
        raise ValueError(f"the round limit must be a whole number from 1 to {MAX_ROUNDS:,}, "
                         f"not {text!r}")
    return int(cleaned)


@solara.component
def RoundLimit(session: Session):
    """The round limit, applied when the box loses focus or Enter is pressed.

    The typed text is kept on the server as it is typed, so a redraw (Play stopping, a
    view updating) never puts the old number back into the box; and the limit is applied
    in the event handler, never during a redraw.
    """
    limit = session.round_limit.value
    text, set_text = solara.use_state(str(limit))
    problem, set_problem = solara.use_state(None)
    solara.use_effect(lambda: set_text(str(limit)), [limit])  # a limit set elsewhere shows

    text_ref = solara.use_ref(text)  # what is typed, also before the next redraw
    text_ref.current = text

    def typed(value):
        text_ref.current = value
        set_text(value)

    def apply(*_ignore):
        try:
            rounds = parse_round_limit(text_ref.current)
        except ValueError as exc:
            set_problem(str(exc))
            return
        set_problem(None)
        session.set_round_limit(rounds)

    field = solara.v.TextField(v_model=text, on_v_model=typed,
                               label=f"Stop after round (1 to {MAX_ROUNDS:,})",
                               error=problem is not None, hide_details="auto",
                               class_="coalition-round-limit")
    solara.v.use_event(field, "focusout", apply)
    solara.v.use_event(field, "keyup.enter", apply)
    if problem is not None:
        solara.Error(problem, dense=True, classes=["coalition-round-limit-problem"],
                     style={"font-size": "0.8rem"})
    Caption(f"Play and Step stop after round {limit:,}, as at the verdict "
            "(the command line's --rounds); a new limit applies as you leave the box or press Enter.",
            classes=["coalition-round-limit-caption"])


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
    policy, boxed = pending.effective("us_policy")
    solara.Select("US policy", values=policy_names(), value=policy, disabled=boxed,
                  on_value=lambda v: session.set_value("us_policy", v))
    if boxed:
        Caption(f"set to {policy} in More settings below, which overrides this control",
                classes=["coalition-boxed"])
    Caption(REGISTRY[policy].description)
    for name in REGISTRY[policy].reads:
        if name not in ("us_backstop", "us_backstop_price"):
            ParamControl(session, name)

    # on a page load the banner and the run's controls come first; the other settings
    # follow with the charts (about 80 widgets: 0.4 s of a first render)
    if not session.page_drawn.value:
        Caption("The other settings follow in a moment ...")
        return

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

    Heading("After a ceasefire: the guarantee")
    Guarantee(session)

    Heading("The run")
    solara.InputInt("Seed", value=pending.seed,
                    on_value=session.set_seed)
    RoundLimit(session)
    ParamControl(session, "stop_on_verdict")
    SettingsBox(session)
