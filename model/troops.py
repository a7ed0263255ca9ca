"""The nations' troops for a run: capacity, stance, condition, starting offer, target.

Read from ``seeds/forces.csv`` (active personnel, the stated pledge, the stance) and
the configuration's overrides (``DEU.troop_strategy = "unconditional"``, ...), checked
once here: a pledge above a nation's capacity, a condition naming a nation that is not
in the model, or a stance without the parameter it needs is refused with one line.
Troops are counted in whole units of ``troop_unit`` (a company of 150 by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from model.conditions import get_strategy, strategy_names
from model.config import ModelConfig
from model.data import NationTable
from model.errors import ParameterError
from model.force import ForceRules


@dataclass(frozen=True)
class Troops:
    """Per nation, shape (N,) (``nations`` (N, N)): what the troop decision starts from."""

    capacity: np.ndarray  # int, units a nation can keep deployed
    capacity_troops: np.ndarray  # the same before rounding down to units
    target: np.ndarray  # int, units of the stated pledge the cost is calibrated to
    target_capped: np.ndarray  # bool: the data's pledge was above the capacity
    strategy: np.ndarray  # int, index of model.conditions.strategy_names()
    others: np.ndarray  # K of if_others
    force: np.ndarray  # T of if_force_reaches (NaN: the credibility threshold)
    nations: np.ndarray  # (N, N) bool: the nations if_nations names
    start: np.ndarray  # int, units offered at the ceasefire
    cost: np.ndarray  # kappa given (NaN: to be calibrated)


def rules(config: ModelConfig) -> ForceRules:
    """The force's parameters for one run (each (1, 1))."""
    col = lambda v: np.full((1, 1), float(v))  # noqa: E731
    return ForceRules(weight=col(config.force_weight), multiplier=col(config.backstop_multiplier),
                      threshold_alone=col(config.force_threshold),
                      threshold_backed=col(config.force_threshold_backstop),
                      width=col(config.force_threshold_width), unit=col(config.troop_unit),
                      exponent=col(config.troop_cost_exponent))


def ceasefire_possible(config: ModelConfig) -> bool:
    return config.ceasefire_round >= 0 or config.ceasefire_chance > 0


def _override(config: ModelConfig, code: str, name: str):
    return config.nation_params.get(code, {}).get(name)


def _units(config: ModelConfig, code: str, name: str, troops: float, capacity: int,
           capacity_troops: float) -> int:
    """A pledge given in troops, as units: a whole number of units, at most the capacity."""
    unit = config.troop_unit
    units = troops / unit
    if abs(units - round(units)) > 1e-9:
        raise ParameterError(f"{code}.{name} = {troops:g} is not allowed: expected a whole number "
                             f"of troop_unit = {unit} troops")
    if round(units) > capacity:
        raise ParameterError(f"{code}.{name} = {troops:,.0f} is not allowed: above {code}'s "
                             f"capacity of {capacity * unit:,} troops ({capacity_troops:,.0f} it "
                             "can keep deployed, in whole units; troop_capacity sets it)")
    return int(round(units))


def _nations(text: str, table: NationTable, code: str) -> list[int]:
    names = [c for c in re.split(r"[\s,;]+", text.strip().upper()) if c]
    for name in names:
        if name not in table.iso3:
            raise ParameterError(f"{code}.troop_condition_nations = {text!r} is not allowed: "
                                 f"{name!r} is not a nation of this model; allowed are "
                                 + ", ".join(table.iso3))
        if name == code:
            raise ParameterError(f"{code}.troop_condition_nations = {text!r} is not allowed: a "
                                 "nation's condition cannot name itself")
    return [table.index(c) for c in names]


def troops(config: ModelConfig, table: NationTable) -> Troops:
    """Each nation's troop data, with the configuration's overrides, checked."""
    n, unit = table.n, config.troop_unit
    capacity = np.zeros(n, dtype=int)
    capacity_troops = np.zeros(n)
    target = np.zeros(n, dtype=int)
    capped = np.zeros(n, dtype=bool)
    strategy = np.zeros(n, dtype=int)
    others = np.zeros(n)
    force = np.full(n, np.nan)
    nations = np.zeros((n, n), dtype=bool)
    start = np.zeros(n, dtype=int)
    cost = np.full(n, np.nan if config.troop_cost is None else float(config.troop_cost))
    names = strategy_names()
    for i, code in enumerate(table.iso3):
        own = lambda name: _override(config, code, name)  # noqa: E731
        cap = own("troop_capacity")
        capacity_troops[i] = (cap if cap is not None
                              else table.active_personnel[i] * config.troop_sustainable_share)
        capacity[i] = int(np.floor(capacity_troops[i] / unit + 1e-9))
        kind = get_strategy(own("troop_strategy") or table.troop_strategy[i], f"{code}.")
        strategy[i] = names.index(kind.name)
        # the stance's parameter: the override, else the data's column (for the data's stance)
        data_condition = table.troop_condition[i] if own("troop_strategy") is None else ""
        if kind.name == "if_nations":
            text = own("troop_condition_nations") or data_condition
            if not text:
                raise ParameterError(f"{code}.troop_strategy = 'if_nations' needs "
                                     f"{code}.troop_condition_nations (the nations, e.g. \"GBR FRA\")")
            nations[i, _nations(text, table, code)] = True
        elif own("troop_condition_nations") is not None:
            _nations(own("troop_condition_nations"), table, code)  # still checked
        k = own("troop_condition_others")
        if kind.name == "if_others":
            if k is None:
                if not data_condition:
                    raise ParameterError(f"{code}.troop_strategy = 'if_others' needs "
                                         f"{code}.troop_condition_others (K, a whole number)")
                k = int(data_condition)
            if k > n - 1:
                raise ParameterError(f"{code}.troop_condition_others = {k} is not allowed: expected "
                                     f"at most {n - 1} (the other nations of this model)")
        others[i] = k or 0
        t = own("troop_condition_force")
        if kind.name == "if_force_reaches" and t is None and data_condition:
            t = float(data_condition)
        force[i] = np.nan if t is None else t
        # the stated pledge (data: capped at the capacity and reported; given: checked)
        given = own("troops_target")
        if given is not None:
            target[i] = _units(config, code, "troops_target", given, capacity[i], capacity_troops[i])
        elif np.isfinite(table.troops_target[i]) and kind.offers:
            want = int(round(table.troops_target[i] / unit))
            want = max(want, 1) if table.troops_target[i] > 0 else 0
            target[i], capped[i] = min(want, capacity[i]), want > capacity[i]
        if not kind.offers:
            target[i] = 0
        first = own("troops_start")
        if first is not None:
            start[i] = _units(config, code, "troops_start", first, capacity[i], capacity_troops[i])
        elif config.initial_pledges == "stated":
            start[i] = target[i]
        if not kind.offers:
            start[i] = 0
        if own("troop_cost") is not None:
            cost[i] = own("troop_cost")
    return Troops(capacity=capacity, capacity_troops=capacity_troops, target=target,
                  target_capped=capped, strategy=strategy, others=others, force=force,
                  nations=nations, start=start, cost=cost)


def check_costs(config: ModelConfig, table: NationTable, t: Troops, cost: np.ndarray) -> None:
    """Every nation that may offer troops needs a cost: given, or calibrated to a pledge."""
    if not ceasefire_possible(config):
        return
    names = strategy_names()
    offers = np.array([get_strategy(names[s]).offers for s in t.strategy])
    missing = [table.iso3[i] for i in np.flatnonzero(offers & (t.capacity > 0) & np.isnan(cost))]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise ParameterError(f"troop_cost: {shown} may offer troops but have no stated pledge to "
                             "calibrate the cost of troops against; give troop_cost (or "
                             f"{missing[0]}.troops_target, troops)")
