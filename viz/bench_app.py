"""Benchmark the running app in a real browser: first render and Step latency.

    python -m viz.bench_app [--steps 30] [--port 8790]

Starts ``coalition app`` on a free port, opens it in Debian's chromium (Playwright),
and prints the time from navigation to the first rendered banner ("Round 0"), then,
for the baseline with "stop at the verdict" off (so it keeps stepping), the time from
a click on Step to the banner showing the next round, measured inside the page. Needs
the test extras (playwright) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Click Step and resolve with the ms until the banner's headline shows a new round.
CLICK_TO_BANNER = """
async () => {
  const headline = () => document.querySelector('.coalition-headline').innerText;
  const step = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
  const before = headline();
  const changed = new Promise((resolve, reject) => {
    const obs = new MutationObserver(() => {
      if (headline() !== before) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(document.body, {subtree: true, childList: true, characterData: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('banner did not change: ' + before)); }, 20000);
  });
  const t0 = performance.now();
  step.click();
  return (await changed) - t0;
}
"""


def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise SystemExit("chromium not found: apt-get install chromium")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(port: int, timeout: float = 60.0) -> Iterator[str]:
    """``coalition app --port PORT`` as a subprocess; yields its address once it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "app", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"coalition app exited with {proc.returncode}: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("coalition app did not answer in time") from None
                time.sleep(0.2)
        yield url
    except Exception:
        proc.terminate()
        print(proc.stdout.read(), file=sys.stderr)
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(steps: int = 30, port: int | None = None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with app_server(port or free_port()) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        # warm the server once (imports, first model), as a seminar's first visitor does
        page.goto(url)
        page.get_by_text("Round 0 ·").wait_for(timeout=60_000)
        page.close()
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        start = time.perf_counter()
        page.goto(url)
        page.get_by_text("Round 0 ·").wait_for(timeout=60_000)
        first_render = time.perf_counter() - start
        # keep stepping past the verdict: switch "stop at the verdict" off, Reset
        page.get_by_role("switch", name="stop at the verdict").click(force=True)
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("The model runs with these settings.").wait_for()
        latencies = [page.evaluate(CLICK_TO_BANNER) for _ in range(steps)]
        page.get_by_text(f"Round {steps} ·").wait_for()
        browser.close()
    return {"first_render_s": first_render, "median_ms": statistics.median(latencies),
            "p90_ms": percentile(latencies, 0.9), "max_ms": max(latencies), "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    r = bench(args.steps, args.port)
    print(f"first render (navigation to banner, warm server): {r['first_render_s']:.2f} s")
    print(f"Step, click to updated banner, baseline, {r['steps']} steps: median "
          f"{r['median_ms']:.0f} ms, p90 {r['p90_ms']:.0f} ms, max {r['max_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
