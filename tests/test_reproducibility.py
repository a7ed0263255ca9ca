"""Same seed, same output to the bit; different seeds differ where noise is on."""

import json

import numpy as np
import pandas as pd

from agents.coalition_model import CoalitionModel

NOISY = dict(noise=0.05, adversary=True, stop_on_verdict=False)


def run(seed, scenario="erratic-us", rounds=40, **params):
    model = CoalitionModel(scenario, rng=seed, **{**NOISY, **params})
    model.run(rounds)
    return model


def test_same_seed_same_run_to_the_bit():
    a, b = run(11), run(11)
    assert json.dumps(a.summary()) == json.dumps(b.summary())
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe(), check_exact=True)
    assert np.array_equal(a.state.contribution, b.state.contribution)
    assert a.events == b.events


def test_different_seeds_differ_when_noise_is_on():
    a, b = run(11), run(12)
    assert not np.array_equal(a.state.contribution, b.state.contribution)


def test_without_noise_or_chance_the_seed_does_not_matter():
    a = CoalitionModel("us-walks-away", rng=1, stop_on_verdict=False).run(30)
    b = CoalitionModel("us-walks-away", rng=2, stop_on_verdict=False).run(30)
    assert a["contributions_end"] == b["contributions_end"]


def test_randomness_comes_only_from_the_models_generator():
    import random

    random.seed(0)
    np.random.seed(0)
    a = run(5).summary()
    random.seed(99)
    np.random.seed(99)
    b = run(5).summary()
    assert a == b
