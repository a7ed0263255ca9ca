"""How sure is the run? Plausible worlds and a second run, both on demand and off the
main thread.

- **Plausible worlds**: the current settings in N worlds the estimation data do not
  reject (:func:`experiments.ensemble.plausible_band`, the ensemble of ``coalition run
  --plausible N``): the verdict as a share ("fractured in 75% of 12 plausible worlds")
  and a band of European aid on the effort chart.
- **A second run**: another scenario or seed, run to the round limit by the sweep
  engine (the same numbers as the Mesa model for a seed) and drawn dashed over the
  time series.

Each runs in a thread of its own when its button is pressed, in chunks that check
whether the work is still wanted (a new request, a Reset, the tab gone); Step and Play
go on meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import solara

from experiments.design import RunSpec
from experiments.engine import run_vectorised
from experiments.ensemble import plausible_band
from model.scenarios import scenario_names
from viz.components.charts import Band, Overlay
from viz.state import Session, Settings

WORLDS = (6, 12, 24)  # choices of the number of plausible worlds
OVERLAID = ("coalition_size", "european_effort_bn", "deterrence", "force_troops")


@dataclass(frozen=True)
class Ensemble:
    """Plausible worlds of one applied setting: the band and the verdicts' shares."""

    band: Band
    verdicts: dict[str, float]
    guarantees: dict[str, float]
    settings: Settings

    @property
    def text(self) -> str:
        shares = sorted(self.verdicts.items(), key=lambda kv: -kv[1])
        words = ", ".join(f"{v} in {100 * share:.0f}%" for v, share in shares)
        out = f"In {self.band.draws} plausible worlds the coalition is {words}"
        formed = {k: v for k, v in self.guarantees.items() if k != "no ceasefire"}
        if formed:
            out += "; the guarantee " + ", ".join(
                f"{k} in {100 * v:.0f}%" for k, v in sorted(formed.items(), key=lambda kv: -kv[1]))
        return out + "."


def ensemble(session: Session, draws: int, cancelled=None) -> Ensemble | None:
    """The applied settings in ``draws`` plausible worlds, to the round limit."""
    with session.lock:
        model, settings = session.model, session.applied.value
        scenario, limit = model.preset.name, session.round_limit.value
    sets = settings.departures()  # the user's changes win over the worlds' values
    result = plausible_band(scenario, sets, limit, settings.seed, draws,
                            cancelled=cancelled)
    if result is None:
        return None
    band = Band(draws, result["rounds"], *(list(np.round(result[k], 4)) for k in ("p5", "p50", "p95")))
    return Ensemble(band, result["verdicts"], result["guarantees"], settings)


def second_run(settings: Settings, rounds: int) -> Overlay:
    """A run of ``settings`` to ``rounds`` (or its verdict): the series the charts overlay."""
    spec = RunSpec(run=0, point=0, replicate=0, seed=settings.seed,
                   overrides=settings.model_inputs(), varied={})
    _, blocks = run_vectorised(settings.scenario, [spec], rounds, series=True)
    series = {name: [float(b[name][0]) for b in blocks] for name in OVERLAID}
    return Overlay(f"{settings.scenario}, seed {settings.seed}", series)


@solara.component
def PlausibleWorlds(session: Session):
    draws = solara.use_reactive(12)
    request, set_request = solara.use_state(0)
    applied = session.applied.value

    def work(cancel):
        if request == 0:
            return None
        found = ensemble(session, draws.value, cancelled=cancel.is_set)
        if found is not None and not cancel.is_set():
            session.ensemble.set(found)
        return found

    result = solara.use_thread(work, dependencies=[request], intrusive_cancel=False)
    shown = session.ensemble.value
    running = request > 0 and result.state in (solara.ResultState.STARTING,
                                               solara.ResultState.WAITING,
                                               solara.ResultState.RUNNING)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
        solara.Text("Plausible worlds:", style={"font-weight": "500"})
        solara.ToggleButtonsSingle(value=draws, values=list(WORLDS), dense=True)
        solara.Button("Run them" if shown is None else "Run again", on_click=lambda: set_request(request + 1),
                      disabled=running, small=True, outlined=True, classes=["coalition-worlds"])
        if shown is not None:
            solara.Button("Hide", on_click=lambda: session.ensemble.set(None), small=True,
                          text=True)
    if running:
        solara.Text(f"Running {draws.value} plausible worlds to round {session.round_limit.value}: "
                    "Step and Play go on meanwhile ...", classes=["coalition-worlds-running"],
                    style={"font-size": "0.85rem", "color": "#666"})
    elif result.error is not None:
        solara.Error(f"The plausible worlds failed: {result.error}")
    if shown is not None:
        stale = "" if shown.settings == applied else " (for the settings before the last Reset)"
        solara.Text(shown.text + stale, classes=["coalition-worlds-verdict"],
                    style={"font-size": "0.9rem"})
    solara.Text("Worlds whose beliefs, saturation and adjustment speed the 2023-24 data do not "
                "reject (seeds/estimate.json; coalition run --plausible N): the spread of what "
                "the model can say.", style={"font-size": "0.75rem", "color": "#666"})


@solara.component
def SecondRun(session: Session):
    applied = session.applied.value
    scenario = solara.use_reactive(applied.scenario)
    seed = solara.use_reactive(applied.seed + 1)
    request, set_request = solara.use_state(0)

    def work(cancel):
        if request == 0:
            return None
        name, s = scenario.value, int(seed.value)
        base = session.applied.value
        settings = (Settings(name, s, base.values, base.extra) if name == base.scenario
                    else Settings.for_scenario(name, seed=s))
        overlay = second_run(settings, session.round_limit.value)
        if not cancel.is_set():
            session.overlay.set(overlay)
        return overlay

    result = solara.use_thread(work, dependencies=[request], intrusive_cancel=False)
    running = request > 0 and result.state in (solara.ResultState.STARTING,
                                               solara.ResultState.WAITING,
                                               solara.ResultState.RUNNING)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
        solara.Text("Second run:", style={"font-weight": "500"})
        solara.Select("Compare with", values=scenario_names(), value=scenario, dense=True,
                      style={"max-width": "240px"})
        solara.InputInt("its seed", value=seed, style={"max-width": "90px"})
        solara.Button("Overlay it", on_click=lambda: set_request(request + 1), disabled=running,
                      small=True, outlined=True, classes=["coalition-overlay"])
        if session.overlay.value is not None:
            solara.Button("Remove", on_click=lambda: session.overlay.set(None), small=True, text=True)
    if running:
        solara.Text("Running the second run ...", style={"font-size": "0.85rem", "color": "#666"})
    elif result.error is not None:
        solara.Error(f"The second run failed: {result.error}")
    elif session.overlay.value is not None:
        solara.Text(f"Dashed: {session.overlay.value.label} (the scenario's own settings, or "
                    "yours if it is the same scenario).", classes=["coalition-overlay-label"],
                    style={"font-size": "0.8rem", "color": "#666"})
