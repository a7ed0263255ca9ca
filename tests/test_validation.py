"""The 2025 natural experiment, reported honestly (model/validation.py)."""

import numpy as np
import pytest

from model.data import load_nations
from model.validation import validate_2025


def test_observed_2025_ratios_come_from_the_kiel_data():
    v = validate_2025("us-walks-away")
    table = load_nations()
    i = v.iso3.index("NOR")
    assert v.observed_ratio[i] == pytest.approx(table.contribution_2025[i] / table.contribution[i])
    # on-budget, at 2024 prices: national aid rose by a sixth, EU-level aid stayed flat;
    # most of 2025's headline increase was off-budget money (the ERA loans)
    assert v.observed_effort_ratio == pytest.approx(1.16, abs=0.01)
    assert v.observed_eu_ratio == pytest.approx(0.99, abs=0.01)
    assert v.off_budget_2025_bn > 20


def test_predictions_follow_each_scenarios_beliefs():
    complements = validate_2025("us-walks-away", us_reliance=-0.8)
    autonomy = validate_2025("strategic-autonomy")
    assert complements.predicted_effort_ratio < autonomy.predicted_effort_ratio
    assert complements.predicted_eu_ratio < autonomy.predicted_eu_ratio
    assert np.all(np.isfinite(complements.predicted_ratio))
    assert 0 <= complements.direction_agreement <= 1
