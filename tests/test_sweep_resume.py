"""Kill a sweep with SIGKILL mid-flight, resume it, and get exactly the rows of an
uninterrupted sweep: none lost, none duplicated."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers.sweeps import tiny
from experiments.store import load_nation_rows, load_runs, load_series, read_manifest
from experiments.sweep import run_sweep


def start(file: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", "sweep", str(file),
                             "--out", str(out), "--workers", "2", "--quiet", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def chunk_files(out: Path) -> int:
    return len(list((out / "runs").glob("chunk-*.parquet"))) if (out / "runs").is_dir() else 0


def kill_when(proc: subprocess.Popen, out: Path, chunks: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while chunk_files(out) < chunks and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, at once
    proc.wait()


def test_kill_and_resume_gives_the_uninterrupted_rows(tmp_path):
    file = tiny(tmp_path, rounds=12, replicates=16, chunk_size=2, steps=3)  # 96 runs, 48 chunks
    out = tmp_path / "killed"

    first = start(file, out)
    kill_when(first, out, chunks=3)
    assert first.returncode == -signal.SIGKILL
    done = chunk_files(out)
    assert 0 < done < 48, done
    manifest = read_manifest(out)
    assert manifest["status"] == "running" and manifest["finished"] is None

    second = start(file, out, "--resume")  # killed again, at whatever point it has reached
    kill_when(second, out, chunks=done + 3)
    assert second.returncode == -signal.SIGKILL

    third = start(file, out, "--resume")
    stdout, stderr = third.communicate(timeout=300)
    assert third.returncode == 0, stderr.decode()
    assert read_manifest(out)["status"] == "complete"
    assert len(read_manifest(out)["resumed"]) == 2
    assert not list(out.rglob("*.tmp"))

    reference = tmp_path / "uninterrupted"
    run_sweep(file, reference, workers=1, progress=False)
    resumed, whole = load_runs(out), load_runs(reference)
    assert list(resumed["run"]) == list(range(96))  # none lost, none duplicated
    assert resumed.equals(whole)
    assert load_series(out).equals(load_series(reference))
    assert load_nation_rows(out).equals(load_nation_rows(reference))


def test_resume_cleans_a_torn_write_and_finishes(tmp_path):
    """A kill during a write leaves only a temporary file: resume drops it and redoes the chunk."""
    file = tiny(tmp_path, rounds=6, replicates=2, chunk_size=4)
    out = tmp_path / "out"
    run_sweep(file, out, progress=False)
    whole = load_runs(out)
    victim = out / "runs" / "chunk-000001.parquet"
    victim.rename(victim.with_name(victim.name + ".tmp"))
    (out / "series" / "chunk-000001.parquet.tmp").write_bytes(b"torn")
    report = run_sweep(file, out, resume=True, progress=False)
    assert report["ran"] == 4 and report["status"] == "complete"
    assert load_runs(out).equals(whole)
    assert not list(out.rglob("*.tmp"))
