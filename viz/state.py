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

import threading
from dataclasses import dataclass, field, replace
from collections.abc import Callable
from typing import Any, TypeVar

import solara

from agents.policies import REGISTRY
from model.coalition_model import CoalitionModel
from model.params import CoalitionError, ParameterError, all_params
from model.scenarios import load_scenario

T = TypeVar("T")

DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 42
FOCUS_NATION = "DEU"  # the seminar's question: why did Germany leave?

# The parameters a seminar varies, in the order the controls show them.
SEMINAR_PARAMS = ("us_reliance", "spillover", "exit_penalty", "sucker_aversion",
                  "adjustment_speed", "noise", "adversary", "mode", "stop_on_verdict")
POLICY_PARAM_NAMES = tuple(dict.fromkeys(p for cls in REGISTRY.values() for p in cls.reads))
CONTROLLED = ("us_policy", *POLICY_PARAM_NAMES, *SEMINAR_PARAMS)

LABELS = {
    "scenario": "scenario", "seed": "seed", "extra": "more settings",
    "nation_reliance": "a nation's US reliance",
    "us_policy": "US policy", "us_level": "US level", "us_low_level": "US low level",
    "us_withdraw_start": "withdrawal start", "us_withdraw_rate": "withdrawal rate",
    "us_demand": "US demand", "us_hysteresis": "hysteresis", "us_switch_prob": "switch chance",
    "us_stake": "US stake", "us_reliance": "US reliance (all nations)",
    "spillover": "spillover", "exit_penalty": "exit penalty", "sucker_aversion": "sucker aversion",
    "adjustment_speed": "adjustment speed", "noise": "noise", "adversary": "adversary",
    "mode": "behaviour mode", "stop_on_verdict": "stop at the verdict",
}


@dataclass(frozen=True)
class Settings:
    """Everything the controls set; :meth:`build` turns it into a model.

    ``values`` holds the :data:`CONTROLLED` model parameters, ``nation_reliance`` the
    per-nation ``us_reliance`` overrides, ``extra`` free ``KEY=VALUE`` lines (the
    syntax of ``coalition run --set``) for any other parameter.
    """

    scenario: str = DEFAULT_SCENARIO
    seed: int = DEFAULT_SEED
    values: dict[str, Any] = field(default_factory=dict)
    nation_reliance: dict[str, float] = field(default_factory=dict)
    extra: str = ""

    @classmethod
    def for_scenario(cls, name: str, seed: int = DEFAULT_SEED) -> Settings:
        """The scenario's parameters loaded into the controls (defaults elsewhere)."""
        preset = load_scenario(name)
        spec = all_params()
        values = {k: preset.parameters.get(k, spec[k].default) for k in CONTROLLED}
        values = {k: spec[k].validate(v) for k, v in values.items()}
        reliance = {code: float(fields["us_reliance"]) for code, fields in preset.nations.items()
                    if "us_reliance" in fields}
        return cls(scenario=name, seed=seed, values=values, nation_reliance=reliance)

    def with_value(self, name: str, value: Any) -> Settings:
        return replace(self, values={**self.values, name: value})

    def with_nation_reliance(self, code: str, value: float | None) -> Settings:
        reliance = {k: v for k, v in self.nation_reliance.items() if k != code}
        if value is not None:
            reliance[code] = value
        return replace(self, nation_reliance=reliance)

    def model_inputs(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """(model parameters, per-nation overrides) the model is built with."""
        from experiments.cli import parse_sets

        lines = [line for line in self.extra.splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
        extra, extra_nations = parse_sets(lines)
        nations: dict[str, dict[str, Any]] = {c: {"us_reliance": v}
                                              for c, v in self.nation_reliance.items()}
        for code, fields in extra_nations.items():
            nations.setdefault(code, {}).update(fields)
        return {**self.values, **extra}, nations

    def build(self) -> CoalitionModel:
        """A fresh model; raises the model's CoalitionError on bad settings."""
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ParameterError(f"seed = {self.seed!r} is not allowed: expected a whole "
                                 "number at least 0")
        params, nations = self.model_inputs()
        return CoalitionModel(self.scenario, rng=self.seed, nation_params=nations, **params)


def changed(pending: Settings, applied: Settings) -> list[str]:
    """Labels of the controls that differ between two settings (for "press Reset")."""
    out = [LABELS[k] for k in ("scenario", "seed", "extra", "nation_reliance")
           if getattr(pending, k) != getattr(applied, k)]
    keys = dict.fromkeys([*pending.values, *applied.values])
    return out + [LABELS.get(k, k) for k in keys if pending.values.get(k) != applied.values.get(k)]


class Session:
    """One browser session: a model, the applied and pending settings, the play state.

    ``version`` goes up whenever the model changes (a step or a reset), then
    ``views_version``: the banner and monitors redraw on the first, in a quick render
    pass of their own, the charts, map, log and inspector on the second. ``lock``
    serialises steps and readings (:meth:`read`), so a view drawn in one thread never
    reads a model that Play's thread is stepping.
    """

    def __init__(self, settings: Settings | None = None) -> None:
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
        self._drawn_version = 0

    # ------------------------------------------------------------------ actions
    def step(self) -> bool:
        """Play one round, unless the run has stopped; True if a round was played."""
        with self.lock:
            if not self.model.running:
                self.playing.set(False)
                return False
            try:
                self.model.step()
            except Exception as exc:  # a model bug must not take the app down
                self.playing.set(False)
                self.error.set(f"The model failed in round {self.model.round + 1}: "
                               f"{type(exc).__name__}: {exc}")
                return False
            self.changed_model()
            if not self.model.running:
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
            self.applied.set(settings)
            self.error.set(None)
            if self.inspected.value not in model.nations.iso3:
                self.inspected.set(self.default_nation())
            self.changed_model()
        return True

    def choose_scenario(self, name: str) -> None:
        """Load a scenario's parameters into the controls (applied on Reset)."""
        self.pending.set(Settings.for_scenario(name, seed=self.pending.value.seed))

    def set_value(self, name: str, value: Any) -> None:
        self.pending.set(self.pending.value.with_value(name, value))

    def changed_model(self) -> None:
        """Redraw: the banner first (it is cheap), then every other view."""
        self.version.set(self.version.value + 1)
        self.views_version.set(self.version.value)
        self.running.set(self.model.running)

    def mark_drawn(self, version: int) -> None:
        """The views now show ``version`` (called by the views once drawn)."""
        with self._drawn:
            self._drawn_version = max(self._drawn_version, version)
            self._drawn.notify_all()

    def wait_drawn(self, timeout: float = 5.0) -> bool:
        """Wait until the views show the latest version; Play does, before its next round.

        Whichever thread draws, it then sees one change per drawing, never a change in
        every pass (Solara stops a render loop that another thread keeps feeding).
        """
        with self._drawn:
            return self._drawn.wait_for(lambda: self._drawn_version >= self.views_version.value,
                                        timeout)

    # ------------------------------------------------------------------ readings
    def read(self, view: Callable[..., T], *args: Any) -> T:
        """``view(model, *args)`` while no round is being played (Play runs in a thread)."""
        with self.lock:
            return view(self.model, *args)

    @property
    def changed(self) -> list[str]:
        return changed(self.pending.value, self.applied.value)

    def default_nation(self) -> str:
        codes = self.model.nations.iso3
        return FOCUS_NATION if FOCUS_NATION in codes else codes[0]
