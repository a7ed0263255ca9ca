"""Benchmark the running app in a real browser: first render and Step latency.

    python -m benchmarks.bench_app [--steps 30] [--port 8790]

Starts ``coalition app`` on a free port, opens it in Debian's chromium (Playwright),
and prints the time from navigation to the first rendered banner ("Round 0", for the
first visitor after the server started and the median of the next visitors (each in a fresh
browser context); the charts follow once the
browser has drawn the banner and the controls, and the time until they are drawn is
printed too), then,
for the baseline with "stop at the verdict" off (so it keeps stepping), the time from
a click on Step to the banner showing the next round, measured inside the page (the
next click follows at once, as a student clicking on would), and the server's CPU time
per Step (less shaken by other work on the machine than the wall-clock figures). Then,
a Step at a time, the time until the views on screen show the new round too (the round
slider's label, drawn with the charts). ``REACTON_FAST=0`` in the environment brings back
reacton's default tree walk, for comparison (viz/solara_fixes.py). Needs the test extras
(playwright) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from tests.helpers.browser import app_server, cpu_seconds, free_port, launched_chromium, server_pid

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

# Click Step and resolve with the ms until the round slider (drawn with the other views)
# shows the new round.
CLICK_TO_VIEWS = """
async () => {
  const label = () => (document.querySelector('.coalition-round-slider') || {innerText: ''}).innerText;
  const step = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
  const next = Number(document.querySelector('.coalition-headline').innerText.match(/Round (\\d+)/)[1]) + 1;
  const drawn = new Promise((resolve, reject) => {
    const done = () => label().includes(`${next} of ${next}`);
    const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(performance.now()); } });
    obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('views did not show round ' + next)); }, 20000);
  });
  const t0 = performance.now();
  step.click();
  return (await drawn) - t0;
}
"""

# Every chart of the page is there and drawn by ECharts.
CHARTS_DRAWN = """() => { const all = [...document.querySelectorAll('.coalition-echarts')];
  return all.length >= 7 && all.every(el => el.echartsInstance); }"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(steps: int = 30, port: int | None = None, visits: int = 8) -> dict[str, float]:
    with app_server(port or free_port()) as url, launched_chromium() as browser:
        renders, charts = [], []
        # the first visitor after start (cold), then ``visits`` more, each in a fresh
        # browser context (nothing cached), one at a time
        for visit in range(visits + 1):
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            start = time.perf_counter()
            page.goto(url)
            page.get_by_text("Round 0 ·").wait_for(timeout=60_000)
            renders.append(time.perf_counter() - start)
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            charts.append(time.perf_counter() - start)
            if visit < visits:
                page.close()
        # keep stepping past the verdict: switch "stop at the verdict" off, Reset
        page.get_by_role("switch", name="stop at the verdict").click(force=True)
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("The model runs with these settings.").wait_for()
        cpu = cpu_seconds(server_pid(url))
        latencies = [page.evaluate(CLICK_TO_BANNER) for _ in range(steps)]
        page.get_by_text(f"Round {steps} ·").wait_for()
        page.wait_for_timeout(1000)  # the last round's views drawn
        cpu = cpu_seconds(server_pid(url)) - cpu  # with a second of idling: a few ms
        views = []
        for _ in range(10):
            page.wait_for_timeout(300)  # the previous round's views drawn
            views.append(page.evaluate(CLICK_TO_VIEWS))
        browser.close()
    return {"cold_render_s": renders[0], "first_render_s": statistics.median(renders[1:]),
            "first_render_min_s": min(renders[1:]), "first_render_max_s": max(renders[1:]),
            "visits": visits, "charts_s": statistics.median(charts[1:]),
            "median_ms": statistics.median(latencies),
            "p90_ms": percentile(latencies, 0.9), "max_ms": max(latencies), "steps": steps,
            "server_cpu_ms": 1000 * cpu / steps, "views_ms": statistics.median(views)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--visits", type=int, default=8,
                        help="page loads after the first, for the median first render")
    args = parser.parse_args(argv)
    if args.visits < 1 or args.steps < 1:
        parser.error(f"--visits and --steps must be at least 1 (got {args.visits}, {args.steps})")
    r = bench(args.steps, args.port, args.visits)
    print(f"first render, navigation to banner: {r['cold_render_s']:.2f} s for the first visitor "
          f"after the server starts; for the next {r['visits']}: median {r['first_render_s']:.2f} s "
          f"({r['first_render_min_s']:.2f} to {r['first_render_max_s']:.2f}), their charts drawn "
          f"at {r['charts_s']:.2f} s (median)")
    print(f"Step, click to updated banner, baseline, {r['steps']} steps: median "
          f"{r['median_ms']:.0f} ms, p90 {r['p90_ms']:.0f} ms, max {r['max_ms']:.0f} ms; "
          f"server CPU {r['server_cpu_ms']:.0f} ms per Step")
    print(f"Step, click to the views on screen showing the new round, one at a time: median "
          f"{r['views_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
