"""The classroom benchmark's stand-in for students on their own devices (``--students-apart``):
the cores are split, and the processes it starts stay on the cores they were given."""

import os
import subprocess
import sys

import pytest

from benchmarks import bench_classroom

TWO_CORES = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 cores")


def allowed(pid: int | str) -> str:
    status = open(f"/proc/{pid}/status").read()
    return next(line.split(":")[1].strip() for line in status.splitlines()
                if line.startswith("Cpus_allowed_list"))


@TWO_CORES
def test_the_cores_are_split_between_the_server_and_the_students():
    server, students = bench_classroom.split_cores()
    assert server and students and not server & students
    assert server | students == os.sched_getaffinity(0)


# a process with one thread before it is pinned and one it starts after
THREADS = """
import sys, threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("one", flush=True)
sys.stdin.readline()
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("two", flush=True)
time.sleep(60)
"""


@TWO_CORES
def test_a_pinned_process_keeps_every_thread_on_its_cores_even_those_started_later():
    proc = subprocess.Popen([sys.executable, "-c", THREADS], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "one"
        core = min(os.sched_getaffinity(0))
        bench_classroom.pin_process(proc.pid, {core})
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "two"
        tasks = os.listdir(f"/proc/{proc.pid}/task")
        assert len(tasks) == 3
        assert {allowed(f"{proc.pid}/task/{t}") for t in tasks} == {str(core)}
    finally:
        proc.kill()
        proc.wait()


@TWO_CORES
def test_the_chromium_launcher_runs_it_on_the_given_cores(tmp_path, monkeypatch):
    import tests.helpers.browser as helpers

    # the launcher execs whatever chromium() names: here a command that reports its cores
    monkeypatch.setattr(helpers, "chromium", lambda: "grep Cpus_allowed_list /proc/self/status")
    core = max(os.sched_getaffinity(0))
    launcher = bench_classroom.pinned_chromium({core}, str(tmp_path))
    out = subprocess.run([launcher], capture_output=True, text=True, check=True).stdout
    assert out.split(":")[1].strip() == str(core)
