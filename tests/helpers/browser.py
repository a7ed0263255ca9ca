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
from typing import Any
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """Path of Debian's chromium, or None if it is not installed."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


@contextlib.contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright; closed on the way out (the
    browser tests' fixtures and the benchmarks all launch it this way)."""
    from playwright.sync_api import sync_playwright

    if chromium() is None:
        raise SystemExit("chromium not found: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


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
        # PYTHONFAULTHANDLER: a crash of the server leaves its traceback in the log
        proc = subprocess.Popen([*command, "app", "--port", str(port), *args],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"})
        url = f"http://127.0.0.1:{port}/"
        SERVERS[url] = (proc, log)
        try:
            wait_until_up(proc, url, timeout, log)
            yield url
        finally:
            del SERVERS[url]
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


SERVERS: dict[str, tuple[subprocess.Popen, object]] = {}  # url -> (process, its log)


def server_pid(url: str) -> int:
    """The process id of the app server at ``url`` (started by :func:`app_server`)."""
    return SERVERS[url][0].pid


def check_server(url: str) -> None:
    """Fail with the server's exit code and the end of its log if it has stopped."""
    proc, log = SERVERS[url]
    if proc.poll() is not None:
        log.seek(0)
        raise AssertionError(f"the app server at {url} has stopped (exit code {proc.returncode}); "
                             f"its log ends:\n{log.read()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ignores_sigpipe(pid: int) -> bool:
    """Does the process ignore SIGPIPE (as Python does by default)? From /proc's SigIgn mask."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (13 - 1) & 1)  # SIGPIPE is signal 13
    raise ValueError(f"process {pid} has no signal mask (it has ended)")


def rss_mb(pid: int) -> float:
    """Resident memory of a process (MB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"process {pid} has no resident memory (it has ended)")


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
