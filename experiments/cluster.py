"""A sweep on a SLURM cluster (dask-jobqueue), from one batch job that waits on it.

``coalition cluster FILE --out DIR --jobs 8 --queue compute ...`` starts a Dask
scheduler in this process, asks SLURM for ``--jobs`` worker jobs
(:class:`dask_jobqueue.SLURMCluster`), waits for the first worker, runs the sweep on
them (:func:`experiments.sweep.run_sweep`, which waits until every chunk is written),
and shuts the cluster down: nothing reads standard input, so it runs as a batch job.
If the allocation ends first, submit it again with ``--resume``: the committed chunks
are kept. ``--print-job-script`` prints the job script SLURM would get (no SLURM
needed), and ``--cluster local`` runs the same steps on a :class:`LocalCluster` of
``--jobs`` single-threaded worker processes on this machine (how the tests run it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from experiments.design import ExperimentError

WAIT_FOR_WORKERS = 3600  # seconds to wait for SLURM to start a first worker job


class ClusterError(ExperimentError):
    """The cluster cannot be set up as asked."""


def slurm_cluster(jobs: int, queue: str | None, account: str | None, cores: int, memory: str,
                  walltime: str, prologue: list[str], local_directory: str | None = None):
    """A SLURMCluster of single-threaded workers (one per core), not yet scaled."""
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        raise ClusterError("--cluster slurm needs dask-jobqueue: pip install dask-jobqueue") from None
    return SLURMCluster(queue=queue, account=account, cores=cores, processes=cores,
                        memory=memory, walltime=walltime, job_script_prologue=prologue,
                        job_extra_directives=["--exclusive"], local_directory=local_directory,
                        scheduler_options={"dashboard_address": ":8787"})


@contextlib.contextmanager
def cluster(kind: str, jobs: int, **slurm: Any) -> Iterator[Any]:
    """The cluster, scaled to ``jobs`` jobs (or local worker processes), closed afterwards."""
    if kind == "local":
        from dask.distributed import LocalCluster

        made = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                            dashboard_address=None, host="127.0.0.1")
    else:
        made = slurm_cluster(jobs, **slurm)
        made.scale(jobs=jobs)
    try:
        yield made
    finally:
        made.close()


def run_on_cluster(file: str, out: str | None, kind: str, jobs: int, resume: bool,
                   progress: bool, **slurm: Any) -> dict[str, Any]:
    """Start the cluster, wait for a worker, run the sweep to its end, stop the cluster."""
    from dask.distributed import Client

    from experiments.sweep import run_sweep

    with cluster(kind, jobs, **slurm) as made, Client(made) as client:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
        return run_sweep(file, out, scheduler=made.scheduler_address, resume=resume,
                         progress=progress)


def job_script(jobs: int, **slurm: Any) -> str:
    """The batch script each SLURM worker job runs (``cluster.job_script()``)."""
    made = slurm_cluster(jobs, **slurm)
    try:
        return made.job_script()
    finally:
        made.close()
