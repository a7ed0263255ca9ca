"""The burden-sharing and deterrence game: every rule of the payoff, once.

Pure, typed NumPy functions. Every array may carry any number of leading batch axes
(runs, counterfactual coalitions, ...) followed by the nation axis ``N``; scalars of a
game are stored with a trailing axis of length 1 so that they broadcast against it.
The Mesa model, the agents, the app and the sweep engine all call these functions:
one source of truth for the game.

Notation (``docs/ODD.md``): bilateral aid ``s_i`` (share of GDP, the nation's choice),
own defence ``d_i`` and EU contribution ``e_i`` (shares of GDP, set outside the
nation's choice each round), GDP ``Y_i``; money is EUR bn a year at 2024 prices.
European effort in deterrence is ``E = sum_j s_j Y_j + A + O + lambda sum_j d_j Y_j``
(bilateral aid, EU-level aid A, off-budget money O, and the part of own defence that
also deters); US effort ``X``, a nation's expectation of it ``X_hat_i``.

    D_i = [a (E/E0)^rho_i + (1-a) (X_hat_i/X0)^rho_i]^(1/rho_i) + D_F   deterrence (CES)
    b_i = V theta_i Y_i B(D_i),  B(D) = 1 - exp(-D/delta)  or  D   security benefit
    c_i = Y_i phi_i (s_i + eta d_i + k_i/Y_i)^2 / 2                  the security budget
    g_i = Y_i phi_i epsilon e_i^2 / 2                                the EU contribution
    f_i = beta_i Y_i max(0, s_i + e_i - r_i)                         sucker cost
    r_i = w_i s_US + (1 - w_i) * GDP-weighted mean aid burden (s + e) of the other members
    U_i = [m_i + (1 - m_i) sigma] b_i - c_i - g_i - f_i - omega_i A

with D_F what the reassurance force deters after a ceasefire (:mod:`model.force`; 0
before), omega_i a veto player's dislike of EU aid and k_i the risk an asset-holding state
bears for a reparations loan (it weighs on its security budget). Own defence and aid share one convex political budget
(weight eta); own defence also deters (lambda): Sandler's joint products. After a
ceasefire a nation also bears the cost of the troops it deploys (:mod:`model.force`),
which is separate from its aid choice.

References: Arrow et al. (1961) for the CES form; Olson & Zeckhauser (1966) for the
public-good alliance; Sandler (1977) and Sandler & Hartley (2001) for joint products;
Cornes & Hartley (2007) for solving aggregative games through the aggregate; Fehr &
Schmidt (1999) for aversion to disadvantageous inequity.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from model.solvers import bracketed_root

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

RHO_EPS = 1e-9  # |rho| below this is the Cobb-Douglas limit
TINY = 1e-12  # floor for normalised efforts inside derivatives (avoids 0 * inf)
ROOT_TOL = 1e-11  # relative tolerance of every aggregate root solve


def _pow(base: Array, exponent: Array) -> Array:
    """``base ** exponent`` computed the same way whatever the batch size.

    NumPy swaps ``x ** 0.5`` for ``sqrt`` (and 2 for a square, ...) when the exponent
    is a single number, which can differ in the last bit from the general power; a
    one-run model would then drift from the same run inside a batch. A single-number
    exponent is therefore spread over the base's shape first.
    """
    exponent = np.asarray(exponent)
    if exponent.size == 1:
        exponent = np.broadcast_to(exponent, np.broadcast_shapes(np.shape(base), exponent.shape))
    return np.power(base, exponent)


@dataclass(frozen=True)
class Game:
    """The data of one round of one game (or a batch), as broadcastable arrays.

    Per-nation fields have shape ``(..., N)``; scalar fields ``(..., 1)``.
    ``sucker_cost`` is beta_i in absolute units (see :func:`model.state.build_world`).
    The round's exogenous inputs (own defence, the EU contribution, off-budget money,
    the rally effect) are set by :func:`this_round`.
    """

    gdp: Array  # Y_i, EUR bn
    exposure: Array  # theta_i in [0, 1]
    us_reliance: Array  # rho_i: < 0 complements, 1 perfect substitutes
    fair_share_weight: Array  # w_i in [0, 1]
    sucker_cost: Array  # beta_i >= 0
    political_cost: Array  # phi_i > 0
    defence: Array  # d_i, own defence (share of GDP) this round
    eu_share: Array  # e_i, EU contribution (share of GDP) this round
    opposition: Array  # omega_i >= 0, a veto player's loss per euro of EU aid
    asset_risk: Array  # k_i, EUR bn a year: risk of a reparations loan borne by holders
    pledge_floor: Array  # s_floor, members' minimum bilateral aid
    max_contribution: Array  # s_max
    spillover: Array  # sigma in [0, 1]: non-members' share of the benefit
    coordinated: BoolArray  # members pick the pledges that maximise their joint payoff
    security_value: Array  # V
    saturation: Array  # delta of B(D) = 1 - exp(-D/delta)
    linear_benefit: BoolArray  # B(D) = D instead
    european_weight: Array  # a in (0, 1)
    effort_ref: Array  # E0, status-quo European effort in deterrence (EUR bn)
    us_effort_ref: Array  # X0, status-quo US effort (EUR bn)
    us_gdp: Array  # GDP of the US (its burden is X / us_gdp)
    defence_weight: Array  # eta in [0, 1], own defence's weight in the security budget
    joint_product: Array  # lambda in [0, 1], the share of own defence that deters
    eu_weight: Array  # epsilon > 0, an EU contribution's weight in the political cost
    outside_aid: Array  # A + O, EUR bn: EU-level and off-budget aid this round
    eu_aid: Array  # A, EUR bn: EU-level aid this round (for the opposition term)
    force_deterrence: Array  # D_F: what the reassurance force deters this round (model.force)

    def expand(self, axis: int = -2) -> Game:
        """Insert a length-1 axis in every field (e.g. for a batch of coalitions)."""
        return replace(self, **{f.name: np.expand_dims(getattr(self, f.name), axis)
                                for f in fields(self)})

    def take(self, index) -> Game:
        """Select along the leading batch axis."""
        return replace(self, **{f.name: getattr(self, f.name)[index] for f in fields(self)})


# --------------------------------------------------------------------------- efforts
def this_round(game: Game, *, rally: Array | None = None, defence: Array | None = None,
               eu_share: Array | None = None, outside_aid: Array | None = None,
               eu_aid: Array | None = None, asset_risk: Array | None = None,
               force_deterrence: Array | None = None) -> Game:
    """The game as it stands this round: the given exogenous inputs replaced.

    ``rally`` is added to the base exposure (capped at 1); the others replace the
    fields of the same name (see :class:`Game`).

    Parameters
    ----------
    game : Game
        The base game (exposure from the data, the status-quo inputs).
    rally, defence, eu_share, outside_aid, eu_aid, asset_risk, force_deterrence : Array, optional
        This round's values; None keeps the game's.

    Returns
    -------
    Game
        A copy with the round's inputs.
    """
    changes: dict[str, Array] = {}
    if rally is not None:
        changes["exposure"] = np.minimum(1.0, game.exposure + rally)
    for name, value in (("defence", defence), ("eu_share", eu_share),
                        ("outside_aid", outside_aid), ("eu_aid", eu_aid),
                        ("asset_risk", asset_risk), ("force_deterrence", force_deterrence)):
        if value is not None:
            changes[name] = value
    return replace(game, **changes)


def defence_effort(game: Game) -> Array:
    """lambda sum_j d_j Y_j: the part of Europe's own defence that also deters (EUR bn).

    Parameters
    ----------
    game : Game
        Its ``defence``, ``gdp`` and ``joint_product``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., 1)``.
    """
    return game.joint_product * (game.defence * game.gdp).sum(-1, keepdims=True)


def bilateral_aid(game: Game, contribution: Array) -> Array:
    """sum_j s_j Y_j: the nations' bilateral aid (EUR bn a year), members and outsiders.

    Parameters
    ----------
    game : Game
        Its ``gdp`` Y_j (EUR bn), ``(..., N)``.
    contribution : Array
        s_j, each nation's bilateral aid as a share of GDP, ``(..., N)``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., 1)``.

    Examples
    --------
    >>> game = Game(**{f.name: np.array([[1.0, 3.0]]) for f in fields(Game)})
    >>> float(bilateral_aid(game, np.array([[0.5, 0.5]]))[0, 0])
    2.0
    """
    return (contribution * game.gdp).sum(-1, keepdims=True)


def aid_effort(game: Game, contribution: Array) -> Array:
    """European aid to Ukraine (EUR bn a year): bilateral, EU-level and off-budget.

    Parameters
    ----------
    game : Game
        Its ``gdp`` and ``outside_aid`` (A + O).
    contribution : Array
        s_j, ``(..., N)``.

    Returns
    -------
    Array
        ``(..., 1)``.
    """
    return bilateral_aid(game, contribution) + game.outside_aid


def european_effort(game: Game, contribution: Array) -> Array:
    """E: European effort in deterrence (EUR bn a year), the input of the CES.

    Aid to Ukraine (bilateral, EU-level, off-budget) plus the part of own defence that
    also deters (:func:`defence_effort`).

    Parameters
    ----------
    game : Game
    contribution : Array
        s_j, ``(..., N)``.

    Returns
    -------
    Array
        ``(..., 1)``.
    """
    return aid_effort(game, contribution) + defence_effort(game)


def members_burden(game: Game, contribution: Array, member: BoolArray) -> Array:
    """The members' GDP-weighted mean aid burden (bilateral plus EU, share of GDP).

    What a burden-reading US looks at.

    Parameters
    ----------
    game : Game
        Its ``gdp`` (EUR bn) and ``eu_share``, shape ``(..., N)``.
    contribution : Array
        s_j, each nation's bilateral aid as a share of GDP, ``(..., N)``.
    member : BoolArray
        m_j, who is in the coalition, ``(..., N)``.

    Returns
    -------
    Array
        Share of GDP, ``(..., 1)``; 0 where there are no members.
    """
    members_gdp = np.where(member, game.gdp, 0.0).sum(-1, keepdims=True)
    members_paid = np.where(member, (contribution + game.eu_share) * game.gdp, 0.0).sum(
        -1, keepdims=True)
    return members_paid / np.maximum(members_gdp, 1e-12)


# --------------------------------------------------------------------------- deterrence
def deterrence(effort: Array, us_effort: Array, rho: Array, weight: Array) -> Array:
    """CES deterrence ``[a e^rho + (1-a) x^rho]^(1/rho)`` of normalised efforts.

    Arrow et al. (1961). rho -> 0 is the Cobb-Douglas limit ``e^a x^(1-a)``; for
    rho <= 0 a zero input gives D = 0 (complements: nothing deters without the other
    part); rho = 1 is perfect substitutes.

    Parameters
    ----------
    effort : Array
        e = E / E0, European effort relative to its status quo.
    us_effort : Array
        x = X / X0 (or the expectation X_hat / X0), US effort relative to its status quo.
    rho : Array
        The substitution parameter (``us_reliance`` when a nation perceives it,
        ``deterrence_rho`` for what the adversary faces).
    weight : Array
        a, the weight of European effort (``european_weight``).

    Returns
    -------
    Array
        D, broadcast over the inputs; 1 at the status quo (e = x = 1).

    Examples
    --------
    >>> float(deterrence(np.array(1.0), np.array(1.0), np.array(-2.0), np.array(0.4)))
    1.0
    >>> float(deterrence(np.array(1.0), np.array(0.0), np.array(-1.0), np.array(0.5)))
    0.0
    """
    cobb = np.abs(rho) < RHO_EPS
    r = np.where(cobb, 1.0, rho)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ces = _pow(weight * _pow(effort, r) + (1 - weight) * _pow(us_effort, r), 1 / r)
        cd = _pow(effort, weight) * _pow(us_effort, 1 - weight)
    d = np.where(cobb, cd, ces)
    zero_input = (effort <= 0) | (us_effort <= 0)
    return np.where((r <= 0) & zero_input | cobb & zero_input, 0.0, d)


def benefit_curve(d: Array, saturation: Array, linear: BoolArray) -> Array:
    """B(D): saturating ``1 - exp(-D/delta)`` (default) or linear ``D``.

    Parameters
    ----------
    d : Array
        Deterrence D.
    saturation : Array
        delta, the scale at which the benefit saturates.
    linear : BoolArray
        Use B(D) = D instead.

    Returns
    -------
    Array
        B(D), in [0, 1) when saturating.

    Examples
    --------
    >>> round(float(benefit_curve(np.array(1.0), np.array(1.0), np.array(False))), 4)
    0.6321
    """
    return np.where(linear, d, -np.expm1(-d / saturation))


def benefit_slope(d: Array, saturation: Array, linear: BoolArray) -> Array:
    """B'(D), the derivative of :func:`benefit_curve`.

    Parameters
    ----------
    d, saturation, linear : Array
        As for :func:`benefit_curve`.

    Returns
    -------
    Array
        ``exp(-D/delta) / delta`` (saturating) or 1 (linear).
    """
    return np.where(linear, 1.0, np.exp(-d / saturation) / saturation)


def aid_deterrence(game: Game, european_effort: Array, expected_us_effort: Array) -> Array:
    """The CES part of D_i: aid-funded strength and the US, through i's rho_i.

    Parameters
    ----------
    game : Game
    european_effort : Array
        E (EUR bn a year), ``(..., 1)``.
    expected_us_effort : Array
        X_hat_i (EUR bn a year), ``(..., N)``.

    Returns
    -------
    Array
        ``(..., N)``.
    """
    return deterrence(european_effort / game.effort_ref, expected_us_effort / game.us_effort_ref,
                      game.us_reliance, game.european_weight)


def perceived_deterrence(game: Game, european_effort: Array, expected_us_effort: Array) -> Array:
    """D_i: deterrence as nation i sees it, through its own rho_i and expectation, plus
    what the reassurance force deters (``force_deterrence``, 0 before a ceasefire).

    Parameters
    ----------
    game : Game
    european_effort : Array
        E (USD bn a year), ``(..., 1)``.
    expected_us_effort : Array
        X_hat_i (USD bn a year), ``(..., N)``.

    Returns
    -------
    Array
        D_i, ``(..., N)``.
    """
    return aid_deterrence(game, european_effort, expected_us_effort) + game.force_deterrence


# --------------------------------------------------------------------------- payoff terms
def benefit_share(game: Game, member: BoolArray) -> Array:
    """m_i + (1 - m_i) sigma: members get all of the benefit, outsiders the spillover.

    Parameters
    ----------
    game : Game
        Its ``spillover`` sigma.
    member : BoolArray
        m_i, ``(..., N)``.

    Returns
    -------
    Array
        1 for members, sigma for outsiders, ``(..., N)``.
    """
    return np.where(member, 1.0, game.spillover)


def security_benefit(game: Game, european_effort: Array, expected_us_effort: Array) -> Array:
    """b_i = V theta_i Y_i B(D_i): the value of security to nation i, before its share.

    Parameters
    ----------
    game, european_effort, expected_us_effort
        As for :func:`perceived_deterrence`.

    Returns
    -------
    Array
        USD bn a year, ``(..., N)``.
    """
    d = perceived_deterrence(game, european_effort, expected_us_effort)
    return game.security_value * game.exposure * game.gdp * benefit_curve(
        d, game.saturation, game.linear_benefit)


def security_budget(game: Game, contribution: Array) -> Array:
    """s_i + eta d_i + k_i / Y_i: the share of GDP the nation's political budget for
    security carries.

    Bilateral aid and own defence share one budget; own defence weighs eta
    (``defence_weight``) in it; an asset holder's risk from a reparations loan k_i
    (EUR bn a year) weighs on it too.

    Parameters
    ----------
    game : Game
        Its ``defence`` d_i, ``defence_weight`` eta, ``asset_risk`` and ``gdp``.
    contribution : Array
        s_i, ``(..., N)``.

    Returns
    -------
    Array
        Share of GDP, ``(..., N)``.
    """
    return contribution + committed_budget(game)


def committed_budget(game: Game) -> Array:
    """eta d_i + k_i / Y_i: the part of the security budget that aid does not choose.

    Own defence (weighted eta) and an asset holder's reparations risk k_i.

    Parameters
    ----------
    game : Game
        Its ``defence``, ``defence_weight``, ``asset_risk`` and ``gdp``.

    Returns
    -------
    Array
        Share of GDP, ``(..., N)``.
    """
    return game.defence_weight * game.defence + game.asset_risk / game.gdp


def domestic_cost(game: Game, contribution: Array) -> Array:
    """c_i = Y_i phi_i (s_i + eta d_i + k_i / Y_i)^2 / 2: the convex political cost of
    the security budget.

    The marginal cost of a euro of bilateral aid, ``phi_i (s_i + eta d_i)``, rises with
    own defence: the two draw on the same political budget.

    Parameters
    ----------
    game : Game
        Its ``gdp``, ``political_cost`` phi_i, ``defence`` and ``defence_weight``.
    contribution : Array
        s_i, share of GDP, ``(..., N)``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., N)``.
    """
    return game.gdp * game.political_cost * security_budget(game, contribution) ** 2 / 2


def eu_cost(game: Game) -> Array:
    """g_i = Y_i phi_i epsilon e_i^2 / 2: the political cost of the nation's EU contribution.

    A line of its own (EU contributions are paid through the EU budget, not the
    nation's aid budget), with weight epsilon (``eu_weight``).

    Parameters
    ----------
    game : Game
        Its ``eu_share`` e_i, ``political_cost`` and ``eu_weight``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., N)``.
    """
    return game.gdp * game.political_cost * game.eu_weight * game.eu_share ** 2 / 2


def us_burden(game: Game, us_effort: Array) -> Array:
    """s_US = X / Y_US, the US effort as a share of US GDP.

    Parameters
    ----------
    game : Game
        Its ``us_gdp``.
    us_effort : Array
        X (USD bn a year).

    Returns
    -------
    Array
        Share of US GDP, shaped as ``us_effort``.
    """
    return us_effort / game.us_gdp


def fair_reference(game: Game, contribution: Array, member: BoolArray, us_effort: Array) -> Array:
    """r_i = w_i s_US + (1 - w_i) * GDP-weighted mean aid burden of the *other* members.

    The aid burden is bilateral plus EU contribution (s + e). With no other member the
    peer part falls back to the US burden.

    Parameters
    ----------
    game : Game
        Its ``fair_share_weight`` w_i, ``gdp``, ``eu_share`` and ``us_gdp``.
    contribution : Array
        s_j, ``(..., N)``.
    member : BoolArray
        m_j, ``(..., N)``.
    us_effort : Array
        X (EUR bn a year), ``(..., 1)``.

    Returns
    -------
    Array
        r_i, share of GDP, ``(..., N)``.
    """
    paid = np.where(member, (contribution + game.eu_share) * game.gdp, 0.0)
    size = np.where(member, game.gdp, 0.0)
    others_paid = paid.sum(-1, keepdims=True) - paid
    others_size = size.sum(-1, keepdims=True) - size
    s_us = us_burden(game, us_effort)
    has_peers = others_size > 1e-9 * game.gdp
    peers = np.where(has_peers, others_paid / np.where(has_peers, others_size, 1.0), s_us)
    w = game.fair_share_weight
    return w * s_us + (1 - w) * peers


def fairness_cost(game: Game, contribution: Array, reference: Array) -> Array:
    """f_i = beta_i Y_i max(0, s_i + e_i - r_i): the cost of feeling like a sucker.

    Aversion to disadvantageous inequity (Fehr & Schmidt 1999): the nation's aid burden
    (bilateral plus EU contribution) against the fair reference.

    Parameters
    ----------
    game : Game
        Its ``sucker_cost`` beta_i, ``gdp`` and ``eu_share``.
    contribution : Array
        s_i, ``(..., N)``.
    reference : Array
        r_i from :func:`fair_reference`, ``(..., N)``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., N)``.
    """
    return game.sucker_cost * game.gdp * np.maximum(0.0, contribution + game.eu_share - reference)


def utility_terms(game: Game, contribution: Array, member: BoolArray,
                  expected_us_effort: Array, us_effort: Array) -> dict[str, Array]:
    """Each term of U_i (EUR bn a year) and the total, for the given profile.

    U_i = [m_i + (1 - m_i) sigma] b_i - c_i - g_i - f_i - omega_i A.

    Parameters
    ----------
    game : Game
    contribution : Array
        s_j, ``(..., N)``.
    member : BoolArray
        m_j, ``(..., N)``.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    us_effort : Array
        X, ``(..., 1)``: the US burden in the fair reference.

    Returns
    -------
    dict of str to Array
        ``benefit`` (after the membership share), ``cost`` (the security budget,
        with any asset risk), ``eu_cost``, ``fairness``, ``opposition`` (a veto player's
        dislike of EU aid) and ``utility``, each ``(..., N)``.
    """
    effort = european_effort(game, contribution)
    benefit = benefit_share(game, member) * security_benefit(game, effort, expected_us_effort)
    cost = domestic_cost(game, contribution)
    eu = eu_cost(game)
    fair = fairness_cost(game, contribution, fair_reference(game, contribution, member, us_effort))
    opposed = game.opposition * game.eu_aid
    total = benefit - cost - eu - fair - opposed
    return {"benefit": benefit, "cost": cost, "eu_cost": eu + 0.0 * contribution,
            "fairness": fair, "opposition": opposed + 0.0 * contribution, "utility": total}


def utility(game: Game, contribution: Array, member: BoolArray,
            expected_us_effort: Array, us_effort: Array) -> Array:
    """U_i for every nation (the ``utility`` entry of :func:`utility_terms`).

    Parameters
    ----------
    game, contribution, member, expected_us_effort, us_effort
        As for :func:`utility_terms`.

    Returns
    -------
    Array
        EUR bn a year, ``(..., N)``.
    """
    return utility_terms(game, contribution, member, expected_us_effort, us_effort)["utility"]


def withdrawal_threshold(game: Game, d: Array | float = 1.0) -> Array:
    """rho*: above it, a nation's marginal value of European effort rises when the US
    withdraws (it steps up); below it, the value falls (it pulls back).

    For the CES and a saturating benefit, d ln v_i / d ln x = (1 - rho_i - D/delta)
    (1 - a) x^rho / (...), so the sign flips at rho* = 1 - D/delta: set by the benefit's
    saturation delta, not by the beliefs alone. With a linear benefit rho* = 1 (only
    perfect substitutes step up). The threshold is local: it reads a small withdrawal
    at deterrence D (1 at the status quo).

    Parameters
    ----------
    game : Game
        Its ``saturation`` delta and ``linear_benefit``.
    d : Array or float
        Deterrence D at which the response is read (1: the status quo).

    Returns
    -------
    Array
        rho*, shaped as the game's scalars.

    Examples
    --------
    >>> g = Game(**{f.name: np.array([[2.0]]) for f in fields(Game)})
    >>> float(withdrawal_threshold(replace(g, linear_benefit=np.array([[False]])))[0, 0])
    0.5
    """
    return np.where(game.linear_benefit, 1.0, 1.0 - d / game.saturation)


# --------------------------------------------------------------------------- best responses
class ValueCurve:
    """v_i(E) = d b_i / d E, the security value to i of one more USD of European effort.

    Built once per solve: the US part of the CES, ``(1-a) x_i^rho_i``, does not change
    while the solver searches over E, so it is computed here and not at every step.
    Equal to the derivative of :func:`security_benefit` (a test checks it).

    Parameters
    ----------
    game : Game
    expected_us_effort : Array
        X_hat_i (USD bn a year), ``(..., N)``.

    Calling it with E (``(..., 1)`` or broadcastable) returns v_i(E), ``(..., N)``.
    """

    def __init__(self, game: Game, expected_us_effort: Array) -> None:
        self.game = game
        x = expected_us_effort / game.us_effort_ref
        cobb = np.abs(game.us_reliance) < RHO_EPS
        self.any_cobb = bool(np.any(cobb))
        self.cobb = cobb
        self.r = np.where(cobb, 1.0, game.us_reliance)
        self.inv_r = 1 / self.r
        a = game.european_weight
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            self.us_part = (1 - a) * _pow(x, self.r)
            self.cd_us = _pow(x, 1 - a) if self.any_cobb else None
        self.coef = game.security_value * game.exposure * game.gdp / game.effort_ref

    def __call__(self, european_effort: Array) -> Array:
        game, r = self.game, self.r
        a = game.european_weight
        e = np.maximum(european_effort / game.effort_ref, TINY)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            er = _pow(e, r)
            total = a * er + self.us_part
            d = _pow(total, self.inv_r)
            slope = a * er / e * (d / total)
            if self.any_cobb:
                d_cd = _pow(e, a) * self.cd_us
                d = np.where(self.cobb, d_cd, d)
                slope = np.where(self.cobb, a * d_cd / e, slope)
        slope = np.where(np.isfinite(slope), slope, 0.0)
        d = np.where(np.isfinite(d), d, 0.0) + game.force_deterrence
        return self.coef * benefit_slope(d, game.saturation, game.linear_benefit) * slope


def marginal_security_value(game: Game, european_effort: Array, expected_us_effort: Array) -> Array:
    """v_i(E) = d b_i / d E: security value to i of one more USD of European effort.

    Parameters
    ----------
    game : Game
    european_effort : Array
        E (USD bn a year).
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.

    Returns
    -------
    Array
        USD of security value per USD of European effort, ``(..., N)``.
    """
    return ValueCurve(game, expected_us_effort)(european_effort)


def _decide(game: Game, v: Array, member: BoolArray) -> Array:
    """Marginal value weighed by i: own share of v_i, or all members' v in a deal."""
    own = benefit_share(game, member) * v
    if not np.any(game.coordinated):
        return own
    joint = np.where(member, v, 0.0).sum(-1, keepdims=True)
    return np.where(game.coordinated & member, joint, own)


def decision_value(game: Game, european_effort: Array, expected_us_effort: Array,
                   member: BoolArray) -> Array:
    """The marginal value of a contribution, per unit of own GDP share, that i weighs.

    Individually (Nash) it is i's own benefit share times v_i. In a coordinated
    coalition a member counts the value to all members (the summit deal); outsiders
    still count only their own.

    Parameters
    ----------
    game : Game
    european_effort : Array
        E, ``(..., 1)``.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    member : BoolArray
        m_i, ``(..., N)``.

    Returns
    -------
    Array
        ``(..., N)``.
    """
    return _decide(game, marginal_security_value(game, european_effort, expected_us_effort), member)


def contribution_bounds(game: Game, member: BoolArray) -> tuple[Array, Array]:
    """The allowed contributions: [s_floor, s_max] for members, [0, s_max] for outsiders.

    Parameters
    ----------
    game : Game
        Its ``pledge_floor`` and ``max_contribution``.
    member : BoolArray
        m_i, ``(..., N)``.

    Returns
    -------
    tuple of Array
        (lower, upper), each ``(..., N)``.
    """
    lower = np.where(member, game.pledge_floor, 0.0)
    return np.broadcast_arrays(lower, game.max_contribution + 0 * lower)


def share_rule(game: Game, value: Array, reference: Array, lower: Array, upper: Array) -> Array:
    """The bilateral aid that equates marginal value and marginal cost.

    Marginal cost is ``phi (s + eta d)`` (the shared budget) while the aid burden
    ``s + e`` is below the fair reference, and that plus ``beta`` above it, so the
    optimum is ``median((value - beta)/phi - eta d, r - e, value/phi - eta d)``
    clipped to the bounds.

    Parameters
    ----------
    game : Game
        Its ``political_cost`` phi, ``sucker_cost`` beta, ``defence``,
        ``defence_weight`` and ``eu_share``.
    value : Array
        The marginal value weighed (:func:`decision_value`), ``(..., N)``.
    reference : Array
        r_i, ``(..., N)``.
    lower, upper : Array
        Bounds from :func:`contribution_bounds`.

    Returns
    -------
    Array
        s_i, ``(..., N)``.
    """
    budget = committed_budget(game)
    above = (value - game.sucker_cost) / game.political_cost - budget
    below = value / game.political_cost - budget
    return np.clip(np.clip(reference - game.eu_share, above, below), lower, upper)


def best_response(game: Game, contribution: Array, member: BoolArray,
                  expected_us_effort: Array, us_effort: Array) -> Array:
    """Every nation's best reply to the others' current contributions.

    Individual nations (and outsiders) each solve their own first-order condition;
    a coordinated coalition picks its members' pledges jointly, holding outsiders'
    contributions fixed. Each solve is a one-dimensional root in the effort E
    (aggregative game, Cornes & Hartley 2007).

    Parameters
    ----------
    game : Game
    contribution : Array
        The current profile s_j, ``(..., N)``; each nation replies to the others'.
    member : BoolArray
        m_j, ``(..., N)``.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    us_effort : Array
        X, ``(..., 1)``.

    Returns
    -------
    Array
        The best replies, share of GDP, ``(..., N)``.
    """
    gdp = game.gdp
    paid = contribution * gdp
    total = european_effort(game, contribution)
    reference = fair_reference(game, contribution, member, us_effort)
    lower, upper = contribution_bounds(game, member)
    curve = ValueCurve(game, expected_us_effort)
    own = benefit_share(game, member)

    # Each nation alone: E = E_-i + s_i(E) Y_i, one root per nation.
    others = total - paid

    def alone(effort: Array) -> Array:
        return others + share_rule(game, own * curve(effort), reference, lower, upper) * gdp - effort

    e_alone = root_from(alone, np.broadcast_to(total, paid.shape))
    response = share_rule(game, own * curve(e_alone), reference, lower, upper)

    together = game.coordinated & member
    if np.any(together):
        outside = total - np.where(member, paid, 0.0).sum(-1, keepdims=True)

        def joint_share(effort: Array) -> Array:
            return share_rule(game, _decide(game, curve(effort), member), reference, lower, upper)

        def deal(effort: Array) -> Array:
            return outside + np.where(member, joint_share(effort) * gdp, 0.0).sum(-1, keepdims=True) - effort

        response = np.where(together, joint_share(root_from(deal, total)), response)
    return response


def root_from(f, guess: Array) -> Array:
    """Root of ``f(E) = h(E) - E`` with ``h`` non-increasing, starting from a guess.

    Since h does not increase, the root lies between E and h(E) = E + f(E) for any
    E: one evaluation at the guess gives a tight bracket for the warm start.

    Parameters
    ----------
    f : callable
        ``f(E)``, vectorised, non-increasing in E.
    guess : Array
        Where to start, ``(..., 1)``.

    Returns
    -------
    Array
        E with f(E) = 0 to :data:`ROOT_TOL` (relative), shaped as ``guess``.
    """
    at_guess = f(guess)
    step = guess + at_guess
    at_step = f(step)
    up = at_guess > 0
    return bracketed_root(f, np.where(up, guess, step), np.where(up, step, guess), ROOT_TOL,
                          f_lo=np.where(up, at_guess, at_step), f_hi=np.where(up, at_step, at_guess))


# --------------------------------------------------------------------------- equilibrium
def _reference_line(game: Game, member: BoolArray, us_effort: Array) -> tuple[Array, Array]:
    """The bilateral aid at the fairness kink as a line in the members' bilateral effort
    E_M: ``s_kink = a + b E_M``.

    The kink is where the aid burden ``t = s + e`` meets the reference. For a member,
    r_i depends on its own s_i through E_M; solving ``t_i = r_i`` gives
    ``t = [w s_US (Y_M - Y_i) + (1-w) (E_M + F_M)] / (Y_M - w Y_i)``, with F_M the
    members' EU contributions (equal to r_i whenever t_i sits at it). Outsiders see all
    members as peers; with no peers the reference is the US burden.
    """
    w = game.fair_share_weight
    s_us = us_burden(game, us_effort)
    member_gdp = np.where(member, game.gdp, 0.0)
    size = member_gdp.sum(-1, keepdims=True)
    eu_paid = (np.where(member, game.eu_share, 0.0) * game.gdp).sum(-1, keepdims=True)
    others = size - member_gdp
    peers = np.where(member, others > 1e-9 * game.gdp, size > 0)
    denom = np.where(member, size - w * game.gdp, size)
    denom = np.where(peers, denom, 1.0)
    intercept = np.where(member, w * s_us * others, w * s_us * size) + (1 - w) * eu_paid
    intercept = np.where(peers, intercept / denom, s_us)
    return intercept - game.eu_share, np.where(peers, (1 - w) / denom, 0.0)


def nash_equilibrium(game: Game, member: BoolArray, expected_us_effort: Array,
                     us_effort: Array, start: Array, value_curve=None) -> Array:
    """The equilibrium contributions for fixed membership, solved directly.

    Individual mode gives the Nash equilibrium; coordinated mode the partial-agreement
    equilibrium (members jointly optimal, outsiders best-responding; Chander & Tulkens
    1997). Solved through the aggregates (Cornes & Hartley 2007): an outer root in the
    European effort E; for each E the marginal values are fixed, so the members' total
    effort E_M that makes the fair references consistent is the fixed point of a
    piecewise-linear map, found without evaluating the value curve again. Where
    fairness makes equilibria non-unique, the one reached from ``start`` in the
    direction the profile would move is chosen (so a status quo that is an
    equilibrium stays put).

    Parameters
    ----------
    game : Game
    member : BoolArray
        m_j, fixed, ``(..., N)``.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    us_effort : Array
        X, ``(..., 1)``.
    start : Array
        The profile the selection starts from, ``(..., N)``.
    value_curve : callable, optional
        Builds the value curve from ``(game, expected_us_effort)``: :class:`ValueCurve`
        (the default), or the round's interpolant (:mod:`model.interpolant`).

    Returns
    -------
    Array
        Equilibrium contributions s_j, ``(..., N)``.
    """
    gdp = game.gdp
    curve = (value_curve or ValueCurve)(game, expected_us_effort)
    lower, upper = contribution_bounds(game, member)
    guess = european_effort(game, start)
    member_gdp = np.where(member, gdp, 0.0)
    current = (start * member_gdp).sum(-1, keepdims=True)
    intercept, slope = _reference_line(game, member, us_effort)
    fair = bool(np.any(game.sucker_cost * (1 - game.fair_share_weight) > 0))
    lo_all, hi_all = (lower * member_gdp).sum(-1, keepdims=True), (upper * member_gdp).sum(-1, keepdims=True)

    budget = committed_budget(game)

    def profile(effort: Array) -> Array:
        value = _decide(game, curve(effort), member)
        low = np.clip((value - game.sucker_cost) / game.political_cost - budget, lower, upper)
        high = np.clip(value / game.political_cost - budget, lower, upper)
        if not fair:
            return np.clip(intercept + slope * current, low, high)

        def gap(member_effort: Array) -> Array:
            paid = np.clip(intercept + slope * member_effort, low, high) * member_gdp
            return paid.sum(-1, keepdims=True) - member_effort

        at_start = gap(current)
        settled = np.abs(at_start) <= ROOT_TOL * np.maximum(current, 1.0)
        up = at_start > 0
        lo = np.where(settled | up, current, lo_all)
        hi = np.where(settled | ~up, current, hi_all)
        root = bracketed_root(gap, lo, hi, ROOT_TOL, f_lo=np.where(up, at_start, np.nan),
                              f_hi=np.where(up, np.nan, at_start))
        return np.clip(intercept + slope * np.where(settled, current, root), low, high)

    effort = root_from(lambda e: european_effort(game, profile(e)) - e, guess)
    return profile(effort)


def is_equilibrium(game: Game, contribution: Array, member: BoolArray,
                   expected_us_effort: Array, us_effort: Array, tol: float = 1e-7) -> BoolArray:
    """True where no nation's best reply differs from its contribution (relative tol).

    Parameters
    ----------
    game, contribution, member, expected_us_effort, us_effort
        As for :func:`best_response`.
    tol : float
        Relative tolerance on each contribution.

    Returns
    -------
    BoolArray
        ``(...)``: one flag per game of the batch.
    """
    reply = best_response(game, contribution, member, expected_us_effort, us_effort)
    scale = np.maximum(np.abs(contribution), 1e-6)
    return np.all(np.abs(reply - contribution) <= tol * scale, axis=-1)


# --------------------------------------------------------------------------- coalition stability
def switch_payoffs(game: Game, member: BoolArray, expected_us_effort: Array, us_effort: Array,
                   start: Array, nations: NDArray[np.int_] | None = None,
                   value_curve=None) -> tuple[Array, Array]:
    """Each nation's equilibrium payoff if it keeps its side, and if it alone switches.

    As coalition-stability theory defines it (d'Aspremont et al. 1983; Carraro &
    Siniscalco 1993; Barrett 1994): compare i's payoff at the equilibrium of the
    current coalition with its payoff at the equilibrium after it alone leaves (if a
    member) or joins (if not), the others re-optimising. ``switch - stay`` > 0 for a
    member means the coalition is not internally stable; for an outsider, not
    externally stable. The current coalition and the K switched ones are solved as one
    batch; each coalition's equilibrium is independent of the others in the batch.

    Parameters
    ----------
    game : Game
    member : BoolArray
        The current coalition, ``(..., N)``.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    us_effort : Array
        X, ``(..., 1)``.
    start : Array
        The profile each equilibrium is selected from, ``(..., N)``.
    nations : int array, optional
        ``(..., K)``: the nations whose switch is evaluated (default: all N, in order).
    value_curve : callable, optional
        As for :func:`nash_equilibrium` (default: the exact :class:`ValueCurve`).

    Returns
    -------
    tuple of Array
        (stay, switch): U_i at the current coalition's equilibrium, ``(..., N)``, and
        each listed nation's U at the equilibrium after it alone switches, ``(..., K)``
        (``(..., N)`` by default), EUR bn a year.
    """
    n = member.shape[-1]
    if nations is None:
        flips = np.eye(n, dtype=bool)
    else:
        flips = np.asarray(nations)[..., :, None] == np.arange(n)  # (..., K, N)
    configs = np.concatenate([member[..., None, :],
                              member[..., None, :] ^ flips], axis=-2)  # (..., K+1, N)
    g = game.expand(-2)
    xhat = expected_us_effort[..., None, :]
    x = us_effort[..., None, :]
    s = nash_equilibrium(g, configs, xhat, x, start[..., None, :], value_curve)
    u = utility(g, s, configs, xhat, x)
    if nations is None:
        return u[..., 0, :], np.diagonal(u[..., 1:, :], axis1=-2, axis2=-1)
    return u[..., 0, :], np.take_along_axis(u[..., 1:, :], np.asarray(nations)[..., None],
                                            axis=-1)[..., 0]


def effort_ceiling(game: Game, expected_us_effort: Array, guess: Array) -> Array:
    """E_bar: no coalition's equilibrium European effort exceeds it (one per game).

    Whatever the coalition, an equilibrium contribution is at most what a nation would
    give if it kept all of the benefit of its aid, or in a coordinated coalition counted
    the value to every nation: ``s_j <= H_j(E) = clip(V_j(E)/phi_j - budget_j, floor_j,
    s_max)`` with ``V_j = v_j`` (or ``sum_k v_k``). Where the value curve does not rise
    in E (rho <= 1 and a concave benefit: the model's range), H does not rise either, so
    every equilibrium effort E* = effort(s*(E*)) <= effort(H(E*)) lies below the root of
    ``effort(H(E)) - E``: that root, rounded up by the solver's tolerance and 1e-9.
    Where the premises fail (a rho above 1, a negative committed budget) it is +inf.

    Parameters
    ----------
    game : Game
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    guess : Array
        Where the root search starts (e.g. the effort of the current profile), ``(..., 1)``.

    Returns
    -------
    Array
        E_bar (EUR bn a year), ``(..., 1)``.
    """
    curve = ValueCurve(game, expected_us_effort)
    budget = committed_budget(game)
    coordinated = np.broadcast_to(game.coordinated, budget.shape[:-1] + (1,))

    def excess(effort: Array) -> Array:
        v = curve(effort) * (1 + 1e-9)  # room for the interpolant's error (5e-15)
        value = np.where(coordinated, v.sum(-1, keepdims=True), v)
        ceiling = np.clip(value / game.political_cost - budget, game.pledge_floor,
                          game.max_contribution)
        return european_effort(game, ceiling) - effort

    root = root_from(excess, guess)
    # excess falls at least as fast as -E, so the true root is below root + excess(root)
    bar = (root + np.maximum(excess(root), 0.0)) * (1 + 1e-9) + 1e-12
    holds = np.all((game.us_reliance <= 1.0) & (budget >= 0.0), axis=-1, keepdims=True)
    return np.where(holds, bar, np.inf)


def switch_payoff_ceiling(game: Game, member: BoolArray, expected_us_effort: Array,
                          effort_bar: Array) -> Array:
    """An upper bound on each nation's payoff after it alone switches side, whatever the
    others then do (:func:`switch_payoffs` solves it exactly).

    A nation that switches keeps its new benefit share of a benefit no larger than at
    :func:`effort_ceiling`, and pays at least the political cost of the least it may
    give (nothing out, the pledge floor in), its EU contribution and its opposition;
    the sucker cost is never negative.

    Parameters
    ----------
    game : Game
    member : BoolArray
        The current coalition, ``(..., N)`` (each nation's bound is for its own switch),
        or any shape that broadcasts against it: ``[False, True]`` on a leading axis
        gives every nation's bound as an outsider joining and as a member leaving.
    expected_us_effort : Array
        X_hat_i, ``(..., N)``.
    effort_bar : Array
        From :func:`effort_ceiling`, ``(..., 1)``.

    Returns
    -------
    Array
        EUR bn a year, ``(..., N)`` (+inf where ``effort_bar`` is).
    """
    switched = ~member
    least, _ = contribution_bounds(game, switched)
    with np.errstate(invalid="ignore"):
        benefit = benefit_share(game, switched) * security_benefit(
            game, np.minimum(effort_bar, 1e300), expected_us_effort)
    bound = benefit - domestic_cost(game, least) - eu_cost(game) - game.opposition * game.eu_aid
    return np.where(np.isfinite(effort_bar), bound, np.inf)


def switching_penalty(game: Game, member: BoolArray, exit_penalty: Array,
                      join_penalty: Array) -> Array:
    """What switching side costs each nation: exit (members) or join (outsiders) penalty x GDP.

    Parameters
    ----------
    game : Game
        Its ``gdp``.
    member : BoolArray
        m_i, ``(..., N)``.
    exit_penalty, join_penalty : Array
        Shares of GDP, ``(..., 1)``.

    Returns
    -------
    Array
        USD bn, ``(..., N)``.
    """
    return np.where(member, exit_penalty, join_penalty) * game.gdp


def stability_margins(game: Game, member: BoolArray, expected_us_effort: Array,
                      us_effort: Array, start: Array, exit_penalty: Array,
                      join_penalty: Array) -> Array:
    """Margin (USD bn a year) by which each nation keeps its side: >= 0 means stable.

    ``penalty * Y_i - gain``: the switching penalty minus the payoff gain
    (:func:`switch_payoffs`); :func:`wants_to_switch` reads it.

    Parameters
    ----------
    game, member, expected_us_effort, us_effort, start
        As for :func:`switch_payoffs`.
    exit_penalty, join_penalty : Array
        As for :func:`switching_penalty`.

    Returns
    -------
    Array
        ``(..., N)``.
    """
    stay, switch = switch_payoffs(game, member, expected_us_effort, us_effort, start)
    return switching_penalty(game, member, exit_penalty, join_penalty) - (switch - stay)


def wants_to_switch(member: BoolArray, margin: Array, tol: Array | float = 0.0) -> BoolArray:
    """Whether a nation switches side, given its stability margin (penalty - gain).

    Ties favour the coalition (d'Aspremont et al. 1983): a member leaves only if the
    gain beats its exit penalty by more than ``tol``; an outsider joins if its gain is
    at least its join penalty, within ``tol``.

    Parameters
    ----------
    member : BoolArray
        m_i.
    margin : Array
        From :func:`stability_margins` (or penalty - gain), same shape.
    tol : Array or float
        Gains this close to the penalty count as ties.

    Returns
    -------
    BoolArray
        True where the nation switches.

    Examples
    --------
    >>> wants_to_switch(np.array([True, False]), np.array([0.0, 0.0])).tolist()
    [False, True]
    """
    return np.where(member, margin < -tol, margin <= tol)
