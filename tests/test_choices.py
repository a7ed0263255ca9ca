"""Human choices in a round (model.choices, the classroom game): where a player decides,
the round takes their decision; where nobody does, the round is the model's own, to the bit."""

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import CoalitionModel
from model import game as g
from model.choices import MODEL, Choices
from model.errors import ParameterError
from model.rounds import draw_round, event_stream, play_round

SMALL = dict(nations="identical", n_nations=6, stop_on_verdict=False)


def states_equal(a, b) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
               for f in fields(a))


def play(scenario: str, rounds: int, make_choices, seed: int = 5, **params):
    """A model stepped ``rounds`` times with ``make_choices(model, round)`` each round."""
    model = CoalitionModel(scenario, rng=seed, **params)
    for r in range(rounds):
        model.step_with(make_choices(model, r))
    return model


def choices_for(model: CoalitionModel, **values) -> Choices:
    c = Choices.none(1, model.nations.n)
    arrays = {}
    for name, entries in values.items():
        array = getattr(c, name).copy()
        for index, value in entries.items():
            array[0, index] = value
        arrays[name] = array
    return replace(c, **arrays)


@pytest.mark.parametrize("scenario,params", [("lq-textbook", {"stop_on_verdict": False}),
                                             ("ceasefire-transactional-us", {"stop_on_verdict": False})])
def test_choices_left_to_the_model_are_the_model_to_the_bit(scenario, params):
    """No choices and all-"the model decides" choices give bitwise the same run."""
    free = play(scenario, 4, lambda m, r: None, **params)
    none = play(scenario, 4, lambda m, r: Choices.none(1, m.nations.n), **params)
    assert states_equal(free.state, none.state)
    assert free.summary() == none.summary()


def test_the_teacher_sets_the_us_commitment_by_hand():
    model = play("baseline", 2, lambda m, r: choices_for(m, us_level={0: [0.3, 0.0][r]}))
    levels = model.datacollector.get_model_vars_dataframe()["us_level"].tolist()
    assert levels == [1.0, 0.3, 0.0]
    assert model.state.us_effort[0, 0] == 0.0


def test_a_chosen_backstop_overrides_the_policy_and_is_unconditional():
    def backstop(value):
        return lambda m, r: replace(Choices.none(1, m.nations.n),
                                    backstop=np.full((1, 1), value, np.int8))
    backed = play("ceasefire-no-backstop", 3, backstop(1))
    refused = play("ceasefire-with-backstop", 3, backstop(0))
    assert backed.state.ceasefire[0, 0] and refused.state.ceasefire[0, 0]
    assert backed.state.backstop_offered[0, 0] and backed.state.backstop_price[0, 0] == 0.0
    assert not refused.state.backstop_offered[0, 0] and not refused.state.backstop[0, 0]
    assert play("ceasefire-with-backstop", 3, lambda m, r: None).state.backstop_offered[0, 0]


def test_a_chosen_aid_share_is_played_and_clipped_to_what_is_allowed():
    model = CoalitionModel("lq-textbook", rng=2, stop_on_verdict=False)
    floor, top = float(model.config.pledge_floor), float(model.config.max_contribution)
    model.step_with(choices_for(model, contribution={0: 0.0042, 1: 0.0, 2: 1.0}, member={0: 1, 1: 1, 2: 1}))
    s = model.state.contribution[0]
    assert s[0] == 0.0042  # exactly what the student typed
    assert s[1] == floor  # a member pays at least the pledge floor
    assert s[2] == top
    # the best responses were the model's, from the same state, before the students chose
    free = CoalitionModel("lq-textbook", rng=2, stop_on_verdict=False)
    free.step()
    assert np.array_equal(model.state.target, free.state.target)
    assert not np.array_equal(model.state.contribution, free.state.contribution)


def test_a_chosen_side_is_taken_at_the_nations_turn():
    """lq-textbook: most of the identical nations leave; the ones told to stay stay, and a
    member told to leave leaves at once."""
    free = play("lq-textbook", 1, lambda m, r: None, seed=3, stop_on_verdict=False)
    leavers = np.flatnonzero(free.state.switched[0] == -1)
    stayers = np.flatnonzero(free.state.member[0])
    assert leavers.size and stayers.size
    keep, drop = int(leavers[0]), int(stayers[0])
    model = play("lq-textbook", 1, lambda m, r: choices_for(m, member={keep: 1, drop: 0}),
                 seed=3, stop_on_verdict=False)
    assert model.state.member[0, keep] and model.state.switched[0, keep] == 0
    assert not model.state.member[0, drop] and model.state.switched[0, drop] == -1
    lower, upper = g.contribution_bounds(model.current_game(), model.state.member)
    assert np.all(model.state.contribution >= lower) and np.all(model.state.contribution <= upper)


def test_a_chosen_troop_offer_replaces_the_step_towards_the_best_offer():
    base = play("ceasefire-with-backstop", 3, lambda m, r: None, stop_on_verdict=False)
    offering = np.flatnonzero(base.state.troops_offer[0] > 0)
    assert offering.size
    i = int(offering[0])
    cap = int(base.world.troop_capacity[0, i])
    model = play("ceasefire-with-backstop", 3,
                 lambda m, r: choices_for(m, troops={i: [5, 1, 10**6][r]}), stop_on_verdict=False)
    assert model.state.troops_offer[0, i] == cap  # 10**6 units: clipped to its capacity
    none_offer = play("ceasefire-with-backstop", 3,
                      lambda m, r: choices_for(m, troops={i: 0}), stop_on_verdict=False)
    assert none_offer.state.troops_offer[0, i] == 0 and none_offer.state.troops[0, i] == 0


@pytest.mark.parametrize("field,value,word", [
    ("us_level", 1.5, "choices.us_level = 1.5"), ("contribution", -0.1, "choices.contribution = -0.1"),
    ("member", 2, "choices.member = 2"), ("backstop", 3, "choices.backstop = 3"),
    ("troops", -4, "choices.troops = -4")])
def test_bad_choices_are_one_line_naming_the_field(field, value, word):
    c = Choices.none(1, 3)
    array = getattr(c, field).copy()
    array[0, 0] = value
    with pytest.raises(ParameterError) as err:
        replace(c, **{field: array})
    assert str(err.value).startswith(word) and "\n" not in str(err.value)
    with pytest.raises(ParameterError, match="shape"):
        replace(c, member=np.zeros((1, 4), np.int8))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), picks=st.lists(
    st.tuples(st.integers(0, 5), st.floats(0, 0.02), st.sampled_from([MODEL, 0, 1]),
              st.integers(-1, 30)), min_size=1, max_size=6),
       level=st.one_of(st.just(np.nan), st.floats(0, 1)))
def test_any_choices_give_a_valid_round_that_honours_them(seed, picks, level):
    """Whatever students choose, the round stays inside the rules: aid within its
    bounds, the chosen sides taken, the US level as set; and the round is a function
    of the state, the random numbers and the choices alone (played twice, the same)."""
    model = CoalitionModel("lq-textbook", rng=seed, **{k: v for k, v in SMALL.items()
                                                       if k != "nations"})
    n = model.nations.n
    c = Choices.none(1, n)
    s, m, t = c.contribution.copy(), c.member.copy(), c.troops.copy()
    for i, share, side, troops in picks:
        i %= n
        s[0, i], m[0, i], t[0, i] = share, side, troops
    c = replace(c, contribution=s, member=m, troops=t, us_level=np.full((1, 1), level))
    uniforms = draw_round([np.random.default_rng(seed)], n, [event_stream(np.random.default_rng(seed))])
    after = play_round(model.world, model.state, uniforms, c)
    again = play_round(model.world, model.state, uniforms, c)
    assert states_equal(after, again)
    chosen = m[0] >= 0
    assert np.array_equal(after.member[0, chosen], m[0, chosen] == 1)
    game = model.current_game()
    lower, upper = g.contribution_bounds(game, after.member)
    assert np.all(after.contribution >= lower) and np.all(after.contribution <= upper)
    if not np.isnan(level):
        assert after.us_level[0, 0] == level
    kept = chosen & ~np.isnan(s[0]) & (after.member[0] == model.state.member[0])
    inside = kept & (s[0] >= lower[0]) & (s[0] <= upper[0])
    assert np.array_equal(after.contribution[0, inside], s[0, inside])
