"""The classroom game's rooms: students play nations, the teacher plays the US, the model
plays the rest (HubNet-style; the pages are in ``viz/classroom_page.py``).

A :class:`Room` holds one game: its :class:`RoomSetup`, a :class:`~agents.CoalitionModel`,
the players (each with a token, so a student who closes the tab gets their nation
back), this round's submissions and the record of every round played. Everything a
room does happens under its own lock: 30 students submitting in the same instant are
each counted once (a nation's submission replaces its earlier one in the same round),
and a submission after the round has closed is refused, never counted in the next.

A round: the teacher opens it (a timer starts), students submit an aid share, a troop
offer (after a ceasefire) and their side, the teacher may set the US by hand; the
round is played when the timer ends or the teacher closes it. A student who did not
submit keeps last round's choice (in the first round: what their nation does now).
The choices are passed to the model as :class:`model.choices.Choices`, the same round
function as every other run: :func:`replay` plays the record again and reproduces the
room's final state to the bit.

The :class:`Registry` holds the server's rooms by short code; rooms are shared by their
members and by nobody else, and a room with no activity (no join, submission or
teacher action) for ``idle_seconds`` is closed, its data kept for download.
Codes and tokens come from :mod:`secrets` (they are not part of the model's randomness).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from agents.coalition_model import CoalitionModel
from model import conditions
from model.choices import MODEL, Choices
from model.config import nest
from model.errors import CoalitionError
from model.state import State

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone
CODE_LENGTH = 4
MAX_ROUNDS = 40
TIMER_RANGE = (5.0, 1800.0)  # seconds a round stays open
IDLE_RANGE = (10.0, 7 * 24 * 3600.0)
KEEP_CLOSED_SECONDS = 24 * 3600.0  # a closed room's data stays downloadable this long
NAME_LENGTH = 40

LOBBY, OPEN, WAITING, OVER, CLOSED = "lobby", "open", "waiting", "over", "closed"
# What a change is about; a watcher follows only what its screen shows (a student's
# page does not wake for another student's submission).
PLAYERS, SUBMISSIONS, US, STAGE = "players", "submissions", "us", "stage"  # STAGE: phase, round
EVERYTHING = frozenset({PLAYERS, SUBMISSIONS, US, STAGE})


class RoomError(CoalitionError):
    """A room cannot do what was asked (unknown code, nation taken, round closed, ...)."""


@dataclass(frozen=True)
class RoomSetup:
    """What the teacher chose when opening the room.

    ``nations``: the ISO3 codes students may play (the rest, and any of these no
    student has joined for, are model agents);
    ``parameters``: ``KEY=VALUE`` settings over the scenario (``us_policy``, ...), as
    ``--set`` takes them; ``rounds``: at most this many rounds (fewer if the model
    reaches its verdict and stops); ``timer_seconds``: how long a round stays open;
    ``anonymous``: no student names on the projected screen or the summary picture.
    """

    scenario: str = "baseline"
    seed: int = 42
    nations: tuple[str, ...] = ()
    rounds: int = 6
    timer_seconds: float = 90.0
    anonymous: bool = False
    idle_seconds: float = 1800.0
    parameters: tuple[tuple[str, Any], ...] = ()

    def build(self) -> CoalitionModel:
        """The room's model at its start (raises the model's one-line error on bad input)."""
        params, nation_params = nest(dict(self.parameters))
        return CoalitionModel(self.scenario, rng=self.seed, nation_params=nation_params, **params)

    def checked(self) -> RoomSetup:
        """This setup, or a RoomError naming the field, the value and what is allowed."""
        def whole(name: str, low: int, high: int) -> None:
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
                raise RoomError(f"{name} = {v!r} is not allowed: expected a whole number from "
                                f"{low} to {high}")

        def seconds(name: str, low: float, high: float) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not low <= v <= high:
                raise RoomError(f"{name} = {v!r} is not allowed: expected seconds from "
                                f"{low:g} to {high:g}")

        whole("seed", 0, 2**63 - 1)
        whole("rounds", 1, MAX_ROUNDS)
        seconds("timer_seconds", *TIMER_RANGE)
        seconds("idle_seconds", *IDLE_RANGE)
        if not self.nations:
            raise RoomError("nations = () is not allowed: expected at least one nation for the "
                            "students to play")
        if len(set(self.nations)) != len(self.nations):
            raise RoomError(f"nations = {self.nations!r} is not allowed: each nation once")
        return self


@dataclass(frozen=True)
class Player:
    token: str
    iso3: str
    name: str


@dataclass(frozen=True)
class Submission:
    """A student's choices this round; None leaves that choice as it was."""

    aid: float | None = None  # bilateral aid, share of GDP
    troops: int | None = None  # troops offered (people; rounded to whole units)
    member: bool | None = None  # in the coalition (stay / join) or out (leave / stay out)


@dataclass(frozen=True)
class Receipt:
    accepted: bool
    message: str
    submitted: int  # submissions counted this round, this one included


@dataclass(frozen=True)
class USChoice:
    """The teacher's US this round: None / -1 leave it to the US policy."""

    level: float | None = None
    backstop: int = MODEL  # 1 backs the force, 0 does not


@dataclass(frozen=True)
class PlayedRound:
    """One round as it was played: the choices passed to the model and who submitted."""

    round: int
    choices: Choices
    submitted: tuple[str, ...]  # ISO3 of the nations whose student submitted
    closed_by: str  # "timer" or "teacher"


@dataclass(frozen=True)
class RoomStatus:
    """What every screen of a room shows; a snapshot, safe to read without the lock."""

    code: str
    phase: str
    round: int  # rounds played
    rounds: int
    seconds_left: float | None  # while a round is open
    submitted: tuple[str, ...]  # ISO3, this round
    players: tuple[tuple[str, str, str], ...]  # (ISO3, nation, name shown: "" if anonymous)
    free: tuple[str, ...]  # ISO3 no student plays yet
    us: USChoice
    verdict: str
    reason: str
    version: int
    closed_reason: str = ""


def new_code(taken: set[str] | dict) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normal_code(code: str) -> str:
    """A code as typed (any case, with spaces) in its canonical form."""
    return "".join(str(code).split()).upper()


def clean_name(name: str | None) -> str:
    text = " ".join(str(name or "").split())
    return text[:NAME_LENGTH]


class Room:
    """One classroom game (see the module's docstring)."""

    def __init__(self, code: str, setup: RoomSetup, *, clock: Callable[[], float] = time.monotonic,
                 timers: bool = True) -> None:
        setup = setup.checked()
        self.code = code
        self.setup = setup
        self.clock = clock
        self.timers = timers  # False: only tick() closes a round (tests drive the clock)
        self.lock = threading.RLock()
        self.model = setup.build()
        codes = self.model.nations.iso3
        for iso3 in setup.nations:
            if iso3 not in codes:
                raise RoomError(f"nations: {iso3!r} is not allowed: expected nations of the "
                                f"scenario {setup.scenario} ({', '.join(codes)})")
        self.index = {iso3: codes.index(iso3) for iso3 in setup.nations}
        self.teacher_token = secrets.token_urlsafe(12)
        self.players: dict[str, Player] = {}  # token -> player
        self.by_nation: dict[str, str] = {}  # ISO3 -> token
        self.phase = LOBBY
        self.deadline: float | None = None
        self.submissions: dict[str, Submission] = {}  # ISO3 -> this round's
        self.last: dict[str, Submission] = {}  # ISO3 -> the choice it keeps
        self.us = USChoice()
        self.played: list[PlayedRound] = []
        self.states: list[State] = [self.model.state]  # the start and after each round
        self.version = 0
        self.closed_reason = ""
        self.last_activity = clock()
        self._timer: threading.Timer | None = None
        self._watchers: list[tuple[Callable[[int], None], frozenset[str]]] = []
        self._about: set[str] = set()  # what changed since the watchers were last told

    # ------------------------------------------------------------------ watching
    def watch(self, callback: Callable[[int], None],
              about: frozenset[str] = EVERYTHING) -> Callable[[], None]:
        """Call ``callback(version)`` after every change ``about`` any of these
        (:data:`PLAYERS`, :data:`SUBMISSIONS`, :data:`US`, :data:`STAGE`); returns the
        function that stops it. Every change is told: a burst may be told in one call."""
        entry = (callback, frozenset(about))
        with self.lock:
            self._watchers.append(entry)

        def stop() -> None:
            with self.lock:
                if entry in self._watchers:
                    self._watchers.remove(entry)
        return stop

    def _changed(self, about: str, activity: bool = True) -> None:
        """Under the lock: a new version; watchers are told once the lock is released."""
        self.version += 1
        self._about.add(about)
        if activity:
            self.last_activity = self.clock()

    def _notify(self) -> None:
        with self.lock:  # what changed since the last call (another call may have told it)
            version, about, self._about = self.version, self._about, set()
            watchers = [callback for callback, follows in self._watchers if follows & about]
        for callback in watchers:
            try:
                callback(version)
            except Exception:  # a closed page must not stop the others' updates
                pass

    # ------------------------------------------------------------------ players
    def join(self, name: str | None = None, iso3: str | None = None) -> Player:
        """A student joins: their chosen nation if free, else the first free one."""
        def action() -> Player:
            self._open_for("join")
            free = [c for c in self.setup.nations if c not in self.by_nation]
            if not free:
                raise RoomError(f"room {self.code} is full: every nation has a student")
            if iso3 is not None and iso3 not in free:
                raise RoomError(f"nation {iso3!r} is not free in room {self.code}: free are "
                                + ", ".join(free))
            player = Player(secrets.token_urlsafe(12), iso3 or free[0], clean_name(name))
            self.players[player.token] = player
            self.by_nation[player.iso3] = player.token
            self._changed(PLAYERS)
            return player
        return self._with_notify(action)

    def player(self, token: str | None) -> Player | None:
        """The player with this token (a student coming back), or None."""
        with self.lock:
            return self.players.get(token or "")

    def is_teacher(self, token: str | None) -> bool:
        return bool(token) and secrets.compare_digest(str(token), self.teacher_token)

    # ------------------------------------------------------------------ the round
    def open_round(self, teacher: str) -> None:
        """The teacher opens the next round: the timer starts."""
        def action() -> None:
            self._teacher(teacher)
            self._open_for("open a round")
            if self.phase == OPEN:
                raise RoomError(f"round {self.round + 1} is already open")
            if self.phase == OVER:
                raise RoomError("the game is over: see the debrief")
            self.phase = OPEN
            self.submissions = {}
            self.deadline = self.clock() + self.setup.timer_seconds
            self._changed(STAGE)
            if self.timers:
                self._start_timer(self.round + 1, self.setup.timer_seconds)
        self._with_notify(action)

    def set_us(self, teacher: str, level: float | None = None, backstop: int = MODEL) -> None:
        """The teacher plays the US by hand this round (None / -1: its policy decides)."""
        def action() -> None:
            self._teacher(teacher)
            self._open_for("set the US")
            if level is not None and not (isinstance(level, int | float) and 0 <= level <= 1):
                raise RoomError(f"US level = {level!r} is not allowed: expected a number from 0 to 1")
            if backstop not in (MODEL, 0, 1):
                raise RoomError(f"US backstop = {backstop!r} is not allowed: expected -1, 0 or 1")
            self.us = USChoice(None if level is None else float(level), int(backstop))
            self._changed(US)
        self._with_notify(action)

    def submit(self, token: str, round_no: int, submission: Submission) -> Receipt:
        """A student's choices for round ``round_no`` (the round their screen shows).

        Counted once per nation and round, under the room's lock; refused once the
        round has closed (the timer ended or the teacher closed it).
        """
        def action() -> Receipt:
            player = self.players.get(token)
            if player is None:
                raise RoomError(f"this link does not belong to a player of room {self.code}")
            if self.phase != OPEN or round_no != self.round + 1:
                return Receipt(False, f"round {round_no} is closed; your choice was not counted",
                               len(self.submissions))
            sub = self._checked(player.iso3, submission)
            self.submissions[player.iso3] = sub
            self._changed(SUBMISSIONS)
            return Receipt(True, f"counted for round {round_no}", len(self.submissions))
        return self._with_notify(action)

    def close_round(self, teacher: str) -> None:
        """The teacher closes the open round now: it is played with what came in."""
        def action() -> None:
            self._teacher(teacher)
            if self.phase != OPEN:
                raise RoomError("no round is open")
            self._play("teacher")
        self._with_notify(action)

    def tick(self) -> None:
        """Play the open round if its timer has run out (the timer thread calls this too)."""
        self._with_notify(lambda: None)

    def close(self, reason: str) -> None:
        """Close the room (idle, or the teacher ends it); its data stay for download."""
        def action() -> None:
            if self.phase != CLOSED:
                self._cancel_timer()
                self.phase, self.closed_reason, self.deadline = CLOSED, reason, None
                self._changed(STAGE, activity=False)
        self._with_notify(action)

    # ------------------------------------------------------------------ readings
    @property
    def round(self) -> int:
        return self.model.round

    def status(self) -> RoomStatus:
        with self.lock:
            self._due_quietly()
            names = self.model.nations
            shown = tuple((iso3, names.name[self.index[iso3]],
                           "" if self.setup.anonymous else self.players[self.by_nation[iso3]].name)
                          for iso3 in self.setup.nations if iso3 in self.by_nation)
            left = (max(0.0, self.deadline - self.clock()) if self.phase == OPEN
                    and self.deadline is not None else None)
            return RoomStatus(
                code=self.code, phase=self.phase, round=self.round, rounds=self.setup.rounds,
                seconds_left=left, submitted=tuple(c for c in self.setup.nations
                                                   if c in self.submissions),
                players=shown, free=tuple(c for c in self.setup.nations if c not in self.by_nation),
                us=self.us, verdict=self.model.verdict, reason=self.model.reason,
                version=self.version, closed_reason=self.closed_reason)

    def read(self, view: Callable[..., Any], *args: Any) -> Any:
        """``view(model, *args)`` under the room's lock (no round is played meanwhile)."""
        with self.lock:
            return view(self.model, *args)

    def kept(self, iso3: str) -> Submission:
        """The choices a student's nation plays if nothing new comes in: this round's
        submission, else the last one, else what the nation does now (field by field)."""
        with self.lock:
            return self._kept(iso3)

    def record(self) -> dict[str, Any]:
        """The room as data: its setup, every round's choices, the final state's digest
        (JSON-ready; :func:`replay` plays it again)."""
        with self.lock:
            s = self.setup
            return {"code": self.code, "scenario": s.scenario, "seed": s.seed,
                    "nations": list(s.nations), "parameters": [list(p) for p in s.parameters],
                    "rounds": [{"round": p.round, "submitted": list(p.submitted),
                                "closed_by": p.closed_by, "choices": choices_to_dict(p.choices)}
                               for p in self.played],
                    "players": {iso3: self.players[t].name for iso3, t in self.by_nation.items()},
                    "final_state_sha256": state_digest(self.model.state)}

    # ------------------------------------------------------------------ inside the lock
    def _with_notify(self, action: Callable[[], Any]) -> Any:
        with self.lock:
            before = self.version
            self._due()
            try:
                result = action()
            finally:
                changed = self.version != before
        if changed:
            self._notify()
        return result

    def _due(self) -> None:
        if self.phase == OPEN and self.deadline is not None and self.clock() >= self.deadline:
            self._play("timer")

    def _due_quietly(self) -> None:
        before = self.version
        self._due()
        if self.version != before:  # tell the watchers outside the lock's current holder
            threading.Thread(target=self._notify, daemon=True).start()

    def _teacher(self, token: str) -> None:
        if not self.is_teacher(token):
            raise RoomError(f"only the teacher of room {self.code} can do that")

    def _open_for(self, what: str) -> None:
        if self.phase == CLOSED:
            raise RoomError(f"room {self.code} is closed ({self.closed_reason}): cannot {what}")

    def _checked(self, iso3: str, sub: Submission) -> Submission:
        top = float(self.model.config.max_contribution)
        if sub.aid is not None and not (isinstance(sub.aid, int | float) and math.isfinite(sub.aid)
                                        and 0 <= sub.aid <= top):
            raise RoomError(f"aid share = {sub.aid!r} is not allowed: expected a share of GDP "
                            f"from 0 to {top:g}")
        cap = self._capacity_troops(iso3)
        if sub.troops is not None and not (isinstance(sub.troops, int | float)
                                           and math.isfinite(sub.troops) and 0 <= sub.troops):
            raise RoomError(f"troops = {sub.troops!r} is not allowed: expected a number of "
                            f"troops from 0 to {cap}")
        if sub.member is not None and not isinstance(sub.member, bool | np.bool_):
            raise RoomError(f"side = {sub.member!r} is not allowed: expected in or out")
        return replace(sub, troops=None if sub.troops is None else min(int(sub.troops), cap),
                       member=None if sub.member is None else bool(sub.member))

    def _capacity_troops(self, iso3: str) -> int:
        return int(self.model.world.troop_capacity[0, self.index[iso3]]) * self._unit()

    def _unit(self) -> int:
        return int(self.model.world.force.unit[0, 0])

    def _standing(self, iso3: str) -> Submission:
        i, st = self.index[iso3], self.model.state
        return Submission(aid=float(st.contribution[0, i]),
                          troops=(int(st.troops_offer[0, i]) * self._unit()
                                  if st.ceasefire[0, 0] else None),
                          member=bool(st.member[0, i]))

    def _kept(self, iso3: str) -> Submission:
        """This round's choice: submitted, else the one it keeps, field by field."""
        now, kept, standing = (self.submissions.get(iso3, Submission()),
                               self.last.get(iso3, Submission()), self._standing(iso3))
        return Submission(**{f.name: next((getattr(s, f.name) for s in (now, kept, standing)
                                           if getattr(s, f.name) is not None), None)
                             for f in fields(Submission)})

    def _choices(self) -> Choices:
        n = self.model.nations.n
        c = Choices.none(1, n)
        aid, troops, member = c.contribution.copy(), c.troops.copy(), c.member.copy()
        for iso3 in self.by_nation:  # nations without a student are the model's
            i, kept = self.index[iso3], self._kept(iso3)
            aid[0, i] = kept.aid
            member[0, i] = int(kept.member)
            if kept.troops is not None:
                troops[0, i] = int(round(kept.troops / self._unit()))
        return replace(c, contribution=aid, troops=troops, member=member,
                       us_level=np.full((1, 1), np.nan if self.us.level is None else self.us.level),
                       backstop=np.full((1, 1), self.us.backstop, np.int8))

    def _play(self, closed_by: str) -> None:
        self._cancel_timer()
        choices = self._choices()
        for iso3 in self.by_nation:
            self.last[iso3] = self._kept(iso3)
        played = PlayedRound(self.round + 1, choices,
                             tuple(c for c in self.setup.nations if c in self.submissions),
                             closed_by)
        self.model.step_with(choices)
        self.played.append(played)
        self.states.append(self.model.state)
        self.submissions, self.deadline = {}, None
        self.phase = OVER if (self.round >= self.setup.rounds or not self.model.running) else WAITING
        self._changed(STAGE, activity=closed_by == "teacher")

    def _start_timer(self, round_no: int, delay: float) -> None:
        self._cancel_timer()
        timer = threading.Timer(delay + 0.05, self._expire, args=(round_no,))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _expire(self, round_no: int) -> None:
        with self.lock:
            if not (self.phase == OPEN and self.round + 1 == round_no):
                return
        self.tick()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


# ---------------------------------------------------------------------- a student's view
CURVE_POINTS = 101


@dataclass(frozen=True)
class Situation:
    """A student's nation as it stands, in plain words, and its payoff curve.

    ``shares`` (share of GDP) and ``payoffs`` (utility, EUR bn a year) are the nation
    inspector's curve: its utility if it gives x this round, the others' aid, the US
    and the force as they stand (:meth:`agents.nation.Nation.utility_curve`); fine up
    to ``view_max`` (the part worth drawing), coarser from there to ``max_aid``.
    """

    iso3: str
    nation: str
    round: int
    lines: tuple[str, ...]
    member: bool
    aid: float  # share of GDP now
    max_aid: float
    floor: float  # a member gives at least this
    view_max: float  # the curve's interesting part ends here
    ceasefire: bool
    troops: int  # offered now (people)
    troop_capacity: int
    troop_unit: int
    can_offer: bool  # its stance deploys at all and it has forces to deploy
    stance: str
    shares: tuple[float, ...]
    payoffs: tuple[float, ...]

    def payoff(self, share: float) -> float:
        """Its utility at ``share`` (linear between the curve's points)."""
        return float(np.interp(share, self.shares, self.payoffs))


def situation(model: CoalitionModel, iso3: str) -> Situation:
    """What a student sees of their nation (call under the room's lock: ``room.read``)."""
    nation = model.nation(iso3)
    st, world, game = model.state, model.world, model.current_game()
    members = st.member[0]
    others = members.copy()
    others[nation.index] = False
    gdp = np.asarray(world.game.gdp[0])
    mean_share = float((st.contribution[0] * gdp)[others].sum() / max(gdp[others].sum(), 1e-12))
    top = float(model.config.max_contribution)
    best = nation.best_response()
    high = min(top, max(3 * max(nation.contribution, best), 0.005))
    shares = np.unique(np.concatenate([np.linspace(0.0, high, CURVE_POINTS), [nation.contribution],
                                       np.linspace(high, top, CURVE_POINTS // 5)]))
    payoffs = nation.utility_curve(shares)["utility"]
    unit = int(world.force.unit[0, 0])
    us_level = float(st.us_level[0, 0])
    ceasefire = bool(st.ceasefire[0, 0])
    can_offer = bool(conditions.offering(world.troop_strategy)[0, nation.index]
                     and world.troop_capacity[0, nation.index] > 0)
    lines = [
        f"{nation.name}: GDP EUR {nation.gdp:,.0f} bn; exposure to the threat "
        f"{nation.exposure:.2f} (the coalition's average: {float(np.mean(game.exposure)):.2f}); "
        + ("a member of the coalition." if nation.member else "outside the coalition."),
        f"You give {100 * nation.contribution:.2f}% of GDP (EUR {nation.contribution_bn:.1f} bn a "
        f"year) in bilateral aid; your share of EU aid adds {100 * nation.eu_contribution:.2f}%.",
        f"The other {int(others.sum())} members gave {100 * mean_share:.2f}% of their GDP on "
        f"average; European aid in all: EUR {model.european_effort:.1f} bn a year.",
        f"The US committed {100 * us_level:.0f}% of its usual effort (EUR "
        f"{float(st.us_effort[0, 0]):.1f} bn a year); you expected EUR "
        f"{nation.expected_us_effort:.1f} bn.",
    ]
    if ceasefire:
        lines.append(f"Ceasefire since round {int(st.ceasefire_began[0, 0])}: the reassurance force "
                     f"has {float(st.force_troops[0, 0]):,.0f} troops of the "
                     f"{float(st.force_threshold[0, 0]):,.0f} it needs"
                     + (", with a US backstop." if st.backstop[0, 0] else ", without a US backstop.")
                     + (f" You can offer up to {nation.troop_capacity:,} troops; your government "
                        f"{nation.troop_stance}." if can_offer else
                        f" Your government {nation.troop_stance}: you offer no troops."))
    lines.append(f"Verdict so far: {model.reason}")
    return Situation(
        iso3=iso3, nation=nation.name, round=model.round, lines=tuple(lines),
        member=nation.member, aid=nation.contribution, max_aid=top,
        floor=float(model.config.pledge_floor), view_max=high, ceasefire=ceasefire, troops=nation.troop_offer,
        troop_capacity=nation.troop_capacity, troop_unit=unit, can_offer=can_offer, stance=nation.troop_stance,
        shares=tuple(float(x) for x in shares), payoffs=tuple(float(u) for u in payoffs))


# ---------------------------------------------------------------------- the registry
class Registry:
    """The server's rooms by code (shared deliberately: a room's members see one room)."""

    SWEEP_SECONDS = 30.0  # how often the server looks for idle rooms

    def __init__(self, clock: Callable[[], float] = time.monotonic, timers: bool = True) -> None:
        self.clock, self.timers = clock, timers
        self.lock = threading.Lock()
        self.rooms: dict[str, Room] = {}
        self._sweeper: threading.Thread | None = None

    def open(self, setup: RoomSetup) -> Room:
        """A new room with a fresh code (the setup's one-line error if it is bad)."""
        with self.lock:
            code = new_code(self.rooms)
            room = Room(code, setup, clock=self.clock, timers=self.timers)
            self.rooms[code] = room
            if self.timers and self._sweeper is None:  # on a server: close idle rooms
                self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                                 name="classroom-idle-rooms")
                self._sweeper.start()
            return room

    def _sweep(self) -> None:
        while True:
            time.sleep(self.SWEEP_SECONDS)
            self.close_idle()

    def get(self, code: str | None) -> Room | None:
        """The room with this code as typed, or None (closing idle rooms first)."""
        self.close_idle()
        with self.lock:
            return self.rooms.get(normal_code(code or ""))

    def close_idle(self) -> list[Room]:
        """Close rooms idle for longer than their ``idle_seconds``; forget rooms closed
        more than a day ago. The rooms closed now."""
        now = self.clock()
        with self.lock:
            rooms = list(self.rooms.values())
        closed = []
        for room in rooms:
            idle = now - room.last_activity
            if room.phase != CLOSED and idle > room.setup.idle_seconds:
                room.close(f"no activity for {idle / 60:.0f} minutes")
                closed.append(room)
            elif room.phase == CLOSED and idle > KEEP_CLOSED_SECONDS:
                with self.lock:
                    self.rooms.pop(room.code, None)
        return closed


ROOMS = Registry()  # the app server's rooms


# ---------------------------------------------------------------------- replay
def choices_to_dict(c: Choices) -> dict[str, list]:
    """A round's choices as JSON-ready lists (NaN as null)."""
    def plain(a: np.ndarray) -> list:
        return [None if isinstance(v, float) and math.isnan(v) else v for v in a[0].tolist()]
    return {f.name: plain(getattr(c, f.name)) for f in fields(c)}


def choices_from_dict(d: dict[str, list]) -> Choices:
    def arr(name: str, dtype) -> np.ndarray:
        values = [np.nan if v is None else v for v in d[name]]
        return np.array([values], dtype=dtype)
    return Choices(us_level=arr("us_level", float), backstop=arr("backstop", np.int8),
                   contribution=arr("contribution", float), troops=arr("troops", int),
                   member=arr("member", np.int8))


def setup_of(record: dict[str, Any]) -> RoomSetup:
    return RoomSetup(scenario=record["scenario"], seed=record["seed"],
                     nations=tuple(record["nations"]),
                     parameters=tuple(tuple(p) for p in record["parameters"]))


def replay(record: dict[str, Any], *, students: bool = True) -> CoalitionModel:
    """Play a room's record again through the model: with ``students=False`` the model's
    own path from the same start (the teacher's US kept, the students' nations left to
    the model), for the debrief."""
    model = setup_of(record).build()
    for played in record["rounds"]:
        choices = choices_from_dict(played["choices"])
        if not students:
            free = Choices.none(1, model.nations.n)
            choices = replace(free, us_level=choices.us_level, backstop=choices.backstop)
        model.step_with(choices)
    return model


def state_digest(state: State) -> str:
    """sha256 of every array of a state (its dtype, shape and bytes), in field order."""
    h = hashlib.sha256()
    for f in fields(state):
        a = np.ascontiguousarray(getattr(state, f.name))
        h.update(f"{f.name}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


__all__ = ["Room", "RoomSetup", "RoomStatus", "RoomError", "Registry", "ROOMS", "Player",
           "Submission", "Receipt", "USChoice", "PlayedRound", "Situation", "situation", "replay", "state_digest",
           "choices_to_dict", "choices_from_dict", "normal_code", "LOBBY", "OPEN", "WAITING",
           "OVER", "CLOSED", "PLAYERS", "SUBMISSIONS", "US", "STAGE", "EVERYTHING"]
