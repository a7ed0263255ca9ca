"""Drive the app in a real browser: the server as a subprocess, Debian's chromium.

Shared by the browser tests and ``benchmarks/bench_app.py``. Playwright cannot download
browsers here; it drives the chromium that ``apt-get install chromium`` provides.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """Path of Debian's chromium, or None if it is not installed."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Run the CLI with an audit hook that writes down every network connection (and name
# lookup) the server process makes to anything but this machine.
AUDITED_CLI = """
import sys
LOCAL = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "")
def audit(event, args, log=sys.argv.pop(1)):
    if event == "socket.connect" and isinstance(args[1], tuple) and str(args[1][0]) not in LOCAL:
        open(log, "a").write(f"connect {args[1]}\\n")
    elif event == "socket.getaddrinfo" and str(args[0]) not in LOCAL:
        open(log, "a").write(f"lookup {args[0]}\\n")
sys.addaudithook(audit)
from experiments.cli import main
sys.exit(main(sys.argv[1:]))
"""


@contextlib.contextmanager
def app_server(port: int, timeout: float = 60.0, network_log: Path | None = None,
               args: tuple[str, ...] = ()) -> Iterator[str]:
    """``coalition app --port PORT`` as a subprocess; yields its address once it answers.

    With ``network_log``, every connection the server makes beyond this machine is
    written to that file. Its output goes to a temporary file (a pipe nobody reads
    could fill and stall it) and is shown if the server fails to start.
    """
    command = [sys.executable, "-m", "experiments.cli"]
    if network_log is not None:
        command = [sys.executable, "-c", AUDITED_CLI, str(network_log)]
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([*command, "app", "--port", str(port), *args],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_up(proc, url, timeout, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_up(proc: subprocess.Popen, url: str, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"coalition app did not start ({url}):\n{log.read()[-3000:]}") from None
            time.sleep(0.2)
