"""A round of the game, as pure functions over batched arrays.

:func:`play_round` is the whole round, top to bottom; the Mesa model (one run) and
the sweep engine (many runs in lockstep) both call it, so they cannot disagree.
Each step is a small function of its own below it.

Random numbers come in per round from :func:`draw_round` (one ``Generator`` per run),
always the same count whatever the parameters, so runs that differ only in a
parameter share their random numbers (common random numbers).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.special import ndtri

from model import game as g
from model.policies import USObservation, decide_all
from model.state import (CAUSE_CORE, CAUSE_EFFORT, CAUSE_NONE, CAUSE_SIZE, CONVERGED,
                         FRACTURED, NO_VERDICT, State, World)

SWITCH_RTOL = 1e-9  # payoff gains smaller than this (relative) count as ties


def draws_per_round(n: int) -> int:
    """Uniforms one run uses per round: noise (N), membership order (N), US, adversary (2)."""
    return 2 * n + 3


def draw_round(rngs: list[np.random.Generator], n: int) -> np.ndarray:
    """This round's uniforms for each run, shape (B, 2N + 3)."""
    return np.stack([rng.random(draws_per_round(n)) for rng in rngs])


def play_round(world: World, state: State, uniforms: np.ndarray) -> State:
    """One round (ODD, 'Process overview and scheduling')."""
    n = state.contribution.shape[-1]
    noise_u, order_u = uniforms[:, :n], uniforms[:, n:2 * n]
    us_u, probe_u, target_u = uniforms[:, 2 * n:2 * n + 1], uniforms[:, -2:-1], uniforms[:, -1:]
    rnd = state.round + 1

    # 1. The US sets its commitment by its policy, looking at last round's Europe.
    us_level, us_memory = us_decides(world, state, rnd, us_u)
    us_effort = us_level * world.game.us_effort_ref
    # 2. The adversary probes where deterrence is weak; probed regions rally.
    rally, probe_target = adversary_probes(world, state, us_effort, probe_u, target_u)
    game = g.with_rally(world.game, rally)
    # 3. Nations update their expectation of US effort (adaptive).
    mu = world.expectation_memory
    expected = mu * state.expected_us_effort + (1 - mu) * us_effort
    # 4. Nations move part of the way to their best response, with optional noise.
    target = g.best_response(game, state.contribution, state.member, expected, us_effort)
    contribution = adjust_contributions(world, game, state, target, noise_u)
    # 5. Membership: in random order, each nation switches side if that pays at the
    #    equilibrium that follows (the others re-optimise), net of the penalty.
    member, switched, memo = revise_membership(world, game, state, contribution, expected, us_effort,
                                               rally, np.argsort(order_u, axis=-1, kind="stable"))
    lower, upper = g.contribution_bounds(game, member)
    contribution = np.clip(contribution, lower, upper)
    # 6. Record: the verdict so far.
    new = replace(state, round=rnd, contribution=contribution, member=member,
                  expected_us_effort=expected, rally=rally, us_level=us_level,
                  us_memory=us_memory, us_effort=us_effort, target=target, switched=switched,
                  probe_target=probe_target, **memo)
    return update_verdict(world, state, new)


def us_decides(world: World, state: State, rnd: np.ndarray, uniform: np.ndarray):
    """The US commitment this round, from its policy and last round's European burden."""
    game = world.game
    effort = g.european_effort(game, state.contribution)
    burden = g.members_burden(game, state.contribution, state.member)
    obs = USObservation(
        round=rnd.astype(float), level=state.us_level, memory=state.us_memory,
        effort_ratio=effort / game.effort_ref,
        burden_ratio=burden / g.us_burden(game, game.us_effort_ref),
        deterrence_rho=world.deterrence_rho, european_weight=game.european_weight,
        saturation=game.saturation, linear_benefit=game.linear_benefit)
    return decide_all(world.policy_code, obs, world.policy_params, uniform)


def true_deterrence(world: World, contribution: np.ndarray, us_effort: np.ndarray) -> np.ndarray:
    """The deterrence the adversary actually faces, with the scenario's rho (B, 1)."""
    game = world.game
    effort = g.european_effort(game, contribution)
    return g.deterrence(effort / game.effort_ref, us_effort / game.us_effort_ref,
                        world.deterrence_rho, game.european_weight)


def adversary_probes(world: World, state: State, us_effort: np.ndarray,
                     probe_u: np.ndarray, target_u: np.ndarray):
    """A probe happens with probability ``probe_rate * exp(-D)``; its target is drawn in
    proportion to exposure, and nations near it feel more exposed for a while."""
    d = true_deterrence(world, state.contribution, us_effort)
    probes = world.adversary & (probe_u < world.probe_rate * np.exp(-d))
    exposure = world.game.exposure + 1e-12  # all-zero exposure: every nation equally likely
    weights = exposure / exposure.sum(-1, keepdims=True)
    target = np.minimum((np.cumsum(weights, -1) < target_u).sum(-1, keepdims=True),
                        weights.shape[-1] - 1)
    near = np.take_along_axis(world.distance_km, target[..., None], axis=1)[:, 0, :]
    boost = world.rally_strength * np.exp(-near / world.rally_radius_km)
    rally = world.rally_decay * state.rally + np.where(probes, boost, 0.0)
    return rally, np.where(probes, target, -1)


def adjust_contributions(world: World, game: g.Game, state: State, target: np.ndarray,
                         noise_u: np.ndarray) -> np.ndarray:
    """Partial adjustment towards the best response (speed eta), relative noise tau."""
    step = state.contribution + world.adjustment_speed * (target - state.contribution)
    shock = ndtri(np.clip(noise_u, 1e-12, 1 - 1e-12))
    step = step * (1 + world.noise * shock)
    lower, upper = g.contribution_bounds(game, state.member)
    return np.clip(step, lower, upper)


def revise_membership(world: World, game: g.Game, state: State, contribution: np.ndarray,
                      expected: np.ndarray, us_effort: np.ndarray, rally: np.ndarray,
                      order: np.ndarray):
    """Nations in ``order`` each switch side if the equilibrium gain beats the penalty.

    Ties favour the coalition (:func:`model.game.wants_to_switch`): an indifferent
    member stays, an indifferent outsider joins. Gains are evaluated for every nation at once; after
    a switch they are evaluated again for the runs where it happened, so each nation
    judges the coalition as it stands when its turn comes. A run whose inputs are
    bitwise those of last round (a steady state) reuses last round's gains.
    """
    member = state.member.copy()
    switched = np.zeros(member.shape, dtype=np.int8)
    threshold = g.switching_penalty(game, member, world.exit_penalty, world.join_penalty)

    def gains(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sub = game.take(rows)
        stay, switch = g.switch_payoffs(sub, member[rows], expected[rows], us_effort[rows],
                                        contribution[rows])
        return switch - stay, SWITCH_RTOL * (np.abs(stay) + np.abs(switch))

    runs = np.arange(member.shape[0])
    inputs = np.concatenate([contribution, member, expected, rally, us_effort], axis=-1)
    same = np.all(inputs == state.gain_inputs, axis=-1)
    gain, tol = state.gain.copy(), state.gain_tol.copy()
    if not same.all():
        gain[~same], tol[~same] = gains(runs[~same])
    memo = {"gain_inputs": inputs, "gain": gain.copy(), "gain_tol": tol.copy()}
    for position in range(member.shape[-1]):
        who = order[:, position]
        margin = threshold[runs, who] - gain[runs, who]
        wants = g.wants_to_switch(member[runs, who], margin, tol[runs, who])
        if not wants.any():
            continue
        rows = runs[wants]
        member[rows, who[rows]] = ~member[rows, who[rows]]
        switched[rows, who[rows]] = np.where(member[rows, who[rows]], 1, -1)
        threshold[rows] = g.switching_penalty(game.take(rows), member[rows],
                                              world.exit_penalty[rows], world.join_penalty[rows])
        gain[rows], tol[rows] = gains(rows)
    return member, switched, memo


def update_verdict(world: World, old: State, new: State) -> State:
    """Converged (no change for K rounds), fractured (too small, a core nation gone, or
    effort collapsed; final) or still unresolved, with the round it happened."""
    scale = np.maximum(np.abs(old.contribution), np.maximum(world.game.pledge_floor, 1e-9))
    moved = np.max(np.abs(new.contribution - old.contribution) / scale, axis=-1, keepdims=True)
    changed = (new.switched != 0).any(-1, keepdims=True) | (moved > world.converge_tolerance)
    stable = np.where(changed, 0, old.stable_rounds + 1)

    size = new.member.sum(-1, keepdims=True)
    effort = g.european_effort(world.game, new.contribution)
    too_small = size < world.fracture_size * new.initial_size
    core_gone = (world.core & ~new.member).any(-1, keepdims=True)
    collapsed = effort < world.fracture_effort * new.initial_effort
    cause = np.where(core_gone, CAUSE_CORE, np.where(too_small, CAUSE_SIZE,
                     np.where(collapsed, CAUSE_EFFORT, CAUSE_NONE))).astype(np.int8)
    fractured_now = cause != CAUSE_NONE

    was_fractured = old.verdict == FRACTURED
    verdict = np.where(was_fractured, FRACTURED,
                       np.where(fractured_now, FRACTURED,
                                np.where(stable >= world.converge_rounds, CONVERGED, NO_VERDICT)))
    newly = (verdict != old.verdict) & (verdict != NO_VERDICT)
    verdict_round = np.where(newly, new.round, np.where(verdict == NO_VERDICT, -1, old.verdict_round))
    cause = np.where(was_fractured, old.cause, np.where(verdict == FRACTURED, cause, CAUSE_NONE))
    return replace(new, stable_rounds=stable, verdict=verdict.astype(np.int8),
                   verdict_round=verdict_round, cause=cause.astype(np.int8))


def finished(world: World, state: State) -> np.ndarray:
    """Runs that may stop: a verdict is reached and the run stops on verdicts (B,)."""
    return (world.stop_on_verdict & (state.verdict != NO_VERDICT))[:, 0]


__all__ = ["play_round", "draw_round", "draws_per_round", "finished", "true_deterrence"]
