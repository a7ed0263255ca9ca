"""A round of the game, as pure functions over batched arrays.

:func:`play_round` is the whole round, top to bottom; the Mesa model (one run) and
the sweep engine (many runs in lockstep) both call it, so they cannot disagree.
Each step is a small function of its own below it.

Random numbers come in per round from :func:`draw_round` (one ``Generator`` per run),
always the same count whatever the parameters, so runs that differ only in a
parameter share their random numbers (common random numbers). Events that earlier
versions did not have (the ceasefire) draw from a second stream of each run,
:func:`event_stream`, so adding them changed none of the earlier draws.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.special import ndtri

from model import beliefs as bl
from model import choices as ch
from model import conditions
from model import council
from model import force as fc
from model import game as g
from model import kernels
from model import paths
from model.choices import Choices
from model.policies import USObservation, backstop_all, decide_all
from model.state import (CAUSE_CORE, CAUSE_EFFORT, CAUSE_NONE, CAUSE_SIZE, CONVERGED, FORMED,
                         FRACTURED, HOLLOW, NO_CEASEFIRE, NO_VERDICT, NOT_FORMED, State, World)

SWITCH_RTOL = 1e-9  # payoff gains smaller than this (relative) count as ties
SCREEN_MARGIN = 1e-8  # a switch is screened out only this far (relative) below its penalty
ONE_AT_A_TIME = 100  # nations from which NumPy, too, solves gains after a switch one at a time


EVENT_KEY = 1  # the spawn key of a run's stream of events


def draws_per_round(n: int) -> int:
    """Uniforms one run uses per round from its main stream: noise (N), membership order
    (N), US, adversary (2)."""
    return 2 * n + 3


EVENT_DRAWS = 1  # uniforms per round from the event stream: the ceasefire


def event_stream(rng: np.random.Generator) -> np.random.Generator:
    """A run's second stream (events), derived from the seed of its main ``rng``.

    A child of the main stream's SeedSequence (same entropy, spawn key extended by
    :data:`EVENT_KEY`): independent of the main stream, which it leaves untouched, and
    the same in the Mesa model and the sweep engine.
    """
    seq = rng.bit_generator.seed_seq
    return np.random.default_rng(np.random.SeedSequence(
        seq.entropy, spawn_key=tuple(seq.spawn_key) + (EVENT_KEY,), pool_size=seq.pool_size))


def draw_round(rngs: list[np.random.Generator], n: int,
               events: list[np.random.Generator]) -> np.ndarray:
    """This round's uniforms for each run, shape (B, 2N + 3 + EVENT_DRAWS): the main
    stream's, then the event stream's (each written into its row: the same numbers as
    ``rng.random(size)``, without a temporary per run)."""
    k = draws_per_round(n)
    out = np.empty((len(rngs), k + EVENT_DRAWS))
    for row, rng, ev in zip(out, rngs, events, strict=True):
        rng.random(out=row[:k])
        ev.random(out=row[k:])
    return out


def move_order(uniforms: np.ndarray, n: int) -> np.ndarray:
    """The order in which the N nations consider switching side this round (B, N):
    ``order[:, k]`` is the nation whose turn is k-th, from the round's uniforms."""
    return np.argsort(uniforms[:, n:2 * n], axis=-1, kind="stable")


def play_round(world: World, state: State, uniforms: np.ndarray,
               choices: Choices | None = None) -> State:
    """One round (ODD, 'Process overview and scheduling').

    ``choices``: what human players decided this round (:mod:`model.choices`, the
    classroom game); where they leave a choice to the model, and without them, the
    round is the model's own, to the bit.
    """
    n = state.contribution.shape[-1]
    noise_u = uniforms[:, :n]
    us_u, probe_u, target_u = (uniforms[:, 2 * n + k:2 * n + k + 1] for k in range(3))
    ceasefire_u = uniforms[:, 2 * n + 3:2 * n + 4]
    rnd = state.round + 1

    # 1. The US sets its commitment by its policy, looking at last round's Europe.
    last = round_game(world, state)
    us_level, us_memory = us_decides(world, state, rnd, us_u, last)
    us_level = ch.us_level(choices, us_level)
    us_effort = us_level * world.game.us_effort_ref
    # 2. The adversary probes where deterrence is weak; probed regions rally.
    rally, probe_target = adversary_probes(world, state, us_effort, probe_u, target_u, last)
    # 3. Nations learn what kind of US this is (Bayes) and forecast its effort.
    announced = world.announce_round == rnd
    belief, expected = nations_learn(world, state, us_level, announced, last)
    # 4. This round's own defence and off-budget money follow their paths.
    defence, off_budget, reparations = exogenous_inputs(world, rnd)
    # 5. After a ceasefire, the reassurance force: offers move towards best offers, and
    #    the pledges and the US backstop are settled like an assurance contract.
    force = reassurance_force(world, state, rnd, last, expected, us_level, us_memory, ceasefire_u,
                              choices)
    game = g.this_round(world.game, rally=rally, defence=defence,
                        asset_risk=world.reparations_risk * world.asset_holding * reparations,
                        force_deterrence=force["force_deterrence"])
    # 6. The EU Council decides EU-level aid (proposal, vetoes, workaround).
    eu = council.decide(game, state.contribution, state.member, expected, us_effort,
                        world.eu_key, world.eu_member, state.eu_opted_out, world.veto_player,
                        world.veto_linkage, state.eu_aid, state.eu_blocked, world.veto_delay,
                        world.adjustment_speed, off_budget, world.eu_channel)
    shares = council.key_shares(world.eu_key, world.eu_member & ~eu["opted_out"])
    game = council.with_eu_aid(game, shares, eu["eu_aid"], off_budget)
    # 7. Nations move part of the way to their best response, with optional noise.
    target = g.best_response(game, state.contribution, state.member, expected, us_effort)
    contribution = adjust_contributions(world, game, state, target, noise_u)
    if choices is not None:  # players' own aid shares, within the same bounds
        contribution = ch.contribution(choices, contribution,
                                       *g.contribution_bounds(game, state.member))
    # 8. Membership: in random order, each nation switches side if that pays at the
    #    equilibrium that follows (the others re-optimise), net of the penalty.
    member, switched, memo = revise_membership(world, game, state, contribution, expected, us_effort,
                                               move_order(uniforms, n), choices)
    lower, upper = g.contribution_bounds(game, member)
    contribution = np.clip(contribution, lower, upper)
    # 9. Record: the verdict so far.
    new = replace(state, round=rnd, contribution=contribution, member=member, us_belief=belief,
                  expected_us_effort=expected, rally=rally, us_level=us_level,
                  us_memory=us_memory, us_effort=us_effort, announced=announced, defence=defence,
                  off_budget=off_budget, reparations=reparations, eu_aid=eu["eu_aid"],
                  eu_opted_out=eu["opted_out"], eu_blocked=eu["blocked_rounds"],
                  eu_event=eu["event"], eu_price=eu["price"], eu_proposal=eu["proposal"],
                  eu_blockers=eu["blockers"], target=target, switched=switched,
                  probe_target=probe_target, **memo, **force)
    return update_verdict(world, state, new, game)


def round_game(world: World, state: State) -> g.Game:
    """The game as it stood in the round that produced ``state`` (its exogenous inputs)."""
    shares = council.key_shares(world.eu_key, world.eu_member & ~state.eu_opted_out)
    game = g.this_round(world.game, rally=state.rally, defence=state.defence,
                        asset_risk=world.reparations_risk * world.asset_holding * state.reparations,
                        force_deterrence=state.force_deterrence)
    return council.with_eu_aid(game, shares, state.eu_aid, state.off_budget)


def burden_ratio(world: World, state: State, game: g.Game | None = None) -> np.ndarray:
    """Europe's burden (members' aid, share of GDP) over the US status-quo burden (B, 1).

    ``game`` is :func:`round_game` of ``state`` if the caller has it already.
    """
    game = round_game(world, state) if game is None else game
    return (g.members_burden(game, state.contribution, state.member)
            / g.us_burden(game, game.us_effort_ref))


def us_observation(world: World, state: State, rnd: np.ndarray, game: g.Game) -> USObservation:
    """What the US sees when it decides round ``rnd``: last round's Europe (``game`` is
    the round that produced ``state``); its policy's event explains itself with it."""
    return USObservation(
        round=rnd.astype(float), level=state.us_level, memory=state.us_memory,
        effort_ratio=g.european_effort(game, state.contribution) / game.effort_ref,
        burden_ratio=burden_ratio(world, state, game), deterrence_rho=world.deterrence_rho,
        european_weight=game.european_weight, saturation=game.saturation,
        linear_benefit=game.linear_benefit)


def us_decides(world: World, state: State, rnd: np.ndarray, uniform: np.ndarray,
               game: g.Game):
    """The US commitment this round, from its policy and last round's European burden
    (``game`` is the round that produced ``state``)."""
    return decide_all(world.policy_code, us_observation(world, state, rnd, game),
                      world.policy_params, uniform)


def nations_learn(world: World, state: State, us_level: np.ndarray, announced: np.ndarray,
                  game: g.Game) -> tuple[np.ndarray, np.ndarray]:
    """Each nation's belief about the kind of US after seeing this round's commitment,
    and the US effort it now expects (:mod:`model.beliefs`)."""
    p = world.policy_params
    burden = burden_ratio(world, state, game)
    loglik = bl.log_likelihood(us_level, state.us_level, burden, p["us_demand"],
                               p["us_hysteresis"], p["us_switch_prob"], world.belief_noise)
    belief = bl.update(state.us_belief, world.prior, loglik, world.belief_hazard, announced,
                       world.announcement_credibility)
    expected = world.game.us_effort_ref * bl.forecast(belief, us_level, burden, p["us_demand"],
                                                      p["us_hysteresis"], p["us_switch_prob"])
    return belief, expected


def exogenous_inputs(world: World, rnd: np.ndarray):
    """Own defence (B, N), off-budget money and the reparations loan's part of it (B, 1)."""
    defence = paths.defence(rnd, world.round_years, world.defence_path, world.game.defence,
                            world.defence_latest, world.nato, world.hague_target,
                            world.hague_year, world.defence_fixed)
    scheduled, reparations = paths.off_budget(rnd, world.round_years, world.off_budget_schedule,
                                              world.off_budget_tail, paths.FIRST_YEAR,
                                              world.reparations, world.reparations_rounds)
    return defence, scheduled + reparations, reparations


def true_deterrence(world: World, state: State, game: g.Game | None = None) -> np.ndarray:
    """The deterrence the adversary actually faces (B, 1): aid-funded strength and the
    US through the scenario's rho, plus what the reassurance force deters."""
    game = round_game(world, state) if game is None else game
    return g.deterrence(g.european_effort(game, state.contribution) / game.effort_ref,
                        state.us_effort / game.us_effort_ref, world.deterrence_rho,
                        game.european_weight) + state.force_deterrence


def adversary_probes(world: World, state: State, us_effort: np.ndarray,
                     probe_u: np.ndarray, target_u: np.ndarray, last: g.Game):
    """A probe happens with probability ``probe_rate * exp(-D)``; its target is drawn in
    proportion to exposure, and nations near it feel more exposed for a while
    (``last``: the game of the round that produced ``state``)."""
    d = true_deterrence(world, replace(state, us_effort=us_effort), last)
    probes = world.adversary & (probe_u < world.probe_rate * np.exp(-d))
    exposure = world.game.exposure + 1e-12  # all-zero exposure: every nation equally likely
    weights = exposure / exposure.sum(-1, keepdims=True)
    target = np.minimum((np.cumsum(weights, -1) < target_u).sum(-1, keepdims=True),
                        weights.shape[-1] - 1)
    near = np.take_along_axis(world.distance_km, target[..., None], axis=1)[:, 0, :]
    boost = world.rally_strength * np.exp(-near / world.rally_radius_km)
    rally = world.rally_decay * state.rally + np.where(probes, boost, 0.0)
    return rally, np.where(probes, target, -1)


def reassurance_force(world: World, state: State, rnd: np.ndarray, last: g.Game,
                      expected: np.ndarray, us_level: np.ndarray, us_memory: np.ndarray,
                      uniform: np.ndarray, choices: Choices | None = None
                      ) -> dict[str, np.ndarray]:
    """The ceasefire and the reassurance force this round (the State fields they set).

    A ceasefire begins on ``ceasefire_round`` or with ``ceasefire_chance`` a round, and
    lasts. From then on the coalition's members offer troops: at the ceasefire what
    ``initial_pledges`` says, after it a step towards their best offer against the
    force that stood last round (:func:`best_offers`). The US offers its backstop by its
    policy; :func:`model.conditions.resolve` then honours the largest consistent set of
    offers, and the force deters by :func:`model.force.deterrence`.
    """
    began = ~state.ceasefire & (((world.ceasefire_round >= 0) & (rnd >= world.ceasefire_round))
                                | (uniform < world.ceasefire_chance))
    ceasefire = state.ceasefire | began
    if not ceasefire.any():  # nothing to decide: the zeros of the state stand
        return {name: getattr(state, name) for name in FORCE_FIELDS}
    rules, unit, codes = world.force, world.force.unit, world.troop_strategy
    offered, price = backstop_all(world.policy_code, us_level, us_memory, world.policy_params)
    offered, price = ch.backstop(choices, offered, price)
    offered = offered & ceasefire
    can = (ceasefire & state.member & conditions.offering(codes) & (world.troop_capacity > 0))
    best = (best_offers(world, state, last, expected) if state.ceasefire.any()
            else np.zeros_like(state.troops_best))
    best = np.where(state.ceasefire & can, best, 0)
    offer = np.where(began, world.troops_start,
                     fc.step_offers(state.troops_offer, best, world.adjustment_speed))
    offer = np.where(can, np.clip(offer, 0, world.troop_capacity), 0)
    offer = ch.troops(choices, offer, can, world.troop_capacity)
    honoured, backstop, met = conditions.resolve(
        codes, offer * unit, offered, price, rules.threshold_alone, rules.threshold_backed,
        world.condition_others, world.condition_force, world.condition_nations)
    troops = np.where(honoured, offer, 0)
    total = (troops * unit).sum(-1, keepdims=True)
    threshold = fc.threshold(rules, backstop)
    guarantee = np.where(~ceasefire, NO_CEASEFIRE, np.where(
        total <= 0, NOT_FORMED, np.where(total >= threshold, FORMED, HOLLOW))).astype(np.int8)
    return {"ceasefire": ceasefire, "ceasefire_began": np.where(began, rnd, state.ceasefire_began),
            "troops_offer": offer, "troops_best": best, "troops": troops,
            "condition_met": met & ceasefire, "backstop_offered": offered,
            "backstop_price": np.where(ceasefire, price, 0.0), "backstop": backstop,
            "force_troops": total.astype(float), "force_threshold": threshold,
            "force_credibility": np.where(ceasefire, fc.credibility(total, threshold, rules.width), 0.0),
            "force_deterrence": np.where(ceasefire, fc.deterrence(rules, total, backstop), 0.0),
            "guarantee": guarantee}


FORCE_FIELDS = ("ceasefire", "ceasefire_began", "troops_offer", "troops_best", "troops",
                "condition_met", "backstop_offered", "backstop_price", "backstop", "force_troops",
                "force_threshold", "force_credibility", "force_deterrence", "guarantee")


def force_payoffs(world: World, state: State, last: g.Game, expected: np.ndarray) -> np.ndarray:
    """Each nation's payoff from the force for each offer 0..capacity (B, N, G), against
    the troops the others deployed last round and the backstop that stood; a nation
    whose stance assumes a backstop sizes its offer for the force that would stand with
    one (last round's offers, resolved with the US backing the force)."""
    unit = world.force.unit
    aid_d = g.aid_deterrence(last, g.european_effort(last, state.contribution), expected)
    scale = g.benefit_share(last, state.member) * last.security_value * last.exposure * last.gdp
    assumed = conditions.assumes_backstop(world.troop_strategy)
    deployed = state.troops * unit
    others = deployed.sum(-1, keepdims=True) - deployed
    if assumed.any():
        offers = state.troops_offer * unit
        yes = np.ones_like(state.backstop)
        backed, _, _ = conditions.resolve(
            world.troop_strategy, offers, yes, np.zeros(yes.shape), world.force.threshold_alone,
            world.force.threshold_backed, world.condition_others, world.condition_force,
            world.condition_nations)
        if_backed = np.where(backed, offers, 0)
        others = np.where(assumed, if_backed.sum(-1, keepdims=True) - if_backed, others)
    counted = assumed | state.backstop
    cost = np.where(np.isnan(world.troop_cost), 0.0, world.troop_cost)
    return fc.offer_payoffs(world.force, scale, aid_d, last.saturation, last.linear_benefit,
                            others, counted, world.troop_capacity, cost, last.gdp)


def best_offers(world: World, state: State, last: g.Game, expected: np.ndarray) -> np.ndarray:
    """Each nation's best troop offer (units) this round (:func:`force_payoffs`)."""
    return fc.best_offer(force_payoffs(world, state, last, expected))


def adjust_contributions(world: World, game: g.Game, state: State, target: np.ndarray,
                         noise_u: np.ndarray) -> np.ndarray:
    """Partial adjustment towards the best response (speed eta), relative noise tau."""
    step = state.contribution + world.adjustment_speed * (target - state.contribution)
    shock = ndtri(np.clip(noise_u, 1e-12, 1 - 1e-12))
    step = step * (1 + world.noise * shock)
    lower, upper = g.contribution_bounds(game, state.member)
    return np.clip(step, lower, upper)


def revise_membership(world: World, game: g.Game, state: State, contribution: np.ndarray,
                      expected: np.ndarray, us_effort: np.ndarray, order: np.ndarray,
                      choices: Choices | None = None):
    """Nations in ``order`` each switch side if the equilibrium gain beats the penalty.

    Ties favour the coalition (:func:`model.game.wants_to_switch`): an indifferent
    member stays, an indifferent outsider joins. Gains are evaluated for every nation
    at once; after a switch, each nation still to come judges the coalition as it
    stands when its turn comes. A run whose inputs are bitwise those of last round (a
    steady state) reuses last round's gains. A nation whose side a player chose
    (``choices.member``, :mod:`model.choices`) takes that side at its turn instead.

    A nation's switch is solved only where it could pay: its payoff after switching is
    at most :func:`model.game.switch_payoff_ceiling` whatever the coalition's new
    equilibrium, so where that ceiling's gain falls short of the penalty by more than
    :data:`SCREEN_MARGIN` (relative), the nation cannot switch and its equilibrium is
    not solved (:func:`switch_gains`); its gain is recorded as that ceiling. The
    decisions are those of solving every switch (``tests/test_screening.py``).

    After a switch, only the gains of the nations still to come are solved again. With
    the compiled kernel (:mod:`model.kernels`), or from :data:`ONE_AT_A_TIME` nations
    on, one at a time when a nation's turn comes (the coalition as it stands and the one
    where that nation switches): O(N^2) a round however many switch. The kernel also
    keeps each switched coalition's equilibrium, so after a switch the coalition as it
    stands is the one already solved for the switch (its payoffs are read there, not
    solved again): at most 2N + 1 equilibria a round. With NumPy and fewer nations, all
    of them at once (one batch per switch: fewer NumPy calls). Each equilibrium does not
    depend on what else is solved with it, so all give the same gains.
    """
    member = state.member.copy()
    switched = np.zeros(member.shape, dtype=np.int8)
    threshold = g.switching_penalty(game, member, world.exit_penalty, world.join_penalty)
    solver = kernels.Counterfactuals(game, expected, us_effort, contribution)
    one_at_a_time = solver.compiled or member.shape[-1] >= ONE_AT_A_TIME
    bar = g.effort_ceiling(game, expected, g.european_effort(game, contribution))
    # each nation's ceiling as an outsider joining [0] and as a member leaving [1]: one
    # call, the benefit at the effort ceiling computed once for both sides
    ceilings = g.switch_payoff_ceiling(game, np.array([False, True])[:, None, None], expected, bar)

    def judge(rows: np.ndarray, nations: np.ndarray, stay: np.ndarray | None = None):
        return switch_gains(solver, member[rows], rows, nations, threshold[rows],
                            (ceilings[0][rows], ceilings[1][rows]), stay)

    runs = np.arange(member.shape[0])
    every = np.broadcast_to(np.arange(member.shape[-1]), member.shape)
    inputs = np.concatenate([contribution, member, expected, game.exposure, game.defence,
                             game.eu_share, us_effort, game.outside_aid,
                             game.asset_risk.sum(-1, keepdims=True), game.force_deterrence],
                            axis=-1)
    same = np.all(inputs == state.gain_inputs, axis=-1)
    gain, tol = state.gain.copy(), state.gain_tol.copy()
    # (kernel) the payoffs at the coalition as it stands, where known, and the profile
    # each nation's switch would lead to (solved with the gains; `exact`: solved, not
    # screened out)
    stay_now, known = np.zeros(member.shape), np.zeros(member.shape[0], dtype=bool)
    leads_to = np.zeros(member.shape + member.shape[-1:]) if solver.compiled else None
    exact = np.zeros(member.shape, dtype=bool)
    if not same.all():
        rows = runs[~same]
        stay, gain[rows], tol[rows], profiles, solved = judge(rows, every[rows])
        if solver.compiled:
            stay_now[rows], known[rows], leads_to[rows], exact[rows] = stay, True, profiles, solved
    memo = {"gain_inputs": inputs, "gain": gain.copy(), "gain_tol": tol.copy()}
    stale = np.zeros(member.shape[0], dtype=bool)  # (one at a time) gains older than a switch
    for position in range(member.shape[-1]):
        who = order[:, position]
        if stale.any():  # this nation's gain against the coalition as it stands now
            rows = runs[stale]
            given = None
            if solver.compiled:
                need = rows[~known[rows]]
                if need.size:
                    stay_now[need] = solver.payoffs(need, member[need], _none(need.size),
                                                    exact=True)[0]
                    known[need] = True
                given = stay_now[rows]
            _, now, now_tol, profiles, solved = judge(rows, who[rows, None], given)
            gain[rows, who[rows]], tol[rows, who[rows]] = now[:, 0], now_tol[:, 0]
            if solver.compiled:
                leads_to[rows, who[rows]], exact[rows, who[rows]] = profiles[:, 0], solved[:, 0]
        margin = threshold[runs, who] - gain[runs, who]
        wants = g.wants_to_switch(member[runs, who], margin, tol[runs, who])
        wants = ch.switches(choices, runs, who, member[runs, who], wants)
        if not wants.any():
            continue
        rows = runs[wants]
        member[rows, who[rows]] = ~member[rows, who[rows]]
        switched[rows, who[rows]] = np.where(member[rows, who[rows]], 1, -1)
        threshold[rows] = g.switching_penalty(game.take(rows), member[rows],
                                              world.exit_penalty[rows], world.join_penalty[rows])
        later = order[rows, position + 1:]
        if solver.compiled:  # the coalition now is the one solved for this switch
            # (a player's choice may switch a nation screened out: solve it afresh)
            known[rows] &= exact[rows, who[rows]]
            seen = rows[known[rows]]
            stay_now[seen] = solver.utilities(seen, member[seen], leads_to[seen, who[seen]])
        if one_at_a_time:
            stale[rows] = True
        elif later.shape[1]:
            _, now, now_tol, _, _ = judge(rows, later)
            gain[rows[:, None], later], tol[rows[:, None], later] = now, now_tol
    return member, switched, memo


def _none(rows: int) -> np.ndarray:
    """No switched coalitions: ``nations`` of shape ``(rows, 0)`` (only the coalition as
    it stands is solved)."""
    return np.zeros((rows, 0), dtype=np.int64)


def gain_and_tie(stay: np.ndarray, switch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gain from switching and the tolerance within which it counts as a tie."""
    return switch - stay, SWITCH_RTOL * (np.abs(stay) + np.abs(switch))


def switch_gains(solver: kernels.Counterfactuals, member: np.ndarray, rows: np.ndarray,
                 nations: np.ndarray, threshold: np.ndarray,
                 ceilings: tuple[np.ndarray, np.ndarray], stay: np.ndarray | None = None):
    """Each listed nation's gain from switching side alone, solved only where it could pay.

    ``rows`` are runs of ``solver``'s round with coalitions ``member`` (one row each),
    ``nations`` ``(rows, K)`` whose switch is judged, ``threshold`` their penalties
    ``(rows, N)``, ``ceilings`` each nation's :func:`model.game.switch_payoff_ceiling`
    as an outsider joining and as a member leaving ``(rows, N)``, ``stay`` the payoffs
    at the coalition as it stands if already known. A switch whose ceiling gain (with
    its tie tolerance) falls :data:`SCREEN_MARGIN` short of the penalty cannot happen:
    the true gain is below it, and the tie rule :func:`model.game.wants_to_switch`
    reads ``gain + tol``, which rises with the switch payoff. Its gain is then the
    ceiling's; the others are solved exactly. The coalition as it stands is solved on
    the exact value curve: where every switch is screened out (most rounds of most
    scenarios) the round's interpolant is then never built; the switches use it.

    Returns (stay ``(rows, N)``, gain and tol ``(rows, K)``, the switched coalitions'
    equilibrium profiles ``(rows, K, N)`` (kernel; NaN where screened out; None with
    NumPy), solved ``(rows, K)``).
    """
    if stay is None:  # the coalition as it stands, on the exact curve (see below)
        stay = solver.payoffs(rows, member, _none(rows.size), exact=True)[0]
    r = np.arange(rows.size)[:, None]
    stay_k = stay[r, nations]
    ceiling = np.where(member[r, nations], ceilings[1][r, nations], ceilings[0][r, nations])
    gain, tol = gain_and_tie(stay_k, ceiling)
    due = threshold[r, nations]
    solve = ~(gain + tol < due - SCREEN_MARGIN * (np.abs(stay_k) + np.abs(ceiling) + np.abs(due)))
    profiles = np.full(nations.shape + member.shape[-1:], np.nan) if solver.compiled else None
    if not solve.any():
        return stay, gain, tol, profiles, solve
    if solver.compiled:  # one equilibrium per (run, nation) solved
        i, k = np.nonzero(solve)
        _, switch, solved = solver.payoffs(rows[i], member[i], nations[i, k][:, None], stay=False)
        gain[i, k], tol[i, k] = gain_and_tie(stay_k[i, k], switch[:, 0])
        profiles[i, k] = solved[:, 0]
    else:  # one lockstep batch: rows with a switch to solve, padded with a repeat
        i = np.flatnonzero(solve.any(-1))
        first = nations[i, np.argmax(solve[i], axis=-1)]
        padded = np.where(solve[i], nations[i], first[:, None])
        _, switch, _ = solver.payoffs(rows[i], member[i], padded)
        exact_gain, exact_tol = gain_and_tie(stay_k[i], switch)
        gain[i] = np.where(solve[i], exact_gain, gain[i])
        tol[i] = np.where(solve[i], exact_tol, tol[i])
    return stay, gain, tol, profiles, solve


def update_verdict(world: World, old: State, new: State, game: g.Game | None = None) -> State:
    """Converged (no change for K rounds), fractured (too small, a core nation gone, or
    European aid collapsed; final) or still unresolved, with the round it happened
    (``game``: :func:`round_game` of ``new``, if the caller has it)."""
    scale = np.maximum(np.abs(old.contribution), np.maximum(world.game.pledge_floor, 1e-9))
    moved = np.max(np.abs(new.contribution - old.contribution) / scale, axis=-1, keepdims=True)
    eu_moved = np.abs(new.eu_aid - old.eu_aid) > world.converge_tolerance * np.maximum(old.eu_aid, 1e-9)
    force_moved = ((new.troops_offer != old.troops_offer).any(-1, keepdims=True)
                   | (new.troops != old.troops).any(-1, keepdims=True)
                   | (new.backstop != old.backstop))
    changed = ((new.switched != 0).any(-1, keepdims=True) | (moved > world.converge_tolerance)
               | eu_moved | force_moved)
    stable = np.where(changed, 0, old.stable_rounds + 1)

    size = new.member.sum(-1, keepdims=True)
    effort = g.aid_effort(round_game(world, new) if game is None else game, new.contribution)
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


__all__ = ["play_round", "draw_round", "move_order", "draws_per_round", "event_stream", "finished",
           "true_deterrence", "round_game", "us_observation", "reassurance_force", "best_offers",
           "force_payoffs"]
