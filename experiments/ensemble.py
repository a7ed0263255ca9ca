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
from collections.abc import Callable
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


def _plausible_specs(scenario: str, sets: dict[str, Any], rounds: int, seed: int, draws: int,
                     path=None) -> tuple[Any, list[RunSpec], int]:
    """``draws`` runs in plausible worlds as one sweep (:mod:`experiments.design`: one
    design point, ``draws`` replicates, each in its plausible world): the scenario, the
    runs, and how many worlds there are to draw from. The layers are those of any sweep:
    the scenario < the world < ``sets`` (a flat layer of parameters and ``ISO3.field``,
    as ``--set`` gives them)."""
    from experiments.design import experiment_from_dict
    from model.estimation import ESTIMATE_JSON

    experiment = experiment_from_dict({
        "scenario": str(scenario), "seed": int(seed), "rounds": rounds, "replicates": draws,
        "chunk_size": draws, "parameters": dict(sets),
        "plausible": {"file": str(path or ESTIMATE_JSON)}}, name="plausible-worlds")
    specs = [experiment.run_spec(r) for r in range(experiment.runs)]
    return experiment.scenario, specs, experiment.worlds_available


def plausible_worlds(scenario: str, sets: dict[str, Any], rounds: int, seed: int, draws: int,
                     path=None) -> dict[str, Any]:
    """The scenario in ``draws`` plausible worlds: parameter points the estimation data
    do not reject (:func:`model.estimation.plausible_set`, stored by ``coalition
    estimate --out``), each with its own random numbers; the share of each verdict and
    the spread of European aid at the end. Played in lockstep by the vectorised engine.
    """
    if draws <= 0:
        return {"draws": 0}
    preset, specs, available = _plausible_specs(scenario, sets, rounds, seed, draws, path)
    rows, _ = run_vectorised(preset, specs, rounds)
    return {"draws": draws, "worlds_available": available, **_shares(rows)}


def _shares(rows: list[dict[str, Any]]) -> dict[str, Any]:
    draws = len(rows)
    verdicts = Counter(row["verdict"] for row in rows)
    guarantees = Counter(row["guarantee"] for row in rows)
    effort = np.array([row["european_effort_end_bn"] for row in rows])
    return {"verdicts": {k: v / draws for k, v in sorted(verdicts.items())},
            "guarantees": {k: v / draws for k, v in sorted(guarantees.items())},
            "european_effort_end_bn": {q: float(np.percentile(effort, p))
                                       for q, p in (("p5", 5), ("p50", 50), ("p95", 95))}}


def plausible_band(scenario: str, sets: dict[str, Any], rounds: int, seed: int,
                   draws: int, path=None, series: str = "european_effort_bn",
                   cancelled: Callable[[], bool] | None = None,
                   chunk: int = 4) -> dict[str, Any] | None:
    """:func:`plausible_worlds` round by round: the 5th, 50th and 95th percentile of a
    series (European aid by default) over the worlds in each round, a world that has
    stopped (at its verdict) holding its last value; and the share of each verdict.
    The same worlds and random numbers as ``plausible_worlds`` with the same arguments.

    The worlds run ``chunk`` at a time (each run's numbers do not depend on its
    company); ``cancelled()`` is asked between chunks, and True ends the work (None is
    returned): the app's tab that asked for it has gone."""
    if draws <= 0:
        return {"draws": 0}
    preset, specs, available = _plausible_specs(scenario, sets, rounds, seed, draws, path)
    rows, blocks = [], []
    for lo in range(0, len(specs), chunk):
        if cancelled is not None and cancelled():
            return None
        r, b = run_vectorised(preset, specs[lo:lo + chunk], rounds, series=True)
        rows += r
        blocks += b
    last = max(int(b["round"].max()) for b in blocks)
    table = np.full((last + 1, draws), np.nan)
    for b in blocks:
        table[b["round"].astype(int), b["run"].astype(int)] = b[series]
    for r in range(1, last + 1):  # a run that stopped holds its last value
        table[r] = np.where(np.isnan(table[r]), table[r - 1], table[r])
    low, median, high = np.percentile(table, [5, 50, 95], axis=1)
    return {"draws": draws, "worlds_available": available, "rounds": list(range(last + 1)),
            "p5": low.tolist(), "p50": median.tolist(), "p95": high.tolist(), **_shares(rows)}
