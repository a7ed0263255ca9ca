"""The world (fixed per run) and the state (changing each round), as batched arrays.

Arrays have a leading run axis of length B (1 for a single Mesa model) and, where per
nation, a nation axis of length N (beliefs over the kinds of US add an axis of K).
``build_world`` turns a validated :class:`~model.config.ModelConfig` into both, with
the calibration; ``stack`` joins many runs for the sweep engine.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import numpy as np

from model import beliefs as bl
from model import council
from model import game as g
from model import force as fc
from model import paths
from model import troops as tr
from model.calibration import (CalibrationReport, eu_weight, political_costs,
                               revealed_switch_bounds, troop_costs)
from model.config import ModelConfig, all_params
from model.data import NationTable, identical_nations, load_nations
from model.errors import ParameterError
from model.policies import POLICY_PARAMS, REGISTRY, get_policy, policy_names

NO_VERDICT, CONVERGED, FRACTURED = 0, 1, 2
VERDICT_NAMES = {NO_VERDICT: "unresolved", CONVERGED: "converged", FRACTURED: "fractured"}
CAUSE_NONE, CAUSE_SIZE, CAUSE_CORE, CAUSE_EFFORT = 0, 1, 2, 3
# the security guarantee after a ceasefire (model.rounds.reassurance_force)
NO_CEASEFIRE, NOT_FORMED, HOLLOW, FORMED = 0, 1, 2, 3
GUARANTEE_NAMES = {NO_CEASEFIRE: "no ceasefire", NOT_FORMED: "not formed", HOLLOW: "hollow",
                   FORMED: "formed"}
ROUND_YEARS = {"year": 1.0, "quarter": 0.25}
BELIEF_ROOT = 20261202  # root of the SeedSequence of the belief draws
REVEALED_MARGIN = 1e-6  # how far above its gain an outsider's revealed join penalty is


@dataclass(frozen=True)
class World:
    """Everything fixed during a run. Scalars (B, 1), per nation (B, N)."""

    game: g.Game  # the status quo: base exposure, 2022-24 defence, EU and off-budget aid
    policy_code: np.ndarray  # (B, 1) index into model.policies.policy_names()
    policy_params: dict[str, np.ndarray]  # each (B, 1)
    round_years: np.ndarray  # length of a round in years
    # learning about the US
    prior: np.ndarray  # (B, N, K)
    belief_noise: np.ndarray
    belief_hazard: np.ndarray  # per round
    announce_round: np.ndarray  # -1: never
    announcement_credibility: np.ndarray
    # own defence
    defence_path: np.ndarray  # model.paths.PATH_CODES
    defence_latest: np.ndarray  # (B, N), 2025
    defence_fixed: np.ndarray  # (B, N), NaN: follow the path
    nato: np.ndarray  # (B, N) bool
    hague_target: np.ndarray
    hague_year: np.ndarray
    # off-budget money
    off_budget_schedule: np.ndarray  # (B, Y) from paths' first year
    off_budget_tail: np.ndarray  # (B, 1): the rate after the schedule ends
    reparations: np.ndarray
    reparations_rounds: np.ndarray
    reparations_risk: np.ndarray
    asset_holding: np.ndarray  # (B, N)
    # the EU channel
    eu_channel: np.ndarray  # (B, 1) bool
    eu_key: np.ndarray  # (B, N)
    eu_member: np.ndarray  # (B, N) bool
    veto_player: np.ndarray  # (B, N) bool
    veto_linkage: np.ndarray  # (B, N) EUR bn a year
    veto_delay: np.ndarray
    # the adversary
    adversary: np.ndarray  # (B, 1) bool
    probe_rate: np.ndarray
    rally_strength: np.ndarray
    rally_decay: np.ndarray
    rally_radius_km: np.ndarray
    distance_km: np.ndarray  # (B, N, N)
    # the coalition's rules and the verdict
    adjustment_speed: np.ndarray  # per round
    noise: np.ndarray
    exit_penalty: np.ndarray  # (B, N) share of GDP, for a member leaving
    join_penalty: np.ndarray  # (B, N) share of GDP, for an outsider joining
    deterrence_rho: np.ndarray
    core: np.ndarray  # (B, N) bool
    stop_on_verdict: np.ndarray  # (B, 1) bool
    converge_rounds: np.ndarray
    converge_tolerance: np.ndarray
    fracture_size: np.ndarray
    fracture_effort: np.ndarray
    # the ceasefire and the reassurance force
    ceasefire_round: np.ndarray  # (B, 1) int, -1: not on a fixed round
    ceasefire_chance: np.ndarray  # per round
    force: fc.ForceRules
    troop_capacity: np.ndarray  # (B, N) int, units
    troop_cost: np.ndarray  # (B, N) kappa_i (NaN: offers no troops)
    troop_strategy: np.ndarray  # (B, N) int, index of model.conditions.strategy_names()
    condition_others: np.ndarray  # (B, N) K of if_others
    condition_force: np.ndarray  # (B, N) T of if_force_reaches (NaN: the threshold)
    condition_nations: np.ndarray  # (B, N, N) bool, the nations if_nations names
    troops_start: np.ndarray  # (B, N) int, units offered at the ceasefire

    @property
    def runs(self) -> int:
        return self.core.shape[0]


@dataclass(frozen=True)
class State:
    """Everything that changes from round to round. Scalars (B, 1), per nation (B, N)."""

    round: np.ndarray  # int
    contribution: np.ndarray  # s_i, bilateral aid, share of GDP
    member: np.ndarray  # bool
    us_belief: np.ndarray  # (B, N, K) over model.beliefs.KINDS
    expected_us_effort: np.ndarray  # X_hat_i, EUR bn
    rally: np.ndarray  # exposure added by recent probes
    us_level: np.ndarray  # u in [0, 1]
    us_memory: np.ndarray  # the US policy's state
    us_effort: np.ndarray  # X = u X0, EUR bn
    announced: np.ndarray  # bool: the US announced this round that it stops
    defence: np.ndarray  # d_i this round
    off_budget: np.ndarray  # EUR bn a year this round (schedule + reparations)
    reparations: np.ndarray  # EUR bn a year of it from the reparations loan
    eu_aid: np.ndarray  # A, EUR bn a year
    eu_opted_out: np.ndarray  # (B, N) bool: out of the EU instrument (a workaround)
    eu_blocked: np.ndarray  # int: rounds the current proposal has been blocked
    eu_event: np.ndarray  # int8, model.council.EU_*
    eu_price: np.ndarray  # EUR bn a year paid to veto players this round
    eu_proposal: np.ndarray  # EUR bn a year
    eu_blockers: np.ndarray  # (B, N) bool, who blocked this round
    target: np.ndarray  # this round's best responses
    switched: np.ndarray  # int8: +1 joined, -1 left this round
    probe_target: np.ndarray  # int, -1 if no probe this round
    stable_rounds: np.ndarray  # int
    verdict: np.ndarray  # int8, NO_VERDICT / CONVERGED / FRACTURED
    verdict_round: np.ndarray  # int, -1 until a verdict
    cause: np.ndarray  # int8, why it fractured
    initial_size: np.ndarray
    initial_effort: np.ndarray  # European aid at the start, EUR bn a year
    # memo of the membership counterfactuals: the inputs they were solved for and the
    # result, reused only when the inputs are bitwise the same (a steady state)
    gain_inputs: np.ndarray
    gain: np.ndarray  # (B, N): a switch screened out (model.rounds.switch_gains) holds its ceiling
    gain_tol: np.ndarray  # (B, N)
    # the ceasefire and the reassurance force (all 0 / False before a ceasefire)
    ceasefire: np.ndarray  # (B, 1) bool
    ceasefire_began: np.ndarray  # (B, 1) int, the round it began (-1: none yet)
    troops_offer: np.ndarray  # (B, N) int, units each nation offers
    troops_best: np.ndarray  # (B, N) int, its best offer this round (it moves towards it)
    troops: np.ndarray  # (B, N) int, units deployed (the honoured offers)
    condition_met: np.ndarray  # (B, N) bool, each stance's condition this round
    backstop_offered: np.ndarray  # (B, 1) bool: the US offers to back the force
    backstop_price: np.ndarray  # (B, 1) troops it asks for first
    backstop: np.ndarray  # (B, 1) bool: the US backs the force
    force_troops: np.ndarray  # (B, 1) troops deployed
    force_threshold: np.ndarray  # (B, 1) troops it needs to be credible
    force_credibility: np.ndarray  # (B, 1) Lambda in [0, 1)
    force_deterrence: np.ndarray  # (B, 1) D_F
    guarantee: np.ndarray  # (B, 1) int8: NO_CEASEFIRE / NOT_FORMED / HOLLOW / FORMED

    def copy(self) -> State:
        return replace(self, **{f.name: getattr(self, f.name).copy() for f in fields(self)})


def _col(value: Any, runs: int = 1, dtype=float) -> np.ndarray:
    return np.full((runs, 1), value, dtype=dtype)


# Per-nation fields the nation table carries from the data (the rest have no data column).
TABLE_FIELDS = ("gdp", "contribution", "exposure", "member", "core", "eu_member",
                "veto_player", "asset_holding")


def nation_values(config: ModelConfig, table: NationTable, name: str) -> np.ndarray:
    """Each nation's value of a per-nation field, by one rule for every field.

    The nation's own override (``ISO3.name``) wins; else the model parameter of that
    name where it is set (not none), for every nation; else the nation's data. A field
    with neither (a political cost left to the calibration) is NaN.
    """
    model_level = all_params().get(name)
    if model_level is not None and config.values[name] is not None:
        dtype = bool if model_level.kind is bool else float
        out = np.full(table.n, config.values[name], dtype=dtype)
    elif name in TABLE_FIELDS:
        out = getattr(table, name).copy()
    else:
        out = np.full(table.n, np.nan)
    for code, overrides in config.nation_params.items():
        if name in overrides:
            out[table.index(code)] = overrides[name]
    return out


def nation_table(config: ModelConfig) -> NationTable:
    """The nations a configuration starts from, with its per-nation values applied."""
    if config.nations == "identical":
        table = identical_nations(config.n_nations, config.nation_gdp, config.initial_contribution,
                                  config.defence or 0.0)
    else:
        table = load_nations()
    for code in config.nation_params:
        table.index(code)  # unknown nation -> DataError naming the allowed codes
    table = table.with_values(**{name: nation_values(config, table, name) for name in TABLE_FIELDS})
    lending = nation_values(config, table, "off_budget_lending")
    if np.isfinite(lending).any():
        rows = table.lending.copy()
        for i in np.flatnonzero(np.isfinite(lending)):
            if not rows[i].any():
                raise ParameterError(
                    f"{table.iso3[i]}.off_budget_lending = {lending[i]!r} is not allowed: "
                    f"{table.iso3[i]} is not an off-budget lender; the lenders are "
                    + (", ".join(table.lenders) or "none"))
            rows[i] = np.where(rows[i] > 0, lending[i], 0.0)
        table = table.with_values(lending=rows)
    return table


def belief_deviations(n: int, draw: int) -> np.ndarray:
    """Draw ``draw`` of the nations' standard-normal belief deviations (N,).

    From its own SeedSequence, not the run's random numbers: the draw is part of the
    world (a plausible world), the same in every replicate and every engine.
    """
    return np.random.default_rng(np.random.SeedSequence([BELIEF_ROOT, draw])).standard_normal(n)


def beliefs_rho(config: ModelConfig, table: NationTable) -> np.ndarray:
    """rho_i = mean + frontline shift + spread x deviation, clipped; overrides win."""
    spec = all_params()["us_reliance"]
    rho = (config.us_reliance + config.us_reliance_frontline * table.frontline
           + config.us_reliance_spread * belief_deviations(table.n, config.belief_draw))
    rho = np.clip(rho, spec.low, spec.high)
    for code, overrides in config.nation_params.items():
        if "us_reliance" in overrides:
            rho[table.index(code)] = overrides["us_reliance"]
    return rho


def veto_opposition(config: ModelConfig, table: NationTable) -> np.ndarray:
    """omega_i: a veto player's dislike of EU aid. The stance scales with its record of
    vetoes (eu-vetoes.csv): the most frequent vetoer has ``veto_opposition``."""
    record = np.where(table.veto_player, table.veto_record, 0.0)
    top = record.max() if record.size and record.max() > 0 else 1.0
    out = np.where(table.veto_player, config.veto_opposition * np.maximum(record, 1.0) / top, 0.0)
    for code, overrides in config.nation_params.items():
        if "veto_opposition" in overrides:
            out[table.index(code)] = overrides["veto_opposition"]
    return out


def prior_belief(config: ModelConfig, n: int) -> np.ndarray:
    weights = np.array([config.prior_steadfast, config.prior_transactional,
                        config.prior_erratic, config.prior_gone])
    if weights.sum() <= 0:
        raise ParameterError("prior_steadfast, prior_transactional, prior_erratic, prior_gone = "
                             "0, 0, 0, 0 is not allowed: expected weights with a positive sum")
    return np.broadcast_to(bl.normalise(weights), (1, n, len(bl.KINDS))).copy()


def settled_belief(prior: np.ndarray, level: float, burden_ratio: np.ndarray,
                   policy_params: dict[str, np.ndarray], noise: np.ndarray,
                   hazard: np.ndarray, max_rounds: int = 2000) -> np.ndarray:
    """The belief of nations that have long watched a US at commitment ``level``: the
    fixed point of the update (so a status quo that is a steady state stays one)."""
    belief = prior.copy()
    lvl = _col(level)
    no = _col(False, dtype=bool)
    loglik = bl.log_likelihood(lvl, lvl, burden_ratio, policy_params["us_demand"],
                               policy_params["us_hysteresis"], policy_params["us_switch_prob"],
                               noise)
    for _ in range(max_rounds):
        new = bl.update(belief, prior, loglik, hazard, no, _col(0.0))
        if np.array_equal(new, belief):
            break
        belief = new
    return belief


def expected_effort(belief: np.ndarray, level: float | np.ndarray, burden_ratio: np.ndarray,
                    policy_params: dict[str, np.ndarray], us_ref: np.ndarray) -> np.ndarray:
    return us_ref * bl.forecast(belief, np.broadcast_to(level, burden_ratio.shape).astype(float),
                                burden_ratio, policy_params["us_demand"],
                                policy_params["us_hysteresis"], policy_params["us_switch_prob"])


def build_world(config: ModelConfig) -> tuple[World, State, NationTable, CalibrationReport]:
    """Build a single run (B = 1): its world, its initial state, its nations, calibration."""
    table = nation_table(config)
    n = table.n
    L = ROUND_YEARS[config.round_length]
    policy = get_policy(config.us_policy)
    policy_params = {k: _col(config.values[k]) for k in POLICY_PARAMS}

    # the status quo: bilateral aid, own defence, the EU's and off-budget aid
    member = table.member[None].copy()
    fixed_defence = nation_values(config, table, "defence")[None]
    defence_sq = np.where(np.isnan(fixed_defence), table.defence[None], fixed_defence)
    eu_member = table.eu_member[None].copy()
    eu_on = bool(config.eu_channel) and table.eu_aid > 0 and bool(eu_member.any())
    shares = council.key_shares(table.eu_key[None], eu_member)
    eu_aid0 = _col(table.eu_aid)
    off_sq = _col(0.0 if config.off_budget == "none" else table.off_budget_sq)
    observed = table.contribution[None]
    floor, top = config.pledge_floor, config.max_contribution
    contribution = np.clip(observed, np.where(member, floor, 0.0), top)
    lam = config.defence_joint_product
    aid0 = float((contribution * table.gdp).sum()) + table.eu_aid + float(off_sq[0, 0])
    effort_ref = aid0 + lam * float((defence_sq * table.gdp).sum())
    if aid0 <= 1e-9 * float(np.sum(table.gdp)):
        raise ParameterError("contribution: the nations' starting aid sums to 0; at least one "
                             "must be above 0 (European aid is the reference)")
    us_ref = table.us_effort if table.us_effort > 0 else aid0
    rho = beliefs_rho(config, table)
    base = g.Game(
        gdp=table.gdp[None], exposure=table.exposure[None], us_reliance=rho[None],
        fair_share_weight=nation_values(config, table, "fair_share_weight")[None],
        sucker_cost=np.zeros((1, n)), political_cost=np.ones((1, n)), defence=defence_sq,
        eu_share=council.eu_shares(table.gdp[None], shares, eu_aid0),
        opposition=veto_opposition(config, table)[None], asset_risk=np.zeros((1, n)),
        pledge_floor=_col(floor), max_contribution=_col(top), spillover=_col(config.spillover),
        coordinated=_col(config.mode == "coordinated", dtype=bool),
        security_value=_col(config.security_value), saturation=_col(config.saturation),
        linear_benefit=_col(config.benefit == "linear", dtype=bool),
        european_weight=_col(effort_ref / (effort_ref + us_ref)), effort_ref=_col(effort_ref),
        us_effort_ref=_col(us_ref), us_gdp=_col(table.us_gdp),
        defence_weight=_col(config.defence_budget_weight), joint_product=_col(lam),
        eu_weight=_col(1.0), outside_aid=eu_aid0 + off_sq, eu_aid=eu_aid0,
        force_deterrence=_col(0.0))

    # what nations believe about the US after watching it steadfast through 2022-24
    prior = prior_belief(config, n)
    noise = _col(config.belief_noise)
    hazard = bl.per_round(_col(config.belief_hazard), _col(L))
    burden_sq = g.members_burden(base, contribution, member) / g.us_burden(base, base.us_effort_ref)
    belief_sq = settled_belief(prior, 1.0, burden_sq, policy_params, noise, hazard)
    us_effort = _col(us_ref)
    expected = expected_effort(belief_sq, 1.0, burden_sq, policy_params, base.us_effort_ref)

    # beta_i: sucker aversion in units of i's status-quo marginal security value, so the
    # same number means the same thing for Estonia and for Germany
    value_sq = g.marginal_security_value(base, g.european_effort(base, contribution), expected)
    base = replace(base, sucker_cost=nation_values(config, table, "sucker_aversion")[None] * value_sq)
    given = nation_values(config, table, "political_cost")[None]
    # observed (not clipped): a nation below the pledge floor is a misfit, reported
    phi, fitted = political_costs(base, observed, member, expected, us_effort, given)
    base = replace(base, political_cost=phi)
    if config.eu_budget_weight is not None or not eu_on:
        eps, eps_fits = _col(config.eu_budget_weight or 1.0), _col(config.eu_budget_weight is not None)
    else:
        eps, eps_fits = eu_weight(base, contribution, member, expected, shares, eu_member,
                                  eu_aid0, off_sq)
    game = replace(base, eu_weight=eps)

    # the troops: capacity, stance and condition; the cost that makes each stated
    # pledge the nation's best offer when the others deploy theirs, with a US backstop
    troops = tr.troops(config, table)
    rules = tr.rules(config)
    kappa, band, troops_fitted, troop_fits = troop_costs(
        rules, game, contribution, member, expected, troops.target[None], troops.capacity[None],
        troops.cost[None], np.isnan(troops.cost)[None])
    tr.check_costs(config, table, troops, kappa[0])

    # switching penalties: given, or revealed by the observed path (nobody left and
    # nobody joined, 2022-2025)
    bound = np.zeros((1, n))
    margin_join = REVEALED_MARGIN if table.observed else 0.0
    if table.observed and (config.exit_penalty is None or config.join_penalty is None):
        bound = revealed_switch_bounds([(game, contribution, member, expected, us_effort),
                                        _observed_2025(config, table, game, contribution, member,
                                                       belief_sq, prior, noise, hazard,
                                                       policy_params, shares, eu_on)])
    revealed = config.penalty_scale * bound / table.gdp[None]
    # ties favour the coalition (an indifferent outsider joins): an outsider that did not
    # join had a penalty strictly above its gain
    revealed_join = (config.penalty_scale * bound * (1 + margin_join) + margin_join) / table.gdp[None]
    exit_penalty = np.full((1, n), config.exit_penalty) if config.exit_penalty is not None else revealed
    join_penalty = (np.full((1, n), config.join_penalty) if config.join_penalty is not None
                    else revealed_join)
    margin = g.stability_margins(game, member, expected, us_effort, contribution,
                                 exit_penalty, join_penalty)
    report = CalibrationReport(
        political_cost=phi, observed=observed.copy(), fitted=fitted, residual=fitted - observed,
        calibrated=np.isnan(given), us_reliance=rho[None].copy(),
        withdrawal_threshold=np.broadcast_to(g.withdrawal_threshold(
            game, g.perceived_deterrence(game, g.european_effort(game, contribution), expected)),
            (1, n)).copy(),
        eu_weight=eps, eu_weight_calibrated=_col(config.eu_budget_weight is None and eu_on, dtype=bool),
        eu_fits=eps_fits, switch_bound=bound, exit_penalty=exit_penalty,
        join_penalty=join_penalty, stability_margin=margin, troop_cost=kappa,
        troop_cost_calibrated=np.isnan(troops.cost)[None] & (troops.target[None] > 0),
        troop_cost_band=band, troops_target=troops.target[None] * config.troop_unit,
        troops_fitted=troops_fitted * config.troop_unit, troops_fits=troop_fits,
        troop_capacity=troops.capacity[None] * config.troop_unit,
        target_capped=troops.target_capped[None].copy())

    schedule = {"observed": table.off_budget_schedule,
                "hold": np.full_like(table.off_budget_schedule, float(off_sq[0, 0])),
                "none": np.zeros_like(table.off_budget_schedule)}[config.off_budget][None].copy()
    world = World(
        game=game, policy_code=_col(policy_names().index(policy.name), dtype=int),
        policy_params=policy_params, round_years=_col(L), prior=prior, belief_noise=noise,
        belief_hazard=hazard, announce_round=_col(config.us_announces, dtype=int),
        announcement_credibility=_col(config.announcement_credibility),
        defence_path=_col(paths.PATH_CODES[config.defence_path], dtype=int),
        defence_latest=np.where(np.isnan(fixed_defence), table.defence_2025[None], fixed_defence),
        defence_fixed=fixed_defence, nato=table.nato[None].copy(),
        hague_target=_col(config.hague_target), hague_year=_col(config.hague_year),
        off_budget_schedule=schedule,
        off_budget_tail=_col(float(off_sq[0, 0]) if config.off_budget == "hold" else 0.0),
        reparations=_col(config.reparations_loan),
        reparations_rounds=_col(config.reparations_rounds, dtype=int),
        reparations_risk=_col(config.reparations_risk),
        asset_holding=table.asset_holding[None].copy(), eu_channel=_col(eu_on, dtype=bool),
        eu_key=table.eu_key[None].copy(), eu_member=eu_member,
        veto_player=(table.veto_player & table.eu_member)[None].copy(),
        veto_linkage=_linkage(config, table)[None], veto_delay=_col(config.veto_delay, dtype=int),
        adversary=_col(config.adversary, dtype=bool), probe_rate=_col(config.probe_rate),
        rally_strength=_col(config.rally_strength), rally_decay=_col(config.rally_decay),
        rally_radius_km=_col(config.rally_radius_km), distance_km=table.distances_km()[None],
        adjustment_speed=bl.per_round(_col(config.adjustment_speed), _col(L)),
        noise=_col(config.noise), exit_penalty=exit_penalty,
        join_penalty=join_penalty, deterrence_rho=_col(config.deterrence_rho),
        core=table.core[None].copy(), stop_on_verdict=_col(config.stop_on_verdict, dtype=bool),
        converge_rounds=_col(config.converge_rounds, dtype=int),
        converge_tolerance=_col(config.converge_tolerance),
        fracture_size=_col(config.fracture_size), fracture_effort=_col(config.fracture_effort),
        ceasefire_round=_col(config.ceasefire_round, dtype=int),
        ceasefire_chance=_col(config.ceasefire_chance), force=rules,
        troop_capacity=troops.capacity[None].copy(), troop_cost=kappa,
        troop_strategy=troops.strategy[None].copy(), condition_others=troops.others[None].copy(),
        condition_force=troops.force[None].copy(), condition_nations=troops.nations[None].copy(),
        troops_start=troops.start[None].copy())
    lower, upper = g.contribution_bounds(game, member)
    contribution = np.clip(contribution, lower, upper)
    state = State(
        round=_col(0, dtype=int), contribution=contribution, member=member, us_belief=belief_sq,
        expected_us_effort=expected, rally=np.zeros((1, n)), us_level=_col(1.0),
        us_memory=_col(policy.initial_memory), us_effort=us_effort,
        announced=_col(False, dtype=bool), defence=defence_sq.copy(), off_budget=off_sq.copy(),
        reparations=_col(0.0), eu_aid=eu_aid0.copy(), eu_opted_out=np.zeros((1, n), bool),
        eu_blocked=_col(0, dtype=int), eu_event=_col(council.EU_NONE, dtype=np.int8),
        eu_price=_col(0.0), eu_proposal=eu_aid0.copy(), eu_blockers=np.zeros((1, n), bool),
        target=contribution.copy(), switched=np.zeros((1, n), dtype=np.int8),
        probe_target=_col(-1, dtype=int), stable_rounds=_col(0, dtype=int),
        verdict=_col(NO_VERDICT, dtype=np.int8), verdict_round=_col(-1, dtype=int),
        cause=_col(CAUSE_NONE, dtype=np.int8), initial_size=_col(member.sum()),
        initial_effort=g.aid_effort(game, contribution),
        gain_inputs=np.full((1, gain_inputs_width(n)), np.nan), gain=np.zeros((1, n)),
        gain_tol=np.zeros((1, n)), ceasefire=_col(False, dtype=bool),
        ceasefire_began=_col(-1, dtype=int), troops_offer=np.zeros((1, n), dtype=int),
        troops_best=np.zeros((1, n), dtype=int), troops=np.zeros((1, n), dtype=int),
        condition_met=np.zeros((1, n), dtype=bool), backstop_offered=_col(False, dtype=bool),
        backstop_price=_col(0.0), backstop=_col(False, dtype=bool), force_troops=_col(0.0),
        force_threshold=rules.threshold_alone.copy(), force_credibility=_col(0.0),
        force_deterrence=_col(0.0), guarantee=_col(NO_CEASEFIRE, dtype=np.int8))
    return world, state, table, report


def switch_policy(world: World, state: State, codes: np.ndarray) -> tuple[World, State]:
    """The US follows the policy ``codes`` ((B, 1) indices into
    :func:`model.policies.policy_names`) from the next round on (the classroom teacher
    switching it between rounds).

    A run whose policy changes starts the new one from its initial memory, as if the run
    had begun with it (a transactional US starts engaged); its commitment so far, the
    parameters and what the nations believe about the US stay (they learn of the new
    policy only from what the US does). A run whose policy stays as it is keeps its arrays,
    the same objects: no switch, no change. Nothing else of the world depends on the
    policy, and the random numbers a round draws do not either.
    """
    names = policy_names()
    codes = np.asarray(codes)
    if codes.shape != world.policy_code.shape or not np.issubdtype(codes.dtype, np.integer) \
            or ((codes < 0) | (codes >= len(names))).any():
        raise ParameterError(f"policy codes {codes.tolist()!r} are not allowed: expected whole "
                             f"numbers from 0 to {len(names) - 1} (one of {', '.join(names)}), "
                             f"shape {world.policy_code.shape}")
    changed = codes != world.policy_code
    if not changed.any():
        return world, state
    initial = np.array([REGISTRY[name].initial_memory for name in names], dtype=float)[codes]
    return (replace(world, policy_code=codes.astype(world.policy_code.dtype)),
            replace(state, us_memory=np.where(changed, initial, state.us_memory)))


def gain_inputs_width(n: int) -> int:
    """Width of the membership memo's inputs (see model.rounds.revise_membership)."""
    return 6 * n + 4


def _linkage(config: ModelConfig, table: NationTable) -> np.ndarray:
    out = table.veto_linkage.copy()
    for code, overrides in config.nation_params.items():
        if "veto_linkage" in overrides:
            out[table.index(code)] = overrides["veto_linkage"]
    return out


def _observed_2025(config, table, game, contribution, member, belief_sq, prior, noise, hazard,
                   policy_params, shares, eu_on):
    """The observed 2025 state, as nations saw it: (game, aid, member, X_hat, X)."""
    us_level = table.us_effort_2025 / game.us_effort_ref
    burden = g.members_burden(game, contribution, member) / g.us_burden(game, game.us_effort_ref)
    loglik = bl.log_likelihood(us_level, _col(1.0), burden, policy_params["us_demand"],
                               policy_params["us_hysteresis"], policy_params["us_switch_prob"], noise)
    L = ROUND_YEARS[config.round_length]
    belief = belief_sq
    for _ in range(int(round(1 / L))):  # a year of watching the 2025 US
        belief = bl.update(belief, prior, loglik, hazard, _col(False, dtype=bool), _col(0.0))
    observed = np.nan_to_num(table.contribution_2025[None], nan=0.0)
    observed = np.clip(observed, np.where(member, config.pledge_floor, 0.0), config.max_contribution)
    eu_2025 = _col(table.eu_aid_2025 if eu_on and np.isfinite(table.eu_aid_2025) else table.eu_aid)
    off = _col({"observed": float(table.off_budget_schedule[0]), "hold": table.off_budget_sq,
                "none": 0.0}[config.off_budget])
    game25 = council.with_eu_aid(g.this_round(game, defence=table.defence_2025[None]), shares,
                                 eu_2025, off)
    expected = expected_effort(belief, us_level, burden, policy_params, game.us_effort_ref)
    return game25, observed, member, expected, us_level * game.us_effort_ref


def stack(items: list) -> Any:
    """Join single-run Worlds or States (B = 1 each) along the run axis."""
    first = items[0]
    out = {}
    for f in fields(first):
        values = [getattr(it, f.name) for it in items]
        if is_dataclass(values[0]):  # the Game, the force's rules
            out[f.name] = stack(values)
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
        if is_dataclass(v):
            out[f.name] = take(v, index)
        elif isinstance(v, dict):
            out[f.name] = {k: a[index] for k, a in v.items()}
        else:
            out[f.name] = v[index]
    return type(item)(**out)
