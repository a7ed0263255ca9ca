"""The browser app: ``coalition app`` (or ``solara run viz.app``).

Thin and declarative: a per-session model holder, the controls in the sidebar, the
views in the main area, the Info panel in its own tab. The panels live in
``viz/components``; what a session holds is in ``viz/state.py``.
"""

import solara

from viz.classroom_page import Classroom, ClassroomLinks, is_classroom
from viz.components.banner import Monitors, VerdictBanner
from viz.components.charts import BurdenVsGdp, HeatMap, TimeSeries
from viz.components.coalition_map import CoalitionMap
from viz.components.controls import Controls
from viz.components.events import EventLog
from viz.components.info import Info
from viz.components.inspector import Inspector
from viz.state import Session
from viz.sweep_page import SweepPage

TITLE = "Coalition: burden-sharing and deterrence"


@solara.component
def Panel(title: str, children=[]):
    with solara.Card(title, margin=0, style={"margin-bottom": "12px"}, classes=["coalition-panel"]):
        solara.Column(children=children)


@solara.component
def Status(session: Session):
    """The verdict banner and monitors: redrawn first after a step."""
    v = session.version.value
    VerdictBanner(session, version=v)
    Monitors(session, version=v)


@solara.component
def Views(session: Session):
    """Every other view; each gets the version, so a new value redraws it."""
    v = session.views_version.value
    solara.use_effect(lambda: session.mark_drawn(v), [v])
    with solara.Column(gap="0px"):
        with Panel("Over time"):
            TimeSeries(session, version=v)
        with solara.Columns([1, 1], gutters_dense=True):
            with Panel("Map"):
                CoalitionMap(session, version=v)
            with Panel("Who gives what"):
                HeatMap(session, version=v)
        with solara.Columns([1, 1], gutters_dense=True):
            with Panel("Events"):
                EventLog(session, version=v)
            with Panel("Burden and size"):
                BurdenVsGdp(session, version=v)
        with Panel("Nation inspector: why does it do that?"):
            Inspector(session, version=v)


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
    session = solara.use_memo(Session, [])  # one model per browser session, never shared
    solara.Title(TITLE)
    with solara.Sidebar():
        Controls(session)
        ClassroomLinks()
    with solara.lab.Tabs():
        with solara.lab.Tab("Model"):
            Status(session)
            Views(session)
        with solara.lab.Tab("Info"):
            Info()
        with solara.lab.Tab("Sweeps"):
            SweepPage()
