"""One executor seam for sweeps: serial, local processes, or a Dask cluster.

Like the EMA Workbench's evaluators, every back end is a standard
:class:`concurrent.futures.Executor` used as a context manager, so the sweep loop is
the same whatever runs the chunks:

- ``workers=1``: :class:`SerialExecutor`, in this process (easy to debug and profile);
- ``workers=N``: a :class:`~concurrent.futures.ProcessPoolExecutor` of N processes;
- ``scheduler=ADDRESS``: ``dask.distributed.Client(ADDRESS).get_executor()``; ADDRESS
  is ``tcp://host:port`` or the path of a scheduler file (as dask-jobqueue and
  ``dask scheduler --scheduler-file`` write).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from experiments.design import ExperimentError



def connect_timeout() -> float:
    """Seconds to wait for a Dask scheduler (environment COALITION_DASK_TIMEOUT, default 10)."""
    return float(os.environ.get("COALITION_DASK_TIMEOUT", "10"))


class ExecutorError(ExperimentError):
    """The requested executor cannot be set up (e.g. an unreachable scheduler)."""


class SerialExecutor(Executor):
    """Runs each task at once, in this process; its futures are already done."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, as a pool would
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def make_executor(workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[Executor, str, int]]:
    """Yield ``(executor, description, parallelism)`` and shut it down afterwards."""
    if scheduler:
        client = _connect(scheduler)
        try:
            n = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
            with client.get_executor() as ex:
                yield ex, f"dask {client.scheduler.address} ({n} threads)", n
        finally:
            client.close()
    elif workers <= 1:
        with SerialExecutor() as ex:
            yield ex, "serial", 1
    else:
        ctx = multiprocessing.get_context("forkserver")
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        try:
            yield ex, f"{workers} local processes", workers
        except BaseException:  # Ctrl-C or an error: drop queued chunks, do not wait for them
            ex.shutdown(wait=False, cancel_futures=True)
            raise
        ex.shutdown()


def _connect(scheduler: str):
    from dask.distributed import Client

    try:
        if os.path.isfile(scheduler):
            client = Client(scheduler_file=scheduler, timeout=connect_timeout())
        else:
            client = Client(scheduler, timeout=connect_timeout())
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExecutorError(f"--scheduler {scheduler!r}: cannot reach the Dask scheduler "
                            f"({reason})") from None
    return client
