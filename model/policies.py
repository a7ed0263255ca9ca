"""US behaviour policies: a registry of small classes, one per way the US can behave.

Modelled on the Axelrod library's strategies: each policy has a ``name``, a one-line
``description``, a ``classifier`` (memory depth, stochastic, what it reads) and the
parameters it uses, with defaults and ranges. A policy decides the US commitment
level u in [0, 1] (1 = its 2022-2024 effort) from what it observes of last round.

``decide`` is the one interface: vectorised over any leading batch axes, so the Mesa
model (one run) and the sweep engine (many runs) call the same code. Policy state that
must survive between rounds (e.g. whether a transactional US is currently punishing)
is returned as ``memory`` and kept in the model state, never in the class. These are
pure rules of the game, like :mod:`model.game`; the US agent
(:class:`agents.united_states.UnitedStates`) shows them to Mesa and the app.

To add a policy, write one class with the ``@register`` decorator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from model import game as g
from model.errors import ParameterError
from model.param import Param

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# The parameters policies may read; each policy lists the ones it uses.
POLICY_PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("us_level", 1.0, float, "US commitment level when engaged (1 = its 2022-24 effort)",
          low=0.0, high=1.0, group="us",
       label="US commitment (1 = its 2022-24 effort)"),
    Param("us_low_level", 0.0, float, "US commitment level when punishing or disengaged",
          low=0.0, high=1.0, group="us",
       label="US commitment when disengaged (1 = its 2022-24 effort)"),
    Param("us_withdraw_start", 5, int, "round in which a withdrawing US starts to cut",
          low=0, high=10000, group="us",
       label="round the US starts to withdraw"),
    Param("us_withdraw_rate", 0.1, float, "commitment a withdrawing US cuts each round",
          low=0.0, high=1.0, group="us",
       label="US withdrawal per round (share of its 2022-24 effort)"),
    Param("us_demand", 1.0, float, "European burden (share of GDP) the US asks for, relative "
          "to its own 2022-24 burden", low=0.0, high=10.0, low_open=True, group="us",
       label="US demand (European burden / US burden)"),
    Param("us_hysteresis", 0.2, float, "width of the band around the demand within which a "
          "transactional US keeps its stance", low=0.0, high=5.0, group="us",
       label="US tolerance band around its demand"),
    Param("us_switch_prob", 0.2, float, "chance per round that an erratic US switches stance",
          low=0.0, high=1.0, group="us",
       label="chance per round an erratic US switches"),
    Param("us_stake", 1.0, float, "value a strategic US puts on deterrence (1 = the status "
          "quo is its optimum)", low=0.0, high=10.0, group="us",
       label="US stake in deterrence (1 = status quo optimal)"),
    Param("us_backstop", True, bool, "after a ceasefire, an engaged US backs the reassurance "
          "force (air cover, intelligence, a guarantee); each policy says when it is engaged",
          group="us"),
    Param("us_backstop_price", 20000.0, float, "the force (troops) a transactional US asks "
          "Europe to field before it backs it", low=0.0, high=1e6, group="us",
       label="troops a transactional US asks for its backstop"),
)}


@dataclass(frozen=True)
class USObservation:
    """What the US sees when it decides (arrays of shape (..., 1))."""

    round: Array  # the round being played, 1, 2, ...
    level: Array  # its commitment last round
    memory: Array  # its policy state
    effort_ratio: Array  # European effort last round / status-quo effort (E / E0)
    burden_ratio: Array  # members' burden (share of GDP) / US status-quo burden
    deterrence_rho: Array  # rho of actual deterrence
    european_weight: Array  # a
    saturation: Array
    linear_benefit: Array


class USPolicy:
    """Base class: a policy is its class attributes and one vectorised :meth:`decide`.

    Subclasses set ``name``, ``description``, ``classifier`` (memory depth, stochastic,
    whether it reads Europe), ``reads`` (the parameters of :data:`POLICY_PARAMS` it
    uses) and ``initial_memory``. There are no instances: the policy's state between
    rounds is ``memory`` in the model's state arrays, so one run and ten thousand runs
    call the same function.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    classifier: ClassVar[dict]
    reads: ClassVar[tuple[str, ...]] = ()
    initial_memory: ClassVar[float] = 0.0

    @classmethod
    def defaults(cls) -> dict[str, float]:
        """The declared default of each parameter the policy reads."""
        return {k: POLICY_PARAMS[k].default for k in cls.reads}

    @classmethod
    def decide(cls, obs: USObservation, params: Mapping[str, Array],
               uniform: Array) -> tuple[Array, Array]:
        """Return (commitment level in [0, 1], new memory), vectorised."""
        raise NotImplementedError

    @classmethod
    def explain(cls, obs: Mapping[str, float], params: Mapping[str, float], level: float,
                memory: float) -> str:
        """Why it set its commitment to ``level`` this round, in plain words with the
        numbers it looked at: ``obs`` is the :class:`USObservation` of one run as plain
        numbers (last round's Europe, its level and memory before), ``params`` its
        parameters, ``memory`` its new state. The event log adds it to the US's move."""
        raise NotImplementedError

    @classmethod
    def backstop(cls, level: Array, memory: Array,
                 params: Mapping[str, Array]) -> tuple[BoolArray, Array]:
        """After a ceasefire: (does it offer to back the force, the force in troops it asks
        for first), given this round's commitment ``level`` and ``memory``.

        By default a US backs the force while it is engaged (commitment at least half
        its 2022-24 level) and ``us_backstop`` is on, and asks nothing first.
        """
        offers = (level >= 0.5) & (params["us_backstop"] > 0.5)
        return offers, np.zeros_like(level, dtype=float)


REGISTRY: dict[str, type[USPolicy]] = {}


def register(cls: type[USPolicy]) -> type[USPolicy]:
    REGISTRY[cls.name] = cls
    return cls


def policy_names() -> list[str]:
    return list(REGISTRY)


def policy_params() -> list[Param]:
    return list(POLICY_PARAMS.values())


def get_policy(name: str) -> type[USPolicy]:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ParameterError(f"us_policy = {name!r} is not allowed: expected one of "
                             + ", ".join(REGISTRY)) from None


@register
class Steadfast(USPolicy):
    """Keeps its commitment whatever Europe does (the 2022-2024 US)."""

    name = "steadfast"
    description = "keeps its commitment at its set level, whatever Europe does"
    classifier = {"memory_depth": 0, "stochastic": False, "reads_europe": False}
    reads = ("us_level", "us_backstop")

    @classmethod
    def decide(cls, obs, params, uniform):
        return np.broadcast_to(params["us_level"], obs.level.shape).astype(float), obs.memory

    @classmethod
    def explain(cls, obs, params, level, memory):
        return (f"a steadfast US keeps its commitment at its set level ({100 * level:.0f}%) "
                "whatever Europe does")


@register
class Isolationist(USPolicy):
    """Isolationist: no US effort from the first round, whatever Europe does (the 2025 US;
    the scenario ``us-walks-away``)."""

    name = "isolationist"
    description = "gives nothing from the first round, whatever Europe does (the 2025 US)"
    classifier = {"memory_depth": 0, "stochastic": False, "reads_europe": False}
    reads = ()

    @classmethod
    def decide(cls, obs, params, uniform):
        return np.zeros_like(obs.level, dtype=float), obs.memory

    @classmethod
    def explain(cls, obs, params, level, memory):
        return "an isolationist US gives nothing from the first round, whatever Europe does"


@register
class Withdrawing(USPolicy):
    """Cuts its commitment by a fixed amount each round from a start round."""

    name = "withdrawing"
    description = "from a start round, cuts a fixed share of its commitment each round"
    classifier = {"memory_depth": 0, "stochastic": False, "reads_europe": False}
    reads = ("us_level", "us_withdraw_start", "us_withdraw_rate", "us_backstop")

    @classmethod
    def decide(cls, obs, params, uniform):
        rounds_cut = np.maximum(0.0, obs.round - params["us_withdraw_start"] + 1)
        level = np.maximum(0.0, params["us_level"] - params["us_withdraw_rate"] * rounds_cut)
        return level, obs.memory

    @classmethod
    def explain(cls, obs, params, level, memory):
        return (f"a withdrawing US cuts {100 * params['us_withdraw_rate']:.0f} points of "
                f"commitment a round from round {params['us_withdraw_start']:.0f}, starting from "
                f"{100 * params['us_level']:.0f}% (this is round {obs['round']:.0f})")


@register
class Reciprocal(USPolicy):
    """Matches Europe's burden: commits in proportion to how close Europe is to its demand.

    Tit-for-tat on burden shares (Axelrod 1984), applied to alliance burden-sharing.
    """

    name = "reciprocal"
    description = "matches Europe's aid burden: commits in proportion to how close Europe is to its demand"
    classifier = {"memory_depth": 1, "stochastic": False, "reads_europe": True}
    reads = ("us_level", "us_demand", "us_backstop")

    @classmethod
    def decide(cls, obs, params, uniform):
        # a burden far above the demand may overflow to inf: it is clipped to 100% anyway
        with np.errstate(over="ignore"):
            level = params["us_level"] * obs.burden_ratio / params["us_demand"]
        return np.clip(level, 0.0, 1.0), obs.memory

    @classmethod
    def explain(cls, obs, params, level, memory):
        b, d, top = obs["burden_ratio"], params["us_demand"], params["us_level"]
        capped = " (it never goes above 100%)" if top * b / d > 1 else ""
        return (f"a reciprocal US matches Europe's burden: Europe's aid burden was {b:.2f} x "
                f"the US's own, against the {d:.2f} it asks for, so it commits {100 * top:.0f}% "
                f"x {b:.2f} / {d:.2f}{capped}")


@register
class Transactional(USPolicy):
    """"Pay your fair share": engaged while Europe meets the demand, punishing when not.

    A threshold rule with hysteresis: it stops punishing only once Europe's burden is
    above ``us_demand + us_hysteresis/2``, and starts once it is below the lower edge.
    """

    name = "transactional"
    description = "stays engaged while Europe's aid burden meets its demand, punishes at its low level when not"
    classifier = {"memory_depth": 1, "stochastic": False, "reads_europe": True}
    reads = ("us_level", "us_low_level", "us_demand", "us_hysteresis", "us_backstop",
             "us_backstop_price")
    initial_memory = 1.0  # engaged

    @classmethod
    def decide(cls, obs, params, uniform):
        half = params["us_hysteresis"] / 2
        engaged = obs.memory > 0.5
        engaged = np.where(engaged, obs.burden_ratio >= params["us_demand"] - half,
                           obs.burden_ratio >= params["us_demand"] + half)
        level = np.where(engaged, params["us_level"], params["us_low_level"])
        return level.astype(float), engaged.astype(float)

    @classmethod
    def explain(cls, obs, params, level, memory):
        b, d, h = obs["burden_ratio"], params["us_demand"], params["us_hysteresis"]
        if memory > 0.5 and obs["memory"] <= 0.5:
            return (f"a transactional US re-engages at {100 * level:.0f}%: Europe's aid burden was "
                    f"{b:.2f} x the US's own, at least the {d + h / 2:.2f} it waits for (its "
                    f"demand of {d:.2f} plus half its tolerance band of {h:.2f}); it punishes at "
                    f"{100 * params['us_low_level']:.0f}% below {d - h / 2:.2f}")
        if memory > 0.5:
            return (f"a transactional US stays engaged at {100 * level:.0f}%: Europe's aid burden "
                    f"was {b:.2f} x the US's own, at least {d - h / 2:.2f}, the least it tolerates "
                    f"once engaged (its demand of {d:.2f} less half its tolerance band of "
                    f"{h:.2f}); its low level is {100 * params['us_low_level']:.0f}%")
        return (f"a transactional US punishes at {100 * level:.0f}%: Europe's aid burden was "
                f"{b:.2f} x the US's own, below {d - h / 2:.2f}, the least it tolerates (its "
                f"demand of {d:.2f} less half its tolerance band of {h:.2f}), and it returns to "
                f"{100 * params['us_level']:.0f}% only at {d + h / 2:.2f}")

    @classmethod
    def backstop(cls, level, memory, params):
        """Prices its backstop: only while engaged (Europe meets the demand), and only for
        a force of at least ``us_backstop_price`` troops ("Europe first")."""
        offers = (memory > 0.5) & (params["us_backstop"] > 0.5)
        return offers, np.broadcast_to(params["us_backstop_price"], level.shape).astype(float)


@register
class Erratic(USPolicy):
    """Switches between engaged and disengaged at random (a two-state Markov chain)."""

    name = "erratic"
    description = "switches at random between engaged and disengaged (its low level)"
    classifier = {"memory_depth": 1, "stochastic": True, "reads_europe": False}
    reads = ("us_level", "us_low_level", "us_switch_prob", "us_backstop")
    initial_memory = 1.0  # engaged

    @classmethod
    def decide(cls, obs, params, uniform):
        engaged = obs.memory > 0.5
        engaged = np.where(uniform < params["us_switch_prob"], ~engaged, engaged)
        level = np.where(engaged, params["us_level"], params["us_low_level"])
        return level.astype(float), engaged.astype(float)

    @classmethod
    def explain(cls, obs, params, level, memory):
        now = "engaged" if memory > 0.5 else "disengaged"
        return (f"an erratic US switches stance at random (a {100 * params['us_switch_prob']:.0f}% "
                f"chance each round) between {100 * params['us_level']:.0f}% and "
                f"{100 * params['us_low_level']:.0f}%, and is now {now}")


@register
class Strategic(USPolicy):
    """Chooses the commitment that maximises its own payoff, given Europe's effort.

    U_US(u) = stake B(D(E, u X0)) - C u^2 / 2 with C = B'(1)(1-a), so a US with
    stake 1 finds the status quo optimal; it free-rides on a Europe that steps up
    when efforts are substitutes (Olson & Zeckhauser 1966).
    """

    name = "strategic"
    description = "picks the commitment that maximises its own security payoff net of cost"
    classifier = {"memory_depth": 1, "stochastic": False, "reads_europe": True}
    reads = ("us_stake", "us_backstop")
    grid = np.linspace(0.0, 1.0, 201)

    @classmethod
    def decide(cls, obs, params, uniform):
        u = cls.grid
        d = g.deterrence(obs.effort_ratio, u, obs.deterrence_rho, obs.european_weight)
        d_sq = g.deterrence(np.ones_like(obs.effort_ratio), np.ones_like(obs.effort_ratio),
                            obs.deterrence_rho, obs.european_weight)
        cost = g.benefit_slope(d_sq, obs.saturation, obs.linear_benefit) * (1 - obs.european_weight)
        payoff = (params["us_stake"] * g.benefit_curve(d, obs.saturation, obs.linear_benefit)
                  - cost * u**2 / 2)
        return u[np.argmax(payoff, axis=-1)][..., None], obs.memory

    @classmethod
    def explain(cls, obs, params, level, memory):
        return (f"a strategic US picks the commitment that pays it best: with European effort at "
                f"{obs['effort_ratio']:.2f} x its 2022-24 level and deterrence worth "
                f"{params['us_stake']:g} x the status quo's value to it, that is {100 * level:.0f}%")


def backstop_all(codes: NDArray[np.int_], level: Array, memory: Array,
                 params: Mapping[str, Array]) -> tuple[BoolArray, Array]:
    """Each run's backstop offer and price under its own policy (see :meth:`USPolicy.backstop`)."""
    names = policy_names()
    offers = np.zeros(level.shape, dtype=bool)
    price = np.zeros(level.shape)
    for code in np.unique(codes):
        sel = codes == code
        o, p = REGISTRY[names[int(code)]].backstop(level, memory, params)
        offers, price = np.where(sel, o, offers), np.where(sel, p, price)
    return offers, price


def decide_all(codes: NDArray[np.int_], obs: USObservation, params: Mapping[str, Array],
               uniform: Array) -> tuple[Array, Array]:
    """Each run's decision under its own policy (``codes`` index :func:`policy_names`)."""
    names = policy_names()
    level = np.zeros_like(obs.level, dtype=float)
    memory = np.array(obs.memory, dtype=float, copy=True)
    for code in np.unique(codes):
        sel = (codes == code)
        lv, mem = REGISTRY[names[int(code)]].decide(obs, params, uniform)
        level = np.where(sel, lv, level)
        memory = np.where(sel, mem, memory)
    return level, memory
