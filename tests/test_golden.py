"""Golden runs: every shipped scenario, seed 1, 60 rounds, against its stored result.

A failure means the model's behaviour changed. If the change is deliberate,
regenerate with ``python tests/make_golden.py`` and explain the diff in the commit.
"""

import json
import math

import pytest

from make_golden import GOLDEN, golden_run
from model.scenarios import scenario_names


def close(a, b, path="result"):
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {a} != {b}"
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_matches_its_golden_run(name):
    stored = json.loads((GOLDEN / f"{name}.json").read_text())
    close(golden_run(name), stored, name)
