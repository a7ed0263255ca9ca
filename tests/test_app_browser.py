"""The browser app in a real browser: Debian's chromium driven by Playwright.

``coalition app`` runs as a subprocess on a free port; each test opens fresh browser
contexts (separate sessions) and checks what a user sees. Every request that would
leave 127.0.0.1 is blocked and fails the test: the app must work offline.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from agents.coalition_model import CoalitionModel
from model.errors import CoalitionError
from helpers.browser import (app_server, check_server, chromium, cpu_seconds, free_port,
                             ignores_sigpipe, launched_chromium, rss_mb, server_pid)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.skipif(chromium() is None,
                                reason="needs Debian's chromium: apt-get install chromium")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

# Series lengths and titles of every chart on the page, read from ECharts itself.
CHARTS_JS = """() => [...document.querySelectorAll('.coalition-echarts')].map(el => {
  const chart = el.echartsInstance;
  if (!chart) return null;
  const option = chart.getOption();
  return {title: option.title.length ? option.title[0].text : '',
          lengths: option.series.map(s => (s.data || []).length),
          types: option.series.map(s => s.type), names: option.series.map(s => s.name),
          geo: (option.geo || []).map(g => g.map)};
})"""


@pytest.fixture(scope="module")
def network_log(tmp_path_factory) -> Path:
    """Where the server process writes any connection it makes beyond this machine."""
    return tmp_path_factory.mktemp("app") / "network.log"


@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory) -> Path:
    """The server's sweeps root: one sweep whose second chunk is damaged."""
    from experiments.sweep import run_sweep
    from helpers.sweeps import damage, phase_file

    root = tmp_path_factory.mktemp("sweeps-root")
    run_sweep(phase_file(root.parent), root / "damaged", progress=False)
    damage(root / "damaged")
    return root


KEEP_SESSION_S = 2  # the server frees a closed tab's session this long after it goes


@pytest.fixture(scope="module")
def app_url(network_log, sweeps_root):
    with app_server(free_port(), network_log=network_log,
                    args=("--sweeps-root", str(sweeps_root),
                          "--keep-session", str(KEEP_SESSION_S))) as url:
        yield url


@pytest.fixture(scope="module")
def chromium_browser():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def outside_requests():
    """URLs the pages tried to fetch from anywhere but this machine (must stay empty)."""
    urls: list[str] = []
    yield urls
    assert not urls, f"the app tried to reach beyond 127.0.0.1: {urls}"


@pytest.fixture
def open_app(chromium_browser, app_url, outside_requests):
    """Open the app in a new browser context (a new session); returns the page."""
    contexts = []

    def local(url: str) -> bool:
        return url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in LOCAL_HOSTS

    def guard(route):
        if local(route.request.url):
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    def watch_websocket(ws):
        if not local(ws.url.replace("ws://", "http://").replace("wss://", "https://")):
            outside_requests.append(ws.url)

    def open_page(height: int = 1000):
        check_server(app_url)  # a server that has stopped says why, with its log
        context = chromium_browser.new_context(viewport={"width": 1440, "height": height})
        contexts.append(context)
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("websocket", watch_websocket)
        page.goto(app_url)
        expect(headline(page)).to_have_text("Round 0 · Unresolved so far", timeout=60_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    check_server(app_url)


BOX = "KEY=VALUE lines, e.g. deterrence_rho=1"  # the settings box's label


def headline(page):
    return page.locator(".coalition-headline")


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down labelled ``label``."""
    page.locator(".v-select").filter(has=page.get_by_text(label, exact=True)).first.click()
    page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()


def charts(page) -> list[dict]:
    # the charts follow the rest of the page on a load: wait until they are there and drawn
    page.wait_for_function("() => { const all = [...document.querySelectorAll('.coalition-echarts')];"
                           " return all.length > 0 && all.every(el => el.echartsInstance); }")
    return page.evaluate(CHARTS_JS)


def monitors_policy(model):
    from viz.components.banner import policy_monitor

    return policy_monitor(model)


def monitor(page, label: str):
    """The value of the monitor card ``label`` (a locator: expect() waits for it)."""
    card = page.locator(".coalition-monitor-card").filter(has=page.get_by_text(label, exact=True))
    return card.locator(".coalition-monitor")


# ---------------------------------------------------------------------- tests
def test_page_renders_with_all_panels(open_app):
    page = open_app(height=2700)  # tall enough to hold the whole dashboard
    for text in ("Over time", "Map", "Who gives what", "Events", "Burden and size",
                 "Nation inspector: why does it do that?", "Scenario", "US policy",
                 "The model runs with these settings."):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    for name in ("Reset", "Step", "Play"):
        expect(button(page, name)).to_be_enabled()
    expect(monitor(page, "Coalition size")).to_have_text("32 of 32")
    shown = charts(page)
    titles = [c["title"] for c in shown]
    assert titles == ["Coalition size", "European and US effort", "Deterrence",
                      "The coalition on the map", "Contributions, % of GDP",
                      "Burden against GDP (Olson and Zeckhauser)",
                      "Germany: payoff against its own contribution"]
    assert shown[3]["geo"] == ["europe"] and sum(  # every nation, once
        n for n, t in zip(shown[3]["lengths"], shown[3]["types"]) if t == "scatter") == 33
    assert shown[4]["lengths"] == [32, 1]  # 32 members at round 0, Hungary outside
    expect(page.locator(".coalition-explain")).to_contain_text("Germany (round 0) is a member")
    page.wait_for_timeout(500)  # let the last chart frame paint
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-main.png"))
    page.get_by_role("tab", name="Info").click()
    for section in ("What is it?", "The guarantee after a ceasefire: an assurance game",
                    "How to use it", "Things to try", "How to cite"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    for words in ("stag hunt", "Schelling", "Snyder", "abandoned", "entrapped"):
        expect(page.locator(".coalition-info")).to_contain_text(words)


def test_step_advances_the_round_and_updates_the_views(open_app):
    page = open_app()
    button(page, "Step").click()
    expect(headline(page)).to_have_text(re.compile(r"^Round 1 · Converging"))
    button(page, "Step").click()
    expect(headline(page)).to_have_text("Round 2 · Converging: no change for 2 of 10 rounds")
    expect(monitor(page, "Round")).to_have_text("2")
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].every(el => {"
                           " const c = el.echartsInstance; if (!c) return false;"
                           " const o = c.getOption(); return o.series[0].type !== 'line'"
                           " || o.xAxis[0].type !== 'category' || o.series[0].data.length === 3; })")
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].some(el =>"
                           " el.echartsInstance && el.echartsInstance.getOption().series.map(s =>"
                           " s.type === 'heatmap' ? s.data.length : 0).reduce((a, b) => a + b, 0) === 99)")
    shown = charts(page)
    assert shown[0]["lengths"] == [3] and shown[1]["lengths"] == [3, 3]  # rounds 0, 1, 2
    assert sum(shown[4]["lengths"]) == 3 * 33  # the heat map: 3 rounds of 33 nations


def test_scenario_and_reset_change_the_model(open_app):
    page = open_app()
    choose(page, "Scenario", "us-walks-away")
    expect(page.locator(".coalition-pending")).to_contain_text(
        "Changed: scenario, US policy, own defence, off-budget money. Press Reset to apply.")
    expect(monitor(page, "US effort")).to_have_text("EUR 33.4 bn/yr")  # nothing changes before Reset
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    expect(page.locator(".v-select").filter(has_text="US policy")).to_contain_text("isolationist")
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 ·")
    expect(monitor(page, "US effort")).to_have_text("EUR 0.0 bn/yr")
    events = page.locator(".coalition-events")
    expect(events.locator(".coalition-event").last).to_have_text(
        "Round 1: the US cut its commitment from 100% to 0% of its 2022-24 effort (EUR 0.0 bn a "
        "year): an isolationist US gives nothing from the first round, whatever Europe does.")
    expect(events).to_contain_text("Round 1: Germany cut its bilateral aid")
    page.get_by_label("Filter, e.g. Germany or left").fill("Germany")
    expect(events.locator(".coalition-event")).to_have_count(1)


def test_play_runs_to_the_verdict(open_app):
    page = open_app()
    button(page, "Play").click()
    expect(headline(page)).to_have_text("Round 10 · Converged at round 10")
    expect(page.locator(".coalition-reason")).to_contain_text("The coalition converged: 32 members")
    expect(button(page, "Step")).to_be_disabled()
    expect(button(page, "Play")).to_be_disabled()


def test_reset_while_playing_stops_and_starts_again(open_app):
    page = open_app()
    page.get_by_role("slider").first.focus()  # the delay between rounds ...
    page.keyboard.press("Home")  # ... to its least: Play steps as fast as it may
    expect(page.get_by_text("Delay between rounds: 50 ms")).to_be_visible()
    page.get_by_role("switch", name="stop at the verdict").click(force=True)
    for _ in range(3):  # Reset while a round is being played, again and again
        button(page, "Reset").click()
        button(page, "Play").click()
        expect(headline(page)).to_contain_text(re.compile(r"Round [1-9]\d* ·"))
        for _ in range(3):
            button(page, "Reset").click()
        expect(headline(page)).to_have_text("Round 0 · Unresolved so far")
    expect(button(page, "Play")).to_be_enabled()  # paused, not playing on
    page.wait_for_timeout(500)
    expect(headline(page)).to_have_text("Round 0 · Unresolved so far")
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 ·")
    expect(page.locator(".coalition-error")).to_have_count(0)


def test_inspector_explains_a_nation(open_app):
    page = open_app()
    choose(page, "Nation to inspect", "France (FRA)")
    explain = page.locator(".coalition-explain")
    expect(explain).to_contain_text("France (round 0) is a member of the coalition")
    expect(explain).to_contain_text("Its best response to the others' aid is")
    expect(page.locator(".coalition-inspector-headline")).to_contain_text("France is a member")
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].some(el =>"
                           " el.echartsInstance && el.echartsInstance.getOption().title[0].text"
                           " === 'France: payoff against its own contribution')")
    button(page, "Step").click()
    expect(explain).to_contain_text("France (round 1)")


def test_bad_input_shows_the_models_message_and_the_app_keeps_running(open_app):
    page = open_app()
    with pytest.raises(CoalitionError) as rejected:
        CoalitionModel("baseline", spillover="2")
    page.get_by_label(BOX).fill("spillover=2")
    expect(page.locator(".coalition-pending")).to_contain_text("more settings")
    expect(page.locator(".coalition-box-problem")).to_have_text(str(rejected.value))  # at once
    button(page, "Reset").click()
    expect(page.locator(".coalition-error")).to_contain_text(str(rejected.value))
    button(page, "Step").click()  # the previous model runs on
    expect(headline(page)).to_contain_text("Round 1 ·")


def test_a_damaged_sweep_is_one_line_in_its_tab_and_the_model_runs_on(open_app, sweeps_root):
    page = open_app()
    page.get_by_role("tab", name="Sweeps").click()
    expect(page.locator(".coalition-sweep-explainer")).to_contain_text(
        "its colour is the share of those runs that ended fractured")
    folder = page.get_by_label("Sweep folder (inside the sweeps root)")
    error = page.locator(".coalition-sweep-error")
    for name, expected in [("damaged", "runs/chunk-000001.parquet is damaged"),
                           ("/etc", "'/etc' is not allowed"), ("../..", "'../..' is not allowed")]:
        folder.fill(name)
        folder.press("Enter")
        expect(error).to_contain_text(expected)
        shown = error.inner_text()
        assert str(sweeps_root) not in shown and shown.count("\n") == 0
        assert "Traceback" not in page.locator("body").inner_text()
    page.get_by_role("tab", name="Model", exact=True).click()
    button(page, "Step").click()  # the Model tab still answers
    expect(headline(page)).to_contain_text("Round 1 ·")


def test_two_browser_contexts_keep_separate_models(open_app):
    first, second = open_app(), open_app()
    for _ in range(3):
        button(first, "Step").click()
    expect(headline(first)).to_contain_text("Round 3 ·")
    expect(headline(second)).to_contain_text("Round 0 ·")
    button(second, "Step").click()
    expect(headline(second)).to_contain_text("Round 1 ·")
    choose(first, "Scenario", "us-walks-away")
    button(first, "Reset").click()
    expect(headline(first)).to_contain_text("Round 0 ·")
    button(first, "Step").click()
    expect(headline(first)).to_contain_text("Round 1 ·")
    expect(monitor(first, "US effort")).to_have_text("EUR 0.0 bn/yr")
    expect(monitor(second, "US effort")).to_have_text("EUR 33.4 bn/yr")
    expect(headline(second)).to_contain_text("Round 1 ·")
    expect(second.locator(".v-select").filter(has_text="Scenario")).to_contain_text("baseline")


# A playing tab at the shortest delay costs the server a round's work (about 60 ms) every
# time the browser has painted the last round: 5% of a core or more even when a loaded
# browser paints only once a second. An idle server uses well under 1%.
BUSY = 0.03


def idle_within(pid: int, seconds: float, window: float = 1.0, busy: float = BUSY) -> bool:
    """Does the process use less than ``busy`` of a core over some ``window`` within ``seconds``?"""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if (cpu_seconds(pid) - before) / window < busy:
            return True
    return False


def playing_page(open_app, scenario: str = "erratic-us"):
    """A page playing a scenario that never settles, at the shortest delay."""
    page = open_app()
    choose(page, "Scenario", scenario)
    button(page, "Reset").click()
    page.get_by_role("slider").first.focus()
    page.keyboard.press("Home")
    button(page, "Play").click()
    expect(headline(page)).to_contain_text(re.compile(r"Round [2-9]\d* ·"))
    return page


def test_closing_a_playing_tab_stops_its_work_and_the_server_stays_up(open_app, app_url):
    """Issue 15 (2, 3): the tab's session stops playing once it is gone, and the server,
    which used to die of SIGPIPE writing to the closed tab's socket, keeps serving."""
    pid = server_pid(app_url)
    # a write to a closed tab's socket raises in the server rather than killing it
    assert ignores_sigpipe(pid)
    assert idle_within(pid, 20), "the server is busy before the test"
    for _ in range(3):
        page = playing_page(open_app)
        assert not idle_within(pid, 2, window=2), "a playing tab should keep the server busy"
        page.context.close()
        assert idle_within(pid, 8), "the server still works for a closed tab"
        check_server(app_url)
    page = open_app()  # and it still serves a new tab
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 ·")


def test_open_and_close_twenty_tabs_and_the_memory_stays_flat(chromium_browser, app_url):
    """A closed tab's session is freed (after ``--keep-session``), so memory levels off."""
    pid = server_pid(app_url)

    def open_and_close(tabs: int) -> float:
        contexts = [chromium_browser.new_context() for _ in range(tabs)]
        pages = [context.new_page() for context in contexts]
        for page in pages:  # load them side by side
            page.goto(app_url, wait_until="commit")
        for page in pages:
            expect(headline(page)).to_contain_text("Round 0 ·", timeout=60_000)
        for context in contexts:
            context.close()
        time.sleep(KEEP_SESSION_S + 1.5)
        return rss_mb(pid)

    first = open_and_close(5)
    after = [open_and_close(5) for _ in range(3)]
    check_server(app_url)
    # a session kept for good costs about 4 MB (measured): 15 of them, 60 MB
    assert after[-1] - first < 25, f"memory grew from {first:.0f} MB to {after} MB over 15 tabs"


def test_nothing_is_fetched_from_outside(open_app, outside_requests):
    page = open_app()
    seen: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.reload()
    expect(headline(page)).to_contain_text("Round 0 ·", timeout=60_000)
    charts(page)  # ECharts and the map outline are loaded and drawn
    page.get_by_role("tab", name="Info").click()
    expect(page.get_by_role("heading", name="How to cite")).to_be_visible()
    assert len(seen) > 10 and all(urlparse(u).hostname == "127.0.0.1" for u in seen), seen
    assert any("echarts@5.4.0" in u for u in seen)
    assert outside_requests == []
    assert console and not [m for m in console if "Failed to evaluate Vue script" in m
                            or m.startswith("error")], console


# ---------------------------------------------------------------------- issue 15, 9, 10
def slider_of(page, css: str):
    return page.locator(f"{css} [role=slider]")


def reset_and_step(page, rounds: int) -> None:
    """Reset with the pending settings, then Step ``rounds`` rounds."""
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    for k in range(1, rounds + 1):
        button(page, "Step").click()
        expect(headline(page)).to_contain_text(f"Round {k} ·")


def round_of(page) -> int:
    return int(re.match(r"Round (\d+)", headline(page).inner_text()).group(1))


def test_play_stops_at_the_round_limit_and_the_round_slider_goes_back(open_app):
    page = open_app()
    limit = page.get_by_label("Stop after round (1 to 10,000)")
    limit.fill("3")
    limit.press("Tab")
    expect(page.locator(".coalition-round-limit-caption")).to_contain_text("stop after round 3,")
    button(page, "Play").click()
    expect(headline(page)).to_have_text(re.compile(r"^Round 3 · "))
    expect(page.locator(".coalition-reason")).to_contain_text("reached its round limit (3)")
    expect(button(page, "Step")).to_be_disabled()
    expect(button(page, "Play")).to_be_disabled()
    limit.fill("4")
    limit.press("Tab")
    expect(button(page, "Step")).to_be_enabled()
    button(page, "Step").click()
    expect(headline(page)).to_have_text(re.compile(r"^Round 4 · "))
    expect(button(page, "Step")).to_be_disabled()
    # back in time: every view shows round 1, the charts mark it; Latest follows the run again
    slider_of(page, ".coalition-round-slider").focus()
    page.keyboard.press("Home")
    expect(headline(page)).to_have_text(re.compile(r"^Round 0 · "))
    page.keyboard.press("ArrowRight")
    expect(headline(page)).to_have_text(re.compile(r"^Round 1 · "))
    expect(page.locator(".coalition-reason")).to_contain_text("This is round 1 of the 4 played")
    page.wait_for_function("() => { const c = document.querySelector('.coalition-echarts').echartsInstance;"
                           " const m = c.getOption().series[0].markLine; return m && m.data[0].xAxis === '1'; }")
    page.locator(".coalition-explain").scroll_into_view_if_needed()  # below the fold
    expect(page.locator(".coalition-explain")).to_contain_text("Germany (round 1)")
    button(page, "Latest").click()
    expect(headline(page)).to_have_text(re.compile(r"^Round 4 · "))


def test_a_round_limit_typed_while_play_runs_is_kept_and_a_bad_one_is_refused(open_app):
    page = open_app()
    limit = page.get_by_label("Stop after round (1 to 10,000)")
    limit.fill("abc")
    limit.press("Enter")
    expect(page.locator(".coalition-round-limit-problem")).to_contain_text(
        "whole number from 1 to 10,000, not 'abc'")
    expect(page.locator(".coalition-round-limit-caption")).to_contain_text("stop after round 100,")
    limit.fill("60")
    limit.press("Enter")
    expect(page.locator(".coalition-round-limit-problem")).to_have_count(0)
    # the run outlives its verdict
    page.get_by_role("switch", name="stop at the verdict").click(force=True)
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    button(page, "Play").click()
    expect(headline(page)).to_have_text(re.compile(r"^Round [2-5] · "))
    stop = round_of(page) + 10  # about 3 s of Play away
    limit.fill(str(stop))  # typed while rounds are drawn: the redraws must not put 60 back
    limit.press("Tab")
    expect(page.locator(".coalition-reason")).to_contain_text(f"reached its round limit ({stop})")
    expect(headline(page)).to_have_text(re.compile(rf"^Round {stop} · "))
    assert limit.input_value() == str(stop)


def test_the_settings_box_shows_in_the_controls_and_refuses_what_it_cannot_use(open_app):
    page = open_app()
    box = page.get_by_label(BOX)
    box.fill("us_policy=isolationist\nspillover=0.9")
    expect(page.get_by_text("spillover: 0.9", exact=True)).to_be_visible()
    assert page.get_by_label("spillover: 0.9").first.is_disabled()  # the box overrides it
    expect(page.locator(".v-select").filter(has_text="US policy")).to_contain_text("isolationist")
    expect(page.locator(".coalition-boxed").first).to_contain_text("in More settings below")
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    button(page, "Step").click()
    expect(monitor(page, "US effort")).to_have_text("EUR 0.0 bn/yr")  # what the sidebar says
    for text, words in (("n_nations=5", "n_nations changes nothing here: it applies only to "
                                        "synthetic nations"),
                        ("spilover=0.9", "unknown parameter 'spilover': did you mean 'spillover'?")):
        box.fill(text)
        expect(page.locator(".coalition-box-problem")).to_contain_text(words)
    page.locator(".coalition-parameters-link").click()
    expect(page.get_by_role("tab", selected=True)).to_have_text("Parameters")
    expect(page.locator(".coalition-parameters")).to_contain_text("spillover")


def test_the_us_says_why_it_acts_and_terms_have_tooltips(open_app):
    from viz.glossary import SYMBOLS

    page = open_app()
    choose(page, "Scenario", "transactional-us")
    button(page, "Reset").click()
    model = CoalitionModel("transactional-us", rng=42)
    label, value = monitors_policy(model)
    expect(monitor(page, label)).to_have_text(value)
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 ·")
    model.step()
    move = next(e for e in model.events if "the US cut its commitment" in e)
    assert "Europe's aid burden was 1.34 x the US's own, below 1.40" in move
    expect(page.locator(".coalition-events .coalition-event-us").filter(
        has_text="the US cut its commitment")).to_have_text(move)
    expect(page.locator(".coalition-events b")).to_have_count(0)  # only a verdict is bold
    untipped = """(words) => { const re = new RegExp('\\\\b(' + words.join('|') + ')\\\\b', 'i');
      const bad = []; const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walk.nextNode()) { const el = walk.currentNode.parentElement;
        if (!el || !el.offsetParent || el.closest('abbr[title],script,style,textarea,code')) continue;
        if (re.test(walk.currentNode.textContent)) bad.push(walk.currentNode.textContent); }
      return bad; }"""
    assert page.evaluate(untipped, list(SYMBOLS)) == []
    captions = page.locator(".coalition-caption").all_inner_texts()
    assert captions and not [c for c in captions if re.search(r"\b[a-z]+_[a-z_]+\b", c)]
    assert page.locator("abbr.coalition-term[title]").count() > 3
    page.get_by_role("tab", name="Info").click()
    expect(page.locator(".coalition-info abbr.coalition-term", has_text="rho").first).to_have_attribute(
        "title", re.compile("US reliance"))
    assert page.evaluate(untipped, list(SYMBOLS)) == []


# The round the banner shows, as Pause is clicked in the same moment.
PAUSE_NOW = """() => {
  const shown = document.querySelector('.coalition-headline').innerText;
  [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'PAUSE').click();
  return Number(shown.match(/Round (\\d+)/)[1]);
}"""


def test_pause_stops_the_run_within_the_round_in_play(open_app):
    page = open_app()
    choose(page, "Scenario", "erratic-us")
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    page.get_by_role("slider").first.focus()  # the delay between rounds ...
    page.keyboard.press("Home")  # ... to its least
    button(page, "Play").click()
    expect(headline(page)).to_contain_text(re.compile(r"Round ([3-9]|\d\d+) ·"))
    # read the round shown and click Pause in one go in the page: Playwright's own click
    # first waits for the page to settle, and rounds played meanwhile are not the app's
    clicked = page.evaluate(PAUSE_NOW)
    expect(button(page, "Play")).to_be_enabled()
    # the round in play when Pause arrived may reach the screen after the buttons do (its
    # drawing is a render pass of its own; under load it came after Play showed enabled)
    page.wait_for_timeout(2000)
    paused = round_of(page)
    assert paused <= clicked + 1, (clicked, paused)  # the round being played, no more
    page.wait_for_timeout(1000)
    assert round_of(page) == paused


def test_the_inspector_off_screen_waits_and_shows_the_banners_round_when_scrolled_to(open_app):
    """Below the fold the inspector is not redrawn after each Step (the server is told it
    is off screen); scrolled into view it shows the round the banner shows."""
    page = open_app()  # 1440 x 1000: the inspector is below the fold
    inspector = page.locator(".coalition-onscreen[data-name=inspector]")
    expect(inspector).to_have_attribute("data-onscreen", "false")
    for rounds in (1, 2, 3):
        button(page, "Step").click()
        expect(headline(page)).to_have_text(re.compile(rf"^Round {rounds} · "))
    page.wait_for_timeout(300)
    explain = page.locator(".coalition-explain")
    expect(explain).to_contain_text("Germany (round 0)")  # not redrawn while off screen
    explain.scroll_into_view_if_needed()
    expect(inspector).to_have_attribute("data-onscreen", "true")
    expect(explain).to_contain_text("Germany (round 3)")
    button(page, "Step").click()  # on screen it follows every round
    expect(headline(page)).to_have_text(re.compile(r"^Round 4 · "))
    expect(explain).to_contain_text("Germany (round 4)")


def test_the_guarantee_on_the_map_the_chart_the_monitor_and_the_inspector(open_app):
    page = open_app()
    choose(page, "Scenario", "ceasefire-no-backstop")
    reset_and_step(page, 2)
    expect(monitor(page, "Force / needed")).to_have_text("10,350 / 64,000")
    expect(page.locator(".coalition-reason")).to_contain_text("the guarantee is hollow")
    expect(page.locator(".coalition-map-mode .v-btn--active")).to_have_text("troops")
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].some(el => "
                           "el.echartsInstance && el.echartsInstance.getOption().title[0].text === "
                           "'Who deploys what in the reassurance force')")
    shown = {c["title"]: c for c in charts(page)}
    troops = shown["Who deploys what in the reassurance force"]
    model = CoalitionModel("ceasefire-no-backstop", rng=42)
    model.run(2)
    for group, count in (("condition not met", sum(1 for n in model.nation_agents
                                                   if n.troop_offer and not n.troops)),
                         ("deploys", sum(1 for n in model.nation_agents if n.troops))):
        # the map and the strip beyond it have a series each per group
        assert count >= 1 and sum(n for name, n in zip(troops["names"], troops["lengths"])
                                  if name == group) == count, group
    assert shown["The reassurance force against its threshold"]["lengths"][0] == 3
    choose(page, "Nation to inspect", "Germany (DEU)")
    expect(page.locator(".coalition-inspector-troops")).to_contain_text(
        "It offers 750 and deploys 0 (its condition is NOT met: a US backstop)")
    page.get_by_role("switch", name="US backs the force after a ceasefire").click(force=True)
    expect(page.locator(".coalition-pending")).to_contain_text("US backs the force")
    reset_and_step(page, 2)
    expect(monitor(page, "Force / needed")).to_have_text("25,050 / 25,000 (US backstop)")
    expect(page.locator(".coalition-inspector-troops")).to_contain_text("its condition holds")


def test_plausible_worlds_a_second_run_and_exports_while_step_goes_on(open_app):
    from viz.components.echarts import slug

    page = open_app()
    page.get_by_role("button", name="6", exact=True).click()
    page.locator(".coalition-worlds").click()
    expect(page.locator(".coalition-worlds-running")).to_be_visible()
    button(page, "Step").click()  # never blocked by the worlds running
    expect(headline(page)).to_contain_text("Round 1 ·")
    expect(page.locator(".coalition-worlds-verdict")).to_contain_text(
        re.compile(r"In 6 plausible worlds the coalition is \w+ in \d+%"), timeout=180_000)
    page.locator(".coalition-overlay").click()
    expect(page.locator(".coalition-overlay-label")).to_contain_text("baseline, seed 43", timeout=60_000)
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].some(el => "
                           "el.echartsInstance.getOption().series.some(s => s.name === 'baseline, seed 43'))")
    effort = next(c for c in charts(page) if c["title"] == "European and US effort")
    assert {"plausible worlds, 95%", "plausible worlds, median", "baseline, seed 43"} <= set(effort["names"])
    card = page.locator(".coalition-chart").filter(has_text="European and US effort")
    with page.expect_download() as png:
        card.locator(".coalition-png").click()
    data = open(png.value.path(), "rb").read()
    assert png.value.suggested_filename == f"{slug('European and US effort')}.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    with page.expect_download() as csv_file:
        card.locator(".coalition-csv").click()
    lines = open(csv_file.value.path()).read().splitlines()
    assert lines[0].startswith("round,European,US,plausible worlds, 5%") or lines[0].startswith(
        'round,European,US,"plausible worlds, 5%"')
    assert float(lines[1].split(",")[1]) == pytest.approx(CoalitionModel("baseline", rng=42).european_effort)
    with page.expect_download() as log:
        page.locator(".coalition-events-csv").click()
    assert open(log.value.path()).read().startswith("round,kind,event\n")


def test_model_vs_reality_says_where_the_model_is_wrong(open_app):
    from viz.components.reality import reality_check
    from viz.state import Settings

    page = open_app()
    choose(page, "Scenario", "us-walks-away")
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    page.get_by_role("tab", name="Model vs reality").click()
    check = reality_check(Settings.for_scenario("us-walks-away"))
    expect(page.locator(".coalition-reality-verdict")).to_contain_text(check.verdict)
    expect(page.locator(".coalition-reality-verdict")).to_contain_text("the direction is WRONG")
    expect(page.locator(".coalition-reality-report")).to_have_text(check.report)
    page.wait_for_function("() => [...document.querySelectorAll('.coalition-echarts')].some(el => "
                           "el.echartsInstance && el.echartsInstance.getOption().title[0].text"
                           ".startsWith('us-walks-away: predicted against observed'))")


# the page's charts at a screen size: each title and subtitle, whether text is cut off, the
# legends' boxes (ECharts' own), the map's markers in pixels
LAYOUT_JS = """() => [...document.querySelectorAll('.coalition-chart')].map(card => {
  const box = (el) => { const b = el.getBoundingClientRect();
                        return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
  const canvas = card.querySelector('.coalition-echarts');
  const chart = canvas.echartsInstance;
  const head = card.querySelector('.coalition-chart-head');
  const cut = [...head.querySelectorAll('.coalition-chart-title, .coalition-chart-subtitle')]
    .some(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
                || el.getBoundingClientRect().right > box(card).right + 1);
  const c = box(canvas);
  const legends = chart._componentsViews.filter(v => v.__model && v.__model.mainType === 'legend'
                                                     && v.group.childCount() > 0).map(v => {
    const b = v.group.getBoundingRect();
    return {left: c.left + v.group.x + b.x, right: c.left + v.group.x + b.x + b.width,
            top: c.top + v.group.y + b.y, bottom: c.top + v.group.y + b.y + b.height}; });
  return {title: card.querySelector('.coalition-chart-title').innerText, head: box(head), cut,
          legends, canvas: c, width: document.documentElement.clientWidth};
})"""
MAP_JS = """() => {
  const el = [...document.querySelectorAll('.coalition-echarts')].find(e => e.echartsInstance
    && (e.echartsInstance.getOption().geo || []).length);
  const chart = el.echartsInstance, points = [];
  chart.getOption().series.forEach(s => { if (s.type === 'scatter' && s.coordinateSystem === 'geo')
    s.data.forEach(d => { const [x, y] = chart.convertToPixel({geoIndex: 0}, d.value.slice(0, 2));
                          points.push({iso3: d.iso3, x, y, r: d.symbolSize / 2, label: d.label}); }); });
  const overlaps = [];
  for (let i = 0; i < points.length; i++) for (let j = i + 1; j < points.length; j++) {
    const a = points[i], b = points[j];
    if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r - 0.5) overlaps.push([a.iso3, b.iso3]); }
  return {points, overlaps};
}"""


def overlap(a: dict, b: dict) -> bool:
    return not (a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"])


def test_layouts_hold_at_three_screen_sizes_and_leavers_show_on_the_map(open_app):
    """Screenshots at 1024x768, 1280x720 and 1440x900: no title or subtitle overlaps its
    chart's legend or is cut off, nothing is wider than the screen, and no two markers on
    the map overlap; nations that left are labelled rings big enough to see."""
    page = open_app()
    choose(page, "Scenario", "us-walks-away")
    expect(page.locator(".coalition-pending")).to_contain_text("Changed: scenario")  # redrawn
    page.get_by_label(BOX).fill("spillover=1\npledge_floor=0.002\nexit_penalty=0\nus_reliance_spread=1")
    expect(page.locator(".coalition-pending")).to_contain_text("more settings")  # then Reset
    button(page, "Reset").click()
    expect(page.get_by_text("The model runs with these settings.")).to_be_visible()
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 · Fractured")
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1024, 768), (1280, 720), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        charts(page)
        page.wait_for_timeout(700)  # the charts follow the new size
        page.screenshot(path=str(ARTIFACTS / f"app-{width}x{height}.png"), full_page=True)
        cards = page.evaluate(LAYOUT_JS)
        assert len(cards) == 7
        for card in cards:
            assert not card["cut"], (width, card["title"])
            assert card["head"]["bottom"] <= card["canvas"]["top"] + 0.5, (width, card["title"])
            assert not [leg for leg in card["legends"] if overlap(leg, card["head"])], (width, card)
            assert card["canvas"]["right"] <= card["width"] + 0.5, (width, card["title"])
        drawn = page.evaluate(MAP_JS)
        assert len(drawn["points"]) == 29 and drawn["overlaps"] == [], (width, drawn["overlaps"])
        left = [p for p in drawn["points"] if p["label"] and p["label"].get("show")]
        assert len(left) >= 20 and all(p["r"] >= 5.5 for p in left)  # rings with names


def test_the_server_contacts_no_other_host(open_app, network_log):
    """No telemetry, version check or CDN fetch from the server (after every test above)."""
    page = open_app()
    button(page, "Step").click()
    expect(headline(page)).to_contain_text("Round 1 ·")
    assert not network_log.exists(), network_log.read_text()
