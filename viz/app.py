"""The browser app: ``coalition app`` (or ``solara run viz.app``).

Thin and declarative: a per-session model holder, the controls in the sidebar, the
views in the main area, and tabs for model vs reality, the Info text, the parameter
list and finished sweeps. The panels live in ``viz/components``; what a session holds
is in ``viz/state.py``.
"""

import solara

from viz.classroom_page import Classroom, ClassroomLinks, is_classroom
from viz.components.banner import Monitors, VerdictBanner
from viz.components.charts import BurdenVsGdp, HeatMap, TimeSeries, grid_style
from viz.components.coalition_map import CoalitionMap
from viz.components.controls import PARAMETERS_TAB, Controls
from viz.components.events import EventLog
from viz.components.info import Info
from viz.components.inspector import Inspector
from viz.components.onscreen import OnScreen, frozen_version
from viz.components.parameters import Parameters
from viz.components.reality import ModelVsReality
from viz.components.uncertainty import PlausibleWorlds, SecondRun
from viz.solara_fixes import apply as apply_solara_fixes, use_fast_renderer
from viz.state import Session
from viz.sweep_page import SweepPage

TITLE = "Coalition: burden-sharing and deterrence"
TABS = ("Model", "Model vs reality", "Info", "Parameters", "Sweeps")
assert TABS[PARAMETERS_TAB] == "Parameters"
CAPTION = {"font-size": "0.85rem", "color": "#666", "padding": "8px"}
STYLE = """
.coalition-term { text-decoration: underline dotted #888; cursor: help; }
.coalition-panel .v-card__title { font-size: 1.05rem; padding-bottom: 4px; }
"""

apply_solara_fixes()
use_fast_renderer()


@solara.component
def Panel(title: str, children=[]):
    with solara.Card(title, margin=0, style={"margin-bottom": "12px", "min-width": "0"},
                     classes=["coalition-panel"]):
        solara.Column(children=children)


@solara.component
def Status(session: Session):
    """The verdict banner and monitors: redrawn first after a step."""
    v = session.version.value
    VerdictBanner(session, version=v)
    Monitors(session, version=v)


@solara.component
def RoundSlider(session: Session, version: int = 0):
    """Scrub back through the run: every view shows the round chosen; at the right end
    the views follow the run again."""
    latest = session.model.round
    if latest == 0:
        return
    shown = session.shown_round.value
    value = latest if shown is None else shown
    with solara.Row(style={"align-items": "center"}, gap="8px", classes=["coalition-round-slider"]):
        solara.SliderInt(f"Round shown: {value} of {latest}", value=value, min=0, max=latest,
                         on_value=session.show_round, thumb_label=True)
        solara.Button("Latest", on_click=lambda: session.show_round(None), small=True,
                      disabled=shown is None, outlined=True)


@solara.component
def Views(session: Session):
    """Every other view; each gets the version, so a new value redraws it. The nation
    inspector, the costliest and below the fold, gets it only while the browser shows it
    (:mod:`viz.components.onscreen`): it is redrawn at the latest round when it comes
    into view. The browser reports each version it has painted (Play waits for it)."""
    v = session.views_version.value
    inspector_version = frozen_version(v, session.inspector_onscreen.value)
    solara.use_effect(lambda: session.mark_drawn(v), [v])
    if not session.page_drawn.value:  # a page load: the banner and controls first
        OnScreen.element(children=[solara.Text("Drawing the charts ...", style=CAPTION)],
                         name="views-pending", on_drawn=lambda drawn: session.page_drawn.set(True))
        return
    overlay, found = session.overlay.value, session.ensemble.value
    RoundSlider(session, version=v)
    with solara.Column(gap="0px"):
        with Panel("Over time"):
            TimeSeries(session, version=v, overlay=overlay, band=found.band if found else None)
            with solara.Div(style=grid_style(420)):
                with solara.Column(gap="2px"):
                    PlausibleWorlds(session)
                with solara.Column(gap="2px"):
                    SecondRun(session)
        with solara.Div(style=grid_style(460)):
            with Panel("Map"):
                CoalitionMap(session, version=v)
            with Panel("Who gives what"):
                HeatMap(session, version=v)
        with solara.Div(style=grid_style(460)):
            with Panel("Events"):
                EventLog(session, version=v)
            with Panel("Burden and size"):
                BurdenVsGdp(session, version=v)
        with Panel("Nation inspector: why does it do that?"):
            OnScreen.element(children=[Inspector(session, version=inspector_version)],
                             name="inspector", on_onscreen=session.inspector_onscreen.set)
    # last on the page: tells the server the browser has painted this round (Play waits)
    OnScreen.element(children=[], name="views", version=v, on_shown=session.mark_shown)


@solara.component
def Page():
    """The app; an address of the classroom game (``/?room=...``) gets its pages instead."""
    router = solara.use_router()
    if is_classroom(router.search):
        Classroom(router.search)
    else:
        SinglePlayer()


@solara.component
def SinglePlayer():
    # one model per browser session, never shared; the charts follow the page's first draw
    session = solara.use_memo(lambda: Session(draw_views_at_once=False), [])
    solara.Title(TITLE)
    solara.Style(STYLE)
    with solara.Sidebar():
        Controls(session)
        ClassroomLinks()
    tab = session.tab.value
    with solara.lab.Tabs(value=session.tab):
        with solara.lab.Tab(TABS[0]):
            Status(session)
            Views(session)
        with solara.lab.Tab(TABS[1]):
            if tab == 1:  # computed only when shown
                ModelVsReality(session)
        with solara.lab.Tab(TABS[2]):
            if tab == 2:  # 20 kB of text, sent only when asked for
                Info()
        with solara.lab.Tab(TABS[3]):
            if tab == 3:
                Parameters()
        with solara.lab.Tab(TABS[4]):
            SweepPage()
