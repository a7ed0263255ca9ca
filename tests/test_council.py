"""The EU Council (model/council.py): the joint deal, vetoes, their price and the workaround."""

import numpy as np
import pytest

from agents import CoalitionModel
from model import council
from model import game as g
from model.rounds import round_game

# the US walks away and Europeans see their effort as a substitute: the Council wants more
STEPPING_UP = dict(us_policy="isolationist", us_reliance=1.0, stop_on_verdict=False,
                   defence_path="hold", off_budget="hold")


def council_inputs(model):
    st, w = model.state, model.world
    game = round_game(w, st)
    participating = w.eu_member & ~st.eu_opted_out
    return game, participating, council.key_shares(w.eu_key, participating)


def joint_payoff(model, eu_aid):
    """What the proposal maximises: the participants' security benefit, net of their
    EU contributions' political cost and any dislike of EU aid (fairness is not
    internalised, as in the coordinated mode)."""
    game, part, shares = council_inputs(model)
    st = model.state
    played = council.with_eu_aid(game, shares, np.array([[eu_aid]]), st.off_budget)
    effort = g.european_effort(played, st.contribution)
    value = (g.benefit_share(played, st.member)
             * g.security_benefit(played, effort, st.expected_us_effort)
             - g.eu_cost(played) - played.opposition * played.eu_aid)
    return float(np.where(part, value, 0.0).sum())


def test_the_councils_deal_reproduces_the_observed_eu_aid_at_the_status_quo():
    model = CoalitionModel("baseline", rng=0)
    game, part, shares = council_inputs(model)
    st = model.state
    proposed = council.proposal(game, st.contribution, st.member, st.expected_us_effort, shares,
                                part, st.off_budget)
    assert proposed[0, 0] == pytest.approx(model.nations.eu_aid, rel=1e-9)
    assert model.calibration.eu_fits.all() and model.calibration.eu_weight[0, 0] > 0


def test_with_no_veto_player_the_deal_is_the_joint_optimum():
    model = CoalitionModel("us-walks-away", rng=0, nation_params={
        "HUN": {"veto_player": False}, "SVK": {"veto_player": False}}, **STEPPING_UP)
    model.step()
    game, part, shares = council_inputs(model)
    st = model.state
    best = council.proposal(game, st.contribution, st.member, st.expected_us_effort, shares, part,
                            st.off_budget)[0, 0]
    assert best > model.nations.eu_aid  # the US left and Europe sees itself as a substitute
    for other in (best * 0.99, best * 1.01, best * 0.9, best * 1.1, 0.0):
        assert joint_payoff(model, best) >= joint_payoff(model, other)
    assert int(st.eu_event[0, 0]) == council.EU_ADOPTED  # nobody could block it


def test_a_veto_player_with_a_large_loss_blocks_and_the_others_go_ahead_after_the_delay():
    model = CoalitionModel("us-walks-away", rng=0, veto_delay=2, nation_params={
        "HUN": {"veto_opposition": 0.6, "veto_linkage": 0.01}, "SVK": {"veto_player": False}},
        **STEPPING_UP)
    start = model.state.eu_aid[0, 0]
    hun = model.nations.index("HUN")
    events = []
    for _ in range(3):
        model.step()
        events.append(int(model.state.eu_event[0, 0]))
    assert events == [council.EU_BLOCKED, council.EU_BLOCKED, council.EU_WORKAROUND]
    assert model.state.eu_opted_out[0, hun] and model.state.eu_aid[0, 0] > start
    assert model.current_game().eu_share[0, hun] == 0.0  # it stopped paying
    log = " ".join(model.events)
    assert "Hungary vetoed the EU's proposal" in log
    assert "went ahead without Hungary (enhanced cooperation" in log


def test_while_blocked_the_eu_aid_stays_where_it_is():
    model = CoalitionModel("us-walks-away", rng=0, veto_delay=5, nation_params={
        "HUN": {"veto_opposition": 0.6, "veto_linkage": 0.01}, "SVK": {"veto_player": False}},
        **STEPPING_UP)
    start = model.state.eu_aid.copy()
    for _ in range(4):
        model.step()
        np.testing.assert_array_equal(model.state.eu_aid, start)


def test_a_veto_player_whose_loss_is_within_its_linkage_is_paid_and_the_deal_passes():
    model = CoalitionModel("us-walks-away", rng=0, nation_params={
        "HUN": {"veto_opposition": 0.5, "veto_linkage": 1000.0}, "SVK": {"veto_player": False}},
        **STEPPING_UP)
    model.step()
    assert int(model.state.eu_event[0, 0]) == council.EU_PRICE_PAID
    assert model.state.eu_price[0, 0] > 0
    assert not model.state.eu_opted_out.any()
    assert "were paid EUR" in " ".join(model.events)


def test_the_eu_channel_switched_off_keeps_eu_aid_at_its_status_quo():
    model = CoalitionModel("us-walks-away", rng=0, eu_channel=False, **STEPPING_UP)
    start = model.state.eu_aid.copy()
    model.run(5)
    np.testing.assert_array_equal(model.state.eu_aid, start)
    assert (model.state.eu_event == council.EU_NONE).all()


def test_a_workaround_lasts_the_blocker_stays_out():
    model = CoalitionModel("us-walks-away", rng=0, veto_delay=0, nation_params={
        "HUN": {"veto_opposition": 0.6, "veto_linkage": 0.01}, "SVK": {"veto_player": False}},
        **STEPPING_UP)
    model.step()
    hun = model.nations.index("HUN")
    assert model.state.eu_opted_out[0, hun]
    model.run(5)
    assert model.state.eu_opted_out[0, hun]


def test_a_dislike_of_eu_aid_larger_than_its_value_to_the_members_is_reported():
    """Then no weight of EU contributions reproduces the observed EU aid: the
    calibration says so (and coalition calibration prints it)."""
    report = CoalitionModel("baseline", nation_params={"HUN": {"veto_opposition": 5.0}}).calibration
    assert not report.eu_fits.any()
