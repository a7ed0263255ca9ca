"""Step a US policy through one scripted run (tests only).

A policy has one interface, the vectorised ``decide`` (:mod:`model.policies`); this
helper feeds it a script of what the US sees, one round at a time, carrying its level
and memory from round to round exactly as the model's state does.
"""

from __future__ import annotations

import numpy as np

from model.policies import POLICY_PARAMS, USObservation, USPolicy


def observation(round_: int, level: float, memory: float, effort_ratio: float,
                burden_ratio: float, deterrence_rho: float = 0.0, european_weight: float = 0.5,
                saturation: float = 1.0, linear_benefit: bool = False) -> USObservation:
    """What the US sees in one round of one run (arrays of shape (1, 1))."""
    def a(x, dtype=float):
        return np.array([[x]], dtype=dtype)

    return USObservation(round=a(round_), level=a(level), memory=a(memory),
                         effort_ratio=a(effort_ratio), burden_ratio=a(burden_ratio),
                         deterrence_rho=a(deterrence_rho), european_weight=a(european_weight),
                         saturation=a(saturation), linear_benefit=a(linear_benefit, bool))


def parameters(policy: type[USPolicy], **values: float) -> dict[str, np.ndarray]:
    """The policy's parameters (declared defaults, overridden by ``values``), validated."""
    unknown = set(values) - set(policy.reads)
    if unknown:
        raise KeyError(f"{policy.name} reads no parameter {sorted(unknown)[0]}")
    return {k: np.array([[POLICY_PARAMS[k].validate(values.get(k, POLICY_PARAMS[k].default))]])
            for k in policy.reads}


def play(policy: type[USPolicy], burdens, uniforms=None, effort_ratio: float = 1.0,
         start_level: float = 1.0, context: dict | None = None, **values: float) -> list[float]:
    """The policy's level in each round of a run in which Europe's burden ratio follows
    ``burdens`` (and the draws ``uniforms``); the run starts at ``start_level`` (the
    model starts every US at 1) and the policy's ``initial_memory``."""
    uniforms = uniforms if uniforms is not None else [0.5] * len(burdens)
    params = parameters(policy, **values)
    level, memory, levels = start_level, float(policy.initial_memory), []
    for t, (burden, u) in enumerate(zip(burdens, uniforms)):
        obs = observation(t + 1, level, memory, effort_ratio, burden, **(context or {}))
        lv, mem = policy.decide(obs, params, np.array([[u]]))
        level, memory = float(lv[0, 0]), float(mem[0, 0])
        levels.append(level)
    return levels
