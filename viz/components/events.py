"""The event log in plain words, newest first, with a filter ("Germany") and a CSV export.

Lines are marked by kind, not all in bold: the verdict in bold, a nation leaving or
joining with a red or green bar, the US's moves with a blue one, the ceasefire and the
force with a green one; the rest plain. Symbols and terms carry glossary tooltips.
"""

from __future__ import annotations

import csv
import io
import re

import solara

from agents.coalition_model import CoalitionModel
from viz.components.download import Download
from viz.glossary import gloss_html
from viz.state import Session

# kind -> (what marks it, the bar's colour); the first that matches a line wins
KINDS = {
    "verdict": (re.compile(r": the coalition (fractured|converged)"), "#333333"),
    "left": (re.compile(r"\bleft the coalition\b"), "#d1495b"),
    "joined": (re.compile(r"\bjoined the coalition\b"), "#2e9d5b"),
    "us": (re.compile(r": the US |: Europe's fear of abandonment"), "#1f5fbf"),
    "force": (re.compile(r"ceasefire|reassurance force|troops|guarantee|backs the force"), "#2e9d5b"),
    "probe": (re.compile(r"the adversary probed"), "#e69f00"),
}
SHOWN = 400  # lines rendered at most; the filter finds older ones
ROUND = re.compile(r"^Round (\d+): ")


def kind(line: str) -> str:
    """What kind of event a line is (a key of :data:`KINDS`, or "other")."""
    return next((k for k, (pattern, _) in KINDS.items() if pattern.search(line)), "other")


def event_lines(model: CoalitionModel, query: str = "") -> list[str]:
    """The model's events, newest first, those containing ``query`` (any case)."""
    q = query.strip().lower()
    return [e for e in reversed(model.events) if q in e.lower()]


def events_html(lines: list[str]) -> str:
    if not lines:
        return "<div class='coalition-event'><i>No events yet: press Step or Play.</i></div>"
    rows = []
    for line in lines[:SHOWN]:
        k = kind(line)
        text = gloss_html(line)
        if k == "verdict":
            text = f"<b>{text}</b>"
        bar = KINDS[k][1] if k in KINDS else "transparent"
        rows.append(f"<div class='coalition-event coalition-event-{k}' style='padding:2px 0 2px 6px;"
                    f"border-bottom:1px solid #eee;border-left:3px solid {bar}'>{text}</div>")
    if len(lines) > SHOWN:
        rows.append(f"<div><i>... and {len(lines) - SHOWN} older events (use the filter).</i></div>")
    return "".join(rows)


def events_csv(lines: list[str]) -> str:
    """The events as CSV: round, kind, text (oldest first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["round", "kind", "event"])
    for line in reversed(lines):
        m = ROUND.match(line)
        writer.writerow([m.group(1) if m else "", kind(line), line[m.end():] if m else line])
    return out.getvalue()


@solara.component
def EventLog(session: Session, version: int = 0):
    query = solara.use_reactive("")
    lines = session.read(event_lines, query.value)
    total = session.read(lambda m: len(m.events))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(f"Event log, newest first ({len(lines)} of {total})",
                    style={"font-weight": "500"}, classes=["coalition-events-count"])
        solara.InputText("Filter, e.g. Germany or left", value=query, continuous_update=True)
        Download(lambda: events_csv(lines), "events.csv", css_class="coalition-events-csv")
    solara.HTML(tag="div", unsafe_innerHTML=events_html(lines), classes=["coalition-events"],
                style="max-height: 340px; overflow-y: auto; font-size: 0.85rem")
