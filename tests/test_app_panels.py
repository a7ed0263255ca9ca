"""The app's newer panels and session features, checked against the model's numbers
without a browser: the round limit, the round slider, the guarantee, what the US policy
looks at, model vs reality, plausible worlds, a second run, exports, plain words."""

from __future__ import annotations

import csv
import io
import re

import ipyvuetify as v
import numpy as np
import pytest

from agents.coalition_model import CoalitionModel
from model.config import all_params
from model.rounds import burden_ratio
from model.validation import scenario_report, validate_2025
from viz.components import banner as banner_mod
from viz.components import charts, coalition_map, inspector
from viz.components.controls import parse_round_limit
from viz.components.echarts import option_csv
from viz.components.parameters import parameter_rows
from viz.components.reality import reality_check
from viz.glossary import CAPTIONS, GLOSSARY, SYMBOLS, gloss_html
from viz.state import CONTROLLED, LABELS, Session, Settings

SEED = 7


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------------- round limit
def test_play_and_step_stop_at_the_round_limit_and_go_on_when_it_is_raised():
    session = Session(Settings.for_scenario("erratic-us", seed=42).with_value("stop_on_verdict", False))
    session.set_round_limit(4)
    session.playing.set(True)
    while session.step():
        pass
    assert session.model.round == 4 and not session.running.value and not session.playing.value
    b = banner_mod.banner(session.model, limit=4)
    assert b.headline.startswith("Round 4 ·") and "round limit (4)" in b.reason
    session.set_round_limit(6)
    assert session.running.value and session.step() and session.step() and not session.step()
    assert session.model.round == 6


def test_the_default_round_limit_is_the_clis():
    from model.param import DEFAULT_ROUNDS

    assert Session().round_limit.value == DEFAULT_ROUNDS == 100


# ---------------------------------------------------------------------- round slider
def test_the_round_slider_shows_an_earlier_round_in_every_view():
    session = Session(Settings.for_scenario("us-walks-away", seed=SEED).with_value("stop_on_verdict", False))
    for _ in range(5):
        session.step()
    frame = session.model.datacollector.get_model_vars_dataframe()
    session.show_round(2)
    seen = session.read(banner_mod.banner, None, 5)
    assert seen.headline.startswith("Round 2 ·") and "round 2 of the 5 played" in seen.reason
    assert session.read(lambda m: m.european_effort) == pytest.approx(frame["european_effort_bn"][2])
    events = session.read(lambda m: list(m.events))
    assert events and all(int(re.match(r"Round (\d+)", e).group(1)) <= 2 for e in events)
    effort = session.read(charts.effort_option)
    assert effort["series"][0]["markLine"]["data"] == [{"xAxis": "2"}]
    assert len(effort["xAxis"]["data"]) == 6  # the whole run, the round shown marked
    past = session.read(inspector.inspect, "DEU")
    assert past.explanation.startswith("Germany (round 2)")
    session.step()  # the run goes on underneath
    assert session.model.round == 6 and session.read(lambda m: m.round) == 2
    session.show_round(None)
    assert session.read(lambda m: m.round) == 6 and "markLine" not in session.read(charts.effort_option)["series"][0]


# ---------------------------------------------------------------------- monitors
def test_the_monitor_shows_europes_burden_against_the_us_demand():
    model = CoalitionModel("transactional-us", rng=SEED)
    label, value = banner_mod.policy_monitor(model)
    ratio = float(burden_ratio(model.world, model.state)[0, 0])
    assert label == "Europe's burden / US demand" and value == f"{ratio:.2f} / {model.config.us_demand:.2f}"
    assert (label, value) in banner_mod.monitors(model)
    assert banner_mod.policy_monitor(CoalitionModel("baseline", rng=SEED)) is None


# ---------------------------------------------------------------------- the guarantee
def test_the_force_chart_is_the_force_against_its_threshold_and_the_backstop():
    model = CoalitionModel("ceasefire-transactional-us", rng=SEED, stop_on_verdict=False)
    model.run(8)
    df = model.datacollector.get_model_vars_dataframe()
    option = charts.force_option(model)
    force, need = option["series"][:2]
    assert force["data"] == pytest.approx(df["force_troops"].tolist())
    start = int(model.state.ceasefire_began[0, 0])
    assert need["data"][:start] == [None] * start
    assert need["data"][start:] == pytest.approx(df["force_threshold"].tolist()[start:])
    backed = [r for r, b in enumerate(df["us_backstop"]) if b]
    spans = force["markArea"]["data"]
    shaded = [r for a, b in spans for r in range(int(a["xAxis"]), int(b["xAxis"]) + 1)]
    assert shaded == backed and backed  # the US backed it for a while, then stopped
    s = model.summary()
    assert ("Force / needed", f"{s['force_troops']:,.0f} / {s['force_threshold']:,.0f}") in \
        banner_mod.monitors(model)
    assert s["guarantee_reason"] in banner_mod.banner(model).reason
    assert charts.has_ceasefire(model) and not charts.has_ceasefire(CoalitionModel("baseline"))


def test_the_inspector_shows_a_nations_troop_decision_and_its_condition():
    model = CoalitionModel("ceasefire-no-backstop", rng=SEED, stop_on_verdict=False)
    model.run(3)
    germany = model.nation("DEU")
    seen = inspector.inspect(model, "DEU")
    t = seen.troops
    assert (t.offer, t.deployed, t.condition, t.condition_met) == (
        germany.troop_offer, germany.troops, germany.troop_condition, germany.condition_met)
    assert t.condition == "a US backstop" and not t.condition_met
    assert f"its condition is NOT met: {germany.troop_condition}" in t.text
    assert t.best == germany.best_troop_offer()
    curve = seen.troop_option["series"][0]["data"]
    assert [p[0] for p in curve] == germany.troop_payoffs()["troops"].astype(int).tolist()
    before = inspector.inspect(CoalitionModel("ceasefire-no-backstop", rng=SEED), "DEU")
    assert before.troops.text.startswith("Troops: no ceasefire yet") and before.troop_option is None


def test_the_backstop_and_the_ceasefire_are_controls():
    assert {"us_backstop", "ceasefire_round", "force_threshold", "force_threshold_backstop"} <= set(CONTROLLED)
    settings = Settings.for_scenario("ceasefire-with-backstop").with_value("us_backstop", False)
    model = settings.build()
    model.run(4)
    assert not model.state.backstop[0, 0] and model.config.ceasefire_round == 2


# ---------------------------------------------------------------------- charts and exports
def test_charts_export_their_data_as_csv():
    model = CoalitionModel("us-walks-away", rng=SEED, stop_on_verdict=False)
    model.run(4)
    df = model.datacollector.get_model_vars_dataframe()
    table = rows(option_csv(charts.effort_option(model)))
    assert table[0] == ["round", "European", "US"]
    assert [float(r[1]) for r in table[1:]] == pytest.approx(df["european_effort_bn"].tolist())
    heat = rows(option_csv(charts.heatmap_option(model)))
    assert heat[0][:4] == ["series", "name", "round", "nation"]
    assert len(heat) - 1 == 5 * model.nations.n
    germany = [r for r in heat[1:] if r[3] == "Germany"]
    history = charts.contribution_history(model)[2][:, model.nations.index("DEU")]
    assert [float(r[4]) for r in germany] == pytest.approx(100 * history, abs=1e-4)
    burden = rows(option_csv(charts.burden_option(model)))
    assert {r[1] for r in burden[1:]} == set(model.nations.iso3)


def test_the_second_run_and_the_band_are_drawn_over_the_time_series():
    model = CoalitionModel("baseline", rng=SEED)
    model.run(3)
    overlay = charts.Overlay("us-walks-away, seed 8", {"coalition_size": [32.0] * 6,
                                                       "european_effort_bn": [50.0] * 6,
                                                       "deterrence": [0.5] * 6, "force_troops": [0.0] * 6})
    effort = charts.effort_option(model, overlay=overlay)
    assert effort["series"][-1]["name"] == "us-walks-away, seed 8"
    assert effort["series"][-1]["lineStyle"]["type"] == "dashed"
    assert len(effort["xAxis"]["data"]) == 6  # the longer run sets the axis
    band = charts.Band(4, list(range(8)), [40.0] * 8, [50.0] * 8, [60.0] * 8)
    banded = charts.effort_option(model, band=band)
    names = [s["name"] for s in banded["series"]]
    assert "plausible worlds, 95%" in names and "plausible worlds, median" in names
    spread = next(s for s in banded["series"] if s["name"] == "plausible worlds, 95%")
    assert spread["data"] == [20.0] * 8 and len(banded["xAxis"]["data"]) == 8  # stacked on 5%
    table = rows(option_csv(banded))  # the CSV has the band's edges, not its width
    assert table[0][3:6] == ["plausible worlds, 5%", "plausible worlds, 95%", "plausible worlds, median"]
    assert [r[4] for r in table[1:]] == ["60.0"] * 8


def test_the_heat_map_puts_nation_2_before_nation_10_and_outsiders_are_unlabelled():
    model = CoalitionModel("lq-textbook", rng=SEED)
    model.run(20)
    names = charts.heatmap_option(model, "GDP")["yAxis"]["data"]
    assert names == [f"Nation {k}" for k in range(1, 11)]
    burden = charts.burden_option(model)
    outside = next(s for s in burden["series"] if s["name"] == "outside")
    assert outside["data"] and "label" not in outside


def test_the_inspectors_axis_ends_at_a_round_number_and_small_terms_print_in_millions():
    model = CoalitionModel("us-walks-away", rng=SEED)
    model.run(2)
    for code in ("DEU", "EST", "FRA"):
        top = inspector.inspector_option(model, model.nation(code))["xAxis"][1]["max"]
        assert inspector.nice_ceiling(top) == pytest.approx(top)
    html = inspector.terms_html(inspector.utility_terms_table(model.nation("EST")))
    assert "EUR m a year" in html and "+0.000" not in html


# ---------------------------------------------------------------------- model vs reality
def test_model_vs_reality_is_what_coalition_validate_prints_for_the_scenario():
    settings = Settings.for_scenario("us-walks-away", seed=42)
    check = reality_check(settings)
    assert check.report == scenario_report(validate_2025("us-walks-away", seed=42))
    v = check.validation
    assert "the direction is WRONG" in check.verdict  # x0.70 predicted, x1.16 observed
    assert f"x{v.predicted_effort_ratio:.2f}" in check.verdict and f"x{v.observed_effort_ratio:.2f}" in check.verdict
    changed = reality_check(settings.with_value("us_reliance", 1.0))
    assert changed.validation.predicted_effort_ratio != v.predicted_effort_ratio  # the settings count
    none = reality_check(Settings.for_scenario("lq-textbook"))
    assert none.validation is None and "has no observed 2025 data" in none.problem


def test_the_cli_prints_the_same_report(capsys):
    from experiments.cli import main

    assert main(["validate", "--scenario", "us-walks-away"]) == 0
    assert capsys.readouterr().out.strip() == reality_check(
        Settings.for_scenario("us-walks-away")).report


# ---------------------------------------------------------------------- plausible worlds
def test_the_band_of_plausible_worlds_ends_where_their_summary_does():
    from experiments.ensemble import plausible_band, plausible_worlds

    model = CoalitionModel("us-walks-away", rng=SEED)
    args = ("us-walks-away", {}, 12, SEED, 5)
    band, worlds = plausible_band(*args, chunk=2), plausible_worlds(*args)
    assert band["verdicts"] == worlds["verdicts"]
    end = worlds["european_effort_end_bn"]
    assert [band["p5"][-1], band["p50"][-1], band["p95"][-1]] == pytest.approx([end["p5"], end["p50"], end["p95"]])
    assert np.all(np.array(band["p5"]) <= np.array(band["p50"])) and np.all(
        np.array(band["p50"]) <= np.array(band["p95"]))
    assert band["p50"][0] == pytest.approx(model.european_effort)  # every world starts at 2022-24
    assert plausible_band(*args, chunk=5) == band  # the company a world runs in does not matter
    assert plausible_band(*args, cancelled=lambda: True) is None


def test_the_worlds_take_the_scenarios_values_and_the_users_changes_win():
    settings = Settings.for_scenario("us-walks-away", seed=SEED)
    assert settings.departures() == {}
    changed = settings.with_value("spillover", 0.7).with_value("DEU.us_reliance", 0.9)
    assert changed.departures() == {"spillover": 0.7, "DEU.us_reliance": 0.9}


def test_a_session_ensemble_is_the_applied_settings_in_plausible_worlds():
    from viz.components.uncertainty import ensemble

    session = Session(Settings.for_scenario("us-walks-away", seed=SEED))
    session.set_round_limit(10)
    found = ensemble(session, 4)
    assert found.settings == session.applied.value and found.band.draws == 4
    assert abs(sum(found.verdicts.values()) - 1) < 1e-12
    assert found.text.startswith("In 4 plausible worlds the coalition is ")
    assert len(found.band.rounds) <= 11


def test_a_second_run_is_the_mesa_models_run_of_those_settings():
    from viz.components.uncertainty import second_run

    settings = Settings.for_scenario("us-walks-away", seed=8).with_value("stop_on_verdict", False)
    overlay = second_run(settings, 6)
    model = settings.build()
    model.run(6)
    df = model.datacollector.get_model_vars_dataframe()
    for name in ("coalition_size", "european_effort_bn", "deterrence", "force_troops"):
        assert overlay.series[name] == df[name].astype(float).tolist(), name
    assert overlay.label == "us-walks-away, seed 8"


# ---------------------------------------------------------------------- plain words
def test_every_control_has_a_plain_caption_without_symbols_or_code_names():
    for name in CONTROLLED:
        if name == "us_policy":  # its caption is the chosen policy's description, below
            continue
        caption = CAPTIONS[name]
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", caption), (name, caption)
        assert not re.search(r"\b(" + "|".join(SYMBOLS) + r")\b", caption, re.I), (name, caption)
    from model.policies import REGISTRY

    for cls in REGISTRY.values():  # the policy's caption under its drop-down
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", cls.description), cls.description


def test_glossary_terms_carry_their_meaning_as_a_tooltip():
    html = gloss_html("rho < 0: complements & <b>")
    assert html.count('class="coalition-term"') == 2 and "&lt;b&gt;" in html
    assert f'title="{GLOSSARY["rho"]}"' in html.replace("&#x27;", "'")
    from viz.components.info import info_html

    text = re.sub(r"<abbr[^>]*>.*?</abbr>", "", info_html())
    words = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\b(" + "|".join(SYMBOLS) + r")\b", words), "a symbol without a tooltip"


def test_the_parameter_list_has_every_parameter_and_finds_one():
    names = [r[0] for r in parameter_rows()]
    assert set(all_params()) <= set(names) and "ISO3.us_reliance" in names
    found = parameter_rows("spillover")
    assert found and all("spillover" in (n + m).lower() for n, _, _, m in found)


def test_solaras_navigator_template_is_used_without_its_typo():
    from solara.widgets.widgets import Navigator

    from viz import solara_fixes

    solara_fixes.apply()
    text = open(Navigator.template_file).read()
    assert "module.exports = {" in text and solara_fixes.TYPO not in text


def test_the_app_renders_with_reactons_fast_tree_walk(monkeypatch):
    """A Step redraws the banner without walking the charts: the fast renderer is chosen
    when the app is imported, and the banner's pass updates no chart widget."""
    import reacton.core
    import solara

    import viz.app
    from viz.components.echarts import EchartsJson
    from viz.solara_fixes import use_fast_renderer

    assert use_fast_renderer() and reacton.core._render_context_class() is reacton.core._RenderContextFast
    sessions = []
    monkeypatch.setattr(viz.app, "Session", lambda **kw: sessions.append(Session(**kw)) or sessions[-1])
    _, rc = solara.render(viz.app.Page(), handle_error=False)
    session = sessions[0]
    session.page_drawn.set(True)  # as the browser says once it has drawn the page
    updated = []
    original = reacton.core.Element._update_widget
    monkeypatch.setattr(reacton.core.Element, "_update_widget", lambda el, *a, **k: (
        updated.append(getattr(el.component, "name", "")), original(el, *a, **k))[1])
    session.version.set(session.version.value + 1)  # the banner's pass of a Step
    assert updated and "EchartsJson" not in updated
    session.views_version.set(session.version.value)  # then the views'
    assert "EchartsJson" in updated
    rc.close()


def test_a_page_load_draws_the_charts_once_the_browser_has_drawn_the_page(monkeypatch):
    """The first render holds the banner and controls, not the charts; when the browser
    says it has drawn that, the views follow, at the round the banner shows."""
    import solara

    import viz.app
    from viz.components.echarts import EchartsJson
    from viz.components.onscreen import OnScreen

    sessions = []
    monkeypatch.setattr(viz.app, "Session", lambda **kw: sessions.append(Session(**kw)) or sessions[-1])
    _, rc = solara.render(solara.AppLayout(children=[viz.app.Page()]), handle_error=False)  # with the sidebar
    session = sessions[0]
    assert not rc.find(EchartsJson).widgets
    assert rc.find(v.Html, class_="coalition-headline").widget.children == ["Round 0 · Unresolved so far"]
    # the run's buttons and the scenario come first, the other settings with the charts
    assert [w for w in rc.find(v.Btn).widgets if "Step" in w.children]
    assert not [w for w in rc.find(v.Slider).widgets if w.label.startswith(LABELS["spillover"])]
    session.step()  # a Step before the charts came: the banner moves on, nothing is lost
    pending = [w for w in rc.find(OnScreen).widgets if w.name == "views-pending"]
    assert len(pending) == 1
    pending[0].drawn = True  # what the browser sends once the page is drawn
    charts = rc.find(EchartsJson).widgets
    assert len(charts) >= 7 and not [w for w in rc.find(OnScreen).widgets if w.name == "views-pending"]
    assert [w for w in rc.find(v.Slider).widgets if w.label.startswith(LABELS["spillover"])]
    assert "Germany (round 1)" in next(w for w in rc.find(v.VuetifyTemplate).widgets
                                      if getattr(w, "attributes", {}).get("class") == "coalition-explain"
                                      ).unsafe_innerHTML
    rc.close()


def test_the_settings_box_links_to_the_parameter_list():
    import solara

    from viz.app import TABS
    from viz.components.controls import Controls

    session = Session()
    box, rc = solara.render(Controls(session), handle_error=False)
    rc.find(v.Btn, children=["parameter list"]).widget.click()
    assert TABS[session.tab.value] == "Parameters"
    rc.close()


@pytest.mark.parametrize("text, rounds", [("3", 3), (" 10,000 ", 10_000), ("1_000", 1000)])
def test_the_round_limit_box_reads_whole_numbers(text, rounds):
    assert parse_round_limit(text) == rounds


@pytest.mark.parametrize("text", ["", "0", "10001", "2.5", "-3", "abc", None])
def test_the_round_limit_box_refuses_anything_else_and_says_what_is_allowed(text):
    with pytest.raises(ValueError, match=r"whole number from 1 to 10,000, not"):
        parse_round_limit(text)


def test_play_waits_for_the_browser_to_paint_each_round(monkeypatch):
    """Once the browser has reported a painted round, the next round waits for it: Play
    never runs ahead of a slow browser (so Pause stops the round on screen). The page's
    last part carries the version the server drew, and the browser's report of it reaches
    the session; before any report (no browser) only the server's drawing is waited for."""
    import threading

    import solara

    import viz.app
    from viz.components.onscreen import OnScreen

    sessions = []
    monkeypatch.setattr(viz.app, "Session", lambda **kw: sessions.append(Session(**kw)) or sessions[-1])
    _, rc = solara.render(viz.app.Page(), handle_error=False)
    session = sessions[0]
    session.page_drawn.set(True)
    session.step()
    assert session.wait_drawn(timeout=0.01)  # no browser has reported: the server's drawing
    (views,) = [w for w in rc.find(OnScreen).widgets if w.name == "views"]
    assert views.version == session.views_version.value
    views.shown = views.version  # the browser has painted round 1
    session.step()
    assert views.version == session.views_version.value > views.shown
    assert not session.wait_drawn(timeout=0.05)  # round 2 is not on screen yet
    threading.Timer(0.05, lambda: setattr(views, "shown", views.version)).start()
    assert session.wait_drawn(timeout=5)  # painted: the next round may be played
    rc.close()


def test_the_server_hands_messages_over_quickly_and_gzips_cheaply(monkeypatch):
    """``coalition app`` sets a short thread switch interval (a page load's 190 widget
    messages each cross threads) and gzips static files at level 1, not 9."""
    import sys

    from starlette.middleware.gzip import GZipMiddleware

    from viz import server

    monkeypatch.setattr(GZipMiddleware.__init__, "__defaults__", GZipMiddleware.__init__.__defaults__)
    before = sys.getswitchinterval()
    try:
        server.tune_server()
        assert sys.getswitchinterval() == pytest.approx(server.SWITCH_INTERVAL_S)
        middleware = GZipMiddleware(lambda *a: None, minimum_size=1000)  # as Solara builds it
        assert middleware.compresslevel == server.GZIP_LEVEL == 1 and middleware.minimum_size == 1000
    finally:
        sys.setswitchinterval(before)
