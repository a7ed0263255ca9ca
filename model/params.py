"""Model parameters: names, defaults, allowed values, validated once at the boundary.

Every parameter is a plain keyword with a default. The same names are used by the
model (``CoalitionModel(**params)``), scenario files, the CLI's ``--set``, the app and
sweep files. US-policy parameters (``us_level``, ...) are declared by the policy
classes in :mod:`agents.policies` and merged in here, so a new policy adds its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class CoalitionError(ValueError):
    """Base class of every bad-input error: one message naming field, value, allowed."""


class ParameterError(CoalitionError):
    """A model or per-nation parameter is unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class Param:
    """One parameter: its default, type, allowed values and meaning."""

    name: str
    default: Any
    kind: type
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    group: str = "model"

    def allowed(self) -> str:
        if self.kind is bool:
            return "true or false"
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        kind = "a whole number" if self.kind is int else "a number"
        rng = ""
        if self.low is not None and self.high is not None:
            rng = f" from {self.low:g}{' (exclusive)' if self.low_open else ''} to {self.high:g}"
        elif self.low is not None:
            rng = f" {'above' if self.low_open else 'at least'} {self.low:g}"
        return kind + rng + (" (or none)" if self.nullable else "")

    def validate(self, value: Any, where: str = "") -> Any:
        """Return ``value`` coerced to the parameter's type, or raise ParameterError."""
        label = f"{where}{self.name}"

        def bad(why: str = "") -> ParameterError:
            return ParameterError(f"{label} = {value!r} is not allowed{why}: expected {self.allowed()}")

        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
            if self.nullable:
                return None
            raise bad()
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                return value.strip().lower() in ("true", "yes", "on", "1")
            raise bad()
        if self.kind is str:
            if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
                raise bad()
            return value
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise bad() from None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad()
        if self.kind is int:
            if float(value) != int(value):
                raise bad()
            value = int(value)
        else:
            value = float(value)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad(" (out of range)")
        if self.high is not None and value > self.high:
            raise bad(" (out of range)")
        return value


def _p(name, default, kind, doc, **kw) -> Param:
    return Param(name, default, kind, doc, **kw)


MODEL_PARAMS: tuple[Param, ...] = (
    # --- the United States
    _p("us_policy", "steadfast", str, "US behaviour policy (see `coalition policies`)", group="us"),
    # --- nations' beliefs and tastes (a value here sets every nation's)
    _p("us_reliance", None, float, "rho: how nations see European and US effort combine "
       "(< 0 complements, 0 Cobb-Douglas, 1 substitutes); none = each nation's own from seeds/",
       low=-4.0, high=1.0, nullable=True, group="nations"),
    _p("fair_share_weight", 0.5, float, "w: weight on the US burden (vs European peers') "
       "in a nation's fair-share reference", low=0.0, high=1.0, group="nations"),
    _p("sucker_aversion", 0.3, float, "beta as a fraction of the nation's status-quo marginal "
       "security value: dislike of paying above the fair reference", low=0.0, high=0.95,
       group="nations"),
    _p("exposure", None, float, "theta: threat exposure for every nation; none = from distance "
       "and frontline (seeds/)", low=0.0, high=1.0, nullable=True, group="nations"),
    _p("political_cost", None, float, "phi: convexity of the domestic cost for every nation; "
       "none = calibrated so observed contributions are best responses", low=1e-9, high=1e12,
       nullable=True, group="nations"),
    _p("expectation_memory", 0.5, float, "mu: weight of the old belief when nations update "
       "their expectation of US effort", low=0.0, high=0.99, group="nations"),
    # --- the coalition's rules
    _p("mode", "individual", str, "individual (each maximises its own payoff: Nash) or "
       "coordinated (members agree pledges maximising their joint payoff)",
       choices=("individual", "coordinated"), group="coalition"),
    _p("spillover", 0.5, float, "sigma: share of the security benefit an outsider still gets",
       low=0.0, high=1.0, group="coalition"),
    _p("pledge_floor", 1e-5, float, "minimum contribution of a member (share of GDP)",
       low=0.0, high=0.02, group="coalition"),
    _p("max_contribution", 0.03, float, "maximum contribution (share of GDP); at least "
       "the pledge floor", low=1e-4, high=0.1, group="coalition"),
    _p("exit_penalty", 0.0, float, "reputation cost of leaving (share of GDP)",
       low=0.0, high=0.01, group="coalition"),
    _p("join_penalty", 0.0, float, "cost of joining (share of GDP)", low=0.0, high=0.01,
       group="coalition"),
    _p("adjustment_speed", 0.5, float, "eta: share of the way to its best response a nation "
       "moves each round", low=0.0, high=1.0, low_open=True, group="coalition"),
    _p("noise", 0.0, float, "tau: relative noise on each contribution each round",
       low=0.0, high=1.0, group="coalition"),
    # --- deterrence and benefit
    _p("deterrence_rho", 0.0, float, "rho of the deterrence the adversary actually faces",
       low=-4.0, high=1.0, group="deterrence"),
    _p("benefit", "saturating", str, "shape of B(D): saturating 1 - exp(-D/delta) or linear D",
       choices=("saturating", "linear"), group="deterrence"),
    _p("saturation", 1.0, float, "delta: scale at which the security benefit saturates",
       low=0.01, high=10.0, group="deterrence"),
    _p("security_value", 0.05, float, "V: value of full security as a share of GDP",
       low=1e-6, high=1.0, group="deterrence"),
    # --- the adversary
    _p("adversary", False, bool, "the adversary probes when deterrence is weak",
       group="adversary"),
    _p("probe_rate", 0.5, float, "probability of a probe per round when deterrence is 0",
       low=0.0, high=1.0, group="adversary"),
    _p("rally_strength", 0.2, float, "exposure added to the probed nation (less with distance)",
       low=0.0, high=1.0, group="adversary"),
    _p("rally_decay", 0.6, float, "share of the rally effect left after a round",
       low=0.0, high=0.99, group="adversary"),
    _p("rally_radius_km", 1500.0, float, "distance over which the rally effect falls by 1/e",
       low=1.0, high=20000.0, group="adversary"),
    # --- outcomes
    _p("stop_on_verdict", True, bool, "stop the run once converged or fractured",
       group="verdict"),
    _p("converge_rounds", 10, int, "K: rounds without change needed to call convergence",
       low=1, high=1000, group="verdict"),
    _p("converge_tolerance", 1e-4, float, "largest relative change of a contribution that "
       "counts as no change", low=0.0, high=0.1, low_open=True, group="verdict"),
    _p("fracture_size", 0.5, float, "fractured if the coalition falls below this share of its "
       "initial size", low=0.0, high=1.0, group="verdict"),
    _p("fracture_effort", 0.5, float, "fractured if European effort falls below this share of "
       "its start", low=0.0, high=1.0, group="verdict"),
    # --- which nations
    _p("nations", "data", str, "data (the real nations in seeds/) or identical (synthetic)",
       choices=("data", "identical"), group="nations"),
    _p("n_nations", 10, int, "number of identical nations (nations = identical)",
       low=2, high=1000, group="nations"),
    _p("nation_gdp", 100.0, float, "GDP of each identical nation (USD bn)",
       low=0.001, high=1e6, group="nations"),
    _p("initial_contribution", 0.001, float, "starting contribution of each identical nation "
       "(share of GDP)", low=1e-6, high=0.1, group="nations"),
)

# Fields a scenario or --set may give for one nation (ISO3.field=value).
NATION_PARAMS: tuple[Param, ...] = (
    _p("us_reliance", 0.0, float, "rho of this nation", low=-4.0, high=1.0),
    _p("fair_share_weight", 0.5, float, "w of this nation", low=0.0, high=1.0),
    _p("sucker_aversion", 0.3, float, "sucker aversion of this nation", low=0.0, high=0.95),
    _p("exposure", 0.5, float, "theta of this nation", low=0.0, high=1.0),
    _p("political_cost", 1.0, float, "phi of this nation", low=1e-9, high=1e12),
    _p("contribution", 0.001, float, "starting contribution (share of GDP)", low=0.0, high=0.1),
    _p("member", True, bool, "member of the coalition at the start"),
    _p("gdp", 100.0, float, "GDP (USD bn)", low=0.001, high=1e6),
    _p("core", False, bool, "a core nation: the coalition fractures if it leaves"),
)
NATION_PARAM_BY_NAME = {p.name: p for p in NATION_PARAMS}


def all_params() -> dict[str, Param]:
    """Model parameters plus every registered US policy's own."""
    from agents.policies import policy_params, policy_names

    out = {p.name: p for p in MODEL_PARAMS}
    out["us_policy"] = Param("us_policy", "steadfast", str, out["us_policy"].doc,
                             choices=tuple(policy_names()), group="us")
    for p in policy_params():
        out[p.name] = p
    return out


@dataclass(frozen=True)
class ModelConfig:
    """The validated parameters of one model: ``values`` holds every parameter.

    ``nation_params`` maps ISO3 (or ``N01``.. for identical nations) to per-nation
    overrides. Build it with :meth:`from_inputs`, which applies and checks the layers.
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
    def from_inputs(cls, *layers: Mapping[str, Any], nation_layers=(), scenario="custom") -> ModelConfig:
        """Merge parameter layers (later wins) over the defaults and validate each value."""
        spec = all_params()
        values = {name: p.default for name, p in spec.items()}
        for layer in layers:
            for name, value in layer.items():
                if name not in spec:
                    raise ParameterError(
                        f"unknown parameter {name!r}: allowed are {', '.join(sorted(spec))}")
                values[name] = spec[name].validate(value)
        if values["pledge_floor"] > values["max_contribution"]:
            raise ParameterError(
                f"pledge_floor = {values['pledge_floor']!r} is not allowed: expected at most "
                f"max_contribution = {values['max_contribution']!r}")
        nations: dict[str, dict[str, Any]] = {}
        for layer in nation_layers:
            for code, overrides in layer.items():
                for fname, value in overrides.items():
                    if fname not in NATION_PARAM_BY_NAME:
                        raise ParameterError(
                            f"unknown nation parameter {code}.{fname}: allowed are "
                            + ", ".join(sorted(NATION_PARAM_BY_NAME)))
                    nations.setdefault(code, {})[fname] = NATION_PARAM_BY_NAME[fname].validate(
                        value, where=f"{code}.")
        return cls(values=values, nation_params=nations, scenario=scenario)


def split_assignment(text: str) -> tuple[str, str | None, str]:
    """Parse ``KEY=VALUE`` or ``ISO3.field=VALUE`` (the CLI's --set)."""
    if "=" not in text:
        raise ParameterError(f"--set {text!r} is not allowed: expected KEY=VALUE or ISO3.FIELD=VALUE")
    key, value = text.split("=", 1)
    key = key.strip()
    if "." in key:
        code, fname = key.split(".", 1)
        return fname.strip(), code.strip().upper(), value.strip()
    return key, None, value.strip()
