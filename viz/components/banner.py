"""The verdict banner and the monitors (round, coalition size, efforts, deterrence, what
the US policy looks at, the reassurance force)."""

from __future__ import annotations

from dataclasses import dataclass

import solara

from agents.coalition_model import CoalitionModel
from model.policies import get_policy
from model.rounds import burden_ratio
from viz.glossary import gloss_html
from viz.state import Session

COLOURS = {"converged": "success", "converging": "info", "fractured": "error",
           "unresolved": "info"}


@dataclass(frozen=True)
class Banner:
    headline: str  # "Round 12 · Fractured at round 12"
    reason: str  # the model's reason, as a sentence
    status: str  # converged / converging / fractured / unresolved


def banner(model: CoalitionModel, limit: int | None = None, latest: int | None = None) -> Banner:
    """What the verdict banner says about the model now: ``limit`` is the round limit
    (Play and Step stop there), ``latest`` the latest round played if the round slider
    shows an earlier one."""
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
    if latest is not None and latest > model.round:
        reason += (f" This is round {model.round} of the {latest} played: move the round slider "
                   "to the right end to follow the run.")
    elif not model.running:
        reason += " The run has stopped; press Reset to start again."
    elif limit is not None and model.round >= limit:
        state = "Unresolved at the round limit" if status == "unresolved" else state
        reason += (f" The run has reached its round limit ({limit}): raise it under The run "
                   "to play on, or press Reset.")
    elif model.round == 0:
        reason += " Press Step or Play to start."
    if summary.get("ceasefire_began") is not None:
        reason += f" Guarantee: {summary['guarantee_reason']}"
    return Banner(f"Round {model.round} · {state}", reason, status)


def policy_monitor(model: CoalitionModel) -> tuple[str, str] | None:
    """Europe's aid burden against the US demand, for a policy that has one (what it will
    look at next round), else None."""
    policy = get_policy(model.config.us_policy)
    if "us_demand" not in policy.reads:
        return None
    ratio = float(burden_ratio(model.world, model.state)[0, 0])
    return ("Europe's burden / US demand", f"{ratio:.2f} / {model.config.us_demand:.2f}")


def monitors(model: CoalitionModel) -> list[tuple[str, str]]:
    """(label, value) pairs for the monitor cards."""
    s = model.summary()
    cards = [
        ("Round", str(s["rounds_run"])),
        ("Coalition size", f"{s['coalition_size_end']} of {s['coalition_size_start']}"),
        ("European aid", f"EUR {s['european_effort_end_bn']:.1f} bn/yr"),
        ("US effort", f"EUR {s['us_effort_end_bn']:.1f} bn/yr"),
        ("Deterrence", f"{s['deterrence_end']:.2f}"),
    ]
    demand = policy_monitor(model)
    if demand is not None:
        cards.append(demand)
    if s["ceasefire_began"] is not None:
        cards.append(("Force / needed", f"{s['force_troops']:,.0f} / {s['force_threshold']:,.0f}"
                      + (" (US backstop)" if s["us_backstop"] else "")))
    return cards


@solara.component
def VerdictBanner(session: Session, version: int = 0):
    latest = session.model.round
    b = session.read(banner, session.round_limit.value, latest)
    with solara.v.Alert(type=COLOURS[b.status], text=True, dense=True, class_="mb-2",
                        style_="font-size: 1.05rem"):
        solara.Text(b.headline, classes=["coalition-headline"], style={"font-weight": "bold"})
        solara.HTML(tag="br")
        solara.HTML(tag="span", unsafe_innerHTML=gloss_html(b.reason), classes=["coalition-reason"])


@solara.component
def Monitors(session: Session, version: int = 0):
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        for label, value in session.read(monitors):
            with solara.Card(margin=0, style={"min-width": "140px", "flex": "1 1 0",
                                              "padding": "6px 12px"},
                             classes=["coalition-monitor-card"]):
                solara.Text(label, style={"font-size": "0.8rem", "color": "#666"})
                solara.HTML(tag="br")
                solara.Text(value, classes=["coalition-monitor"],
                            style={"font-size": "1.2rem", "font-weight": "500"})
    solara.HTML(tag="div", unsafe_innerHTML=gloss_html(
        "Money in EUR bn a year at 2024 prices; deterrence is what the adversary faces, 1 = the "
        "2022-24 status quo; Europe's burden is its members' aid as a share of GDP, over the "
        "US's own in 2022-24."), style="font-size: 0.75rem; color: #666; margin: 2px 0 8px 4px")
