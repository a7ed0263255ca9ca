"""US policies, Axelrod-style: one inherited battery for every policy, plus a short
scripted test each. A policy without a test class here fails the suite."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.policies import POLICY_PARAMS, REGISTRY, USPolicy, get_policy
from model.params import ParameterError


def play(policy: USPolicy, burdens, uniforms=None, effort_ratio=1.0):
    """Feed the policy a script of Europe's burden ratios; return its levels."""
    uniforms = uniforms if uniforms is not None else [0.5] * len(burdens)
    return [policy.step(t + 1, effort_ratio, b, u) for t, (b, u) in enumerate(zip(burdens, uniforms))]


class PolicyTest:
    """The battery every policy gets for free."""

    name: str

    @property
    def cls(self):
        return get_policy(self.name)

    def test_is_registered_with_a_name_description_and_classifier(self):
        assert REGISTRY[self.name] is self.cls
        assert self.cls.description and self.cls.__doc__
        for key in ("memory_depth", "stochastic", "reads_europe"):
            assert key in self.cls.classifier
        assert all(p in POLICY_PARAMS for p in self.cls.reads)

    def test_construction_uses_the_declared_defaults(self):
        policy = self.cls()
        assert policy.params == {k: POLICY_PARAMS[k].default for k in self.cls.reads}

    def test_rejects_unknown_and_out_of_range_parameters(self):
        with pytest.raises(ParameterError, match="has no parameter"):
            self.cls(us_nonsense=1.0)
        for k in self.cls.reads:
            spec = POLICY_PARAMS[k]
            with pytest.raises(ParameterError, match=k):
                self.cls(**{k: (spec.high or 0) + 10})

    def test_reset_forgets_the_run(self):
        policy = self.cls()
        fresh = (policy.level, policy.memory)
        play(policy, [0.1, 3.0, 0.1, 0.2], [0.01, 0.99, 0.01, 0.5])
        policy.reset()
        assert (policy.level, policy.memory) == fresh

    def test_clone_has_the_same_parameters_and_its_own_state(self):
        policy = self.cls()
        play(policy, [0.1, 0.1], [0.01, 0.01])
        twin = policy.clone()
        assert twin.params == policy.params and twin is not policy
        assert (twin.level, twin.memory) == (self.cls().level, self.cls().memory)

    def test_same_random_numbers_same_decisions(self):
        rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
        burdens = list(np.linspace(0.2, 2.0, 15))
        a = play(self.cls(), burdens, list(rng1.random(15)))
        b = play(self.cls(), burdens, list(rng2.random(15)))
        assert a == b

    def test_the_stochastic_flag_tells_whether_random_numbers_matter(self):
        burdens = list(np.linspace(0.2, 2.0, 15))
        same = play(self.cls(), burdens, [0.01] * 15) == play(self.cls(), burdens, [0.99] * 15)
        assert same is not self.cls.classifier["stochastic"]

    def test_level_is_always_between_0_and_1(self):
        @settings(max_examples=30, deadline=None)
        @given(burdens=st.lists(st.floats(0, 5), min_size=1, max_size=12),
               uniforms=st.lists(st.floats(0, 0.999), min_size=12, max_size=12),
               effort=st.floats(0, 4))
        def check(burdens, uniforms, effort):
            levels = play(self.cls(), burdens, uniforms[:len(burdens)], effort_ratio=effort)
            assert all(0.0 <= lv <= 1.0 for lv in levels)

        check()

    def test_vectorised_decision_equals_the_scalar_one(self):
        from agents.policies import USObservation

        rng = np.random.default_rng(0)
        burdens, uniforms = rng.uniform(0, 2, 8), rng.random(8)
        policy = self.cls()
        scalar = [policy.step(3, 1.2, b, u) for b, u in zip(burdens, uniforms)]
        # the batch face: 8 independent runs in one call, each from a fresh policy
        fresh = self.cls()
        obs = USObservation(round=np.full((8, 1), 3.0), level=np.full((8, 1), fresh.level),
                            memory=np.full((8, 1), fresh.memory), effort_ratio=np.full((8, 1), 1.2),
                            burden_ratio=burdens[:, None], deterrence_rho=np.zeros((8, 1)),
                            european_weight=np.full((8, 1), 0.5), saturation=np.ones((8, 1)),
                            linear_benefit=np.zeros((8, 1), bool))
        params = {k: np.full((8, 1), v) for k, v in fresh.params.items()}
        batch, _ = self.cls.decide(obs, params, uniforms[:, None])
        first = self.cls().step(3, 1.2, burdens[0], uniforms[0])
        assert batch[0, 0] == first and scalar[0] == first


class TestSteadfast(PolicyTest):
    name = "steadfast"

    def test_keeps_its_level_whatever_europe_does(self):
        assert play(self.cls(us_level=0.7), [0.0, 5.0, 0.1]) == [0.7, 0.7, 0.7]


class TestIsolationist(PolicyTest):
    name = "isolationist"

    def test_walks_away_from_the_first_round(self):
        assert play(self.cls(), [1.0, 3.0]) == [0.0, 0.0]


class TestWithdrawing(PolicyTest):
    name = "withdrawing"

    def test_cuts_a_fixed_amount_each_round_from_the_start_round(self):
        levels = play(self.cls(us_withdraw_start=3, us_withdraw_rate=0.25), [1.0] * 7)
        assert levels == [1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]


class TestReciprocal(PolicyTest):
    name = "reciprocal"

    def test_matches_europes_burden_relative_to_its_demand(self):
        assert play(self.cls(us_demand=2.0), [1.0, 2.0, 4.0, 0.0]) == [0.5, 1.0, 1.0, 0.0]


class TestTransactional(PolicyTest):
    name = "transactional"

    def test_punishes_below_the_demand_and_returns_only_clearly_above_it(self):
        policy = self.cls(us_demand=1.0, us_hysteresis=0.2, us_low_level=0.1)
        # 0.95 is inside the band: still engaged; 0.85 below: punish; 1.05 inside: still
        # punishing; 1.15 above the band: engaged again
        assert play(policy, [0.95, 0.85, 1.05, 1.15, 0.95]) == [1.0, 0.1, 0.1, 1.0, 1.0]


class TestErratic(PolicyTest):
    name = "erratic"

    def test_switches_when_the_draw_falls_below_the_switch_probability(self):
        policy = self.cls(us_switch_prob=0.3, us_low_level=0.2)
        assert play(policy, [1.0] * 4, [0.5, 0.1, 0.9, 0.29]) == [1.0, 0.2, 0.2, 1.0]

    def test_switches_at_the_stated_rate_on_average(self):
        rng = np.random.default_rng(1)
        levels = play(self.cls(us_switch_prob=0.2), [1.0] * 4000, list(rng.random(4000)))
        switches = np.sum(np.diff(levels) != 0)
        assert 0.17 < switches / 4000 < 0.23


class TestStrategic(PolicyTest):
    name = "strategic"

    def test_the_status_quo_is_optimal_for_a_stake_of_one(self):
        assert self.cls(us_stake=1.0).step(1, 1.0, 1.0, 0.5, deterrence_rho=0.0,
                                           european_weight=0.5) == pytest.approx(1.0)

    def test_free_rides_when_europe_steps_up_and_efforts_are_substitutes(self):
        low = self.cls().step(1, 1.0, 1.0, 0.5, deterrence_rho=1.0, european_weight=0.5)
        high = self.cls().step(1, 2.0, 1.0, 0.5, deterrence_rho=1.0, european_weight=0.5)
        assert high < low

    def test_a_us_that_values_deterrence_less_commits_less(self):
        assert self.cls(us_stake=0.3).step(1, 1.0, 1.0, 0.5) < self.cls(us_stake=1.0).step(1, 1.0, 1.0, 0.5)


def test_every_registered_policy_has_a_test_class():
    tested = {cls.name for cls in PolicyTest.__subclasses__()}
    assert tested == set(REGISTRY)
    assert len(REGISTRY) >= 7
