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

from model.errors import CoalitionError, ParameterError
from model.param import Param
from model.policies import policy_names, policy_params

__all__ = ["CoalitionError", "ParameterError", "Param", "MODEL_PARAMS", "NATION_PARAMS",
           "all_params", "spec_for", "split_key", "parse_assignment", "parse_assignments",
           "nest", "flatten", "ModelConfig"]


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
    _p("contribution", None, float, "starting contribution (share of GDP)", low=0.0, high=0.1,
       group="per nation"),
    _p("member", None, bool, "member of the coalition at the start", group="per nation"),
    _p("gdp", None, float, "GDP (USD bn)", low=0.001, high=1e6, group="per nation"),
    _p("core", None, bool, "a core nation: the coalition fractures if it leaves",
       group="per nation"),
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
    allowed = sorted(allowed)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ParameterError(f"unknown {what} {name!r}: {hint}allowed are {', '.join(allowed)}")


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
        if values["pledge_floor"] > values["max_contribution"]:
            raise ParameterError(
                f"pledge_floor = {values['pledge_floor']!r} is not allowed: expected at most "
                f"max_contribution = {values['max_contribution']!r}")
        return cls(values=values, nation_params=nations, scenario=scenario)
