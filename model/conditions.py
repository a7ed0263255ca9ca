"""Conditional troop pledges: a registry of small classes, one per stance a nation can take.

A nation offers troops to the reassurance force; its strategy says when the offer is
honoured: always, never, if the US backs the force, if at least K others deploy, if
the force reaches T troops, or if named nations deploy. Each strategy is one class
with a ``name``, a plain-words ``description``, a docstring saying where the stance
comes from, and one vectorised :meth:`TroopStrategy.holds`, like the US policies of
:mod:`model.policies`. Every condition is *monotone*: more deployers (or a backstop)
never turn a met condition into an unmet one, which is what makes the resolution
below well defined.

:func:`resolve` settles the offers like an assurance contract (Bagnoli & Lipman 1989;
Schelling 1960 on commitment): the honoured pledges are the largest set in which every
honoured pledge's condition is met by the others in the set, found by striking out
unmet pledges until none is left (the greatest fixed point). The US backstop takes
part in the same resolution: a US that prices its backstop offers it on condition
that the force reaches its price.

To add a stance, write one class with the ``@register`` decorator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from model.errors import ParameterError

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Pledges:
    """What a condition can read: the set being tested and each nation's condition
    parameters (``(..., N)`` per nation, ``(..., 1)`` scalars)."""

    honoured: BoolArray  # (..., N): in the set being tested
    troops: Array  # (..., N): each nation's offer, troops
    backstop: BoolArray  # (..., 1): the US backs the force (in this set)
    threshold: Array  # (..., 1): the force's credibility threshold with this backstop
    others: Array  # (..., N): K of "if at least K others deploy"
    force: Array  # (..., N): T of "if the force reaches T" (NaN: the credibility threshold)
    nations: BoolArray  # (..., N, N): row i marks the nations i's condition names

    @property
    def deployed(self) -> BoolArray:
        return self.honoured & (self.troops > 0)

    @property
    def total(self) -> Array:
        return np.where(self.honoured, self.troops, 0.0).sum(-1, keepdims=True)


class TroopStrategy:
    """Base class: a stance is its class attributes and one vectorised :meth:`holds`.

    ``name`` (used in scenario files: ``DEU.troop_strategy = "if_us_backstop"``),
    ``description`` (plain words, with ``{...}`` filled from the nation's condition),
    ``offers`` (False: the nation never offers troops) and ``assumes_backstop`` (the
    nation sizes its offer for the world in which the US backs the force).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    offers: ClassVar[bool] = True
    assumes_backstop: ClassVar[bool] = False

    @classmethod
    def holds(cls, p: Pledges) -> BoolArray:
        """Whether each nation's condition is met by the set ``p.honoured`` (..., N)."""
        raise NotImplementedError

    requirement: ClassVar[str] = ""  # the condition as a noun ("a US backstop")

    @classmethod
    def describe(cls, others: float, force: float, nations: list[str]) -> str:
        """The stance in plain words, for one nation ("deploys only if ...")."""
        return cls.description

    @classmethod
    def condition(cls, others: float, force: float, nations: list[str]) -> str:
        """What must hold, as a noun phrase ("a US backstop"); empty if nothing must."""
        return cls.requirement


REGISTRY: dict[str, type[TroopStrategy]] = {}


def register(cls: type[TroopStrategy]) -> type[TroopStrategy]:
    REGISTRY[cls.name] = cls
    return cls


def strategy_names() -> list[str]:
    return list(REGISTRY)


def get_strategy(name: str, where: str = "") -> type[TroopStrategy]:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ParameterError(f"{where}troop_strategy = {name!r} is not allowed: expected one of "
                             + ", ".join(REGISTRY)) from None


@register
class Unconditional(TroopStrategy):
    """Deploys whatever others do: France's stance ("several thousand" troops after a
    peace agreement, with no condition on the US; Macron, 6 Jan 2026), Estonia's
    company (PM Michal, 30 Apr 2025). A commitment in Schelling's (1960) sense."""

    name = "unconditional"
    description = "deploys whatever the others and the US do"

    @classmethod
    def holds(cls, p):
        return np.ones(p.honoured.shape, dtype=bool)


@register
class IfUSBackstop(TroopStrategy):
    """Deploys only if the US backs the force (air cover, intelligence, a guarantee):
    the condition the UK, Sweden, the Netherlands and Finland set, and Germany's tie to
    a substantial US contribution (Merz, 6 Jan 2026; troop-pledges.csv). The fear of
    abandonment by the patron (Snyder 1984), written into the pledge."""

    name = "if_us_backstop"
    description = "deploys only if the US backs the force"
    requirement = "a US backstop"
    assumes_backstop = True

    @classmethod
    def holds(cls, p):
        return np.broadcast_to(p.backstop, p.honoured.shape).copy()


@register
class IfOthers(TroopStrategy):
    """Deploys if at least K other nations deploy: safety in numbers, the stance of a
    small contributor that will not be one of a handful (a provision point in
    numbers rather than troops; Bagnoli & Lipman 1989)."""

    name = "if_others"
    description = "deploys if at least {others:g} other nations deploy"

    @classmethod
    def holds(cls, p):
        count = p.deployed.sum(-1, keepdims=True) - p.deployed
        return count >= p.others

    @classmethod
    def describe(cls, others, force, nations):
        return cls.description.format(others=others)

    @classmethod
    def condition(cls, others, force, nations):
        return f"at least {others:g} other nations deploying"


@register
class IfForceReaches(TroopStrategy):
    """Deploys if the whole force (its own troops included) reaches T troops; with no T
    given, the force's credibility threshold: "we join a credible mission". The
    assurance contract of Bagnoli & Lipman (1989); the stance of the nations that are
    'considering' (Portugal, Ireland, Austria, Canada, Australia, New Zealand)."""

    name = "if_force_reaches"
    description = "deploys if the force reaches {force}"

    @classmethod
    def holds(cls, p):
        need = np.where(np.isnan(p.force), p.threshold, p.force)
        return p.total >= need

    @classmethod
    def describe(cls, others, force, nations):
        what = ("its credibility threshold" if np.isnan(force) else f"{force:,.0f} troops")
        return cls.description.format(force=what)

    @classmethod
    def condition(cls, others, force, nations):
        return "a credible force" if np.isnan(force) else f"a force of {force:,.0f} troops"


@register
class IfNations(TroopStrategy):
    """Deploys if every named nation deploys: Belgium's readiness to operate on
    Ukrainian soil "with the UK and France" (Francken, May 2025)."""

    name = "if_nations"
    description = "deploys if {nations} deploy"

    @classmethod
    def holds(cls, p):
        missing = p.nations & ~p.deployed[..., None, :]
        return ~missing.any(-1)

    @classmethod
    def describe(cls, others, force, nations):
        return cls.description.format(nations=" and ".join(nations) or "no one")

    @classmethod
    def condition(cls, others, force, nations):
        return " and ".join(nations) + (" deploying" if nations else "")


@register
class Never(TroopStrategy):
    """Sends no troops into Ukraine: Italy (Meloni, Sep 2025 and Jan 2026), Poland (Tusk,
    Jan 2026), Finland (Orpo, Mar 2025: border duty), and the others whose stance is
    'no' (troop-pledges.csv)."""

    name = "never"
    description = "sends no troops"
    requirement = "nothing: it never deploys"
    offers = False

    @classmethod
    def holds(cls, p):
        return np.zeros(p.honoured.shape, dtype=bool)


def _by_code(codes: NDArray[np.int_], attr: str) -> BoolArray:
    names = strategy_names()
    table = np.array([getattr(REGISTRY[n], attr) for n in names], dtype=bool)
    return table[codes]


def offering(codes: NDArray[np.int_]) -> BoolArray:
    """Nations whose stance lets them offer troops at all."""
    return _by_code(codes, "offers")


def assumes_backstop(codes: NDArray[np.int_]) -> BoolArray:
    """Nations that size their offer for a force the US backs."""
    return _by_code(codes, "assumes_backstop")


def holds_all(codes: NDArray[np.int_], p: Pledges) -> BoolArray:
    """Each nation's condition under its own stance (``codes`` index :func:`strategy_names`)."""
    names = strategy_names()
    out = np.zeros(p.honoured.shape, dtype=bool)
    for code in np.unique(codes):
        sel = codes == code
        out = np.where(sel, REGISTRY[names[int(code)]].holds(p), out)
    return out


def resolve(codes: NDArray[np.int_], troops: Array, us_offers: BoolArray, us_price: Array,
            threshold_alone: Array, threshold_backed: Array, others: Array, force: Array,
            nations: BoolArray) -> tuple[BoolArray, BoolArray, BoolArray]:
    """The largest consistent set of pledges and whether the US backstop is on.

    Start from every offer (and the US backstop, where offered) and strike out, again
    and again, every pledge whose condition the remaining set does not meet (and the
    backstop if the remaining force is below its price), until nothing changes. With
    monotone conditions the result is the largest set in which every honoured pledge's
    condition holds (Tarski's greatest fixed point); no consistent set is larger.

    Parameters
    ----------
    codes : (..., N) int
        Each nation's stance (index of :func:`strategy_names`).
    troops : (..., N)
        Each nation's offer, troops (0: no offer).
    us_offers : (..., 1) bool
        The US offers a backstop this round.
    us_price : (..., 1)
        The force (troops) the US asks for before it backs it (0: no price).
    threshold_alone, threshold_backed : (..., 1)
        The credibility threshold without and with the backstop, troops.
    others, force, nations
        The conditions' parameters (see :class:`Pledges`).

    Returns
    -------
    honoured : (..., N) bool
        The pledges honoured.
    backstop : (..., 1) bool
        The US backs the force.
    met : (..., N) bool
        Each nation's condition in the final set (also for nations that offer nothing).
    """
    honoured = (troops > 0) & offering(codes)
    backstop = us_offers.copy()
    for _ in range(honoured.shape[-1] + 2):
        total = np.where(honoured, troops, 0.0).sum(-1, keepdims=True)
        backstop = backstop & (total >= us_price)
        p = Pledges(honoured, troops, backstop, np.where(backstop, threshold_backed, threshold_alone),
                    others, force, nations)
        met = holds_all(codes, p)
        keep = honoured & met
        if np.array_equal(keep, honoured):
            return honoured, backstop, met
        honoured = keep
    raise AssertionError("resolve did not settle")  # each pass strikes out at least one


__all__ = ["Pledges", "TroopStrategy", "REGISTRY", "register", "strategy_names", "get_strategy",
           "offering", "assumes_backstop", "holds_all", "resolve"]
