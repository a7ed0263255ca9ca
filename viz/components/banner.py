"""The verdict banner and the monitors (round, coalition size, efforts, deterrence)."""

from __future__ import annotations

from dataclasses import dataclass

import solara

from agents.coalition_model import CoalitionModel
from viz.state import Session

COLOURS = {"converged": "success", "converging": "info", "fractured": "error",
           "unresolved": "info"}


@dataclass(frozen=True)
class Banner:
    headline: str  # "Round 12 · Fractured at round 12"
    reason: str  # the model's reason, as a sentence
    status: str  # converged / converging / fractured / unresolved


def banner(model: CoalitionModel) -> Banner:
    """What the verdict banner says about the model now."""
    summary = model.summary()
    verdict, at = summary["verdict"], summary["verdict_round"]
    if verdict in ("converged", "fractured"):
        status, state = verdict, f"{verdict.capitalize()} at round {at}"
    else:
        stable = int(model.state.stable_rounds[0, 0])
        needed = int(model.config.converge_rounds)
        if stable > 0 and model.round > 0:
            status, state = "converging", f"Converging: no change for {stable} of {needed} rounds"
        else:
            status, state = "unresolved", "Unresolved so far"
    reason = summary["reason"]
    reason = reason[:1].upper() + reason[1:]
    if not model.running:
        reason += " The run has stopped; press Reset to start again."
    elif model.round == 0:
        reason += " Press Step or Play to start."
    return Banner(f"Round {model.round} · {state}", reason, status)


def monitors(model: CoalitionModel) -> list[tuple[str, str]]:
    """(label, value) pairs for the monitor cards."""
    s = model.summary()
    return [
        ("Round", str(s["rounds_run"])),
        ("Coalition size", f"{s['coalition_size_end']} of {s['coalition_size_start']}"),
        ("European aid", f"EUR {s['european_effort_end_bn']:.1f} bn/yr"),
        ("US effort", f"EUR {s['us_effort_end_bn']:.1f} bn/yr"),
        ("Deterrence", f"{s['deterrence_end']:.2f}"),
    ]


@solara.component
def VerdictBanner(session: Session, version: int = 0):
    b = session.read(banner)
    with solara.v.Alert(type=COLOURS[b.status], text=True, dense=True, class_="mb-2",
                        style_="font-size: 1.05rem"):
        solara.Text(b.headline, classes=["coalition-headline"], style={"font-weight": "bold"})
        solara.HTML(tag="br")
        solara.Text(b.reason, classes=["coalition-reason"])


@solara.component
def Monitors(session: Session, version: int = 0):
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        for label, value in session.read(monitors):
            with solara.Card(margin=0, style={"min-width": "150px", "flex": "1 1 0",
                                              "padding": "6px 12px"}):
                solara.Text(label, style={"font-size": "0.8rem", "color": "#666"})
                solara.HTML(tag="br")
                solara.Text(value, classes=["coalition-monitor"],
                            style={"font-size": "1.2rem", "font-weight": "500"})
    solara.Text("Money in EUR bn a year at 2024 prices; deterrence is what the adversary "
                "faces, 1 = the 2022-24 status quo.", style={"font-size": "0.75rem", "color": "#666",
                                                            "margin": "2px 0 8px 4px"})
