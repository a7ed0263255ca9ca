"""The event log in plain words, newest first, with a filter ("Germany")."""

from __future__ import annotations

import html

import solara

from agents.coalition_model import CoalitionModel
from viz.state import Session

# Events worth catching the eye: membership changes, verdicts, probes, the US's moves.
NOTABLE = ("left the coalition", "joined the coalition", "fractured", "converged",
           "probed", "the US ")
SHOWN = 400  # lines rendered at most; the filter finds older ones


def event_lines(model: CoalitionModel, query: str = "") -> list[str]:
    """The model's events, newest first, those containing ``query`` (any case)."""
    q = query.strip().lower()
    return [e for e in reversed(model.events) if q in e.lower()]


def events_html(lines: list[str]) -> str:
    if not lines:
        return "<div class='coalition-event'><i>No events yet: press Step or Play.</i></div>"
    rows = []
    for line in lines[:SHOWN]:
        text = html.escape(line)
        if any(word in line for word in NOTABLE):
            text = f"<b>{text}</b>"
        rows.append(f"<div class='coalition-event' style='padding:2px 0;border-bottom:1px solid #eee'>{text}</div>")
    if len(lines) > SHOWN:
        rows.append(f"<div><i>... and {len(lines) - SHOWN} older events (use the filter).</i></div>")
    return "".join(rows)


@solara.component
def EventLog(session: Session, version: int = 0):
    query = solara.use_reactive("")
    lines = session.read(event_lines, query.value)
    with solara.Row(style={"align-items": "center"}):
        solara.Text(f"Event log, newest first ({len(lines)} of {len(session.model.events)})",
                    style={"font-weight": "500"})
        solara.InputText("Filter, e.g. Germany or left", value=query, continuous_update=True)
    solara.HTML(tag="div", unsafe_innerHTML=events_html(lines), classes=["coalition-events"],
                style="max-height: 340px; overflow-y: auto; font-size: 0.85rem")
