"""Parallel equals serial equals Dask: the same experiment gives the same rows.

A real Dask scheduler and two workers are started as separate processes on
127.0.0.1, and the sweep goes through `coalition sweep --scheduler`.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.sweeps import assert_frames_close, tiny
from experiments.cli import main
from experiments.store import load_nation_rows, load_runs, load_series, read_manifest
from experiments.sweep import run_sweep


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    return tiny(tmp_path_factory.mktemp("exp"), rounds=10, replicates=2, chunk_size=3)


@pytest.fixture(scope="module")
def serial(experiment, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    run_sweep(experiment, out, workers=1, progress=False)
    return out


def same_results(a: Path, b: Path) -> None:
    ra, rb = load_runs(a), load_runs(b)
    assert len(ra) == 12 and ra.equals(rb)
    assert load_series(a).equals(load_series(b))
    na, nb = load_nation_rows(a), load_nation_rows(b)
    assert len(na) == 12 * 6 and na.equals(nb)


def test_process_pool_equals_serial(experiment, serial, tmp_path):
    report = run_sweep(experiment, tmp_path / "pool", workers=2, progress=False)
    assert report["status"] == "complete" and "2 local processes" in report["executor"]
    same_results(serial, tmp_path / "pool")


def test_mesa_engine_equals_vectorised(experiment, serial, tmp_path):
    """To 1e-12: with identical nations the CES weight is exactly 1/2, and numpy computes
    ``x ** 0.5`` of a single run through sqrt but of a batch through pow (1 ulp apart)."""
    run_sweep(experiment, tmp_path / "mesa", workers=1, engine="mesa", progress=False)
    assert_frames_close(load_runs(serial), load_runs(tmp_path / "mesa"))
    assert_frames_close(load_series(serial), load_series(tmp_path / "mesa"))
    assert_frames_close(load_nation_rows(serial), load_nation_rows(tmp_path / "mesa"))


def _start(args, log: Path):
    return subprocess.Popen([sys.executable, "-m", *args], stdout=open(log, "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture
def dask_cluster(tmp_path):
    """`dask scheduler` and two `dask worker`s as separate processes on 127.0.0.1."""
    pytest.importorskip("distributed")
    sched_file = tmp_path / "scheduler.json"
    procs = [_start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                     "--no-dashboard", "--scheduler-file", str(sched_file)],
                    tmp_path / "scheduler.log")]
    try:
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        assert sched_file.exists(), (tmp_path / "scheduler.log").read_text()
        for k in range(2):
            procs.append(_start(["distributed.cli.dask_worker", "--scheduler-file", str(sched_file),
                                 "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                 "--host", "127.0.0.1", "--name", f"w{k}"],
                                tmp_path / f"worker{k}.log"))
        from dask.distributed import Client

        with Client(scheduler_file=str(sched_file), timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield json.loads(sched_file.read_text())["address"], sched_file
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_dask_cluster_through_the_cli(experiment, serial, dask_cluster, tmp_path, capsys):
    address, sched_file = dask_cluster
    out = tmp_path / "dask"
    assert main(["sweep", str(experiment), "--out", str(out), "--scheduler", address,
                 "--quiet"]) == 0
    assert "dask tcp://127.0.0.1" in capsys.readouterr().out
    assert read_manifest(out)["executor"].startswith("dask")
    same_results(serial, out)
    # a scheduler file works as the address too (as dask-jobqueue setups write one)
    out2 = tmp_path / "dask-file"
    assert main(["sweep", str(experiment), "--out", str(out2), "--scheduler", str(sched_file),
                 "--quiet"]) == 0
    same_results(serial, out2)
