"""The 2025 natural experiment, reported honestly (model/validation.py)."""

import numpy as np
import pytest

from model.validation import validate_2025


def test_observed_2025_ratios_come_from_the_kiel_data():
    v = validate_2025("us-walks-away")
    i = v.iso3.index("NOR")
    assert v.observed_ratio[i] == pytest.approx(0.010927 / 0.003140, rel=1e-3)
    assert v.observed_effort_ratio == pytest.approx(1.72, abs=0.01)


def test_predictions_follow_each_scenarios_beliefs():
    mixed, autonomy = validate_2025("us-walks-away"), validate_2025("strategic-autonomy")
    assert mixed.predicted_effort_ratio < 1 < autonomy.predicted_effort_ratio
    assert autonomy.direction_agreement > mixed.direction_agreement
    assert np.all(np.isfinite(mixed.predicted_ratio))
