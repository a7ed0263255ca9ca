"""Worker processes that die with the sweep that started them.

A local sweep's workers are children of multiprocessing's fork server, itself a child
of the sweep. If the sweep is killed outright (SIGKILL, a lost terminal), nothing
would stop them. Two watches make them go:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (through ctypes): the kernel kills a
  process when its parent dies. The fork server sets it for itself when it starts
  (:mod:`experiments.forkserver_preload`), each worker for itself in
  :func:`worker_init`, so killing the sweep takes the fork server and then the
  workers with it; multiprocessing's resource tracker then sees its last client go
  and exits too;
- everywhere, a watchdog thread in each worker polls its parent (``os.getppid()``)
  and the sweep's process, and ends the worker once either has gone.

Workers also ignore SIGINT: Ctrl-C reaches the whole terminal's process group, and it
is the sweep's to handle (one line, exit 130), not a traceback from every worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); True if set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def watch_parent(sweep_pid: int, interval: float = POLL_SECONDS) -> threading.Thread:
    """A daemon thread that ends this process once its parent or the sweep has gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and alive(sweep_pid):
            time.sleep(interval)
        os._exit(1)

    thread = threading.Thread(target=watch, name="coalition-parent-watch", daemon=True)
    thread.start()
    return thread


def worker_init(sweep_pid: int) -> None:
    """Initializer of a local sweep's worker processes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    watch_parent(sweep_pid)
