"""The EU as a collective agent: how the Council decides EU-level aid to Ukraine.

EU-level aid A (the European Peace Facility, the Ukraine Facility, macro-financial
loans: Kiel's EU-institution series) is one decision of the member states together,
financed by a GNI key, not 27 separate choices. Each round:

1. **Proposal.** The aid that maximises the participating members' joint payoff: the
   sum of their security benefits (each with its membership share of the coalition's
   benefit) net of their political cost of the EU contribution and of any veto
   player's dislike of the aid, given everyone's bilateral aid as it stands
   (:func:`proposal`; the coordinated deal, with an institution behind it).
2. **Unanimity.** A veto player (Hungary, Slovakia: ``seeds/veto_players.csv``)
   blocks if it prefers the status quo by more than the linkage value it can extract
   (released EU funds, other concessions); if it prefers it by less, the others pay
   that price and the proposal passes (:func:`veto_losses`).
3. **Workaround.** A proposal blocked for ``veto_delay`` rounds goes ahead without
   the blockers, who opt out of the instrument and stop paying for it (enhanced
   cooperation, as with the EUR 90 bn loan of December 2025 with CZE, HUN, SVK exempt).
4. The EU's aid moves towards the decision at the nations' adjustment speed.

With no veto player the deal is the joint optimum. Veto-player bargaining follows
Tsebelis (2002) on veto players and the EU's practice of linkage (Moravcsik 1998).
Pure, batched functions: ``(B, N)`` per nation, ``(B, 1)`` per run.
"""

from __future__ import annotations

import numpy as np

from model import game as g
from model.solvers import bracketed_root

Array = np.ndarray

# What the Council did this round (State.eu_event).
EU_NONE, EU_ADOPTED, EU_PRICE_PAID, EU_BLOCKED, EU_WORKAROUND = range(5)
EU_EVENTS = {EU_NONE: "none", EU_ADOPTED: "adopted", EU_PRICE_PAID: "adopted with a price",
             EU_BLOCKED: "blocked", EU_WORKAROUND: "went ahead without the blockers"}


def key_shares(key: Array, participating: Array) -> Array:
    """Each participant's share of the EU's financing: its key, rescaled over the
    participants (0 for the others), (B, N)."""
    k = np.where(participating, key, 0.0)
    total = k.sum(-1, keepdims=True)
    return np.where(total > 0, k / np.where(total > 0, total, 1.0), 0.0)


def eu_shares(gdp: Array, shares: Array, eu_aid: Array) -> Array:
    """e_i = kappa_i A / Y_i: each nation's EU contribution as a share of its GDP, (B, N)."""
    return shares * eu_aid / gdp


def with_eu_aid(game: g.Game, shares: Array, eu_aid: Array, off_budget: Array) -> g.Game:
    """The round's game with EU aid ``eu_aid`` (B, 1) financed by ``shares``."""
    return g.this_round(game, eu_share=eu_shares(game.gdp, shares, eu_aid),
                        outside_aid=eu_aid + off_budget, eu_aid=eu_aid)


def proposal(game: g.Game, contribution: Array, member: Array, expected_us_effort: Array,
             shares: Array, participating: Array, off_budget: Array,
             near: Array | None = None) -> Array:
    """The EU aid (EUR bn a year) that maximises the participants' joint payoff, (B, 1).

    First-order condition in A: sum_j share_j v_j(E(A)) - sum_j omega_j =
    epsilon A sum_j phi_j kappa_j^2 / Y_j, with E(A) European effort when the EU gives
    A and v_j the marginal security value (:class:`model.game.ValueCurve`). The left
    side does not increase in A, so the root is bracketed by 0 and the A at which the
    cost alone matches the value at A = 0; from a guess ``near`` (the aid in force) one
    evaluation gives a tight bracket instead, since the gain falls at least as fast as
    the cost rises.
    """
    base = g.bilateral_aid(game, contribution) + off_budget + g.defence_effort(game)
    curve = g.ValueCurve(game, expected_us_effort)
    weight = np.where(participating, g.benefit_share(game, member), 0.0)
    opposed = np.where(participating, game.opposition, 0.0).sum(-1, keepdims=True)
    slope = game.eu_weight * np.where(participating, game.political_cost * shares**2 / game.gdp,
                                      0.0).sum(-1, keepdims=True)
    slope = np.maximum(slope, 1e-300)

    def gain(eu_aid: Array) -> Array:
        return (weight * curve(base + eu_aid)).sum(-1, keepdims=True) - opposed - slope * eu_aid

    if near is not None:  # gain(A) <= gain(x) - slope (A - x) for A > x: a bracket from x
        at = gain(near)
        step = near + at / slope
        up = at > 0
        lo, hi = np.where(up, near, np.maximum(step, 0.0)), np.where(up, step, near)
        at_lo = np.where(up, at, np.nan)
        f_hi = np.where(up, np.nan, at)
        zero = (lo <= 0) & ~up
        f_lo = np.where(zero, np.nan, at_lo)
        root = bracketed_root(gain, lo, np.maximum(hi, lo), g.ROOT_TOL, f_lo=f_lo, f_hi=f_hi)
        return np.where(gain_at_zero_negative(gain, zero, lo), 0.0, root)
    at_zero = gain(np.zeros_like(base))
    top = np.maximum(at_zero, 0.0) / slope + 1e-12
    positive = at_zero > 0
    root = bracketed_root(gain, np.zeros_like(base), np.where(positive, top, 1.0), g.ROOT_TOL,
                          f_lo=at_zero)
    return np.where(positive, root, 0.0)


def gain_at_zero_negative(gain, candidates: Array, zero: Array) -> Array:
    """Where the bracket reaches A = 0, whether the gain is already negative there (the
    joint optimum is then no EU aid at all)."""
    if not candidates.any():
        return candidates
    return candidates & (gain(np.zeros_like(zero)) <= 0)


VETO_RTOL = 1e-9  # losses smaller than this (relative to the payoffs) count as none
SAME_RTOL = 1e-9  # a proposal this close (relative) to the aid in force changes nothing


def veto_losses(game: g.Game, contribution: Array, member: Array, expected_us_effort: Array,
                us_effort: Array, shares: Array, off_budget: Array, status_quo: Array,
                proposed: Array) -> tuple[Array, Array]:
    """Each nation's payoff loss (EUR bn a year) if the EU moves from its status-quo aid to
    the proposal, everyone's bilateral aid as it stands, (B, N), negative for a gain; and
    the tolerance below which a loss counts as none (rounding, not preference)."""
    def payoff(eu_aid: Array) -> Array:
        return g.utility(with_eu_aid(game, shares, eu_aid, off_budget), contribution, member,
                         expected_us_effort, us_effort)

    before, after = payoff(status_quo), payoff(proposed)
    return before - after, VETO_RTOL * (np.abs(before) + np.abs(after))


def decide(game: g.Game, contribution: Array, member: Array, expected_us_effort: Array,
           us_effort: Array, key: Array, eu_member: Array, opted_out: Array,
           veto_player: Array, linkage: Array, eu_aid: Array, blocked_rounds: Array,
           veto_delay: Array, speed: Array, off_budget: Array, active: Array) -> dict[str, Array]:
    """One round of the Council: proposal, veto, price or workaround, adjustment.

    Returns the new ``eu_aid`` (B, 1), ``opted_out`` (B, N), ``blocked_rounds`` (B, 1),
    ``event`` (B, 1, one of the ``EU_*`` codes), ``price`` (B, 1, EUR bn a year paid to
    veto players), ``proposal`` (B, 1) and ``blockers`` (B, N). Where ``active`` is
    False (the EU channel is off) the aid stays as it is.
    """
    participating = eu_member & ~opted_out
    shares = key_shares(key, participating)
    proposed = proposal(game, contribution, member, expected_us_effort, shares, participating,
                        off_budget, near=eu_aid)
    can_veto = veto_player & participating
    moves = np.abs(proposed - eu_aid) > SAME_RTOL * np.maximum(eu_aid, 1.0)
    if (can_veto & moves).any():  # only a proposal that moves the aid can be vetoed
        losses, tol = veto_losses(game, contribution, member, expected_us_effort, us_effort,
                                  shares, off_budget, eu_aid, proposed)
        losses = np.where(moves, losses, 0.0)
    else:
        losses = tol = np.zeros_like(contribution)
    blockers = can_veto & (losses > linkage + tol)
    blocked = blockers.any(-1, keepdims=True)
    price = np.where(can_veto & ~blockers & (losses > tol), losses, 0.0).sum(-1, keepdims=True)
    waited = np.where(blocked, blocked_rounds + 1, 0)
    workaround = blocked & (waited > veto_delay)

    # The workaround: the blockers opt out and the rest decide without them.
    new_out = np.where(workaround, opted_out | blockers, opted_out)
    proposed_without = proposed
    if workaround.any():
        without = eu_member & ~new_out
        proposed_without = proposal(game, contribution, member, expected_us_effort,
                                    key_shares(key, without), without, off_budget)
    target = np.where(workaround, proposed_without, np.where(blocked, eu_aid, proposed))
    # a proposal within rounding of the aid in force is no decision: the aid stays put
    # (so a status quo that is the Council's deal stays a steady state, to the bit)
    same = np.abs(target - eu_aid) <= SAME_RTOL * np.maximum(eu_aid, 1.0)
    new_aid = np.where(same, eu_aid, eu_aid + speed * (target - eu_aid))
    event = np.where(workaround, EU_WORKAROUND, np.where(blocked, EU_BLOCKED, np.where(
        price > 0, EU_PRICE_PAID, np.where(same, EU_NONE, EU_ADOPTED))))
    on = active
    return {
        "eu_aid": np.where(on, new_aid, eu_aid),
        "opted_out": np.where(on, new_out, opted_out),
        "blocked_rounds": np.where(on & blocked & ~workaround, waited, 0),
        "event": np.where(on, event, EU_NONE).astype(np.int8),
        "price": np.where(on & ~blocked, price, 0.0),
        "proposal": np.where(on, np.where(workaround, proposed_without, proposed), eu_aid),
        "blockers": on & blockers,
    }
