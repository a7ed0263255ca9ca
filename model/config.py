"""The model's configuration: every parameter, per-nation overrides, and how they are
written (``KEY=VALUE``, ``ISO3.field=VALUE``), validated once at the boundary.

Every parameter is a plain keyword with a default. The same names are used by the
model (``CoalitionModel(**params)``), scenario files, the CLI's ``--set``, the app and
sweep files, and all of them come through this module: :func:`parse_assignments`
reads ``KEY=VALUE`` lines, :func:`split_key` is the one reading of ``ISO3.field``,
:func:`spec_for` finds the declaration that checks a value, and
:meth:`ModelConfig.from_layers` merges layers of overrides (later wins) over the
defaults. US-policy parameters (``us_level``, ...) are declared by the policies in
:mod:`model.policies` and merged in here, so a new policy adds its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from model.conditions import strategy_names
from model.errors import CoalitionError, ParameterError
from model.param import Param
from model.policies import policy_names, policy_params

__all__ = ["CoalitionError", "ParameterError", "Param", "MODEL_PARAMS", "NATION_PARAMS",
           "all_params", "spec_for", "split_key", "inert_reason", "parse_assignment", "parse_assignments",
           "nest", "flatten", "ModelConfig"]


def _p(name, default, kind, doc, **kw) -> Param:
    return Param(name, default, kind, doc, **kw)


ABSORBED_BY_PHI = ("absorbed by the calibration: the political cost phi of every nation is solved "
                   "so that observed aid is its best response, and phi scales with this "
                   "parameter, so no decision changes (it still scales the utility levels "
                   "shown, and the adversary's targeting)")

MODEL_PARAMS: tuple[Param, ...] = (
    # --- the United States
    _p("us_policy", "steadfast", str, "US behaviour policy (see `coalition policies`)", group="us",
       label="US policy"),
    _p("us_announces", -1, int, "round in which the US announces that it stops all effort "
       "(-1: never); nations believe an announcement as announcement_credibility says",
       low=-1, high=100000, group="us"),
    # --- nations' beliefs about how European and US effort combine (pooled parameters)
    _p("us_reliance", 0.0, float, "rho, the mean belief of how European and US effort combine "
       "in deterrence: below 0 they are complements (European effort is weak without the "
       "US), 0 Cobb-Douglas, 1 perfect substitutes (Europe can stand in for the US)",
       low=-4.0, high=1.0, group="beliefs",
       label="European belief rho (<0: needs the US, 1: can replace it)"),
    _p("us_reliance_spread", 0.0, float, "spread (standard deviation) of nations' beliefs "
       "rho around the mean; each nation's deviation is drawn by belief_draw",
       low=0.0, high=3.0, group="beliefs",
       label="spread of beliefs rho across nations (s.d.)"),
    _p("us_reliance_frontline", 0.0, float, "shift of rho for frontline states (a land "
       "border with Russia or Belarus)", low=-3.0, high=3.0, group="beliefs",
       label="frontline states' shift of rho"),
    _p("belief_draw", 0, int, "which draw of the nations' belief deviations (a plausible "
       "world); 0, 1, 2, ... give different, reproducible draws", low=0, high=2**31 - 1,
       group="beliefs",
       label="draw of the nations' belief deviations"),
    # --- what nations believe about the kind of US they face (Bayesian learning)
    _p("prior_steadfast", 0.85, float, "prior weight on a steadfast US", low=0.0, high=1.0,
       group="learning"),
    _p("prior_transactional", 0.05, float, "prior weight on a transactional US (engaged only "
       "while Europe meets its demand)", low=0.0, high=1.0, group="learning"),
    _p("prior_erratic", 0.05, float, "prior weight on an erratic US (switches at random)",
       low=0.0, high=1.0, group="learning"),
    _p("prior_gone", 0.05, float, "prior weight on a US that has walked away",
       low=0.0, high=1.0, group="learning"),
    _p("belief_noise", 0.2, float, "how noisy nations take a US signal to be (standard "
       "deviation of the observed commitment around what each kind of US would do)",
       low=0.01, high=2.0, group="learning",
       label="noise nations read into US signals (s.d.)"),
    _p("belief_hazard", 0.1, float, "chance per year that the kind of US changes (e.g. a new "
       "administration): beliefs drift back towards the prior at this rate",
       low=0.0, high=1.0, group="learning",
       label="chance per year the kind of US changes"),
    _p("announcement_credibility", 1.0, float, "weight nations give a US announcement that "
       "it stops (1: believed at once)", low=0.0, high=1.0, group="learning",
       label="credibility of a US announcement (0-1)"),
    # --- nations' tastes (a value here sets every nation's)
    _p("fair_share_weight", 0.5, float, "w: weight on the US burden (vs European peers') "
       "in a nation's fair-share reference", low=0.0, high=1.0, group="nations",
       label="weight on the US burden in the fair share (0-1)"),
    _p("sucker_aversion", 0.3, float, "how much a nation dislikes paying more than its fair "
       "share (beta), as a fraction of what one more euro of European effort is worth to "
       "it at the status quo", low=0.0, high=0.95, group="nations",
       label="sucker aversion (share of the value of effort)"),
    _p("exposure", None, float, "theta: threat exposure for every nation; none = from "
       "distance and frontline (seeds/)", low=0.0, high=1.0, nullable=True, group="nations",
       absorbed=ABSORBED_BY_PHI),
    _p("political_cost", None, float, "phi: convexity of the political cost of the security "
       "budget for every nation; none = calibrated so observed aid is a best response",
       low=1e-9, high=1e12, nullable=True, group="nations"),
    # --- the budget: own defence and aid
    _p("defence_path", "hague", str, "own defence spending over time: observed (the NATO/SIPRI "
       "series, then held), hague (observed, then a straight path to the Hague target), or "
       "hold (the 2022-24 level throughout)", choices=("observed", "hague", "hold"),
       group="budget"),
    _p("defence", None, float, "own defence of every nation (share of GDP), held throughout "
       "instead of its path; none = each nation's own (its data, or 0 for identical nations)",
       low=0.0, high=0.2, nullable=True, group="budget"),
    _p("hague_target", 0.035, float, "core defence the Hague commitment asks of NATO members "
       "(share of GDP)", low=0.0, high=0.1, group="budget",
       label="Hague core-defence target (share of GDP)"),
    _p("hague_year", 2035, int, "year by which the Hague target is reached", low=2026,
       high=2100, group="budget",
       label="year the Hague target is reached"),
    _p("defence_budget_weight", 0.02, float, "eta: how much a euro of own defence weighs in the "
       "same political budget as aid (1: one budget, 0: separate budgets)", low=0.0,
       high=1.0, group="budget",
       label="own defence's weight in the aid budget (0-1)"),
    _p("defence_joint_product", 0.02, float, "lambda: share of a euro of own defence that "
       "also deters (Sandler's joint products), counted in European effort",
       low=0.0, high=1.0, group="budget",
       label="share of own defence that deters (0-1)"),
    # --- the EU channel
    _p("eu_channel", True, bool, "EU-level aid decided by the Council (off: the EU's aid stays "
       "at its status quo)", group="eu"),
    _p("eu_budget_weight", None, float, "epsilon: political weight of an EU contribution in a "
       "member's budget; none = calibrated so the Council's deal reproduces the observed "
       "EU aid at the status quo", low=1e-6, high=1e6, nullable=True, group="eu"),
    _p("veto_opposition", 0.25, float, "how much the most frequent vetoer dislikes EU aid to "
       "Ukraine: its loss per euro of EU aid, in euros (other veto players in proportion to "
       "their record of vetoes)", low=0.0, high=10.0, group="eu",
       label="veto player's loss per euro of EU aid (EUR)"),
    _p("veto_delay", 1, int, "rounds a blocked EU proposal waits before it goes ahead without "
       "the blockers (enhanced cooperation, opt-outs)", low=0, high=1000, group="eu",
       label="rounds a blocked EU proposal waits"),
    # --- money that costs no national budget
    _p("off_budget", "observed", str, "off-budget money (the G7 ERA loans, serviced by profits "
       "on immobilised Russian assets): observed (the schedule in seeds/off_budget.csv), hold "
       "(the 2022-24 rate throughout) or none", choices=("observed", "hold", "none"),
       group="off-budget"),
    _p("reparations_loan", 0.0, float, "money mobilised a year from the immobilised Russian "
       "assets themselves (the reparations loan; about EUR 260 bn of assets), EUR bn a year",
       low=0.0, high=300.0, group="off-budget",
       label="reparations loan (EUR bn a year)"),
    _p("reparations_rounds", 3, int, "rounds over which the reparations loan is paid out",
       low=0, high=1000, group="off-budget"),
    _p("reparations_risk", 0.1, float, "legal and financial risk borne by the states that hold "
       "the assets, per euro mobilised (a cost to them, mostly Belgium)", low=0.0, high=1.0,
       group="off-budget",
       label="asset holders' risk per euro mobilised"),
    # --- the coalition's rules
    _p("mode", "individual", str, "individual (each maximises its own payoff: Nash) or "
       "coordinated (members agree pledges maximising their joint payoff)",
       choices=("individual", "coordinated"), group="coalition",
       label="behaviour (individual Nash or coordinated deal)"),
    _p("spillover", 0.5, float, "sigma: share of the security benefit an outsider still gets",
       low=0.0, high=1.0, group="coalition",
       label="benefit an outsider still gets (share)"),
    _p("pledge_floor", 1e-5, float, "minimum bilateral aid of a member (share of GDP)",
       low=0.0, high=0.02, group="coalition",
       label="members' minimum aid (share of GDP)"),
    _p("max_contribution", 0.03, float, "maximum bilateral aid (share of GDP); at least "
       "the pledge floor", low=1e-4, high=0.1, group="coalition",
       label="maximum aid (share of GDP)"),
    _p("exit_penalty", None, float, "reputation cost of leaving (share of GDP); none = "
       "revealed: each member's largest gain from leaving along the observed 2022-2025 path "
       "(nobody left), the least penalty consistent with the data", low=0.0, high=0.01,
       nullable=True, group="coalition",
       label="exit penalty (share of GDP)"),
    _p("penalty_scale", 1.0, float, "multiplies the revealed exit and join penalties (1: the "
       "least penalty consistent with the data; more: a stronger commitment)", low=0.0,
       high=100.0, group="coalition",
       label="revealed penalties x (1 = least the data allow)"),
    _p("join_penalty", None, float, "cost of joining (share of GDP); none = revealed: each "
       "outsider's largest gain from joining along the observed 2022-2025 path (it did not "
       "join)", low=0.0, high=0.01, nullable=True, group="coalition",
       label="join penalty (share of GDP)"),
    _p("adjustment_speed", 0.5, float, "eta: share of the way to its best response a nation "
       "(and the EU) moves in a year", low=0.0, high=1.0, low_open=True, group="coalition",
       label="adjustment speed (share of the way a year)"),
    _p("noise", 0.0, float, "tau: relative noise on each contribution each round",
       low=0.0, high=1.0, group="coalition",
       label="noise on contributions (relative s.d.)"),
    # --- deterrence and benefit
    _p("deterrence_rho", 0.0, float, "rho of the deterrence the adversary actually faces",
       low=-4.0, high=1.0, group="deterrence",
       label="rho the adversary faces"),
    _p("benefit", "saturating", str, "shape of B(D): saturating 1 - exp(-D/delta) or linear D",
       choices=("saturating", "linear"), group="deterrence"),
    _p("saturation", 1.0, float, "delta: scale at which the security benefit saturates; it "
       "sets the withdrawal threshold rho* = 1 - D/delta (coalition calibration)",
       low=0.01, high=10.0, group="deterrence",
       label="saturation of the security benefit (delta)"),
    _p("security_value", 0.05, float, "V: value of full security as a share of GDP",
       low=1e-6, high=1.0, group="deterrence", absorbed=ABSORBED_BY_PHI),
    # --- the ceasefire and the reassurance force (model.force, model.conditions)
    _p("ceasefire_round", -1, int, "round in which a ceasefire begins and the reassurance "
       "force is raised (-1: not on a fixed round)", low=-1, high=100000, group="force",
       label="round of the ceasefire"),
    _p("ceasefire_chance", 0.0, float, "chance per round that a ceasefire begins (drawn from "
       "the run's own stream of events, so it leaves the other random numbers alone)",
       low=0.0, high=1.0, group="force",
       label="chance of a ceasefire per round"),
    _p("initial_pledges", "stated", str, "the troop offers nations start from at the ceasefire: "
       "stated (the public pledges in seeds/forces.csv) or none", choices=("stated", "none"),
       group="force"),
    _p("force_threshold", 64000.0, float, "troops the force needs to be credible without a US "
       "backstop (the 64,000 of the initial UK concept; a planning figure, seeds/troop-pledges.csv)",
       low=0.0, high=1e6, low_open=True, group="force",
       label="troops a credible force needs without US backstop"),
    _p("force_threshold_backstop", 25000.0, float, "troops it needs with a US backstop (the "
       "25,000 planners called a major challenge; at most force_threshold)", low=0.0,
       high=1e6, low_open=True, group="force",
       label="troops a credible force needs with a US backstop"),
    _p("force_threshold_width", 0.1, float, "how sharp the threshold is: the width of the rise "
       "in credibility, as a share of the threshold", low=0.0, high=1.0, low_open=True,
       group="force"),
    _p("force_weight", 0.25, float, "omega: deterrence of a fully credible force without a "
       "backstop, in units of the 2022-24 deterrence of aid and the US (1)", low=0.0,
       high=10.0, group="force",
       label="deterrence of a credible force (1 = 2022-24 aid and US)"),
    _p("backstop_multiplier", 2.0, float, "mu: what a US backstop multiplies the force's "
       "deterrence by", low=1.0, high=10.0, group="force",
       label="what a US backstop multiplies the force's deterrence by"),
    _p("troop_unit", 150, int, "troops in one unit of a pledge (150: a company; pledges are "
       "whole units)", low=1, high=10000, group="force"),
    _p("troop_cost_exponent", 2.0, float, "gamma: how steeply the domestic cost of troops rises "
       "with the share of a nation's sustainable forces deployed", low=1.0, high=6.0,
       group="force",
       label="steepness of troops' domestic cost (gamma)"),
    _p("troop_sustainable_share", 0.08, float, "share of active personnel a nation can keep "
       "deployed (NATO's usability target: 8% sustainable, Istanbul 2004)", low=0.0, high=1.0,
       low_open=True, group="force"),
    _p("troop_cost", None, float, "kappa: the cost of deploying all of a nation's sustainable "
       "forces, as a share of its GDP; none = calibrated so each stated pledge is the "
       "nation's best offer", low=0.0, high=1e6, nullable=True, group="force"),
    # --- the adversary
    _p("adversary", False, bool, "the adversary probes when deterrence is weak",
       group="adversary"),
    _p("probe_rate", 0.5, float, "probability of a probe per round when deterrence is 0",
       low=0.0, high=1.0, group="adversary",
       label="chance of a probe per round at zero deterrence"),
    _p("rally_strength", 0.2, float, "exposure added to the probed nation (less with distance)",
       low=0.0, high=1.0, group="adversary",
       label="exposure a probe adds to its target"),
    _p("rally_decay", 0.6, float, "share of the rally effect left after a round",
       low=0.0, high=0.99, group="adversary"),
    _p("rally_radius_km", 1500.0, float, "distance over which the rally effect falls by 1/e",
       low=1.0, high=20000.0, group="adversary",
       label="reach of a probe's rally effect (km)"),
    # --- time
    _p("round_length", "year", str, "what one round is: a year or a quarter (behavioural "
       "rates are per year and converted; the US policies' parameters are per round)",
       choices=("year", "quarter"), group="time"),
    # --- outcomes
    _p("stop_on_verdict", True, bool, "stop the run once converged or fractured",
       group="verdict"),
    _p("converge_rounds", 10, int, "K: rounds without change needed to call convergence",
       low=1, high=1000, group="verdict"),
    _p("converge_tolerance", 1e-4, float, "largest relative change of a contribution that "
       "counts as no change", low=0.0, high=0.1, low_open=True, group="verdict"),
    _p("fracture_size", 0.5, float, "fractured if the coalition falls below this share of its "
       "initial size", low=0.0, high=1.0, group="verdict",
       label="fractured below this share of members"),
    _p("fracture_effort", 0.5, float, "fractured if European aid falls below this share of "
       "its start", low=0.0, high=1.0, group="verdict",
       label="fractured below this share of aid"),
    # --- which nations
    _p("nations", "data", str, "data (the real nations in seeds/) or identical (synthetic)",
       choices=("data", "identical"), group="nations"),
    _p("n_nations", 10, int, "number of identical nations (nations = identical)",
       low=2, high=1000, group="nations",
       label="number of identical nations"),
    _p("nation_gdp", 100.0, float, "GDP of each identical nation (EUR bn)",
       low=0.001, high=1e6, group="nations"),
    _p("initial_contribution", 0.001, float, "starting bilateral aid of each identical nation "
       "(share of GDP)", low=1e-6, high=0.1, group="nations"),
)

_MODEL_BY_NAME = {p.name: p for p in MODEL_PARAMS}


def _per_nation(name: str) -> Param:
    """A model parameter that can also be set for one nation: the same declaration."""
    return replace(_MODEL_BY_NAME[name], default=None, nullable=False, group="per nation")


# Fields a scenario or --set may give for one nation (ISO3.field=value). Where a model
# parameter of the same name sets every nation's value, this is that declaration;
# default None means "the nation's own value" (its data, or the model parameter).
NATION_PARAMS: tuple[Param, ...] = (
    _per_nation("us_reliance"),
    _per_nation("fair_share_weight"),
    _per_nation("sucker_aversion"),
    _per_nation("exposure"),
    _per_nation("political_cost"),
    _p("contribution", None, float, "starting bilateral aid (share of GDP)", low=0.0, high=0.1,
       group="per nation"),
    _per_nation("defence"),
    _p("member", None, bool, "member of the coalition at the start", group="per nation"),
    _p("gdp", None, float, "GDP (EUR bn)", low=0.001, high=1e6, group="per nation"),
    _p("core", None, bool, "a core nation: the coalition fractures if it leaves",
       group="per nation"),
    _p("eu_member", None, bool, "takes part in (and pays for) the EU channel",
       group="per nation"),
    _p("veto_player", None, bool, "can veto an EU decision (unanimity)", group="per nation"),
    _per_nation("veto_opposition"),
    _p("veto_linkage", None, float, "the most a veto player can be paid to lift its veto "
       "(EUR bn a year: released EU funds and other linkage)", low=0.0, high=1000.0,
       group="per nation"),
    _p("off_budget_lending", None, float, "an off-budget lender's lending (EUR bn a year "
       "while the observed schedule runs), instead of its schedule; lenders only",
       low=0.0, high=1000.0, group="per nation"),
    _p("asset_holding", None, float, "share of the immobilised Russian assets held in this "
       "nation (it bears the reparations loan's risk in this share)", low=0.0, high=1.0,
       group="per nation"),
    _p("troop_strategy", None, str, "the nation's stance on the reassurance force (see "
       "`coalition strategies`)", choices=tuple(strategy_names()), group="per nation"),
    _p("troop_condition_others", None, int, "K of if_others: the other nations that must "
       "deploy", low=0, high=1000, group="per nation"),
    _p("troop_condition_force", None, float, "T of if_force_reaches, troops (none: the "
       "force's credibility threshold)", low=0.0, high=1e6, low_open=True, group="per nation"),
    _p("troop_condition_nations", None, str, "the nations if_nations names, as ISO3 codes "
       "(e.g. \"GBR FRA\")", group="per nation"),
    _p("troops_start", None, float, "troops offered at the ceasefire (a whole number of "
       "troop_unit, at most the capacity); none = as initial_pledges says", low=0.0,
       high=1e6, group="per nation"),
    _p("troops_target", None, float, "the stated pledge the troop cost is calibrated to "
       "(troops, at most the capacity)", low=0.0, high=1e6, group="per nation"),
    _p("troop_capacity", None, float, "troops the nation can keep deployed (none: "
       "troop_sustainable_share of its active personnel)", low=0.0, high=1e6,
       group="per nation"),
    _per_nation("troop_cost"),
)
NATION_PARAM_BY_NAME = {p.name: p for p in NATION_PARAMS}


def all_params() -> dict[str, Param]:
    """Model parameters plus every registered US policy's own."""
    out = dict(_MODEL_BY_NAME)
    out["us_policy"] = replace(out["us_policy"], choices=tuple(policy_names()))
    for p in policy_params():
        out[p.name] = p
    return out


def _unknown(name: str, allowed: Iterable[str], what: str = "parameter") -> ParameterError:
    """Unknown ``name``: the closest allowed name if there is one (difflib), else the list."""
    allowed = sorted(allowed)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    if close and difflib.SequenceMatcher(None, name, close[0]).ratio() >= 0.8:  # a typo
        return ParameterError(f"unknown {what} {name!r}: {hint}(`coalition parameters` lists "
                              "every parameter)")
    return ParameterError(f"unknown {what} {name!r}: {hint}allowed are {', '.join(allowed)}")


# Parameters that change nothing unless another has a value: name -> (the condition on the
# model's other values, what it applies to). See inert_reason().
_FORCE = ("force_threshold", "force_threshold_backstop", "force_threshold_width", "force_weight",
          "backstop_multiplier", "troop_unit", "troop_cost_exponent", "troop_sustainable_share",
          "troop_cost", "initial_pledges", "us_backstop", "us_backstop_price")
_NATION_FORCE = ("troop_strategy", "troop_condition_others", "troop_condition_force",
                 "troop_condition_nations", "troops_start", "troops_target", "troop_capacity",
                 "troop_cost")
_ceasefire = (lambda v: v["ceasefire_round"] >= 0 or v["ceasefire_chance"] > 0,
              "it applies only after a ceasefire (set ceasefire_round or ceasefire_chance)")
APPLIES_ONLY_IF = {
    **{name: (lambda v: v["nations"] == "identical", "it applies only to synthetic nations "
              "(nations = identical)") for name in ("n_nations", "nation_gdp",
                                                    "initial_contribution")},
    **{name: _ceasefire for name in _FORCE},
    **{name: (lambda v: bool(v["adversary"]), "it applies only when the adversary probes "
              "(adversary = true)") for name in ("probe_rate", "rally_strength", "rally_decay",
                                                 "rally_radius_km")},
    **{name: (lambda v: v["reparations_loan"] > 0, "it applies only with a reparations loan "
              "(reparations_loan above 0)") for name in ("reparations_rounds", "reparations_risk")},
    **{name: (lambda v: v["defence_path"] == "hague" and v["defence"] is None, "it applies "
              "only on the Hague path of own defence (defence_path = hague, defence = none)")
       for name in ("hague_target", "hague_year")},
}
# Read by nations' learning about the US whatever the policy (model.beliefs).
LEARNING_READS = ("us_demand", "us_hysteresis", "us_switch_prob")


def inert_reason(key: str, values: Mapping[str, Any]) -> str | None:
    """Why setting ``key`` (a parameter or ``ISO3.field``) changes nothing in a model
    whose parameters are ``values`` (every model parameter, validated), or None if it
    can matter: one of a US policy not in use, or one whose mechanism is switched off
    (:data:`APPLIES_ONLY_IF`). The app refuses such a setting rather than accept it
    silently; ``coalition run`` notes it. (A parameter the calibration absorbs still
    scales the utility levels shown, so it is not inert.)
    """
    from model.policies import get_policy

    code, name = split_key(key)
    if code is not None:
        if name in _NATION_FORCE and not _ceasefire[0](values):
            return f"{key} changes nothing here: {_ceasefire[1]}"
        return None
    spec = all_params()[name]
    if name in APPLIES_ONLY_IF:
        holds, why = APPLIES_ONLY_IF[name]
        if not holds(values):
            return f"{name} changes nothing here: {why}"
    policy = get_policy(values["us_policy"])
    if spec.group == "us" and name in {p.name for p in policy_params()} \
            and name not in policy.reads and name not in LEARNING_READS:
        return (f"{name} changes nothing here: the US policy {policy.name!r} does not read it "
                f"(it reads {', '.join(policy.reads) or 'nothing'})")
    return None


def split_key(key: str) -> tuple[str | None, str]:
    """``"DEU.us_reliance"`` -> ``("DEU", "us_reliance")``; ``"us_level"`` -> ``(None, "us_level")``.

    The one reading of the ``ISO3.field`` notation (nation codes are upper-cased).
    """
    key = key.strip()
    if "." in key:
        code, name = key.split(".", 1)
        return code.strip().upper(), name.strip()
    return None, key


def spec_for(key: str) -> Param:
    """The declaration that checks ``key`` (a model parameter or ``ISO3.field``)."""
    code, name = split_key(key)
    if code is not None:
        if name not in NATION_PARAM_BY_NAME:
            raise _unknown(f"{code}.{name}", (f"{code}.{n}" for n in NATION_PARAM_BY_NAME),
                           "nation parameter")
        return NATION_PARAM_BY_NAME[name]
    spec = all_params()
    if name not in spec:
        raise _unknown(name, spec)
    return spec[name]


def validate(key: str, value: Any) -> Any:
    """``value`` checked and coerced by :func:`spec_for` ``(key)``; errors name the key."""
    code, _ = split_key(key)
    return spec_for(key).validate(value, where=f"{code}." if code else "")


def parse_assignment(text: str) -> tuple[str, str]:
    """``"KEY=VALUE"`` or ``"ISO3.field=VALUE"`` -> (key, value text), not yet validated."""
    if "=" not in text:
        raise ParameterError(f"setting {text.strip()!r} is not allowed: expected KEY=VALUE or "
                             "ISO3.FIELD=VALUE")
    key, value = text.split("=", 1)
    code, name = split_key(key)
    return (f"{code}.{name}" if code else name), value.strip()


def parse_assignments(lines: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` lines (blank lines and ``#`` comments skipped) as one flat layer."""
    out: dict[str, str] = {}
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = parse_assignment(line)
            out[key] = value
    return out


def nest(flat: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A flat layer -> (model parameters, ``{ISO3: {field: value}}``)."""
    params: dict[str, Any] = {}
    nations: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        code, name = split_key(key)
        if code is None:
            params[name] = value
        else:
            nations.setdefault(code, {})[name] = value
    return params, nations


def flatten(params: Mapping[str, Any] | None = None,
            nations: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """(model parameters, ``{ISO3: {field: value}}``) -> one flat layer."""
    out = dict(params or {})
    for code, fields_ in (nations or {}).items():
        for name, value in fields_.items():
            out[f"{code.upper()}.{name}"] = value
    return out


@dataclass(frozen=True)
class ModelConfig:
    """The validated parameters of one model: ``values`` holds every parameter.

    ``nation_params`` maps ISO3 (or ``N01``.. for identical nations) to per-nation
    overrides. Build it with :meth:`from_layers`, which applies and checks the layers.
    """

    values: Mapping[str, Any]
    nation_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    scenario: str = "custom"

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def from_layers(cls, *layers: Mapping[str, Any], scenario: str = "custom") -> ModelConfig:
        """Merge flat layers of overrides (later wins) over the defaults, validating each.

        A layer maps a parameter name or ``ISO3.field`` to a value (the value may be
        text, as ``--set`` gives it); see :func:`flatten` for nested per-nation input.
        """
        spec = all_params()
        values = {name: p.default for name, p in spec.items()}
        nations: dict[str, dict[str, Any]] = {}
        for layer in layers:
            for key, value in layer.items():
                code, name = split_key(key)
                checked = validate(key, value)
                if code is None:
                    values[name] = checked
                else:
                    nations.setdefault(code, {})[name] = checked
        if values["force_threshold_backstop"] > values["force_threshold"]:
            raise ParameterError(
                f"force_threshold_backstop = {values['force_threshold_backstop']!r} is not "
                f"allowed: expected at most force_threshold = {values['force_threshold']!r} (a "
                "US backstop lowers the threshold)")
        if values["pledge_floor"] > values["max_contribution"]:
            raise ParameterError(
                f"pledge_floor = {values['pledge_floor']!r} is not allowed: expected at most "
                f"max_contribution = {values['max_contribution']!r}")
        return cls(values=values, nation_params=nations, scenario=scenario)
