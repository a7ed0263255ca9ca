"""The classroom game in a real browser (Debian's chromium, Playwright): a teacher and five
students in their own browser contexts play three rounds of a room, a second room and a
single-player session run alongside, and the room's record replays to its final state;
the teacher switches the US policy between rounds; a share typed more finely than the
aid slider's grid is counted as typed."""

from __future__ import annotations

import json
import re

import pytest

from agents import CoalitionModel
from experiments.classroom import replay, state_digest
from helpers.browser import app_server, check_server, chromium, free_port, launched_chromium

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(chromium() is None,
                                reason="needs Debian's chromium: apt-get install chromium")

TIMEOUT_MS = 30_000
ROUND_SECONDS = 12  # short: submissions race the timer
STUDENTS = 5
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def app_url():
    with app_server(free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as b:
        yield b


def page_in_new_context(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    return page


def open_room(browser, app_url: str, rounds: int, seconds: int):
    teacher = page_in_new_context(browser, app_url + "?classroom=new")
    for label, value in (("Rounds", rounds), ("Seconds per round", seconds)):
        field = teacher.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Enter")
    teacher.get_by_role("button", name="Open the room").click()
    expect(teacher.get_by_text("Students join at")).to_be_visible()
    code = re.search(r"room=([A-Z0-9]+)", teacher.url).group(1)
    return teacher, code


def join(browser, app_url: str, code: str, name: str, student=None, nation: str | None = None):
    student = student or page_in_new_context(browser, f"{app_url}?room={code}")
    student.get_by_label("Your name").fill(name)
    if nation is not None:
        label = student.get_by_text("Your nation", exact=True)
        student.locator(".v-select").filter(has=label).click()
        student.locator(".menuable__content__active").get_by_role("option", name=nation,
                                                                    exact=True).click()
    student.get_by_role("button", name="Join", exact=True).click()
    heading = student.get_by_text(re.compile(rf"Room {code} · you play "))
    expect(heading).to_be_visible()
    nation = heading.inner_text().split("you play ")[1].strip()
    assert "token=" in student.url
    return student, nation


def submit(student, round_no: int, aid_pct: float) -> bool:
    """Type an aid share and submit it; True once the page says it is counted, False if
    the round closed first (the timer won the race)."""
    played = student.get_by_text(re.compile(f"Round {round_no} is played|The game is over"))
    try:
        expect(student.get_by_text(f"Your choices for round {round_no}")).to_be_visible()
        field = student.get_by_label("Bilateral aid, % of GDP")
        field.fill(f"{aid_pct}", timeout=5_000)
        field.press("Enter", timeout=5_000)
        # the server has the typed share once the payoff beside it follows
        expect(student.locator(".classroom-payoff")).to_contain_text(
            f"if you give {aid_pct:.2f}% of GDP", timeout=10_000)
        student.get_by_role("button", name="Submit").click(timeout=5_000)
    except (playwright_api.Error, AssertionError):
        expect(played).to_be_visible()
        return False
    receipt = student.locator(".classroom-receipt")
    expect(receipt.or_(played).first).to_be_visible()
    return receipt.is_visible() and f"counted for round {round_no}" in receipt.inner_text()


def test_a_class_plays_three_rounds_and_the_record_replays_to_the_rooms_state(browser, app_url):
    # a single-player session, stepped once, and a second room with one student
    single = page_in_new_context(browser, app_url)
    expect(single.get_by_text("Round 0 ·")).to_be_visible()
    single.get_by_role("button", name="Step").click()
    expect(single.get_by_text("Round 1 ·")).to_be_visible()
    other_teacher, other_code = open_room(browser, app_url, rounds=3, seconds=60)
    other_student, _ = join(browser, app_url, other_code, "Zoe")

    teacher, code = open_room(browser, app_url, rounds=3, seconds=ROUND_SECONDS)
    assert code != other_code
    teacher_url = teacher.url
    loading = [page_in_new_context(browser, "about:blank") for _ in range(STUDENTS)]
    for page in loading:  # all five load at once, as in a classroom
        page.goto(f"{app_url}?room={code}", wait_until="commit")
    joined = [join(browser, app_url, code, f"Student {k}", page) for k, page in enumerate(loading)]
    students = [page for page, _ in joined]
    nations = [nation for _, nation in joined]
    assert len(set(nations)) == STUDENTS
    expect(teacher.locator(".classroom-count")).to_have_text(f"0 of {STUDENTS} submitted")

    typed, counted = {}, set()  # (round, student) -> aid typed (% of GDP); those confirmed

    def play(round_no: int, who: range, aid) -> None:
        for k in who:
            typed[round_no, k] = aid(k)
            if submit(students[k], round_no, typed[round_no, k]):
                counted.add((round_no, k))

    def close_now() -> None:  # the teacher closes the round, unless the timer did first
        try:
            teacher.get_by_role("button", name="Close the round now").click(timeout=2_000)
        except playwright_api.Error:
            pass

    # round 1: everyone submits, then the teacher closes the round
    teacher.get_by_role("button", name="Open round 1").click()
    play(1, range(STUDENTS), lambda k: round(0.05 * (k + 1), 2))
    close_now()
    expect(teacher.get_by_text("Round 1 of 3")).to_be_visible()

    # the teacher's tab goes away and comes back: the room goes on
    teacher.context.close()
    teacher = page_in_new_context(browser, teacher_url)
    expect(teacher.get_by_text("Round 1 of 3")).to_be_visible()

    # round 2: student 0 reloads mid-round and keeps their nation; submissions race the
    # timer, which ends the round
    teacher.get_by_role("button", name="Open round 2").click()
    students[0].reload()
    expect(students[0].get_by_text(f"Room {code} · you play {nations[0]}")).to_be_visible()
    play(2, range(STUDENTS), lambda k: round(0.3 - 0.05 * k, 2))
    expect(teacher.get_by_text("Round 2 of 3")).to_be_visible(timeout=(ROUND_SECONDS + 30) * 1000)

    # round 3: the last student does not submit (keeps round 2's choice)
    teacher.get_by_role("button", name="Open round 3").click()
    teacher.get_by_role("button", name="Show the debrief").click()  # shown before the end ...
    expect(teacher.get_by_text("Olson-Zeckhauser correlation:")).to_be_visible()
    play(3, range(STUDENTS - 1), lambda k: 0.1)
    close_now()
    expect(teacher.get_by_text(re.compile("Round 3 of 3 · the game is over"))).to_be_visible()
    expect(teacher.get_by_text("The United States (you)")).to_have_count(0)  # no round is left
    for student in students:
        expect(student.get_by_text("The game is over")).to_be_visible()

    # the debrief (still shown, now with round 3), and the record replayed through the model
    expect(teacher.get_by_text("Olson-Zeckhauser correlation:")).to_be_visible()
    expect(teacher.get_by_role("button", name="Show the debrief")).to_have_count(0)
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download the record (JSON)").click()
    record = json.loads(open(download.value.path()).read())
    closed_by = [r["closed_by"] for r in record["rounds"]]
    assert closed_by[1] == "timer" and set(closed_by) <= {"teacher", "timer"}
    nation_of = {name: iso3 for iso3, name in record["players"].items()}
    start = replay({**record, "rounds": []}).state.contribution[0]
    model = replay(record)
    kept = {k: float(start[model.nations.iso3.index(nation_of[f"Student {k}"])])
            for k in range(STUDENTS)}
    assert len(counted) >= STUDENTS  # most submissions beat the timer
    for r in record["rounds"]:
        for k in range(STUDENTS):
            iso3 = nation_of[f"Student {k}"]
            chosen = r["choices"]["contribution"][model.nations.iso3.index(iso3)]
            if iso3 in r["submitted"]:  # counted once, as typed
                assert chosen == pytest.approx(typed[r["round"], k] / 100, abs=1e-12)
                assert (r["round"], k) in typed
            else:  # not submitted (or too late): last round's choice kept
                assert (r["round"], k) not in counted
                assert chosen == kept[k]
            kept[k] = chosen
        assert r["submitted"] == sorted(r["submitted"], key=record["nations"].index)
    assert record["rounds"][2]["choices"]["contribution"][
        model.nations.iso3.index(nation_of[f"Student {STUDENTS - 1}"])] == kept[STUDENTS - 1]
    assert state_digest(model.state) == record["final_state_sha256"]

    # the second room and the single-player session are untouched
    expect(other_teacher.get_by_text("Round 0 of 3")).to_be_visible()
    expect(other_teacher.locator(".classroom-count")).to_have_text("0 of 1 submitted")
    expect(other_student.get_by_text("Waiting for the teacher to open round 1")).to_be_visible()
    expect(single.get_by_text("Round 1 ·")).to_be_visible()
    check_server(app_url)


def is_kernel_status(frame: str | bytes) -> bool:
    """A websocket frame that only says the server's kernel is busy or idle."""
    if isinstance(frame, bytes):
        return False
    try:
        return json.loads(frame)["header"]["msg_type"] == "status"
    except (ValueError, KeyError, TypeError):
        return False


def test_the_countdown_runs_in_the_browser_and_the_server_ends_the_round_at_its_deadline(
        browser, app_url):
    """The server sends the seconds left once; the student's page counts down with no
    message from the server, and the round is played by the server's timer."""
    seconds = 10
    teacher, code = open_room(browser, app_url, rounds=1, seconds=seconds)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    student = context.new_page()
    frames = []
    student.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    student.goto(f"{app_url}?room={code}")
    join(browser, app_url, code, "Ann", student)
    teacher.get_by_role("button", name="Open round 1").click()
    countdown = student.locator(".classroom-countdown")
    expect(countdown).to_have_text(re.compile(r"\d+ s left"))
    # the round's form follows the countdown in the same drawing; on a loaded machine
    # its widgets may still be arriving when the countdown shows: wait for the last
    expect(student.get_by_role("button", name="Submit")).to_be_visible()
    student.wait_for_timeout(300)
    first = int(countdown.inner_text().split()[0])
    assert 2 <= first <= seconds
    frames.clear()
    expect(countdown).to_have_text(f"{first - 2} s left", timeout=5_000)
    # counted by the browser, not redrawn by the server: no widget message came (the
    # kernel's "busy"/"idle" status of an earlier message may still arrive)
    assert [f for f in frames if not is_kernel_status(f)] == []
    expect(student.get_by_text("The game is over")).to_be_visible(timeout=(seconds + 20) * 1000)
    expect(teacher.get_by_text(re.compile("Round 1 of 1 · the game is over"))).to_be_visible()
    teacher.get_by_role("button", name="Show the debrief").click()
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download the record (JSON)").click()
    record = json.loads(open(download.value.path()).read())
    assert [r["closed_by"] for r in record["rounds"]] == ["timer"]
    context.close()
    teacher.context.close()


def download_record(teacher) -> dict:
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download the record (JSON)").click()
    return json.loads(open(download.value.path()).read())


def test_the_teacher_switches_the_us_policy_between_rounds_and_the_record_replays_it(
        browser, app_url):
    teacher, code = open_room(browser, app_url, rounds=2, seconds=120)
    student, _ = join(browser, app_url, code, "Ann")
    now = teacher.locator(".classroom-us-policy-now")
    expect(now).to_have_text("steadfast")  # the scenario's policy, marked
    expect(teacher.locator(".classroom-us-policy")).to_have_count(7)
    teacher.get_by_role("button", name="Open round 1").click()
    assert submit(student, 1, 0.2)
    teacher.get_by_role("button", name="Close the round now").click()
    expect(teacher.get_by_text("Round 1 of 2")).to_be_visible()
    expect(student.get_by_text("The US committed 100% of its usual effort")).to_be_visible()

    teacher.get_by_role("button", name="isolationist").click()  # for round 2 on
    expect(now).to_have_text("isolationist")
    expect(teacher.locator(".classroom-us-policy-line")).to_have_text(
        "Next round the US is isolationist: it gives nothing from the first round, whatever "
        "Europe does (the 2025 US).")
    teacher.get_by_role("button", name="Open round 2").click()
    assert submit(student, 2, 0.1)
    teacher.get_by_role("button", name="Close the round now").click()
    expect(teacher.get_by_text(re.compile("Round 2 of 2 · the game is over"))).to_be_visible()
    # the students see what the US did, as before
    expect(student.get_by_text("The US committed 0% of its usual effort")).to_be_visible()
    teacher.get_by_role("button", name="Show the debrief").click()
    expect(teacher.get_by_text("The US (you): steadfast in round 1, then isolationist in round 2."
                               )).to_be_visible()
    record = download_record(teacher)
    assert [r["us_policy"] for r in record["rounds"]] == ["steadfast", "isolationist"]
    assert state_digest(replay(record).state) == record["final_state_sha256"]
    student.context.close()
    teacher.context.close()


def test_a_share_typed_finer_than_the_slider_is_counted_as_typed(browser, app_url):
    """France starts at 0.0614% of GDP, off the slider's 0.001 grid: the slider once sent
    back its rounding (0.061) over the box, and over what the student was typing. Now the
    box keeps the share to the four decimals it states, whatever the slider does."""
    teacher, code = open_room(browser, app_url, rounds=2, seconds=120)
    student, nation = join(browser, app_url, code, "Ann", nation="FRA")
    assert nation == "France"
    start = CoalitionModel("baseline", rng=42)
    kept = float(start.nation("FRA").contribution)
    assert f"{100 * kept:.4f}" == "0.0614"
    teacher.get_by_role("button", name="Open round 1").click()
    field = student.get_by_label("Bilateral aid, % of GDP")
    expect(field).to_have_value("0.0614")
    student.wait_for_timeout(1_000)  # time for a slider to send back its rounding
    expect(field).to_have_value("0.0614")
    student.locator(".v-slider").click()  # the slider, moved by the student, sets the share
    expect(field).to_have_value(re.compile(r"^1\.\d{2,3}$"))  # about half of the 3% it spans
    expect(student.locator(".classroom-payoff")).to_contain_text(
        f"if you give {field.input_value()}%")
    field.fill("0.0605")
    field.press("Enter")
    expect(student.locator(".classroom-payoff")).to_contain_text("if you give 0.0605% of GDP")
    student.wait_for_timeout(1_000)
    expect(field).to_have_value("0.0605")
    # more decimals than the box takes, or not a number: one line saying what is allowed
    for typed, why in (("0.06051", "has more than 4 decimals"), ("lots", "is not a number"),
                       ("5", "is not allowed")):
        field.fill(typed)
        field.press("Enter")
        expect(student.locator(".classroom-aid-problem")).to_have_text(
            f"aid share {typed!r} {why}: type a share of GDP in % from 0 to 3, with at most "
            "4 decimals")
    student.get_by_role("button", name="Submit").click()
    expect(student.locator(".classroom-receipt")).to_have_text(
        "Not sent: correct the aid share first.")
    field.fill("0,0605")  # a decimal comma is fine
    student.get_by_role("button", name="Submit").click()  # without leaving the box first
    expect(student.locator(".classroom-receipt")).to_contain_text("counted for round 1")
    expect(student.locator(".classroom-aid-problem")).to_have_count(0)
    teacher.get_by_role("button", name="Close the round now").click()
    expect(teacher.get_by_text("Round 1 of 2")).to_be_visible()
    # round 2: the student submits the share they keep without touching it
    teacher.get_by_role("button", name="Open round 2").click()
    expect(student.get_by_label("Bilateral aid, % of GDP")).to_have_value("0.0605")
    student.get_by_role("button", name="Submit").click()
    expect(student.locator(".classroom-receipt")).to_contain_text("counted for round 2")
    teacher.get_by_role("button", name="Close the round now").click()
    expect(teacher.get_by_text(re.compile("Round 2 of 2 · the game is over"))).to_be_visible()
    teacher.get_by_role("button", name="Show the debrief").click()
    record = download_record(teacher)
    i = start.nations.iso3.index("FRA")
    assert [r["choices"]["contribution"][i] for r in record["rounds"]] == [0.0605 / 100] * 2
    assert state_digest(replay(record).state) == record["final_state_sha256"]
    student.context.close()
    teacher.context.close()
