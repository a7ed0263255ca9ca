"""Any valid model parameters, as a hypothesis strategy (the configuration's own specs)."""

from hypothesis import strategies as st

from model.config import all_params

SKIP = {"nations", "n_nations", "stop_on_verdict", "converge_rounds"}


def value_of(spec):
    if spec.kind is bool:
        return st.booleans()
    if spec.choices is not None:
        return st.sampled_from(spec.choices)
    low = spec.low if spec.low is not None else 0.0
    high = spec.high if spec.high is not None else low + 1.0
    if spec.kind is int:
        return st.integers(int(low), int(min(high, low + 30)))
    if spec.name == "political_cost":
        high = 1e4
    values = st.floats(low, high, exclude_min=spec.low_open, allow_nan=False)
    return st.one_of(st.none(), values) if spec.nullable else values


PARAMS = st.fixed_dictionaries({}, optional={name: value_of(spec) for name, spec in all_params().items()
                                             if name not in SKIP})


def valid(params: dict, scenario: str) -> bool:
    """Whether drawn ``params`` pass the checks across parameters (the floor below the
    maximum, the backstop's threshold below the force's) and suit ``scenario``."""
    spec = all_params()
    floor = params.get("pledge_floor", spec["pledge_floor"].default)
    if floor > params.get("max_contribution", spec["max_contribution"].default):
        return False
    if (params.get("force_threshold_backstop", spec["force_threshold_backstop"].default)
            > params.get("force_threshold", spec["force_threshold"].default)):
        return False
    ceasefire = (params.get("ceasefire_round", -1) >= 0 or params.get("ceasefire_chance", 0) > 0)
    # identical nations have no stated pledges: a ceasefire needs a given troop cost
    return not (scenario == "lq-textbook" and ceasefire and params.get("troop_cost") is None)
