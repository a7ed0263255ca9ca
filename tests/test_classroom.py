"""The classroom game's rooms (experiments/classroom.py) and debrief (experiments/debrief.py),
without a browser: codes, joining and coming back, the round and its timer, submissions
counted once under the lock, idle rooms closed with their data kept, the record replayed
to the bit, and the debrief's comparison with the model."""

import csv
import io
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import CoalitionModel
from experiments.classroom import (CLOSED, CODE_ALPHABET, OPEN, OVER, PLAYERS, STAGE, SUBMISSIONS,
                                   US, WAITING, Registry, RoomError, RoomSetup, Submission,
                                   choices_from_dict, replay, situation, state_digest)
from experiments.debrief import (debrief, oz_correlation, summary_figure, summary_png, to_csv,
                                  us_text)
from model.choices import MODEL
from model.errors import ParameterError
from model.policies import REGISTRY, policy_names
from model.state import switch_policy


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


NATIONS = ("DEU", "FRA", "POL")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def rooms(clock):
    return Registry(clock=clock, timers=False)


def room_of(rooms, **kw):
    return rooms.open(RoomSetup(**{"nations": NATIONS, "timer_seconds": 30, **kw}))


@pytest.mark.parametrize("kw,word", [
    ({"nations": ()}, "nations = ()"), ({"rounds": 0}, "rounds = 0"),
    ({"timer_seconds": 1}, "timer_seconds = 1"), ({"seed": -1}, "seed = -1"),
    ({"nations": ("DEU", "DEU")}, "nations = ('DEU', 'DEU')"), ({"nations": ("XXX",)}, "nations: 'XXX'")])
def test_a_bad_room_setup_is_one_line_naming_the_field(rooms, kw, word):
    with pytest.raises(RoomError) as err:
        rooms.open(RoomSetup(**{"nations": NATIONS, **kw}))
    assert str(err.value).startswith(word) and "\n" not in str(err.value)
    assert rooms.rooms == {}


def test_rooms_have_short_distinct_codes_found_however_typed(rooms):
    opened = [room_of(rooms) for _ in range(5)]
    codes = {r.code for r in opened}
    assert len(codes) == 5 and all(len(c) == 4 and set(c) <= set(CODE_ALPHABET) for c in codes)
    room = opened[2]
    assert rooms.get(f" {room.code[:2].lower()} {room.code[2:]} ") is room
    assert rooms.get("????") is None and rooms.get(None) is None


def test_students_join_get_a_nation_and_get_it_back_with_their_token(rooms):
    room = room_of(rooms)
    ann = room.join("  Ann  Lee ")
    bob = room.join("Bob", iso3="POL")
    assert (ann.iso3, ann.name, bob.iso3) == ("DEU", "Ann Lee", "POL")
    with pytest.raises(RoomError, match="not free"):
        room.join("Cid", iso3="POL")
    cid = room.join("Cid")
    assert cid.iso3 == "FRA"
    with pytest.raises(RoomError, match="full"):
        room.join("Dee")
    assert room.player(bob.token) == bob and room.player("forged") is None
    assert len({ann.token, bob.token, cid.token, room.teacher_token}) == 4
    assert room.status().free == ()


def test_anonymous_mode_shows_nations_without_names(rooms):
    open_room, anonymous = room_of(rooms), room_of(rooms, anonymous=True)
    for room in (open_room, anonymous):
        room.join("Ann")
    assert open_room.status().players == (("DEU", "Germany", "Ann"),)
    assert anonymous.status().players == (("DEU", "Germany", ""),)


def test_only_the_teacher_opens_closes_and_sets_the_us(rooms):
    room = room_of(rooms)
    ann = room.join("Ann")
    for action in (lambda t: room.open_round(t), lambda t: room.set_us(t, 0.5),
                   lambda t: room.close_round(t)):
        with pytest.raises(RoomError, match="only the teacher"):
            action(ann.token)
    with pytest.raises(RoomError, match="US level = 2"):
        room.set_us(room.teacher_token, 2)
    assert room.round == 0 and room.phase == "lobby"


def test_a_round_plays_the_students_choices_and_the_teachers_us(rooms):
    room = room_of(rooms)
    ann, bob = room.join("Ann"), room.join("Bob", iso3="POL")
    room.open_round(room.teacher_token)
    room.set_us(room.teacher_token, level=0.25)
    assert room.submit(ann.token, 1, Submission(aid=0.003, member=True)).accepted
    assert room.submit(bob.token, 1, Submission(aid=0.0, member=False)).accepted
    room.close_round(room.teacher_token)
    st, i = room.model.state, room.index
    assert room.phase == WAITING and room.round == 1
    assert st.us_level[0, 0] == 0.25
    assert st.contribution[0, i["DEU"]] == 0.003
    assert not st.member[0, i["POL"]] and st.switched[0, i["POL"]] == -1
    assert room.played[0].submitted == ("DEU", "POL") and room.played[0].closed_by == "teacher"
    # France has no student: the model plays it
    assert room.played[0].choices.member[0, i["FRA"]] == MODEL
    assert np.isnan(room.played[0].choices.contribution[0, i["FRA"]])


def test_a_core_nation_leaving_ends_the_game_with_the_models_verdict(rooms):
    room = room_of(rooms)
    room.join("Ann", iso3="FRA")
    room.open_round(room.teacher_token)
    room.submit(room.by_nation["FRA"], 1, Submission(member=False))
    room.close_round(room.teacher_token)
    assert room.phase == OVER and room.status().verdict == "fractured"
    assert "France" in room.status().reason


def test_a_resubmission_replaces_the_first_and_is_counted_once(rooms):
    room = room_of(rooms)
    ann = room.join("Ann")
    room.open_round(room.teacher_token)
    assert room.submit(ann.token, 1, Submission(aid=0.001)).submitted == 1
    assert room.submit(ann.token, 1, Submission(aid=0.002)).submitted == 1
    room.close_round(room.teacher_token)
    assert room.played[0].choices.contribution[0, room.index["DEU"]] == 0.002


def test_a_student_who_does_not_submit_keeps_last_rounds_choice(rooms):
    room = room_of(rooms)
    ann, bob = room.join("Ann"), room.join("Bob")
    start_aid = float(room.model.state.contribution[0, room.index["FRA"]])
    room.open_round(room.teacher_token)
    room.submit(ann.token, 1, Submission(aid=0.004, member=True))
    room.close_round(room.teacher_token)
    room.open_round(room.teacher_token)
    room.close_round(room.teacher_token)  # nobody submitted
    first, second = (p.choices for p in room.played)
    d, f = room.index["DEU"], room.index["FRA"]
    assert second.contribution[0, d] == first.contribution[0, d] == 0.004
    assert first.contribution[0, f] == start_aid  # Bob never submitted: what France gave
    assert second.member[0, d] == 1 and room.played[1].submitted == ()


def test_the_timer_plays_the_round_and_a_late_submission_is_refused(rooms, clock):
    room = room_of(rooms)
    ann = room.join("Ann")
    room.open_round(room.teacher_token)
    clock.now += 29.9
    assert room.status().seconds_left == pytest.approx(0.1)
    assert room.submit(ann.token, 1, Submission(aid=0.002)).accepted
    clock.now += 0.2
    late = room.submit(ann.token, 1, Submission(aid=0.009))
    assert not late.accepted and "closed" in late.message
    assert room.round == 1 and room.played[0].closed_by == "timer"
    assert room.played[0].choices.contribution[0, room.index["DEU"]] == 0.002
    room.open_round(room.teacher_token)  # the late choice is not counted in round 2 either
    assert room.status().submitted == ()
    assert not room.submit(ann.token, 1, Submission(aid=0.009)).accepted


def test_the_timer_thread_plays_the_round_by_itself():
    room = Registry().open(RoomSetup(nations=NATIONS, timer_seconds=5))
    seen = []
    room.watch(seen.append)
    room.open_round(room.teacher_token)
    deadline = time.monotonic() + 30
    while room.round == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert room.round == 1 and room.played[0].closed_by == "timer"
    # the watchers are told once the timer thread has released the room's lock, so the
    # round can be read as played a moment before the telling arrives
    told_by = time.monotonic() + 10
    while not (seen and seen[-1] == room.version) and time.monotonic() < told_by:
        time.sleep(0.01)
    assert seen and seen[-1] == room.version


def test_the_game_ends_after_its_rounds(rooms):
    room = room_of(rooms, rounds=2)
    for _ in range(2):
        room.open_round(room.teacher_token)
        room.close_round(room.teacher_token)
    assert room.phase == OVER
    with pytest.raises(RoomError, match="over"):
        room.open_round(room.teacher_token)


def test_thirty_students_submitting_at_once_are_each_counted_once(rooms):
    """30 threads released together, each submitting twice: 30 submissions, the last of each."""
    room = rooms.open(RoomSetup(nations=tuple(CoalitionModel("baseline").nations.iso3[:30]),
                                timer_seconds=60))
    players = [room.join(f"S{k}") for k in range(30)]
    room.open_round(room.teacher_token)
    start = threading.Barrier(30)
    receipts = []

    def student(k: int) -> None:
        start.wait()
        receipts.append(room.submit(players[k].token, 1, Submission(aid=0.001)))
        receipts.append(room.submit(players[k].token, 1, Submission(aid=0.0001 * (k + 1))))

    threads = [threading.Thread(target=student, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(receipts) == 60 and all(r.accepted for r in receipts)
    assert sorted(r.submitted for r in receipts)[-1] == 30
    assert len(room.status().submitted) == 30
    room.close_round(room.teacher_token)
    chosen = room.played[0].choices.contribution[0]
    assert [chosen[room.index[p.iso3]] for p in players] == [0.0001 * (k + 1) for k in range(30)]


def test_a_watcher_is_told_only_of_the_changes_it_follows(rooms):
    """A student's page follows the round, not the other students' submissions; the
    teacher's count follows submissions and joins; every change is told."""
    room = room_of(rooms)
    told = {name: [] for name in ("round", "count", "us", "all")}
    room.watch(told["round"].append, frozenset({STAGE}))
    room.watch(told["count"].append, frozenset({PLAYERS, SUBMISSIONS, STAGE}))
    room.watch(told["us"].append, frozenset({US}))
    room.watch(told["all"].append)
    ann, bob = room.join("Ann"), room.join("Bob")
    assert told["round"] == [] and len(told["count"]) == 2
    room.open_round(room.teacher_token)
    assert told["round"] == [room.version]
    for player in (ann, bob, ann):
        room.submit(player.token, 1, Submission(aid=0.002))
    assert told["round"] == [room.version - 3] and told["count"][-1] == room.version
    room.set_us(room.teacher_token, 0.5)
    assert told["us"] == [room.version] and told["count"][-1] == room.version - 1
    room.close_round(room.teacher_token)
    assert told["round"][-1] == told["count"][-1] == told["all"][-1] == room.version
    assert told["all"] == list(range(1, room.version + 1))


def test_the_teachers_count_follows_a_burst_of_submissions_coalesced_to_the_last():
    """30 submissions racing: the teacher's count is redrawn a few times, never more
    often than every COALESCE_SECONDS after the first, and its last drawing shows all 30;
    a student's page following the round is not redrawn at all."""
    from viz.classroom_page import COALESCE_SECONDS, follow_room

    room = Registry(timers=False).open(RoomSetup(
        nations=tuple(CoalitionModel("baseline").nations.iso3[:30]), timer_seconds=600))
    players = [room.join(f"S{k}") for k in range(30)]
    room.open_round(room.teacher_token)
    drawn, student_drawn, cancel = [], [], threading.Event()

    def draw() -> None:  # what the teacher's page shows when it is redrawn
        drawn.append((time.monotonic(), len(room.status().submitted)))

    followers = [threading.Thread(target=follow_room, args=(
        room, lambda st: st.submitted, frozenset({PLAYERS, SUBMISSIONS, STAGE}), draw, cancel)),
        threading.Thread(target=follow_room, args=(
            room, lambda st: (st.phase, st.round), frozenset({STAGE}),
            lambda: student_drawn.append(1), cancel))]
    for t in followers:
        t.start()
    time.sleep(0.2)  # the followers are watching
    start = threading.Barrier(30)

    def student(k: int) -> None:
        start.wait()
        for _ in range(3):
            room.submit(players[k].token, 1, Submission(aid=0.0001 * (k + 1)))
            time.sleep(0.01)

    threads = [threading.Thread(target=student, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 10
    while (not drawn or drawn[-1][1] < 30) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(2 * COALESCE_SECONDS)  # nothing more is drawn after the last change
    cancel.set()
    for t in followers:
        t.join()
    assert drawn and drawn[-1][1] == 30
    assert len(drawn) < 90  # coalesced: far fewer drawings than submissions
    gaps = np.diff([t for t, _ in drawn])
    assert (gaps >= 0.9 * COALESCE_SECONDS).all()
    assert student_drawn == []


def test_rooms_are_isolated_from_each_other(rooms):
    a, b = room_of(rooms), room_of(rooms)
    ann = a.join("Ann")
    with pytest.raises(RoomError, match="does not belong"):
        b.submit(ann.token, 1, Submission(aid=0.01))
    a.open_round(a.teacher_token)
    a.submit(ann.token, 1, Submission(aid=0.01))
    with pytest.raises(RoomError, match="only the teacher"):
        b.open_round(a.teacher_token)
    a.close_round(a.teacher_token)
    assert b.round == 0 and b.players == {} and b.model is not a.model
    assert state_digest(b.model.state) == state_digest(CoalitionModel("baseline", rng=42).state)


def test_an_idle_room_is_closed_and_its_data_kept(rooms, clock):
    busy, idle = room_of(rooms, idle_seconds=600), room_of(rooms, idle_seconds=600)
    ann = idle.join("Ann")
    idle.open_round(idle.teacher_token)
    idle.close_round(idle.teacher_token)
    clock.now += 400
    busy.join("Bob")
    clock.now += 300  # idle: 700 s without activity; busy: 300 s
    assert rooms.close_idle() == [idle]
    assert idle.phase == CLOSED and "no activity" in idle.status().closed_reason
    assert busy.phase != CLOSED
    with pytest.raises(RoomError, match="closed"):
        idle.join("Cid")
    assert not idle.submit(ann.token, 2, Submission(aid=0.01)).accepted
    assert rooms.get(idle.code) is idle  # still there, for the download
    assert len(idle.record()["rounds"]) == 1 and "iso3" in to_csv(debrief(idle))


def test_the_record_replays_to_the_rooms_final_state_bit_for_bit(rooms):
    room = room_of(rooms, scenario="ceasefire-with-backstop")
    players = [room.join(n) for n in ("Ann", "Bob", "Cid")]
    for rnd in range(1, 4):
        room.open_round(room.teacher_token)
        room.set_us(room.teacher_token, level=[None, 0.4, 0.0][rnd - 1], backstop=[MODEL, 1, 0][rnd - 1])
        for k, p in enumerate(players[:rnd]):
            room.submit(p.token, rnd, Submission(aid=0.001 * (k + 1), troops=600 * k, member=k != 2))
        room.close_round(room.teacher_token)
    record = room.record()
    assert replay(record).state is not room.model.state
    assert state_digest(replay(record).state) == record["final_state_sha256"]
    assert record["final_state_sha256"] == state_digest(room.model.state)
    assert room.model.state.ceasefire[0, 0]  # the troop offers were played
    assert room.model.state.troops_offer[0, room.index["FRA"]] * room._unit() == 600
    # the model's path differs where the students did
    assert state_digest(replay(record, students=False).state) != record["final_state_sha256"]


def test_the_models_path_with_the_us_left_to_its_policy_is_the_plain_model(rooms):
    room = room_of(rooms)
    ann = room.join("Ann")
    for rnd in (1, 2):
        room.open_round(room.teacher_token)
        room.submit(ann.token, rnd, Submission(aid=0.0, member=False))
        room.close_round(room.teacher_token)
    plain = CoalitionModel("baseline", rng=42)
    plain.run(2)
    assert state_digest(replay(room.record(), students=False).state) == state_digest(plain.state)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.tuples(st.sampled_from(["submit", "late", "advance", "us", "policy"]),
                                 st.integers(0, 2), st.floats(0, 0.01)), min_size=1, max_size=12))
def test_any_sequence_of_play_replays_to_the_same_state(rooms, events):
    room = room_of(rooms)
    players = [room.join(n) for n in ("Ann", "Bob", "Cid")]
    room.open_round(room.teacher_token)
    for kind, who, value in events:
        if room.phase == OVER:  # France left: fractured, the game is over
            break
        if room.phase != OPEN:
            room.open_round(room.teacher_token)
        if kind == "submit":
            room.submit(players[who].token, room.round + 1, Submission(aid=value, member=who != 1))
        elif kind == "late":
            assert not room.submit(players[who].token, room.round, Submission(aid=value)).accepted
        elif kind == "us":
            room.set_us(room.teacher_token, level=value * 100)
        elif kind == "policy":
            names = policy_names()
            name = names[(3 * who + int(1000 * value)) % len(names)]
            room.set_us_policy(room.teacher_token, name)
        else:
            room.close_round(room.teacher_token)
    record = room.record()
    assert state_digest(replay(record).state) == record["final_state_sha256"]
    for played in record["rounds"]:  # the record's choices read back as they were played
        choices = choices_from_dict(played["choices"])
        assert np.array_equal(choices.contribution, room.played[played["round"] - 1].choices.contribution,
                              equal_nan=True)


def test_the_model_switches_the_us_policy_in_the_middle_of_a_run():
    """From the round after the switch the US follows the new policy, starting from its
    initial memory; the random numbers drawn are the same as without the switch, and the
    same policy again changes nothing."""
    switched = CoalitionModel("transactional-us", rng=3, stop_on_verdict=False)
    plain = CoalitionModel("transactional-us", rng=3, stop_on_verdict=False)
    switched.run(3)
    plain.run(3)
    assert switched.state.us_memory[0, 0] == 0.0  # the transactional US punishes Europe
    before = switched.state
    switched.set_us_policy("transactional")  # the policy it follows: nothing happens
    assert switched.state is before and state_digest(before) == state_digest(plain.state)
    switched.set_us_policy("erratic")
    assert switched.united_states.policy is REGISTRY["erratic"]
    assert switched.state.us_memory[0, 0] == REGISTRY["erratic"].initial_memory == 1.0  # engaged
    assert switched.state.us_level[0, 0] == before.us_level[0, 0]  # what it did stays
    assert "Round 4: the US now follows the erratic policy" in switched.events[-1]
    switched.set_us_policy("steadfast")
    switched.run(2)
    plain.run(2)
    assert switched.state.us_level[0, 0] == switched.config.us_level == 1.0
    assert plain.state.us_level[0, 0] == 0.0
    assert switched.rng.bit_generator.state == plain.rng.bit_generator.state
    assert switched.event_rng.bit_generator.state == plain.event_rng.bit_generator.state
    assert switched.summary()["us_policy"] == "steadfast"
    with pytest.raises(ParameterError) as err:
        switched.set_us_policy("walks away")
    assert str(err.value) == ("us_policy = 'walks away' is not allowed: expected one of "
                              + ", ".join(policy_names()))
    with pytest.raises(ParameterError, match="policy codes"):
        switch_policy(switched.world, switched.state, np.full((1, 1), len(policy_names())))


def test_the_teacher_switches_the_us_policy_and_the_record_replays_it(rooms):
    room = room_of(rooms)
    ann = room.join("Ann")
    assert room.status().us_policy == "steadfast"
    policies = ["steadfast", "isolationist", "isolationist", "transactional"]
    for rnd, policy in enumerate(policies, start=1):
        if rnd == 3:  # switched while the round is open: it applies to this round
            room.open_round(room.teacher_token)
            room.set_us_policy(room.teacher_token, policy)
        else:
            room.set_us_policy(room.teacher_token, policy)
            room.open_round(room.teacher_token)
        assert room.status().us_policy == policy
        room.submit(ann.token, rnd, Submission(aid=0.002, member=True))
        room.close_round(room.teacher_token)
        assert room.model.united_states.policy.name == policy
    levels = room.model.datacollector.get_model_vars_dataframe()["us_level"].tolist()
    assert levels[1] == 1.0 and levels[2] == levels[3] == 0.0  # steadfast, then isolationist
    record = room.record()
    assert [r["us_policy"] for r in record["rounds"]] == policies
    assert state_digest(replay(record).state) == record["final_state_sha256"]
    # the switches are in the record: without them the replay is another run
    unswitched = {**record, "rounds": [{k: v for k, v in r.items() if k != "us_policy"}
                                       for r in record["rounds"]]}
    assert state_digest(replay(unswitched).state) != record["final_state_sha256"]
    # the model's own path from the same start has the same US
    alone = replay(record, students=False)
    assert alone.datacollector.get_model_vars_dataframe()["us_level"].tolist()[2:4] == [0.0, 0.0]
    assert alone.united_states.policy.name == "transactional"
    # the debrief and its table say which policy the US followed each round
    d = debrief(room)
    assert [u.policy for u in d.us] == policies
    assert us_text(d.us) == ("steadfast in round 1, then isolationist in rounds 2-3, then "
                             "transactional in round 4")
    rows = list(csv.DictReader(io.StringIO(to_csv(d))))
    assert [(r["round"], r["us_policy"], r["us_level_pct"]) for r in rows][:3] == [
        ("1", "steadfast", "100"), ("2", "isolationist", "0"), ("3", "isolationist", "0")]
    assert "The US (the teacher): steadfast in round 1" in " ".join(
        t.get_text() for ax in summary_figure(d).axes for t in ax.texts)


def test_only_the_teacher_switches_the_us_policy_and_only_to_a_policy_there_is(rooms):
    room = room_of(rooms)
    ann = room.join("Ann")
    with pytest.raises(RoomError, match=f"only the teacher of room {room.code}"):
        room.set_us_policy(ann.token, "isolationist")
    with pytest.raises(RoomError) as err:
        room.set_us_policy(room.teacher_token, "walks away")
    assert str(err.value) == ("US policy = 'walks away' is not allowed: expected one of "
                              + ", ".join(policy_names()))
    assert room.status().us_policy == "steadfast" and room.version == 1  # (Ann's join)
    room.set_us_policy(room.teacher_token, "erratic")
    room.set_us_policy(room.teacher_token, "transactional")  # the last pick counts
    room.set_us(room.teacher_token, level=0.5)  # by hand: the level is the teacher's
    room.open_round(room.teacher_token)
    room.close_round(room.teacher_token)
    assert room.played[0].us_policy == "transactional" and room.model.state.us_level[0, 0] == 0.5
    assert "its commitment set by hand in round 1" in us_text(debrief(room).us)
    single = room_of(rooms, rounds=1)
    single.open_round(single.teacher_token)
    single.close_round(single.teacher_token)
    with pytest.raises(RoomError, match="the game is over"):
        single.set_us_policy(single.teacher_token, "erratic")


def model_move(room, iso3: str) -> float:
    """The aid the model's nation would give this round in the student's place (noise 0)."""
    twin = replay(room.record())
    choices = room._choices()
    i = room.index[iso3]
    aid, member = choices.contribution.copy(), choices.member.copy()
    aid[0, i], member[0, i] = np.nan, MODEL
    twin.step_with(replace(choices, contribution=aid, member=member))
    return float(twin.state.contribution[0, i])


def test_the_debrief_tells_who_played_like_the_model(rooms):
    room = room_of(rooms)
    ann, bob = room.join("Ann"), room.join("Bob")
    for rnd in (1, 2, 3):
        room.open_round(room.teacher_token)
        room.submit(ann.token, rnd, Submission(aid=model_move(room, "DEU"), member=True))
        room.submit(bob.token, rnd, Submission(aid=0.02, member=True))
        room.close_round(room.teacher_token)
    d = debrief(room)
    by = {v.iso3: v for v in d.nations}
    assert by["DEU"].like_model and by["DEU"].like_rounds == 3
    assert not by["FRA"].like_model and by["FRA"].like_rounds == 0
    assert by["FRA"].mean_aid == pytest.approx(0.02) and by["FRA"].mean_model_aid < 0.01
    assert "POL" not in by  # nobody played Poland: the model did
    assert d.rounds == [0, 1, 2, 3] and len(d.class_path["coalition_size"]) == 4
    assert d.class_path["european_effort_bn"][3] > d.model_path["european_effort_bn"][3]
    assert d.reason and d.model_reason and d.verdict in ("unresolved", "converged", "fractured")


def test_the_olson_zeckhauser_correlation_of_the_class():
    assert oz_correlation(np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3])) == pytest.approx(1.0)
    assert oz_correlation(np.array([1.0, 2.0, 3.0]), np.array([0.3, 0.2, 0.1])) == pytest.approx(-1.0)
    assert oz_correlation(np.array([1.0, 2.0]), np.array([0.3, 0.2])) is None
    assert oz_correlation(np.array([1.0, 1.0, 1.0]), np.array([0.3, 0.2, 0.1])) is None


def test_the_class_correlation_follows_the_students_aid(rooms):
    """The richest gives most, the poorest least: +1; the other way round: -1."""
    for sign in (1, -1):
        room = room_of(rooms)
        players = [room.join(n) for n in ("Ann", "Bob", "Cid")]  # DEU > FRA > POL in GDP
        room.open_round(room.teacher_token)
        for k, p in enumerate(players):
            room.submit(p.token, 1, Submission(aid=0.002 + sign * 0.0005 * (2 - k), member=True))
        room.close_round(room.teacher_token)
        assert debrief(room).class_oz == pytest.approx(sign)


def test_the_csv_and_the_summary_picture(rooms):
    named, anonymous = room_of(rooms), room_of(rooms, anonymous=True)
    for room in (named, anonymous):
        ann = room.join("Ann")
        for rnd in (1, 2):
            room.open_round(room.teacher_token)
            room.submit(ann.token, rnd, Submission(aid=0.001))
            room.close_round(room.teacher_token)
    rows = list(csv.DictReader(io.StringIO(to_csv(debrief(named)))))
    assert len(rows) == 2  # two rounds of the one nation a student played
    first = rows[0]
    assert (first["round"], first["iso3"], first["player"], first["submitted"]) == ("1", "DEU", "Ann", "1")
    assert float(first["aid_share_pct"]) == pytest.approx(0.1)
    assert {r["player"] for r in csv.DictReader(io.StringIO(to_csv(debrief(anonymous))))} == {""}
    d = debrief(named)
    png = summary_png(d)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    fig = summary_figure(debrief(anonymous))
    text = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "Germany" in text and "Ann" not in text
    assert "Ann" in " ".join(t.get_text() for ax in summary_figure(d).axes for t in ax.texts)


def test_a_student_sees_their_nation_in_plain_words_and_the_payoff_of_each_choice(rooms):
    room = room_of(rooms, scenario="ceasefire-with-backstop")
    for _ in range(2):
        room.open_round(room.teacher_token)
        room.close_round(room.teacher_token)
    s = room.read(situation, "FRA")
    text = " ".join(s.lines)
    assert s.nation == "France" and "GDP EUR" in text and "The US committed 100%" in text
    assert "Ceasefire since round 2" in text and s.ceasefire and s.can_offer
    nation = room.model.nation("FRA")
    assert s.payoff(s.aid) == pytest.approx(nation.utility())
    best = nation.best_response()
    assert s.payoff(best) == pytest.approx(max(s.payoffs), rel=1e-3)
    assert s.shares[0] == 0 and s.shares[-1] <= s.max_aid


def test_a_typed_aid_share_is_read_to_the_four_decimals_the_page_states():
    from viz.classroom_page import AID_DECIMALS, parse_aid_percent, percent_text

    assert AID_DECIMALS == 4
    for text, value in (("0.06", 0.06), ("0.0605", 0.0605), (" 0,0605 % ", 0.0605), ("3", 3.0),
                        ("0", 0.0), ("1e-4", 0.0001), ("0.06000", 0.06)):
        assert parse_aid_percent(text, 3.0) == value
    for text, why in (("0.06051", "has more than 4 decimals"), ("", "is not a number"),
                      ("nan", "is not allowed"), ("-0.1", "is not allowed"),
                      ("3.0001", "is not allowed"), ("inf", "is not allowed")):
        with pytest.raises(ValueError) as err:
            parse_aid_percent(text, 3.0)
        assert str(err.value) == (f"aid share {text!r} {why}: type a share of GDP in % from 0 "
                                  "to 3, with at most 4 decimals")
    assert [percent_text(v) for v in (0.0, 0.1, 0.0605, 0.0614, 1.23456)] == [
        "0.00", "0.10", "0.0605", "0.0614", "1.2346"]


def test_the_join_link_is_the_network_address_when_serving_the_network():
    from viz.server import address, join_base, lan_address

    assert join_base("127.0.0.1", 9001) == "http://127.0.0.1:9001/"
    shared = join_base("0.0.0.0", 9001)
    assert shared.endswith(":9001/") and "0.0.0.0" not in shared
    assert shared == (f"http://{lan_address()}:9001/" if lan_address() else address("0.0.0.0", 9001))


def test_the_guides_say_what_the_classroom_game_does():
    """The seminar plan and the Info tab describe the rooms as they are."""
    from pathlib import Path

    from experiments import debrief as db
    from viz import classroom_page as pages

    root = Path(__file__).resolve().parent.parent
    plan = " ".join((root / "docs" / "seminar.md").read_text().split())
    info = " ".join((root / "viz" / "info.md").read_text().split())
    assert "# The classroom game: a 45-minute plan" in (root / "docs" / "seminar.md").read_text()
    assert pages.DEFAULT_STUDENT_NATIONS == 8 and "the eight largest economies" in plan
    assert db.AID_TOLERANCE == 0.25 and "within a quarter" in plan
    assert db.LIKE_SHARE == pytest.approx(2 / 3) and "at least two rounds of three" in plan
    assert RoomSetup().idle_seconds == 30 * 60 and "no activity for 30 minutes" in plan
    assert "no activity for 30 minutes" in info
    for guide in (plan, info):
        assert "coalition app --host 0.0.0.0" in guide and "Start a classroom game" in guide
        assert "keeps last round's choice" in guide


def test_the_teachers_table_escapes_what_students_type_and_marks_who_submitted():
    """A student's name is shown as typed, never run as HTML on the projected screen; the
    anonymous mode shows a dash; only the nations that submitted read "yes"."""
    from viz.classroom_page import submissions_html

    players = (("DEU", "Germany", "<b>Ann</b> & | co"), ("POL", "Poland", ""))
    table = submissions_html(players, frozenset({"POL"}), anonymous=False)
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; | co" in table and "<b>" not in table
    rows = table.split("<tr>")[2:]
    assert [r.count(">yes<") for r in rows] == [0, 1]
    assert ">-<" in submissions_html(players, frozenset(), anonymous=True).split("<tr>")[3]
