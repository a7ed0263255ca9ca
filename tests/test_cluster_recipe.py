"""The SLURM recipe (issue 12, item 6): `coalition cluster` runs a sweep from one batch
job that waits on the cluster, not on standard input, and prints the worker jobs'
script. The tests run the same steps on a local cluster (`--cluster local`) with
standard input closed, as a batch job has it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from experiments.store import load_nation_rows, load_runs
from experiments.sweep import run_sweep
from helpers.sweeps import tiny


def coalition(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_a_batch_job_runs_the_sweep_on_its_cluster_and_ends(tmp_path):
    file = tiny(tmp_path, rounds=4, replicates=2, chunk_size=3, series=False)
    out = tmp_path / "cluster"
    proc = coalition("cluster", str(file), "--out", str(out), "--cluster", "local", "--jobs", "2",
                     "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("complete: 12 runs") and "dask tcp://127.0.0.1" in proc.stdout
    run_sweep(file, tmp_path / "serial", progress=False)
    assert load_runs(out).equals(load_runs(tmp_path / "serial"))
    assert load_nation_rows(out).equals(load_nation_rows(tmp_path / "serial"))


def test_the_worker_jobs_script_is_printed_without_slurm():
    pytest.importorskip("dask_jobqueue")
    proc = coalition("cluster", "--print-job-script", "--jobs", "8", "--queue", "compute",
                     "--account", "myproject", "--cores", "32", "--memory", "64GB",
                     "--walltime", "04:00:00", "--prologue", "source ~/coalition/.venv/bin/activate")
    assert proc.returncode == 0, proc.stderr
    script = proc.stdout
    for line in ("#SBATCH -p compute", "#SBATCH -A myproject", "#SBATCH --cpus-per-task=32",
                 "#SBATCH -t 04:00:00", "#SBATCH --exclusive",
                 "source ~/coalition/.venv/bin/activate"):
        assert line in script
    assert "--nthreads 1" in script and "--nworkers 32" in script


@pytest.mark.parametrize("args,expected", [
    (["--cluster", "local", "--jobs", "0"], "--jobs = '0' is not allowed"),
    (["--cluster", "moon"], "invalid choice: 'moon'"),
    (["--cluster", "local"], "the experiment FILE is missing"),
])
def test_bad_input_is_one_line(args, expected):
    proc = coalition("cluster", *args)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert expected in proc.stderr
