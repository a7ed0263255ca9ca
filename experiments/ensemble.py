"""How robust is a verdict? The same scenario under a small ensemble of nearby worlds.

``coalition run`` reports the share of K nearby parameter draws whose verdict agrees
with the run's own. Each draw perturbs the pooled behavioural parameters the data
pin down least (the mean and spread of beliefs, the benefit's saturation, adjustment
speed, the budget weight of own defence, the revealed penalties' scale) around the
run's values, and draws its own plausible world of belief deviations and its own
random numbers; all from a ``SeedSequence`` of the run's seed, so the report is
reproducible. The draws run in lockstep through the sweep engine.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from experiments.design import PLAUSIBLE_ROOT, RunSpec, run_seed
from experiments.engine import run_vectorised
from model.config import all_params, flatten

# parameter -> (how it is perturbed, size): "add" a uniform in +-size, "scale" by exp(+-size)
NEARBY: dict[str, tuple[str, float]] = {
    "us_reliance": ("add", 0.25),
    "us_reliance_spread": ("add", 0.25),
    "saturation": ("scale", 0.2),
    "adjustment_speed": ("scale", 0.2),
    "defence_budget_weight": ("scale", 0.5),
    "penalty_scale": ("scale", 0.5),
}
ROOT = PLAUSIBLE_ROOT  # mixes the run's seed into the ensemble's SeedSequence


def nearby_draws(values: dict[str, Any], draws: int, seed: int) -> list[dict[str, Any]]:
    """``draws`` parameter sets near ``values`` (the run's parameters), reproducibly."""
    spec = all_params()
    rng = np.random.default_rng(np.random.SeedSequence([ROOT, int(seed)]))
    out = []
    for k in range(draws):
        draw = {}
        for name, (how, size) in NEARBY.items():
            u = rng.uniform(-size, size)
            value = values[name] + u if how == "add" else values[name] * float(np.exp(u))
            lo, hi = spec[name].low, spec[name].high
            value = min(max(value, lo if lo is not None else value), hi if hi is not None else value)
            if spec[name].low_open and value <= spec[name].low:
                value = values[name]
            draw[name] = float(value)
        draw["belief_draw"] = k + 1
        out.append(draw)
    return out


def robustness(scenario: str, values: dict[str, Any], nation_params: dict[str, dict[str, Any]],
               verdict: str, rounds: int, seed: int, draws: int = 16) -> dict[str, Any]:
    """The verdicts of ``draws`` nearby worlds and the share agreeing with ``verdict``."""
    if draws <= 0:
        return {"draws": 0, "share_agreeing": None, "verdicts": {}}
    base = {**values}
    specs = [RunSpec(run=k, point=k, replicate=0, seed=run_seed(seed, k),
                     overrides={**flatten(base, nation_params), **draw}, varied=draw)
             for k, draw in enumerate(nearby_draws(values, draws, seed))]
    rows, _ = run_vectorised(scenario, specs, rounds)
    counts = Counter(row["verdict"] for row in rows)
    return {"draws": draws, "share_agreeing": counts.get(verdict, 0) / draws,
            "verdicts": dict(sorted(counts.items()))}


def plausible_worlds(scenario: str, sets: dict[str, Any], rounds: int, seed: int, draws: int,
                     path=None) -> dict[str, Any]:
    """The scenario in ``draws`` plausible worlds: parameter points the estimation data
    do not reject (:func:`model.estimation.plausible_set`, stored by ``coalition
    estimate --out``), each with its own random numbers; the share of each verdict and
    the spread of European aid at the end.

    It is one sweep (:mod:`experiments.design`: one design point, ``draws`` replicates,
    each in its plausible world), played in lockstep by the vectorised engine; the
    layers are those of any sweep: the scenario < the world < ``sets`` (a flat layer of
    parameters and ``ISO3.field``, as ``--set`` gives them).
    """
    from experiments.design import experiment_from_dict
    from model.estimation import ESTIMATE_JSON

    if draws <= 0:
        return {"draws": 0}
    experiment = experiment_from_dict({
        "scenario": str(scenario), "seed": int(seed), "rounds": rounds, "replicates": draws,
        "chunk_size": draws, "parameters": dict(sets),
        "plausible": {"file": str(path or ESTIMATE_JSON)}}, name="plausible-worlds")
    specs = [experiment.run_spec(r) for r in range(experiment.runs)]
    rows, _ = run_vectorised(experiment.scenario, specs, rounds)
    verdicts = Counter(row["verdict"] for row in rows)
    guarantees = Counter(row["guarantee"] for row in rows)
    effort = np.array([row["european_effort_end_bn"] for row in rows])
    return {"draws": draws, "worlds_available": experiment.worlds_available,
            "verdicts": {k: v / draws for k, v in sorted(verdicts.items())},
            "guarantees": {k: v / draws for k, v in sorted(guarantees.items())},
            "european_effort_end_bn": {q: float(np.percentile(effort, p))
                                       for q, p in (("p5", 5), ("p50", 50), ("p95", 95))}}
