"""The world (fixed per run) and the state (changing each round), as batched arrays.

Arrays have a leading run axis of length B (1 for a single Mesa model) and, where per
nation, a nation axis of length N. ``build_world`` turns a validated
:class:`~model.config.ModelConfig` into both; ``stack`` joins many runs for the sweep
engine.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from model import game as g
from model.calibration import CalibrationReport, calibrate
from model.config import ModelConfig, all_params
from model.data import NationTable, identical_nations, load_nations
from model.errors import ParameterError
from model.policies import POLICY_PARAMS, get_policy, policy_names

NO_VERDICT, CONVERGED, FRACTURED = 0, 1, 2
VERDICT_NAMES = {NO_VERDICT: "unresolved", CONVERGED: "converged", FRACTURED: "fractured"}
CAUSE_NONE, CAUSE_SIZE, CAUSE_CORE, CAUSE_EFFORT = 0, 1, 2, 3


@dataclass(frozen=True)
class World:
    """Everything fixed during a run. Scalars (B, 1), per nation (B, N)."""

    game: g.Game  # with base exposure; the round adds the rally effect
    policy_code: np.ndarray  # (B, 1) index into model.policies.policy_names()
    policy_params: dict[str, np.ndarray]  # each (B, 1)
    adversary: np.ndarray  # (B, 1) bool
    probe_rate: np.ndarray
    rally_strength: np.ndarray
    rally_decay: np.ndarray
    rally_radius_km: np.ndarray
    distance_km: np.ndarray  # (B, N, N)
    expectation_memory: np.ndarray
    adjustment_speed: np.ndarray
    noise: np.ndarray
    exit_penalty: np.ndarray
    join_penalty: np.ndarray
    deterrence_rho: np.ndarray
    core: np.ndarray  # (B, N) bool
    stop_on_verdict: np.ndarray  # (B, 1) bool
    converge_rounds: np.ndarray
    converge_tolerance: np.ndarray
    fracture_size: np.ndarray
    fracture_effort: np.ndarray

    @property
    def runs(self) -> int:
        return self.core.shape[0]


@dataclass(frozen=True)
class State:
    """Everything that changes from round to round. Scalars (B, 1), per nation (B, N)."""

    round: np.ndarray  # int
    contribution: np.ndarray  # s_i, share of GDP
    member: np.ndarray  # bool
    expected_us_effort: np.ndarray  # X_hat_i, USD bn
    rally: np.ndarray  # exposure added by recent probes
    us_level: np.ndarray  # u in [0, 1]
    us_memory: np.ndarray  # the US policy's state
    us_effort: np.ndarray  # X = u X0, USD bn
    target: np.ndarray  # this round's best responses
    switched: np.ndarray  # int8: +1 joined, -1 left this round
    probe_target: np.ndarray  # int, -1 if no probe this round
    stable_rounds: np.ndarray  # int
    verdict: np.ndarray  # int8, NO_VERDICT / CONVERGED / FRACTURED
    verdict_round: np.ndarray  # int, -1 until a verdict
    cause: np.ndarray  # int8, why it fractured
    initial_size: np.ndarray
    initial_effort: np.ndarray
    # memo of the membership counterfactuals: the inputs they were solved for and the
    # result, reused only when the inputs are bitwise the same (a steady state)
    gain_inputs: np.ndarray  # (B, 4N + 1)
    gain: np.ndarray  # (B, N)
    gain_tol: np.ndarray  # (B, N)

    def copy(self) -> State:
        return replace(self, **{f.name: getattr(self, f.name).copy() for f in fields(self)})


def _col(value: Any, runs: int = 1, dtype=float) -> np.ndarray:
    return np.full((runs, 1), value, dtype=dtype)


# Per-nation fields the nation table carries from the data (the rest have no data column).
TABLE_FIELDS = ("gdp", "contribution", "exposure", "us_reliance", "member", "core")


def nation_values(config: ModelConfig, table: NationTable, name: str) -> np.ndarray:
    """Each nation's value of a per-nation field, by one rule for every field.

    The nation's own override (``ISO3.name``) wins; else the model parameter of that
    name where it is set (not none), for every nation; else the nation's data. A
    political cost left to the calibration is NaN.
    """
    model_level = all_params().get(name)
    if model_level is not None and config.values[name] is not None:
        dtype = bool if model_level.kind is bool else float
        out = np.full(table.n, config.values[name], dtype=dtype)
    elif name in TABLE_FIELDS:
        out = getattr(table, name).copy()
    else:  # no data: the calibration solves it
        out = np.full(table.n, np.nan)
    for code, overrides in config.nation_params.items():
        if name in overrides:
            out[table.index(code)] = overrides[name]
    return out


def nation_table(config: ModelConfig) -> NationTable:
    """The nations a configuration starts from, with its per-nation values applied."""
    if config.nations == "identical":
        table = identical_nations(config.n_nations, config.nation_gdp, config.initial_contribution)
    else:
        table = load_nations()
    for code in config.nation_params:
        table.index(code)  # unknown nation -> DataError naming the allowed codes
    return table.with_values(**{name: nation_values(config, table, name) for name in TABLE_FIELDS})


def build_world(config: ModelConfig) -> tuple[World, State, NationTable, CalibrationReport]:
    """Build a single run (B = 1): its world, its initial state, its nations, calibration."""
    table = nation_table(config)
    n = table.n
    effort_ref = float(np.sum(table.contribution * table.gdp))
    if effort_ref <= 1e-9 * float(np.sum(table.gdp)):
        raise ParameterError("contribution: the nations' starting contributions sum to 0; "
                             "at least one must be above 0 (European effort is the reference)")
    us_ref = table.us_effort if table.us_effort > 0 else effort_ref
    coordinated = config.mode == "coordinated"
    base = g.Game(
        gdp=table.gdp[None], exposure=table.exposure[None], us_reliance=table.us_reliance[None],
        fair_share_weight=nation_values(config, table, "fair_share_weight")[None],
        sucker_cost=np.zeros((1, n)), political_cost=np.ones((1, n)),
        pledge_floor=_col(config.pledge_floor), max_contribution=_col(config.max_contribution),
        spillover=_col(config.spillover), coordinated=_col(coordinated, dtype=bool),
        security_value=_col(config.security_value), saturation=_col(config.saturation),
        linear_benefit=_col(config.benefit == "linear", dtype=bool),
        european_weight=_col(effort_ref / (effort_ref + us_ref)),
        effort_ref=_col(effort_ref), us_effort_ref=_col(us_ref), us_gdp=_col(table.us_gdp))
    # beta_i: sucker aversion in units of i's status-quo marginal security value, so the
    # same number means the same thing for Estonia and for Germany.
    value_sq = g.marginal_security_value(base, base.effort_ref, base.us_effort_ref)
    sucker = nation_values(config, table, "sucker_aversion")[None] * value_sq
    base = replace(base, sucker_cost=sucker)
    given = nation_values(config, table, "political_cost")  # NaN: calibrate
    member = table.member[None].copy()
    us_effort = _col(us_ref)
    report = calibrate(base, table.contribution[None], member, us_effort, given[None],
                       exit_penalty=config.exit_penalty, join_penalty=config.join_penalty)
    game = replace(base, political_cost=report.political_cost)

    policy = get_policy(config.us_policy)
    world = World(
        game=game, policy_code=_col(policy_names().index(policy.name), dtype=int),
        policy_params={k: _col(config.values[k]) for k in POLICY_PARAMS},
        adversary=_col(config.adversary, dtype=bool), probe_rate=_col(config.probe_rate),
        rally_strength=_col(config.rally_strength), rally_decay=_col(config.rally_decay),
        rally_radius_km=_col(config.rally_radius_km), distance_km=table.distances_km()[None],
        expectation_memory=_col(config.expectation_memory),
        adjustment_speed=_col(config.adjustment_speed), noise=_col(config.noise),
        exit_penalty=_col(config.exit_penalty), join_penalty=_col(config.join_penalty),
        deterrence_rho=_col(config.deterrence_rho), core=table.core[None].copy(),
        stop_on_verdict=_col(config.stop_on_verdict, dtype=bool),
        converge_rounds=_col(config.converge_rounds, dtype=int),
        converge_tolerance=_col(config.converge_tolerance),
        fracture_size=_col(config.fracture_size), fracture_effort=_col(config.fracture_effort))
    # the status quo is observed reality, but the rules bind from the start: members
    # pay at least the floor and nobody more than the maximum
    lower, upper = g.contribution_bounds(game, member)
    contribution = np.clip(table.contribution[None], lower, upper)
    state = State(
        round=_col(0, dtype=int), contribution=contribution, member=member,
        expected_us_effort=np.full((1, n), us_ref), rally=np.zeros((1, n)),
        us_level=_col(1.0), us_memory=_col(policy.initial_memory), us_effort=us_effort,
        target=contribution.copy(), switched=np.zeros((1, n), dtype=np.int8),
        probe_target=_col(-1, dtype=int), stable_rounds=_col(0, dtype=int),
        verdict=_col(NO_VERDICT, dtype=np.int8), verdict_round=_col(-1, dtype=int),
        cause=_col(CAUSE_NONE, dtype=np.int8), initial_size=_col(member.sum()),
        initial_effort=_col(float((contribution * table.gdp).sum())),
        gain_inputs=np.full((1, 4 * n + 1), np.nan), gain=np.zeros((1, n)),
        gain_tol=np.zeros((1, n)))
    return world, state, table, report


def stack(items: list) -> Any:
    """Join single-run Worlds or States (B = 1 each) along the run axis."""
    first = items[0]
    out = {}
    for f in fields(first):
        values = [getattr(it, f.name) for it in items]
        if isinstance(values[0], g.Game):
            out[f.name] = g.Game(**{h.name: np.concatenate([getattr(v, h.name) for v in values])
                                    for h in fields(g.Game)})
        elif isinstance(values[0], dict):
            out[f.name] = {k: np.concatenate([v[k] for v in values]) for k in values[0]}
        else:
            out[f.name] = np.concatenate(values)
    return type(first)(**out)


def take(item: Any, index) -> Any:
    """Select runs (the first axis) of a World or State."""
    out = {}
    for f in fields(item):
        v = getattr(item, f.name)
        if isinstance(v, g.Game):
            out[f.name] = v.take(index)
        elif isinstance(v, dict):
            out[f.name] = {k: a[index] for k, a in v.items()}
        else:
            out[f.name] = v[index]
    return type(item)(**out)
