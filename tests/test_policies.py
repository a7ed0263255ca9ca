"""US policies, Axelrod-style: one inherited battery for every policy, plus a short
scripted test each. A policy without a test class here fails the suite."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.policies import observation, parameters, play
from model.config import ParameterError, all_params
from model.policies import POLICY_PARAMS, REGISTRY, get_policy


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

    def test_its_parameters_are_model_parameters_with_their_declared_defaults(self):
        spec = all_params()
        assert self.cls.defaults() == {k: POLICY_PARAMS[k].default for k in self.cls.reads}
        assert all(spec[k] is POLICY_PARAMS[k] for k in self.cls.reads)

    def test_out_of_range_parameters_are_refused_by_the_model(self):
        from agents.coalition_model import CoalitionModel

        for k in self.cls.reads:
            high = POLICY_PARAMS[k].high or 0
            with pytest.raises(ParameterError, match=k):
                CoalitionModel("baseline", us_policy=self.name, **{k: high + 10})

    def test_a_run_depends_only_on_what_it_is_given(self):
        """No state outside the arguments: the same script twice, the same decisions."""
        script = ([0.1, 3.0, 0.1, 0.2], [0.01, 0.99, 0.01, 0.5])
        assert play(self.cls, *script) == play(self.cls, *script)

    def test_same_random_numbers_same_decisions(self):
        rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
        burdens = list(np.linspace(0.2, 2.0, 15))
        a = play(self.cls, burdens, list(rng1.random(15)))
        b = play(self.cls, burdens, list(rng2.random(15)))
        assert a == b

    def test_the_stochastic_flag_tells_whether_random_numbers_matter(self):
        burdens = list(np.linspace(0.2, 2.0, 15))
        same = play(self.cls, burdens, [0.01] * 15) == play(self.cls, burdens, [0.99] * 15)
        assert same is not self.cls.classifier["stochastic"]

    def test_level_is_always_between_0_and_1(self):
        @settings(max_examples=30, deadline=None)
        @given(burdens=st.lists(st.floats(0, 5), min_size=1, max_size=12),
               uniforms=st.lists(st.floats(0, 0.999), min_size=12, max_size=12),
               effort=st.floats(0, 4))
        def check(burdens, uniforms, effort):
            levels = play(self.cls, burdens, uniforms[:len(burdens)], effort_ratio=effort)
            assert all(0.0 <= lv <= 1.0 for lv in levels)

        check()

    def test_a_batch_of_runs_decides_as_each_run_alone(self):
        from model.policies import USObservation

        rng = np.random.default_rng(0)
        burdens, uniforms = rng.uniform(0, 2, 8), rng.random(8)
        memory = float(self.cls.initial_memory)
        obs = USObservation(round=np.full((8, 1), 3.0), level=np.ones((8, 1)),
                            memory=np.full((8, 1), memory), effort_ratio=np.full((8, 1), 1.2),
                            burden_ratio=burdens[:, None], deterrence_rho=np.zeros((8, 1)),
                            european_weight=np.full((8, 1), 0.5), saturation=np.ones((8, 1)),
                            linear_benefit=np.zeros((8, 1), bool))
        params = {k: np.full((8, 1), v[0, 0]) for k, v in parameters(self.cls).items()}
        batch, batch_memory = self.cls.decide(obs, params, uniforms[:, None])
        for i in range(8):
            one, one_memory = self.cls.decide(observation(3, 1.0, memory, 1.2, burdens[i]),
                                              parameters(self.cls), np.array([[uniforms[i]]]))
            assert batch[i, 0] == one[0, 0] and batch_memory[i, 0] == one_memory[0, 0]


    def test_its_event_says_why_it_acted_with_the_numbers_it_looked_at(self):
        """The event log adds the policy's own reason to the US's move: the Europe it saw
        (if it reads Europe) and the parameters that set its level, as printed numbers."""
        values = {"us_level": 0.85, "us_low_level": 0.15, "us_withdraw_start": 4,
                  "us_withdraw_rate": 0.07, "us_demand": 1.37, "us_hysteresis": 0.26,
                  "us_switch_prob": 0.35, "us_stake": 0.6}
        values = {k: v for k, v in values.items() if k in self.cls.reads}
        params = {k: float(v[0, 0]) for k, v in parameters(self.cls, **values).items()}
        for burden, memory in ((0.73, 1.0), (1.91, 0.0)):
            obs = observation(6, 1.0, memory, 1.18, burden)
            level, new_memory = self.cls.decide(obs, parameters(self.cls, **values),
                                                np.array([[0.2]]))
            seen = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in vars(obs).items()}
            text = self.cls.explain(seen, params, float(level[0, 0]), float(new_memory[0, 0]))
            assert text and "\n" not in text
            if self.cls.classifier["reads_europe"]:
                assert f"{burden:.2f}" in text or "1.18" in text, text
            for name, value in values.items():
                shown = {f"{value:.2f}", f"{100 * value:.0f}%", f"{100 * value:.0f} points",
                         f"round {value:.0f}", f"{value:g}"}
                assert any(s in text for s in shown), (name, text)


class TestSteadfast(PolicyTest):
    name = "steadfast"

    def test_keeps_its_level_whatever_europe_does(self):
        assert play(self.cls, [0.0, 5.0, 0.1], us_level=0.7) == [0.7, 0.7, 0.7]


class TestIsolationist(PolicyTest):
    name = "isolationist"

    def test_walks_away_from_the_first_round(self):
        assert play(self.cls, [1.0, 3.0]) == [0.0, 0.0]


class TestWithdrawing(PolicyTest):
    name = "withdrawing"

    def test_cuts_a_fixed_amount_each_round_from_the_start_round(self):
        levels = play(self.cls, [1.0] * 7, us_withdraw_start=3, us_withdraw_rate=0.25)
        assert levels == [1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]


class TestReciprocal(PolicyTest):
    name = "reciprocal"

    def test_matches_europes_burden_relative_to_its_demand(self):
        assert play(self.cls, [1.0, 2.0, 4.0, 0.0], us_demand=2.0) == [0.5, 1.0, 1.0, 0.0]


class TestTransactional(PolicyTest):
    name = "transactional"

    def test_punishes_below_the_demand_and_returns_only_clearly_above_it(self):
        # 0.95 is inside the band: still engaged; 0.85 below: punish; 1.05 inside: still
        # punishing; 1.15 above the band: engaged again
        assert play(self.cls, [0.95, 0.85, 1.05, 1.15, 0.95], us_demand=1.0, us_hysteresis=0.2,
                    us_low_level=0.1) == [1.0, 0.1, 0.1, 1.0, 1.0]


class TestErratic(PolicyTest):
    name = "erratic"

    def test_switches_when_the_draw_falls_below_the_switch_probability(self):
        assert play(self.cls, [1.0] * 4, [0.5, 0.1, 0.9, 0.29], us_switch_prob=0.3,
                    us_low_level=0.2) == [1.0, 0.2, 0.2, 1.0]

    def test_switches_at_the_stated_rate_on_average(self):
        rng = np.random.default_rng(1)
        levels = play(self.cls, [1.0] * 4000, list(rng.random(4000)), us_switch_prob=0.2)
        switches = np.sum(np.diff(levels) != 0)
        assert 0.17 < switches / 4000 < 0.23


class TestStrategic(PolicyTest):
    name = "strategic"

    def test_the_status_quo_is_optimal_for_a_stake_of_one(self):
        assert play(self.cls, [1.0], us_stake=1.0) == [pytest.approx(1.0)]

    def test_free_rides_when_europe_steps_up_and_efforts_are_substitutes(self):
        substitutes = {"deterrence_rho": 1.0}
        low = play(self.cls, [1.0], effort_ratio=1.0, context=substitutes)
        high = play(self.cls, [1.0], effort_ratio=2.0, context=substitutes)
        assert high < low

    def test_a_us_that_values_deterrence_less_commits_less(self):
        assert play(self.cls, [1.0], us_stake=0.3) < play(self.cls, [1.0], us_stake=1.0)


def test_every_registered_policy_has_a_test_class():
    tested = {cls.name for cls in PolicyTest.__subclasses__()}
    assert tested == set(REGISTRY)
    assert len(REGISTRY) >= 7
