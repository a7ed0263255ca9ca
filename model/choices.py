"""Choices made by people rather than by the model, for one round (the classroom game).

A :class:`Choices` holds, per run, what a human player decided this round; every
entry may say "the model decides" (NaN for numbers, -1 for integers), and where it
does, :func:`model.rounds.play_round` does exactly what it does without choices. Where
it does not:

- ``us_level`` replaces the US commitment the policy chose (the teacher playing the
  US by hand); the policy's memory is kept as the policy set it.
- ``backstop``: 1 the US backs the reassurance force unconditionally (no price), 0 it
  does not; replaces the policy's offer.
- ``troops``: a nation's troop offer in units, replacing the step towards its best offer
  before the stances are resolved (so a conditional stance still decides whether the
  offer is honoured); clipped to 0..capacity, and 0 where the nation cannot offer
  (no ceasefire, not a member, no capacity, a stance that never deploys).
- ``contribution``: a nation's bilateral aid (share of GDP), replacing the model's
  adjusted contribution (after the step towards the best response and the noise),
  clipped to what a member or an outsider may give; clipped again once membership is
  settled, like the model's own.
- ``member``: 1 to be in the coalition, 0 to be out; applied at the nation's turn in
  the membership revision, in the round's random order, instead of the comparison of
  its gain with its penalty.

Nothing here names a nation or a US policy; the rules stay in :mod:`model.rounds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.errors import ParameterError

MODEL = -1  # "the model decides", for the integer choices


@dataclass(frozen=True)
class Choices:
    """Human choices for one round. Scalars (B, 1), per nation (B, N)."""

    us_level: np.ndarray  # float in [0, 1], NaN: the policy decides
    backstop: np.ndarray  # int8: -1 the policy decides, 0 no, 1 yes
    contribution: np.ndarray  # float >= 0 (share of GDP), NaN: the model decides
    troops: np.ndarray  # int >= 0 (units), -1: the model decides
    member: np.ndarray  # int8: -1 the model decides, 0 out, 1 in

    def __post_init__(self) -> None:
        check_choices(self)

    @classmethod
    def none(cls, runs: int, n: int) -> Choices:
        """Every choice left to the model."""
        return cls(us_level=np.full((runs, 1), np.nan), backstop=np.full((runs, 1), MODEL, np.int8),
                   contribution=np.full((runs, n), np.nan), troops=np.full((runs, n), MODEL, int),
                   member=np.full((runs, n), MODEL, np.int8))

    @property
    def human_nations(self) -> np.ndarray:
        """(B, N) bool: nations for which at least one choice is made."""
        return ~np.isnan(self.contribution) | (self.troops >= 0) | (self.member >= 0)


def check_choices(c: Choices) -> None:
    """One line naming the field, the value and what is allowed, on bad choices."""
    scalars, per_nation = ("us_level", "backstop"), ("contribution", "troops", "member")
    runs = c.us_level.shape[0] if np.ndim(c.us_level) == 2 else -1
    n = c.contribution.shape[-1] if np.ndim(c.contribution) == 2 else -1
    for name in scalars + per_nation:
        value = getattr(c, name)
        shape = (runs, 1) if name in scalars else (runs, n)
        if not isinstance(value, np.ndarray) or value.shape != shape or runs < 0 or n < 0:
            raise ParameterError(f"choices.{name} of shape {np.shape(value)} is not allowed: "
                                 f"expected an array of shape (runs, {1 if name in scalars else 'N'})"
                                 " like the other choices")

    def bad(name: str, wrong: np.ndarray, allowed: str) -> None:
        if wrong.any():
            value = getattr(c, name)[wrong][0].item()
            raise ParameterError(f"choices.{name} = {value!r} is not allowed: expected {allowed}")

    bad("us_level", ~np.isnan(c.us_level) & ~((c.us_level >= 0) & (c.us_level <= 1)),
        "a number from 0 to 1, or NaN for the policy's own")
    bad("contribution", ~np.isnan(c.contribution) & ~((c.contribution >= 0) & (c.contribution <= 1)),
        "a share of GDP from 0 to 1, or NaN for the model's")
    for name, allowed in (("backstop", "-1 (the policy's), 0 or 1"),
                          ("member", "-1 (the model's), 0 (out) or 1 (in)")):
        bad(name, ~np.isin(getattr(c, name), (MODEL, 0, 1)), allowed)
    if not np.issubdtype(c.troops.dtype, np.integer):
        raise ParameterError(f"choices.troops of type {c.troops.dtype} is not allowed: expected "
                             "whole numbers of units")
    bad("troops", c.troops < MODEL, "a whole number of units at least 0, or -1 for the model's")


def us_level(choices: Choices | None, level: np.ndarray) -> np.ndarray:
    """The US commitment: the choice where made, else the policy's."""
    return level if choices is None else np.where(np.isnan(choices.us_level), level,
                                                  choices.us_level)


def backstop(choices: Choices | None, offered: np.ndarray,
             price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The US backstop offer and its price: a chosen backstop is unconditional."""
    if choices is None:
        return offered, price
    chosen = choices.backstop >= 0
    return (np.where(chosen, choices.backstop == 1, offered),
            np.where(chosen, 0.0, price))


def troops(choices: Choices | None, offer: np.ndarray, can: np.ndarray,
           capacity: np.ndarray) -> np.ndarray:
    """Troop offers (units): the choice where made and the nation can offer."""
    if choices is None:
        return offer
    return np.where(can & (choices.troops >= 0), np.clip(choices.troops, 0, capacity), offer)


def contribution(choices: Choices | None, adjusted: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray) -> np.ndarray:
    """Bilateral aid: the choice where made (clipped to the bounds), else the model's."""
    if choices is None:
        return adjusted
    return np.where(np.isnan(choices.contribution), adjusted,
                    np.clip(choices.contribution, lower, upper))


def switches(choices: Choices | None, runs: np.ndarray, who: np.ndarray, member: np.ndarray,
             wants: np.ndarray) -> np.ndarray:
    """Whether the nation whose turn it is switches side: as chosen, else as it wants."""
    if choices is None:
        return wants
    chosen = choices.member[runs, who]
    return np.where(chosen >= 0, member != (chosen == 1), wants)


__all__ = ["Choices", "MODEL", "check_choices", "us_level", "backstop", "troops", "contribution",
           "switches"]
