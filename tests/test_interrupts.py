"""Interrupts at any instant (issue 11, item 3).

- Ctrl-C during ``coalition run`` or ``coalition sweep``: one line on stderr (for a
  sweep with the command that resumes it) and exit code 130;
- a sweep killed (SIGKILL) or interrupted (SIGINT) at random instants, including
  inside its first manifest write, resumes to exactly the rows of an uninterrupted one;
- SIGKILL of the parent of a 2-worker sweep leaves no process of the sweep behind.

The random instants come from a seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from experiments.store import TORN_MANIFEST, load_nation_rows, load_runs, load_series
from experiments.sweep import run_sweep
from helpers.sweeps import tiny
from helpers.zygote import ROOT, Zygote

SEED = np.random.SeedSequence(20261202)
KILL_EXPERIMENT = """
title = "kill test"
scenario = "baseline"
seed = 5
rounds = 4
replicates = 2
chunk_size = 1

[parameters]
nations = "identical"
n_nations = 3
noise = 0.05
us_policy = "erratic"
adversary = true

[vary.us_level]
values = [0.3, 0.8]
[vary.mode]
values = ["individual", "coordinated"]

[outputs]
series = true
"""


def session_processes(sid: int) -> list[str]:
    """Live processes (not zombies) of session ``sid``: pid and command line."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rpartition(")")[2].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append(f"{entry} " + Path(f"/proc/{entry}/cmdline").read_text()
                             .replace("\0", " ")[:120])
        except (OSError, IndexError, ValueError):
            continue
    return found


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def chunks_in(out: Path) -> int:
    return len(list((out / "runs").glob("chunk-*.parquet"))) if (out / "runs").is_dir() else 0


# ------------------------------------------------------------------------- Ctrl-C
def test_ctrl_c_during_run_is_one_line_and_exit_130():
    rng = np.random.default_rng(SEED.spawn(1)[0])
    proc = cli("run", "--scenario", "us-walks-away", "--rounds", "10000",
               "--set", "stop_on_verdict=false", "--set", "noise=0.05")
    time.sleep(rng.uniform(3.0, 4.0))  # past the imports, inside the rounds
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr == "coalition: interrupted\n" and stdout == ""


def test_ctrl_c_during_a_two_worker_sweep(tmp_path):
    file = tiny(tmp_path, rounds=12, replicates=16, chunk_size=2, steps=3)  # 48 chunks
    out = tmp_path / "out"
    proc = cli("sweep", str(file), "--out", str(out), "--workers", "2", "--quiet")
    assert wait_for(lambda: chunks_in(out) >= 2 or proc.poll() is not None, 120)
    os.killpg(proc.pid, signal.SIGINT)  # the sweep and its workers, as from a terminal
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("coalition: interrupted: "), stderr
    assert f"continue with: coalition sweep {file} --out {out} --resume" in lines[0]
    assert wait_for(lambda: not session_processes(proc.pid), 10), session_processes(proc.pid)
    resumed = cli("sweep", str(file), "--out", str(out), "--resume", "--quiet")
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert list(load_runs(out)["run"]) == list(range(96))


# ------------------------------------------------------------------------- orphans
def test_sigkill_of_the_parent_leaves_no_process_of_the_sweep(tmp_path):
    file = tiny(tmp_path, rounds=30, replicates=40, chunk_size=2, steps=3)
    out = tmp_path / "out"
    proc = cli("sweep", str(file), "--out", str(out), "--workers", "2", "--quiet")
    # the sweep, the resource tracker, the fork server and two workers, working
    assert wait_for(lambda: len(session_processes(proc.pid)) >= 5 and chunks_in(out) >= 1, 120), \
        session_processes(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # the parent alone
    proc.wait()
    time.sleep(10)
    assert session_processes(proc.pid) == []


# ------------------------------------------------------------------------- the kill test
@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill")
    file = folder / "kill.toml"
    file.write_text(KILL_EXPERIMENT)
    reference = folder / "reference"
    run_sweep(file, reference, progress=False)
    zygote = Zygote([str(file)])
    yield file, (load_runs(reference), load_nation_rows(reference)), load_series(reference), zygote
    zygote.close()


def test_interrupted_at_random_instants_each_resume_gives_the_uninterrupted_rows(kill_setup,
                                                                                tmp_path):
    file, runs, series, zygote = kill_setup
    rng = np.random.default_rng(SEED.spawn(2)[1])
    logs = tmp_path / "out.txt", tmp_path / "err.txt"

    def sweep(out: Path, *extra: str, env: dict | None = None) -> int:
        return zygote.start(["sweep", str(file), "--out", str(out), "--quiet", *extra], *logs,
                            env=env)

    def interrupt(out: Path, *extra: str) -> None:
        sig = signal.SIGKILL if rng.random() < 0.5 else signal.SIGINT
        pid = sweep(out, *extra)
        time.sleep(rng.uniform(0.0, 1.1 * duration))
        try:
            os.kill(pid, sig)
        except ProcessLookupError:  # it had finished
            pass
        code = zygote.wait()
        check_stopped(code, sig)

    def check_stopped(code: int, sig: signal.Signals) -> None:
        err = logs[1].read_text()
        if code == 0:  # the signal came after the sweep finished
            return
        if sig == signal.SIGKILL:
            assert code == -signal.SIGKILL, (code, err)
        else:
            assert code == 130, (code, err)
            assert err.count("\n") == 1 and err.startswith("coalition: interrupted"), err
            assert "--resume" in err

    def resume_and_compare(out: Path) -> None:
        sweep(out, "--resume")
        assert zygote.wait() == 0, logs[1].read_text()
        assert load_runs(out).equals(runs[0]) and load_series(out).equals(series)
        assert load_nation_rows(out).equals(runs[1])
        assert not list(out.rglob("*.tmp"))

    start = time.monotonic()
    sweep(tmp_path / "uninterrupted")
    assert zygote.wait() == 0, logs[1].read_text()
    duration = time.monotonic() - start
    assert load_runs(tmp_path / "uninterrupted").equals(runs[0])

    instants = 0
    for trial in range(22):
        out = tmp_path / f"trial-{trial}"
        interrupt(out)
        instants += 1
        if rng.random() < 0.3:  # the resume interrupted in its turn
            interrupt(out, "--resume")
            instants += 1
        resume_and_compare(out)

    for name in ("KILL", "INT"):  # inside the first manifest write, half of it written
        out = tmp_path / f"first-manifest-{name}"
        sweep(out, env={"COALITION_TEST_SIGNAL_IN_FIRST_MANIFEST": name})
        code = zygote.wait()
        assert sorted(p.name for p in out.iterdir()) == [TORN_MANIFEST]
        check_stopped(code, getattr(signal, f"SIG{name}"))
        assert code != 0
        instants += 1
        resume_and_compare(out)
    assert instants >= 20
