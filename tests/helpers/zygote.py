"""A warmed-up process that forks a fresh ``coalition`` command on request (tests only).

Starting Python and importing numpy, pyarrow and the model takes seconds, far longer
than the short sweep the kill test interrupts; so one process imports everything once
and forks a child per command. The child runs the CLI's ``main()`` exactly as the
``coalition`` script does (``sys.argv`` set, stdout and stderr to files) and exits with
its code. The test process signals the child by pid; the zygote reaps it and reports
its exit code (negative for a signal).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVER = r"""
import json, os, signal, sys, warnings
warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks")
sys.path.insert(0, os.getcwd())
warm = json.loads(sys.argv[1])
import experiments.cli, experiments.sweep, experiments.engine, pyarrow.parquet
from experiments.design import load_experiment
from experiments.sweep import chunk_task, run_chunk, run_schema
for file in warm:  # fill the import and calibration caches, write nothing
    e = load_experiment(file)
    run_chunk(chunk_task(e, 0, "vectorised", run_schema(e)))
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    # Like a fresh process, the child has its stdout and stderr before any signal can
    # reach it: SIGINT is held back across the fork until they are in place.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:
        for fd, name in ((1, job["stdout"]), (2, job["stderr"])):
            out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, fd)
        code = experiments.cli.INTERRUPTED
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            # a Ctrl-C now is one that lands before the CLI has parsed its arguments
            os.environ.update(job["env"])
            sys.argv = ["coalition", *job["argv"]]
            code = experiments.cli.main()
        except KeyboardInterrupt:
            print("coalition: " + experiments.cli.interrupted("", None, job["argv"]), file=sys.stderr)
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class Zygote:
    """``start(argv)`` forks a command and returns its pid; ``wait()`` its exit code."""

    def __init__(self, warm: list[str] = ()) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(list(warm))],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)
        assert self.proc.stdout.readline().strip() == "ready"

    def start(self, argv: list[str], stdout: Path, stderr: Path, env: dict | None = None) -> int:
        job = {"argv": argv, "stdout": str(stdout), "stderr": str(stderr), "env": env or {}}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())["pid"]

    def wait(self) -> int:
        return json.loads(self.proc.stdout.readline())["code"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)
