"""The classroom game's pages: the teacher's room and a student's nation.

Reached from the app by its address's query (the app's page hands over to
:func:`Classroom` when there is one):

- ``/?classroom=new``: the teacher opens a room (scenario, nations, rounds, timer);
- ``/?room=CODE&teacher=TOKEN``: the teacher's screen (projected): the code and join
  link, who has submitted, the US's policy for the next round and the US by hand,
  open / close a round, the debrief;
- ``/?join``: a student types the code; ``/?room=CODE``: they pick a nation and join;
- ``/?room=CODE&token=TOKEN``: the student's nation; the token in the address is what
  gives it back after a reload or a closed tab.

The rooms live in :data:`experiments.classroom.ROOMS` (one per server, shared by a
room's members only); each part of a page follows only the changes it shows, by a
watcher that wakes its own thread: a submission redraws the teacher's count (a burst
of them at most every ``COALESCE_SECONDS``, always ending with the last), never the
other students' pages. The round's countdown runs in the browser (``countdown.vue``):
the server sends the seconds left when it draws the page, not a redraw every second.
"""

from __future__ import annotations

import html
import io
import json
import math
import os
import threading
import time
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlencode

import ipyvuetify
import numpy as np
import solara
import traitlets
from matplotlib.figure import Figure

from experiments.classroom import (CLOSED, EVERYTHING, LOBBY, OPEN, OVER, PLAYERS, ROOMS, STAGE,
                                   SUBMISSIONS, US, Player, Room, RoomError, RoomSetup, RoomStatus,
                                   Situation, Submission, situation)
from experiments.debrief import debrief, oz_text, summary_png, to_csv, us_text
from model.choices import MODEL
from model.errors import CoalitionError
from model.policies import REGISTRY, policy_names
from model.scenarios import load_scenario, scenario_names
from viz.components.download import Download
from viz.server import DEFAULT_HOST, DEFAULT_PORT, JOIN_BASE_ENV, address

DEFAULT_STUDENT_NATIONS = 8  # the largest economies among the members, by default
NOTE = {"font-size": "13px", "color": "#555"}
COALESCE_SECONDS = 0.1  # a part of a page redraws at most this often for a burst of changes
AID_DECIMALS = 4  # a student's aid share (% of GDP) is typed and counted to this many decimals
SLIDER_DECIMALS = 3  # the aid slider's grid (% of GDP): coarser than what can be typed


def query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(search or "", keep_blank_values=True).items()}


def is_classroom(search: str | None) -> bool:
    """Does this address belong to the classroom game?"""
    q = query(search)
    return "room" in q or "classroom" in q or "join" in q


def link(**params: str) -> str:
    return "/?" + urlencode(params)


def join_base() -> str:
    """The address students open (``viz.server.serve`` sets it from --host and --port)."""
    return os.environ.get(JOIN_BASE_ENV, address(DEFAULT_HOST, DEFAULT_PORT))


def follow_room(room: Room, key, about: frozenset[str], redraw, cancel: threading.Event,
                every: float = COALESCE_SECONDS) -> None:
    """Until ``cancel`` is set: call ``redraw()`` whenever ``key(room.status())`` has
    changed, woken by the room's watcher of the changes ``about`` what is shown. The
    first change of a burst is drawn at once, the next ones at most every ``every``
    seconds, and the last change is always drawn (a change while drawing wakes it again)."""
    woken = threading.Event()
    stop = room.watch(lambda v: woken.set(), about)
    last, drawn = key(room.status()), -math.inf
    try:
        while not cancel.is_set():
            if not woken.wait(5.0):
                continue
            woken.clear()  # a change from now on wakes the next loop: none is missed
            if key(room.status()) == last:
                continue
            cancel.wait(max(0.0, drawn + every - time.monotonic()))  # the burst goes on meanwhile
            last, drawn = key(room.status()), time.monotonic()
            redraw()
    finally:
        stop()


def use_room(room: Room, key=lambda status: status.version,
             about: frozenset[str] = EVERYTHING) -> RoomStatus:
    """The room's status, redrawing the calling component whenever ``key(status)``
    changes (by default: any change); see :func:`follow_room`."""
    redraws = solara.use_reactive(0)  # a constant start: use_reactive resets on a new one

    def follow(cancel: threading.Event) -> None:
        follow_room(room, key, about, lambda: redraws.set(redraws.value + 1), cancel)

    solara.use_thread(follow, dependencies=[room.code], intrusive_cancel=False)
    redraws.value  # read while drawing: a new value redraws the component  # noqa: B018
    return room.status()


class ClientCountdown(ipyvuetify.VuetifyTemplate):
    """The seconds left, counted down by the browser from ``seconds`` (countdown.vue)."""

    template_file = (__file__, "countdown.vue")
    seconds = traitlets.Float(None, allow_none=True).tag(sync=True)
    serial = traitlets.Int(0).tag(sync=True)  # a new drawing restarts it from ``seconds``


@solara.component
def Countdown(seconds_left: float | None, drawn: int = 0):
    """Seconds left in the open round: sent once when the page is drawn (a new round, a
    reload); the browser counts down, and the server's timer ends the round."""
    if seconds_left is not None:
        ClientCountdown.element(seconds=seconds_left, serial=drawn)


@solara.component
def Classroom(search: str | None):
    """The classroom page the address asks for."""
    q = query(search)
    router = solara.use_router()
    solara.Title("Coalition: classroom game")
    if q.get("classroom") == "new":
        NewRoom(router.push)
        return
    if "room" not in q:
        FindRoom(router.push)
        return
    room = ROOMS.get(q["room"])
    if room is None:
        with solara.Card("Classroom game"):
            solara.Error(f"There is no room {q['room']!r} on this server (a room closes after a "
                         "while without activity; the teacher can open a new one).")
            FindRoom(router.push)
        return
    if "teacher" in q:
        if room.is_teacher(q["teacher"]):
            TeacherRoom(room, q["teacher"])
        else:
            solara.Error("This teacher link is not valid for this room.")
        return
    player = room.player(q.get("token"))
    if player is None:
        JoinRoom(room, router.push)
    else:
        StudentRoom(room, player)


# ---------------------------------------------------------------------- finding / opening
@solara.component
def ClassroomLinks():
    """The single-player app's way into the classroom game (each opens a new tab)."""
    with solara.Row(gap="6px", style={"margin-top": "12px"}):
        solara.Button("Start a classroom game", href=link(classroom="new"), target="_blank",
                      icon_name="mdi-google-classroom", outlined=True)
        solara.Button("Join a game", href=link(join="1"), target="_blank", text=True)



@solara.component
def FindRoom(push):
    code = solara.use_reactive("")
    with solara.Card("Join a classroom game"):
        solara.InputText("Room code", value=code, continuous_update=True)
        solara.Button("Go to the room", color="primary", disabled=not code.value.strip(),
                      on_click=lambda: push(link(room=code.value.strip().upper())))


def default_nations(scenario: str) -> list[str]:
    """The members with the largest economies (the students' nations by default)."""
    model = RoomSetup(scenario=scenario, nations=("x",)).build()
    st, gdp = model.state, model.world.game.gdp[0]
    order = [i for i in np.argsort(-gdp, kind="stable") if st.member[0, i]]
    return [model.nations.iso3[i] for i in order[:DEFAULT_STUDENT_NATIONS]]


@solara.component
def NewRoom(push):
    scenario = solara.use_reactive("baseline")
    policy = solara.use_reactive(load_scenario("baseline").parameters.get("us_policy", "steadfast"))
    all_codes = solara.use_memo(lambda: RoomSetup(scenario=scenario.value, nations=("x",)).build()
                                .nations.iso3, [scenario.value])
    nations = solara.use_reactive(default_nations("baseline"))
    rounds = solara.use_reactive(6)
    timer = solara.use_reactive(90)
    seed = solara.use_reactive(42)
    anonymous = solara.use_reactive(False)
    error = solara.use_reactive("")

    def choose(name: str) -> None:
        scenario.set(name)
        policy.set(load_scenario(name).parameters.get("us_policy", "steadfast"))
        nations.set(default_nations(name))

    def open_room() -> None:
        setup = RoomSetup(scenario=scenario.value, seed=seed.value, nations=tuple(nations.value),
                          rounds=rounds.value, timer_seconds=timer.value,
                          anonymous=anonymous.value, parameters=(("us_policy", policy.value),))
        try:
            room = ROOMS.open(setup)
        except CoalitionError as exc:
            error.set(str(exc))
            return
        push(link(room=room.code, teacher=room.teacher_token))

    with solara.Card("Start a classroom game"):
        solara.Markdown("Students play the nations you pick, in their own browsers; you play "
                        "the United States; the model plays every other nation. Start the app "
                        "with `coalition app --host 0.0.0.0` so students on this network can "
                        "reach it.", style=NOTE)
        solara.Select("Scenario", values=scenario_names(), value=scenario.value, on_value=choose)
        solara.Select("US policy (you may switch it between rounds, or play it by hand)",
                      values=policy_names(), value=policy)
        solara.SelectMultiple("Nations the students play", values=nations.value,
                              all_values=list(all_codes), on_value=nations.set)
        with solara.Row():
            solara.Text(f"{len(nations.value)} nations for students", style=NOTE)
            solara.Button("All nations", on_click=lambda: nations.set(list(all_codes)), text=True)
            solara.Button("The largest economies", text=True,
                          on_click=lambda: nations.set(default_nations(scenario.value)))
        solara.InputInt("Rounds", value=rounds)
        solara.InputInt("Seconds per round", value=timer)
        solara.InputInt("Seed", value=seed)
        solara.Checkbox(label="Anonymous: no student names on this screen", value=anonymous)
        if error.value:
            solara.Error(error.value)
        solara.Button("Open the room", color="primary", on_click=open_room, icon_name="mdi-door-open")


# ---------------------------------------------------------------------- the teacher
@solara.component
def TeacherRoom(room: Room, token: str):
    status = use_room(room, key=lambda st: (st.phase, st.round, st.us, st.us_policy,
                                            st.closed_reason),
                      about=frozenset({STAGE, US}))
    url = join_base() + "?" + urlencode({"room": room.code})
    error = solara.use_reactive("")

    def act(action) -> None:
        try:
            action()
            error.set("")
        except RoomError as exc:
            error.set(str(exc))

    with solara.Card(f"Room {room.code}"):
        solara.Markdown(f"Students join at **{url}** (or open the app and type the code "
                        f"**{room.code}**). Scenario *{room.setup.scenario}*."
                        + (" Only this computer can reach that address: start the app with "
                           "`coalition app --host 0.0.0.0` to let the class in."
                           if "127.0.0.1" in url else ""))
        phase = {LOBBY: "waiting for the first round", OPEN: "round open",
                 "waiting": "between rounds", OVER: "the game is over",
                 CLOSED: f"closed: {status.closed_reason}"}[status.phase]
        solara.Markdown(f"### Round {status.round} of {status.rounds} · {phase}")
        if status.phase == OPEN:
            Countdown(status.seconds_left, status.version)
        Submissions(room)
        solara.Markdown(f"**Verdict so far:** {status.reason}")
        if error.value:
            solara.Error(error.value)
        with solara.Row():
            if status.phase in (LOBBY, "waiting"):
                solara.Button(f"Open round {status.round + 1}", color="primary",
                              on_click=lambda: act(lambda: room.open_round(token)))
            if status.phase == OPEN:
                solara.Button("Close the round now", color="primary",
                              on_click=lambda: act(lambda: room.close_round(token)))
            if status.phase != CLOSED:
                solara.Button("End the game", on_click=lambda: act(lambda: room.close(
                    "the teacher ended the game")))
    with solara.Column(gap="0px"):  # always there: the debrief keeps its place (and state)
        if status.phase not in (OVER, CLOSED):  # no round is left to play
            USByHand(room, token, status.us.level, status.us.backstop, status.us_policy, act)
    if status.round > 0:
        Debrief(room, (status.round, status.phase))


@solara.component
def Submissions(room: Room):
    """Who has joined and who has submitted: the part of the teacher's screen that
    changes with every submission, redrawn on its own."""
    status = use_room(room, key=lambda st: (st.submitted, st.players, st.phase),
                      about=frozenset({PLAYERS, SUBMISSIONS, STAGE}))
    solara.Text(f"{len(status.submitted)} of {len(status.players)} submitted",
                classes=["classroom-count"])
    if status.players:
        solara.HTML(tag="div", unsafe_innerHTML=submissions_html(
            status.players, status.submitted, room.setup.anonymous))
    else:
        solara.Text("No student has joined yet.")
    if status.free:
        solara.Markdown("Played by the model until a student joins: " + ", ".join(status.free),
                        style=NOTE)


def submissions_html(players, submitted, anonymous: bool) -> str:
    """The teacher's table of who has joined and submitted, as HTML with every name
    escaped (a student types their name). Built directly rather than through Markdown:
    it is redrawn in the burst of a class submitting, where parsing a Markdown table
    cost more server time than anything else the redraw does."""
    cell = '<td style="padding: 1px 16px 1px 0">'
    rows = "".join(f"<tr>{cell}{html.escape(nation)}</td>"
                   f"{cell}{html.escape(name or ('-' if anonymous else ''))}</td>"
                   f"{cell}{'yes' if iso3 in submitted else ''}</td></tr>"
                   for iso3, nation, name in players)
    head = "".join(f'<th style="padding: 1px 16px 1px 0; text-align: left">{h}</th>'
                   for h in ("nation", "student", "submitted"))
    return (f'<table class="classroom-submissions"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


@solara.component
def USPolicyButtons(room: Room, token: str, policy: str, act):
    """One button per US policy (the names the app uses); the one the US follows in the
    next round played is marked."""
    solara.Text("The policy the US follows from the next round on (you may still set its "
                "commitment by hand below):", style=NOTE)
    with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
        for name in policy_names():
            current = name == policy
            solara.Button(name, icon_name="mdi-check" if current else None,
                          color="primary" if current else None, outlined=not current,
                          classes=["classroom-us-policy"] + (["classroom-us-policy-now"]
                                                             if current else []),
                          on_click=lambda name=name: act(lambda: room.set_us_policy(token, name)))
    solara.Text(f"Next round the US is {policy}: it {REGISTRY[policy].description}.",
                classes=["classroom-us-policy-line"])


@solara.component
def USByHand(room: Room, token: str, level: float | None, backstop: int, policy: str, act):
    by_hand = solara.use_reactive(level is not None or backstop != MODEL)
    percent = solara.use_reactive(100 if level is None else round(100 * level))
    backing = solara.use_reactive({MODEL: "as the policy says", 1: "yes", 0: "no"}[backstop])

    def apply() -> None:
        if by_hand.value:
            room.set_us(token, percent.value / 100,
                        {"as the policy says": MODEL, "yes": 1, "no": 0}[backing.value])
        else:
            room.set_us(token, None, MODEL)

    with solara.Card("The United States (you)"):
        USPolicyButtons(room, token, policy, act)
        solara.Checkbox(label="Play the US by hand", value=by_hand)
        if by_hand.value:
            solara.SliderInt(f"US commitment: {percent.value}% of its usual effort", value=percent,
                             min=0, max=100, step=5)
            solara.Select("US backstop for the reassurance force",
                          values=["as the policy says", "yes", "no"], value=backing)
        now = (f"its policy ({policy}) decides" if level is None
               else f"{100 * level:.0f}% by hand") + (
            "" if backstop == MODEL else f", backstop {'yes' if backstop == 1 else 'no'}")
        solara.Text(f"This round the US plays: {now}", style=NOTE)
        solara.Button("Set the US for this round", on_click=apply)


@solara.component
def Debrief(room: Room, played: tuple):
    shown = solara.use_reactive(False)
    d = solara.use_memo(lambda: debrief(room) if shown.value else None, [played, shown.value])
    with solara.Card("Debrief"):
        if not shown.value:
            solara.Button("Show the debrief", on_click=lambda: shown.set(True), color="primary")
            return
        png = summary_png(d)
        solara.Image(png, width="100%")
        solara.Markdown(
            f"**The US (you):** {us_text(d.us)}.  \n"
            f"**The class:** {d.reason}  \n**The model's nations, same start:** {d.model_reason}  \n"
            f"**Olson-Zeckhauser correlation:** the class {oz_text(d.class_oz)}, the same "
            f"nations in the model {oz_text(d.model_oz)}.")
        for v in d.nations:
            who = "" if room.setup.anonymous or not v.player else f" ({v.player})"
            solara.Text(("like the model: " if v.like_model else "not like the model: ")
                        + v.sentence + who)
        with solara.Row():
            Download(lambda: to_csv(d), f"classroom-{room.code}.csv", "Download the table (CSV)")
            solara.FileDownload(png, filename=f"classroom-{room.code}.png",
                                label="Download the summary (PNG)", mime_type="image/png")
            Download(lambda: json.dumps(room.record(), indent=1), f"classroom-{room.code}.json",
                     "Download the record (JSON)", mime="application/json")


# ---------------------------------------------------------------------- the students
ANY_NATION = "any free nation"


@solara.component
def JoinRoom(room: Room, push):
    status = use_room(room, key=lambda st: (st.phase, st.free), about=frozenset({PLAYERS, STAGE}))
    name = solara.use_reactive("")
    nation = solara.use_reactive(ANY_NATION)
    error = solara.use_reactive("")
    names = dict(zip(room.model.nations.iso3, room.model.nations.name))

    def join() -> None:
        try:
            player = room.join(name.value, None if nation.value == ANY_NATION else nation.value)
        except RoomError as exc:
            error.set(str(exc))
            return
        push(link(room=room.code, token=player.token))

    with solara.Card(f"Room {room.code}: join the game"):
        if status.phase == CLOSED:
            solara.Error(f"This room is closed ({status.closed_reason}).")
            return
        if not status.free:
            solara.Error("Every nation of this room has a student already.")
            return
        solara.InputText("Your name" + (" (not shown to the class)" if room.setup.anonymous else ""),
                         value=name, continuous_update=True)
        solara.Select("Your nation", values=[ANY_NATION, *status.free], value=nation)
        solara.Text("Free: " + ", ".join(names[c] for c in status.free), style=NOTE)
        if error.value:
            solara.Error(error.value)
        solara.Button("Join", color="primary", on_click=join)


@solara.component
def StudentRoom(room: Room, player: Player):
    status = use_room(room, key=lambda st: (st.phase, st.round), about=frozenset({STAGE}))
    s = solara.use_memo(lambda: room.read(situation, player.iso3), [status.phase, status.round])
    with solara.Card(f"Room {room.code} · you play {s.nation}"):
        headline = {LOBBY: "Waiting for the teacher to open round 1.",
                    OPEN: f"Round {status.round + 1} is open.",
                    "waiting": f"Round {status.round} is played. Waiting for round {status.round + 1}.",
                    OVER: "The game is over: look at the teacher's screen.",
                    CLOSED: f"The room is closed ({status.closed_reason})."}[status.phase]
        solara.Markdown(f"### {headline}")
        if status.phase == OPEN:
            Countdown(status.seconds_left, status.version)
        solara.Markdown("\n".join(f"- {line}" for line in s.lines))
    if status.phase == OPEN:
        Choose(room, player, s).key(f"round-{status.round + 1}")
    PayoffCurve(s.nation, s.shares, s.payoffs, s.aid, s.view_max)


def percent_text(value: float) -> str:
    """An aid share in % as the page shows it: at least two decimals, at most AID_DECIMALS."""
    text = f"{value:.{AID_DECIMALS}f}"
    while text.endswith("0") and len(text.split(".")[1]) > 2:
        text = text[:-1]
    return text


def parse_aid_percent(text: str | None, top: float) -> float:
    """The aid share typed in the box, in % of GDP: a number from 0 to ``top`` with at most
    AID_DECIMALS decimals (a decimal comma and a trailing % are fine); else ValueError
    with one line saying what is allowed."""
    typed = " ".join(str(text or "").split())
    allowed = (f"type a share of GDP in % from 0 to {top:g}, with at most "
               f"{AID_DECIMALS} decimals")
    try:
        value = Decimal(typed.removesuffix("%").strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"aid share {typed!r} is not a number: {allowed}") from None
    if not value.is_finite() or not 0 <= value <= Decimal(percent_text(top)):
        raise ValueError(f"aid share {typed!r} is not allowed: {allowed}")
    if value != round(value, AID_DECIMALS):
        raise ValueError(f"aid share {typed!r} has more than {AID_DECIMALS} decimals: {allowed}")
    return float(value)


@solara.component
def Choose(room: Room, player: Player, s: Situation):
    """The student's choices for one round, starting from the ones their nation keeps.

    The aid share is a plain text box, like the app's round limit: what is typed is kept
    on the server as it is typed and applied when the box loses focus, on Enter and on
    Submit (never during a redraw), so neither a redraw nor the slider puts another
    number in its place; a share that is not allowed gets one line saying what is. The
    slider beside it is fed the share rounded to its own grid, so it never has a value
    to round (Vuetify's slider sends back its rounding of an off-grid value, which used
    to replace the typed text); only a student moving it changes the share. The problem
    line sits below the Submit button, so it never moves the button under a click.
    """
    round_no = s.round + 1
    top = round(100 * s.max_aid, AID_DECIMALS)
    kept = solara.use_memo(lambda: room.kept(player.iso3), [])
    aid = solara.use_reactive(round(100 * kept.aid, AID_DECIMALS))  # % of GDP, as applied
    text, set_text = solara.use_state(percent_text(aid.value))
    problem, set_problem = solara.use_state(None)
    text_ref = solara.use_ref(text)  # what is typed, also before the next redraw
    text_ref.current = text
    troops = solara.use_reactive(int(kept.troops or 0))
    member = solara.use_reactive(bool(kept.member))
    counted = solara.use_memo(lambda: player.iso3 in room.status().submitted, [])  # (a reload)
    receipt = solara.use_reactive(
        f"Your choices for round {round_no} are counted; you may still change them until the "
        "round closes." if counted else "")
    on_grid = round(aid.value, SLIDER_DECIMALS)  # where the slider sits

    def typed(value) -> None:
        text_ref.current = value
        set_text(value)

    def apply(*_ignore) -> float | None:
        try:
            value = parse_aid_percent(text_ref.current, top)
        except ValueError as exc:
            set_problem(str(exc))
            return None
        set_problem(None)
        aid.set(value)
        return value

    def slid(value) -> None:
        if value is None or float(value) == on_grid:  # not moved (its own value sent back)
            return
        value = round(float(value), AID_DECIMALS)
        typed(percent_text(value))
        set_problem(None)
        aid.set(value)

    def submit() -> None:
        value = apply()  # the box as typed, even if it never lost focus
        if value is None:
            receipt.set("Not sent: correct the aid share first.")
            return
        try:
            r = room.submit(player.token, round_no, Submission(
                aid=value / 100, troops=troops.value if s.ceasefire and s.can_offer else None,
                member=member.value))
        except RoomError as exc:
            receipt.set(str(exc))
            return
        receipt.set(f"{r.message} ({r.submitted} submitted so far)" if r.accepted else r.message)

    with solara.Card(f"Your choices for round {round_no}"):
        share = aid.value / 100
        field = solara.v.TextField(
            v_model=text, on_v_model=typed, error=problem is not None, hide_details="auto",
            label=f"Bilateral aid, % of GDP (0 to {top:g}, up to {AID_DECIMALS} decimals)",
            class_="classroom-aid")
        solara.v.use_event(field, "focusout", apply)
        solara.v.use_event(field, "keyup.enter", apply)
        solara.SliderFloat("", value=on_grid, on_value=slid, min=0.0, max=top,
                           step=10**-SLIDER_DECIMALS, thumb_label=False)
        solara.Text(f"Your payoff if you give {percent_text(aid.value)}% of GDP: EUR "
                    f"{s.payoff(share):.2f} bn a year (at what you give now, "
                    f"{100 * s.aid:.2f}%: {s.payoff(s.aid):.2f} bn). Others' choices held as they are.",
                    classes=["classroom-payoff"])
        if s.ceasefire and s.can_offer and s.member:
            solara.SliderInt(f"Troops you offer to the reassurance force: {troops.value:,}",
                             value=troops, min=0, max=s.troop_capacity, step=s.troop_unit)
        stay, leave = ("Stay in the coalition", "Leave") if s.member else ("Stay out", "Join")
        solara.ToggleButtonsSingle(value=stay if member.value == s.member else leave,
                                   values=[stay, leave],
                                   on_value=lambda v: member.set(s.member == (v == stay)))
        solara.Button("Submit", color="primary", on_click=submit, icon_name="mdi-send")
        if problem is not None:  # below the button: its coming and going never moves the
            # button under a click (correcting the box, then clicking Submit at once)
            solara.Error(problem, dense=True, classes=["classroom-aid-problem"],
                         style={"font-size": "0.8rem"})
        ReceiptLine(receipt)


@solara.component
def ReceiptLine(receipt: solara.Reactive[str]):
    """The answer to a submission: only this line is redrawn when it comes. It is there
    (empty) before the first answer, so an answer changes one widget's text rather than
    creating one, which halves the handler's time in process (about 2.5 -> 1.2 ms)."""
    solara.Text(receipt.value, classes=["classroom-receipt"])


@solara.component
def PayoffCurve(nation: str, shares: tuple, payoffs: tuple, now: float, view_max: float):
    def draw() -> bytes:
        fig = Figure(figsize=(6, 2.6), layout="constrained")
        ax = fig.add_subplot()
        x, y = np.asarray(shares), np.asarray(payoffs)
        ax.plot(100 * x[x <= view_max], y[x <= view_max], color="#222")
        ax.axvline(100 * now, color="#888", ls="--", label="what you give now")
        ax.set_xlabel("your bilateral aid, % of GDP")
        ax.set_ylabel("your payoff, EUR bn")
        ax.set_title(f"{nation}: payoff against your own aid (the others held fixed)", fontsize=10)
        ax.legend(fontsize=8)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return buf.getvalue()

    png = solara.use_memo(draw, [nation, shares, now])
    with solara.Card("Your payoff curve"):
        solara.Image(png, width="100%")
