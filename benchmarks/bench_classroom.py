"""Benchmark the classroom game under load: 30 students submitting in the same second.

    python -m benchmarks.bench_classroom [--students 30] [--rounds 10] [--no-browser]

1. The room (in this process): 30 threads, released together by a barrier, each submit
   once; a watcher stands in for the teacher's screen. Prints the time from the release
   to the watcher seeing all 30 counted (median, p90, max over ``--rounds`` rounds) and
   checks that every submission was counted once: 30 in the round's record, each with
   the value its student sent.
2. End to end (``coalition app`` and Debian's chromium): a teacher page and 30 student
   pages, each in its own browser context; every student types a different share, then
   all 30 press Submit at the same instant (a timer in each page, on this machine's
   clock); the teacher's page notes when it shows "30 of 30 submitted". Prints that
   latency, then checks the room's record (downloaded from the teacher's page): 30
   submissions, each counted once with the share its student typed.

   By default all pages and the server share every core, which is harsher than a class:
   there the students' pages run on their own phones and laptops. ``--students-apart``
   stands in for that on one machine: the server and the teacher's browser run on the
   first half of the cores, the students' browser (and this harness) on the rest.

Figures are printed, never asserted: the machine is shared and timings are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from experiments.classroom import Registry, RoomSetup, Submission

BASELINE_NATIONS = 33


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_room(students: int, rounds: int) -> dict[str, float]:
    """Submissions racing in one process, under the room's lock."""
    from agents import CoalitionModel

    codes = tuple(CoalitionModel("baseline").nations.iso3[:students])
    room = Registry(timers=False).open(RoomSetup(nations=codes, rounds=rounds, timer_seconds=600,
                                                 parameters=(("stop_on_verdict", False),)))
    players = [room.join(f"S{k}") for k in range(students)]
    seen = threading.Event()
    room.watch(lambda v: seen.set() if len(room.submissions) == students else None)
    latencies, errors = [], 0
    for r in range(1, rounds + 1):
        room.open_round(room.teacher_token)
        seen.clear()
        barrier = threading.Barrier(students + 1)
        sent = {}

        def student(k: int) -> None:
            share = 0.0001 * (k + 1) + 0.00001 * r
            sent[players[k].iso3] = share
            barrier.wait()
            room.submit(players[k].token, r, Submission(aid=share))

        threads = [threading.Thread(target=student, args=(k,)) for k in range(students)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        seen.wait(30)
        latencies.append(time.perf_counter() - start)
        for t in threads:
            t.join()
        room.close_round(room.teacher_token)
        played = room.played[-1]
        chosen = played.choices.contribution[0]
        errors += (len(played.submitted) != students) + sum(
            chosen[room.index[iso3]] != share for iso3, share in sent.items())
    return {"median_ms": 1000 * statistics.median(latencies), "p90_ms": 1000 * percentile(latencies, 0.9),
            "max_ms": 1000 * max(latencies), "rounds": rounds, "errors": errors}


# In a student page: press Submit at the agreed instant (ms since the epoch).
CLICK_AT = """at => { setTimeout(() => {
  const b = [...document.querySelectorAll('button')].find(x => x.innerText.trim().toUpperCase() === 'SUBMIT');
  window.__clicked = Date.now(); b.click(); }, Math.max(0, at - Date.now())); }"""
# In the teacher's page: note when the count first reads "N of N submitted".
WATCH_COUNT = """n => { window.__all = null; const want = n + ' of ' + n + ' submitted';
  const check = () => { const el = document.querySelector('.classroom-count');
    if (el && el.innerText.trim() === want && window.__all === null) window.__all = Date.now(); };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
  check(); }"""


def type_share(page, share: float) -> float:
    """Type an aid share into a student's form until the page shows the payoff for it."""
    for _ in range(5):
        field = page.get_by_label("Bilateral aid, % of GDP")
        field.fill(f"{share}")
        field.press("Enter")
        try:
            page.locator(".classroom-payoff").filter(
                has_text=f"if you give {share:.2f}%").wait_for(timeout=10_000)
            return share
        except Exception:  # the form was redrawn over the typing: type again
            continue
    raise RuntimeError(f"the page never took the share {share}")


def py_spy() -> str | None:
    """The py-spy executable: on the PATH or beside this Python (an unactivated venv)."""
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def split_cores() -> tuple[set[int], set[int]]:
    """The cores for the server and the teacher's page, and those for the students' pages."""
    cores = sorted(os.sched_getaffinity(0))
    half = max(1, len(cores) // 2)
    return set(cores[:half]), set(cores[half:])


def pin_process(pid: int, cpus: set[int]) -> None:
    """Keep every thread of process ``pid`` on ``cpus`` (threads it starts later inherit it)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        os.sched_setaffinity(int(tid), cpus)


def pinned_chromium(cpus: set[int], directory: str) -> str:
    """A launcher for Debian's chromium on ``cpus`` only: every process it forks inherits them."""
    from tests.helpers.browser import chromium

    if chromium() is None:
        raise SystemExit("chromium not found: apt-get install chromium")
    listed = ",".join(map(str, sorted(cpus)))
    script = Path(directory) / f"chromium-on-{listed.replace(',', '-')}"
    script.write_text(f'#!/bin/sh\nexec taskset -c {listed} {chromium()} "$@"\n')
    script.chmod(0o755)
    return str(script)


@contextlib.contextmanager
def browsers(apart: tuple[set[int], set[int]] | None):
    """The teacher's browser and the students' (one and the same unless ``apart``)."""
    from tests.helpers.browser import CHROMIUM_ARGS, launched_chromium

    if apart is None:
        with launched_chromium() as browser:
            yield browser, browser
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory, sync_playwright() as pw:
        teacher, students = (pw.chromium.launch(executable_path=pinned_chromium(cpus, directory),
                                                headless=True, args=CHROMIUM_ARGS) for cpus in apart)
        try:
            yield teacher, students
        finally:
            teacher.close()
            students.close()


def bench_browser(students: int, bursts: int = 3, profile: str | None = None,
                  apart: bool = False) -> dict[str, float]:
    from tests.helpers.browser import app_server, cpu_seconds, free_port, server_pid

    cores = split_cores() if apart else None
    if cores is not None:  # this harness (and Playwright's driver, started below) with the students
        os.sched_setaffinity(0, cores[1])
    with app_server(free_port()) as url, browsers(cores) as (teacher_browser, browser):
        pid = server_pid(url)
        if cores is not None:
            pin_process(pid, cores[0])
        teacher = teacher_browser.new_context(accept_downloads=True).new_page()
        teacher.set_default_timeout(180_000)
        teacher.goto(url + "?classroom=new")
        teacher.get_by_role("button", name="All nations").click()
        teacher.get_by_text(f"{BASELINE_NATIONS} nations for students").wait_for()
        for label, value in (("Rounds", bursts), ("Seconds per round", 600)):
            teacher.get_by_label(label, exact=True).fill(str(value))
            teacher.get_by_label(label, exact=True).press("Enter")
        teacher.get_by_role("button", name="Open the room").click()
        teacher.get_by_text("Students join at").wait_for()
        code = re.search(r"room=([A-Z0-9]+)", teacher.url).group(1)
        t0 = time.perf_counter()
        pages = []
        for k in range(students):  # the class opens the link at once
            page = browser.new_context().new_page()
            page.set_default_timeout(180_000)
            page.goto(f"{url}?room={code}", wait_until="commit")
            pages.append(page)
        for k, page in enumerate(pages):  # ... and joins at once
            page.get_by_label("Your name").fill(f"Student {k}")
            page.get_by_role("button", name="Join", exact=True).click()
        for page in pages:
            page.get_by_text(f"Room {code} · you play").wait_for()
        joined_s = time.perf_counter() - t0
        latencies, cpu, typed, spy = [], [], {}, None
        if profile:
            open(profile, "w").close()  # the bursts' samples are appended to it
        for r in range(1, bursts + 1):
            teacher.get_by_role("button", name=f"Open round {r}").click()
            for k, page in enumerate(pages):
                page.get_by_text(f"Your choices for round {r}").wait_for()
                typed[r, k] = type_share(page, round(0.05 + 0.01 * k + 0.3 * (r - 1), 2))
            teacher.evaluate(WATCH_COUNT, students)
            at = int(time.time() * 1000) + 3000
            for page in pages:
                page.evaluate(CLICK_AT, at)
            if profile:  # py-spy samples the server through each burst (pip install py-spy)
                spy = subprocess.Popen([py_spy(), "record", "-p", str(pid), "-o", f"{profile}.{r}",
                                        "-f", "raw", "-r", "200", "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            busy = cpu_seconds(pid)
            teacher.wait_for_function("() => window.__all !== null", timeout=60_000)
            latencies.append(teacher.evaluate("() => window.__all") - at)
            print(f"round {r}: the teacher saw all {students} after {latencies[-1] / 1000:.2f} s",
                  flush=True)
            for page in pages:
                page.locator(".classroom-receipt").filter(has_text=f"round {r}").wait_for()
            cpu.append(cpu_seconds(pid) - busy)
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
                spy.wait()
                with open(profile, "a") as out, open(f"{profile}.{r}") as one:
                    out.write(one.read())
                os.remove(f"{profile}.{r}")
            clicked = [page.evaluate("() => window.__clicked") for page in pages]
            spread = max(clicked) - min(clicked)
            teacher.get_by_role("button", name="Close the round now").click()
            if r < bursts:
                teacher.get_by_role("button", name=f"Open round {r + 1}").wait_for()
        teacher.get_by_text("the game is over").first.wait_for()
        teacher.get_by_role("button", name="Show the debrief").click()
        with teacher.expect_download() as download:
            teacher.get_by_role("button", name="Download the record (JSON)").click()
        record = json.loads(open(download.value.path()).read())
    nation_of = {name: iso3 for iso3, name in record["players"].items()}
    from experiments.classroom import setup_of

    codes = setup_of(record).build().nations.iso3
    wrong = [(played["round"], k, typed[played["round"], k] / 100, got)
             for played in record["rounds"] for k in range(students)
             if abs((got := played["choices"]["contribution"][codes.index(
                 nation_of[f"Student {k}"])]) - typed[played["round"], k] / 100) > 1e-15]
    return {"latencies_ms": latencies, "cpu_s": cpu, "click_spread_ms": spread,
            "submitted": [len(p["submitted"]) for p in record["rounds"]],
            "distinct": [len(set(p["submitted"])) for p in record["rounds"]],
            "wrong_values": wrong, "students": students, "join_s": joined_s,
            "nations_in_room": len(record["nations"]),
            "cores": None if cores is None else tuple(sorted(c) for c in cores)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--bursts", type=int, default=3,
                        help="rounds in the browser, each with all students submitting at once")
    parser.add_argument("--profile", metavar="FILE",
                        help="py-spy samples of the server through each burst, from just before the click to the last receipt (collapsed stacks)")
    parser.add_argument("--no-browser", action="store_true", help="only the in-process part")
    parser.add_argument("--students-apart", action="store_true",
                        help="the students' pages on other cores than the server and the teacher's "
                             "page, as on their own devices in a class (needs 2 cores and taskset)")
    args = parser.parse_args(argv)
    if args.students_apart and len(os.sched_getaffinity(0)) < 2:
        parser.error(f"--students-apart needs at least 2 cores; this process may use "
                     f"{len(os.sched_getaffinity(0))}")
    if args.students_apart and shutil.which("taskset") is None:
        parser.error("--students-apart needs taskset (Debian: apt-get install util-linux)")
    if args.profile and py_spy() is None:
        parser.error("--profile needs py-spy: pip install py-spy")
    r = bench_room(args.students, args.rounds)
    print(f"room, in process: {args.students} submissions released together; all counted and "
          f"seen by the teacher's watcher after median {r['median_ms']:.2f} ms, p90 "
          f"{r['p90_ms']:.2f} ms, max {r['max_ms']:.2f} ms ({r['rounds']} rounds); "
          f"submissions lost, doubled or altered: {r['errors']}")
    if not args.no_browser:
        b = bench_browser(args.students, args.bursts, args.profile, args.students_apart)
        lat = b["latencies_ms"]
        if b["cores"] is not None:
            print(f"the server and the teacher's page on cores {b['cores'][0]}, the students' "
                  f"pages on cores {b['cores'][1]}")
        print(f"browser, end to end: {b['students']} student pages joined in {b['join_s']:.0f} s; "
              f"{len(lat)} rounds, all pressed Submit at the same instant (last round: within "
              f"{b['click_spread_ms']} ms of each other); the teacher's screen showed "
              f"\"{b['students']} of {b['students']} submitted\" after median "
              f"{statistics.median(lat) / 1000:.2f} s (each: "
              + ", ".join(f"{x / 1000:.2f}" for x in lat) + " s; goal: under 1 s); the server "
              f"used median {statistics.median(b['cpu_s']):.2f} s of CPU per burst, receipts included")
        print(f"the room's record: submissions per round {b['submitted']} from {b['distinct']} "
              f"distinct nations (of {b['nations_in_room']} the students could play), "
              f"{len(b['wrong_values'])} not as typed"
              + "".join(f"; round {r}, student {k}: typed {t:.6f}, counted {g:.6f}"
                        for r, k, t, g in b["wrong_values"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
