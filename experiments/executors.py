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
from experiments.procs import worker_init
from model.files import read_json_object
from model.param import NUMBER_TEXT

TIMEOUT_ENV = "COALITION_DASK_TIMEOUT"
PRELOAD = ["__main__", "concurrent.futures.process", "experiments.forkserver_preload"]


def connect_timeout() -> float:
    """Seconds to wait for a Dask scheduler (environment COALITION_DASK_TIMEOUT, default 10)."""
    text = os.environ.get(TIMEOUT_ENV, "10")
    if not NUMBER_TEXT.fullmatch(text.strip()) or not 0 < float(text) <= 3600:
        raise ExecutorError(f"environment {TIMEOUT_ENV} = {text!r} is not allowed: expected "
                            "a number of seconds above 0 and at most 3600")
    return float(text)


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
        ctx.set_forkserver_preload(PRELOAD)  # the fork server dies with this process
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=worker_init,
                                 initargs=(os.getpid(),))
        try:
            yield ex, f"{workers} local processes", workers
        except BaseException:  # Ctrl-C or an error: stop the workers, do not wait for them
            _stop(ex)
            raise
        ex.shutdown()


def _stop(ex: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now and drop its queued tasks (their chunks are redone)."""
    for process in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, ValueError):
            pass
    ex.shutdown(wait=False, cancel_futures=True)


def scheduler_address(scheduler: str) -> str:
    """The address to connect to: ``scheduler`` itself, or the one its scheduler file names."""
    if not os.path.isfile(scheduler):
        return scheduler
    data = read_json_object(scheduler, "scheduler file")
    address = data.get("address")
    if not isinstance(address, str) or "://" not in address:
        raise ExecutorError(f"scheduler file {os.path.basename(scheduler)}: address = "
                            f"{address!r} is not allowed: expected a scheduler address such "
                            "as 'tcp://10.0.0.5:8786'")
    return address


def _connect(scheduler: str):
    timeout = connect_timeout()
    address = scheduler_address(scheduler)
    from dask.distributed import Client

    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExecutorError(f"--scheduler {scheduler!r}: cannot reach the Dask scheduler "
                            f"({reason})") from None
    return client
