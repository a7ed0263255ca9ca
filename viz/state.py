"""What one browser session holds: its own model, the controls, and what changed.

Solara runs one virtual kernel per browser tab, and the app builds a :class:`Session`
inside its page component (``solara.use_memo``), so every tab has its own model:
two students on one server never see or step each other's. Nothing here is a
module-level model.

The controls edit :attr:`Session.pending`; the model is rebuilt from it only on
:meth:`Session.reset`, as in NetLogo's setup. A rejected setting keeps the previous
model running and shows the model's own one-line message.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from dataclasses import dataclass, field, replace
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import solara

from model.policies import REGISTRY
from agents.coalition_model import CoalitionModel
from model.config import (all_params, inert_reason, nest, parse_assignment, split_key,
                          validate)
from model.errors import CoalitionError, ParameterError
from model.param import DEFAULT_ROUNDS, DEFAULT_SEED, MAX_ROUNDS
from model.scenarios import load_scenario

T = TypeVar("T")

DEFAULT_SCENARIO = "baseline"
FOCUS_NATION = "DEU"  # the seminar's question: why did Germany leave?

# The parameters a seminar varies, in the order the controls show them.
SEMINAR_PARAMS = ("us_reliance", "us_reliance_spread", "defence_path", "defence_budget_weight",
                  "eu_channel", "off_budget", "reparations_loan", "spillover", "penalty_scale",
                  "sucker_aversion",
                  "adjustment_speed", "noise", "adversary", "mode", "stop_on_verdict",
                  "ceasefire_round", "force_threshold", "force_threshold_backstop")
POLICY_PARAM_NAMES = tuple(dict.fromkeys(p for cls in REGISTRY.values() for p in cls.reads))
CONTROLLED = ("us_policy", *POLICY_PARAM_NAMES, *SEMINAR_PARAMS)
NATION_CONTROLLED = ("us_reliance",)  # per-nation values the controls set
NATION_LABELS = {"us_reliance": "US reliance"}

LABELS = {
    "scenario": "scenario", "seed": "seed", "extra": "more settings",
    "us_policy": "US policy", "us_level": "US level", "us_low_level": "US low level",
    "us_withdraw_start": "withdrawal start", "us_withdraw_rate": "withdrawal rate",
    "us_demand": "US demand", "us_hysteresis": "tolerance band", "us_switch_prob": "switch chance",
    "us_stake": "US stake", "us_reliance": "US reliance (mean belief)",
    "us_backstop": "US backs the force after a ceasefire",
    "us_backstop_price": "force the US asks for first (troops)",
    "ceasefire_round": "ceasefire in round", "force_threshold": "troops needed without the US",
    "force_threshold_backstop": "troops needed with the US",
    "spillover": "spillover", "penalty_scale": "commitment (x the revealed penalties)",
    "sucker_aversion": "sucker aversion", "us_reliance_spread": "spread of beliefs",
    "defence_path": "own defence", "defence_budget_weight": "defence's weight in the budget",
    "eu_channel": "EU Council decides EU aid", "off_budget": "off-budget money",
    "reparations_loan": "reparations loan (EUR bn a year)",
    "adjustment_speed": "adjustment speed", "noise": "noise", "adversary": "adversary",
    "mode": "behaviour mode", "stop_on_verdict": "stop at the verdict",
}


@dataclass(frozen=True)
class Settings:
    """Everything the controls set; :meth:`build` turns it into a model.

    ``values`` is one flat layer over the scenario, as ``--set`` writes it: the
    :data:`CONTROLLED` model parameters and any per-nation value the controls set
    (``"DEU.us_reliance"``); ``extra`` holds free ``KEY=VALUE`` lines for any other
    parameter. Both go through :mod:`model.config`, like every other input.
    """

    scenario: str = DEFAULT_SCENARIO
    seed: int = DEFAULT_SEED
    values: dict[str, Any] = field(default_factory=dict)
    extra: str = ""

    @classmethod
    def for_scenario(cls, name: str, seed: int = DEFAULT_SEED) -> Settings:
        """The scenario's parameters loaded into the controls (defaults elsewhere)."""
        preset = load_scenario(name)
        values = {k: validate(k, preset.parameters.get(k, all_params()[k].default))
                  for k in CONTROLLED}
        for key, value in preset.overrides.items():
            code, field_name = split_key(key)
            if code is not None and field_name in NATION_CONTROLLED:
                values[key] = validate(key, value)
        return cls(scenario=name, seed=seed, values=values)

    def with_value(self, key: str, value: Any) -> Settings:
        """Set a parameter or ``ISO3.field``; ``None`` for a per-nation key removes it."""
        values = dict(self.values)
        if value is None and split_key(key)[0] is not None:
            values.pop(key, None)
        else:
            values[key] = value
        return replace(self, values=values)

    def nation_values(self, name: str) -> dict[str, Any]:
        """The per-nation values of ``name`` the controls set, by nation code."""
        return {split_key(k)[0]: v for k, v in self.values.items()
                if split_key(k)[0] is not None and split_key(k)[1] == name}

    @functools.cached_property
    def _box(self) -> tuple[dict[str, Any], list[str]]:
        return self._read_box()

    def box(self) -> tuple[dict[str, Any], list[str]]:
        """The settings box read (:meth:`_read_box`), once per settings."""
        return self._box

    def _read_box(self) -> tuple[dict[str, Any], list[str]]:
        """The ``KEY=VALUE`` lines of the settings box: (the settings read, validated, by
        key; one message per line that is refused). A line is refused if it is not
        ``KEY=VALUE``, names an unknown parameter ("did you mean ..."), has a value the
        parameter does not allow, or would change nothing with the other settings
        (:func:`model.config.inert_reason`). Everything goes through :mod:`model.config`,
        as ``coalition run --set`` does."""
        read: dict[str, Any] = {}
        problems: list[str] = []
        for line in self.extra.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                key, text = parse_assignment(line)
                read[key] = validate(key, text)
            except CoalitionError as exc:
                problems.append(str(exc))
        if problems:
            return read, problems
        try:
            values = load_scenario(self.scenario).config(self.flat(read)).values
        except CoalitionError as exc:
            return read, [str(exc)]
        problems = [r for r in (inert_reason(k, values) for k in read) if r]
        return read, problems

    def flat(self, box: dict[str, Any] | None = None) -> dict[str, Any]:
        """The one flat layer the model is built with: the controls, then the box's lines
        (a key set in the box wins, and its control shows that it does)."""
        return {**self.values, **(self.box()[0] if box is None else box)}

    def model_inputs(self) -> dict[str, Any]:
        """:meth:`flat`, or the settings box's first refusal as a CoalitionError."""
        read, problems = self.box()
        if problems:
            raise ParameterError(problems[0])
        return self.flat(read)

    def departures(self) -> dict[str, Any]:
        """The flat layer minus what the scenario itself sets: the user's own changes, which
        win over a plausible world's values (as ``--set`` does on the command line)."""
        own = Settings.for_scenario(self.scenario, self.seed).flat({})
        return {k: v for k, v in self.model_inputs().items() if k not in own or own[k] != v}

    def effective(self, key: str) -> tuple[Any, bool]:
        """(the value the model is built with for ``key``, whether the box sets it)."""
        read = self.box()[0]
        return (read[key], True) if key in read else (self.values.get(key), False)

    def build(self) -> CoalitionModel:
        """A fresh model; raises the model's CoalitionError on bad settings."""
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ParameterError(f"seed = {self.seed!r} is not allowed: expected a whole "
                                 "number at least 0")
        params, nations = nest(self.model_inputs())
        return CoalitionModel(self.scenario, rng=self.seed, nation_params=nations, **params)


def label(key: str) -> str:
    """The control's label of a setting (per-nation keys by their field)."""
    code, name = split_key(key)
    return f"{code}'s {NATION_LABELS.get(name, name)}" if code else LABELS.get(name, name)


def changed(pending: Settings, applied: Settings) -> list[str]:
    """Labels of the controls that differ between two settings (for "press Reset")."""
    out = [LABELS[k] for k in ("scenario", "seed", "extra") if getattr(pending, k) != getattr(applied, k)]
    keys = dict.fromkeys([*pending.values, *applied.values])
    return out + [label(k) for k in keys if pending.values.get(k) != applied.values.get(k)]


class History:
    """A run's states round by round, for the round slider.

    The model keeps only its latest state; :meth:`record` keeps each round's (states are
    immutable, so this holds references, not copies) and how many events the log had
    then. :meth:`at` shows the model as it stood in an earlier round: its state, round
    and event log are swapped in for the duration (under the session's lock) and put
    back, so every view reads an earlier round through the model's own readings.
    """

    def __init__(self, model: CoalitionModel) -> None:
        self.states = [model.state]
        self.events = [len(model.events)]

    def record(self, model: CoalitionModel) -> None:
        self.states.append(model.state)
        self.events.append(len(model.events))

    @contextlib.contextmanager
    def at(self, model: CoalitionModel, rounds: int | None) -> Iterator[CoalitionModel]:
        if rounds is None or rounds >= model.round or rounds >= len(self.states):
            yield model
            return
        kept = model.state, model.round, model.events
        model.state, model.round = self.states[rounds], rounds
        model.events = kept[2][:self.events[rounds]]
        try:
            yield model
        finally:
            model.state, model.round, model.events = kept


class Page:
    """The browser tab a session is drawn in, as the server sees it.

    ``connected()`` is False once the tab has closed or lost its connection, so work
    done for the tab (Play) stops rather than running on for nobody: Solara keeps a
    disconnected session for a while in case the tab comes back.
    """

    def __init__(self, context: Any = None) -> None:
        self.context = context  # Solara's kernel context; None outside a server

    def connected(self) -> bool:
        if self.context is None:
            return True
        from solara.server.kernel_context import PageStatus

        if self.context.closed_event.is_set():
            return False
        return PageStatus.CONNECTED in self.context.page_status.values()


def current_page() -> Page:
    """The tab being drawn (call while rendering a component)."""
    from solara.server import kernel_context

    return Page(kernel_context.get_current_context() if kernel_context.has_current_context() else None)


class Session:
    """One browser session: a model, the applied and pending settings, the play state.

    ``version`` goes up whenever the model changes (a step or a reset), then
    ``views_version``: the banner and monitors redraw on the first, in a quick render
    pass of their own, the charts, map, log and inspector on the second. ``lock``
    serialises steps and readings (:meth:`read`), so a view drawn in one thread never
    reads a model that Play's thread is stepping.
    """

    def __init__(self, settings: Settings | None = None, draw_views_at_once: bool = True) -> None:
        settings = settings or Settings.for_scenario(DEFAULT_SCENARIO)
        self.lock = threading.RLock()
        self.model = settings.build()
        self.applied = solara.reactive(settings)
        self.pending = solara.reactive(settings)
        self.version = solara.reactive(0)
        self.views_version = solara.reactive(0)
        self.error: solara.Reactive[str | None] = solara.reactive(None)
        self.playing = solara.reactive(False)
        self.running = solara.reactive(self.model.running)  # changes rarely: buttons read it
        self.delay_ms = solara.reactive(300)
        self.inspected = solara.reactive(self.default_nation())
        self._drawn = threading.Condition()
        self._drawn_version = 0  # the views the server has drawn ...
        self._shown_version: int | None = None  # ... and the browser shown (None: no browser yet)
        # Play and Step stop at the round limit (the CLI's --rounds), as at the verdict
        self.round_limit = solara.reactive(DEFAULT_ROUNDS)
        # the round slider: every round's state and how many events it had logged
        self.history = History(self.model)
        self.shown_round: solara.Reactive[int | None] = solara.reactive(None)  # None: latest
        self.running.set(self.can_step())
        # on demand, off the main thread (viz/components/uncertainty.py): the plausible
        # worlds of the applied settings, a second run drawn over the charts
        self.ensemble: solara.Reactive[Any] = solara.reactive(None)
        self.overlay: solara.Reactive[Any] = solara.reactive(None)
        self.tab = solara.reactive(0)  # the tab shown (the settings box links to Parameters)
        # whether the browser shows the nation inspector (viz/components/onscreen.py): off
        # screen it keeps what it drew, and is redrawn at the latest round when seen again
        self.inspector_onscreen = solara.reactive(True)
        # the app's page draws the charts once the browser has drawn the rest (the banner
        # and the controls come first); a session drawn without a browser, at once
        self.page_drawn = solara.reactive(draw_views_at_once)

    # ------------------------------------------------------------------ actions
    def step(self) -> bool:
        """Play one round, unless the run has stopped; True if a round was played."""
        with self.lock:
            if not self.can_step():
                self.playing.set(False)
                return False
            try:
                self.model.step()
                self.history.record(self.model)
            except Exception as exc:  # a model bug must not take the app down
                self.playing.set(False)
                self.error.set(f"The model failed in round {self.model.round + 1}: "
                               f"{type(exc).__name__}: {exc}")
                return False
            self.changed_model()
            if not self.can_step():
                self.playing.set(False)
            return True

    def reset(self) -> bool:
        """Rebuild the model from the pending settings; on bad input keep the old one."""
        self.playing.set(False)
        settings = self.pending.value
        try:
            model = settings.build()
        except CoalitionError as exc:
            self.error.set(str(exc))
            return False
        except Exception as exc:
            self.error.set(f"These settings broke the model: {type(exc).__name__}: {exc}")
            return False
        with self.lock:
            self.model = model
            self.history = History(model)
            self.shown_round.set(None)
            if getattr(self.ensemble.value, "settings", settings) != settings:
                self.ensemble.set(None)  # the plausible worlds of other settings
            self.applied.set(settings)
            self.error.set(None)
            if self.inspected.value not in model.nations.iso3:
                self.inspected.set(self.default_nation())
            self.changed_model()
        return True

    def choose_scenario(self, name: str) -> None:
        """Load a scenario's parameters into the controls (applied on Reset)."""
        self.pending.set(Settings.for_scenario(name, seed=self.pending.value.seed))

    # The controls change the pending settings as they are when the change arrives (never
    # as they were when the control was drawn: a scenario chosen a moment before stays).
    def set_value(self, name: str, value: Any) -> None:
        self.pending.set(self.pending.value.with_value(name, value))

    def set_extra(self, text: str) -> None:
        self.pending.set(replace(self.pending.value, extra=text))

    def set_seed(self, seed: int | None) -> None:
        self.pending.set(replace(self.pending.value, seed=seed))

    def changed_model(self) -> None:
        """Redraw: the banner first (it is cheap), then every other view."""
        self.version.set(self.version.value + 1)
        self.views_version.set(self.version.value)
        self.running.set(self.can_step())

    def can_step(self) -> bool:
        """The run goes on: no verdict has stopped it and the round limit is not reached."""
        return self.model.running and self.model.round < self.round_limit.value

    def set_round_limit(self, rounds: int) -> None:
        """Play and Step stop after round ``rounds`` (1 to MAX_ROUNDS); applies at once."""
        self.round_limit.set(min(max(int(rounds), 1), MAX_ROUNDS))
        self.running.set(self.can_step())
        if not self.can_step():
            self.playing.set(False)

    def show_round(self, rounds: int | None) -> None:
        """Show an earlier round in every view (None or the latest round: follow the run)."""
        latest = self.model.round
        self.shown_round.set(None if rounds is None or rounds >= latest else max(int(rounds), 0))
        self.version.set(self.version.value + 1)
        self.views_version.set(self.version.value)

    def mark_drawn(self, version: int) -> None:
        """The views now show ``version`` (called by the views once drawn)."""
        with self._drawn:
            self._drawn_version = max(self._drawn_version, version)
            self._drawn.notify_all()

    def mark_shown(self, version: int) -> None:
        """The browser has painted the views at ``version`` (:mod:`viz.components.onscreen`)."""
        with self._drawn:
            self._shown_version = max(self._shown_version or 0, version)
            self._drawn.notify_all()

    def wait_drawn(self, timeout: float = 5.0) -> bool:
        """Wait until the views show the latest version; Play does, before its next round.

        First the server's drawing, then, once a browser has reported a painted round,
        the browser's too: Play then never runs ahead of a slow browser, so Pause stops
        the round the screen shows (or the one being played) and the rounds on screen
        are the rounds played. Whichever thread draws, it sees one change per drawing,
        never a change in every pass (Solara stops a render loop that another thread
        keeps feeding). A browser that stops answering (a hidden tab, a lost message)
        holds Play up for ``timeout`` at most.
        """
        def drawn() -> bool:
            latest = self.views_version.value
            return self._drawn_version >= latest and (self._shown_version is None
                                                       or self._shown_version >= latest)

        with self._drawn:
            return self._drawn.wait_for(drawn, timeout)

    # ------------------------------------------------------------------ readings
    def read(self, view: Callable[..., T], *args: Any) -> T:
        """``view(model, *args)`` while no round is being played (Play runs in a thread),
        at the round the round slider shows (:meth:`History.at`)."""
        with self.lock, self.history.at(self.model, self.shown_round.value):
            return view(self.model, *args)

    @property
    def changed(self) -> list[str]:
        return changed(self.pending.value, self.applied.value)

    def default_nation(self) -> str:
        codes = self.model.nations.iso3
        return FOCUS_NATION if FOCUS_NATION in codes else codes[0]
