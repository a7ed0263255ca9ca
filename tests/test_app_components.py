"""The browser app's panels, checked against the model's own numbers (no browser).

Each panel is a pure function of the model (``banner``, ``monitors``, ``*_option``,
...) plus a thin Solara component; these tests compare what a panel would show with
what the model says, and render the components to check the widgets carry it.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import replace

import ipyvuetify as v
import numpy as np
import pytest
import solara

from agents.nation import Nation
from model.policies import REGISTRY
from agents.coalition_model import CoalitionModel
from model.events import pct
from model.config import CoalitionError, all_params, parse_assignments
from model.scenarios import load_scenario, scenario_names
from viz.components import banner as banner_mod
from viz.components import charts, coalition_map, events, inspector
from viz.components.controls import Controls, PendingNotice
from viz.components.echarts import EchartsJson, to_json
from viz.components.info import info_html, info_text
from viz.state import CONTROLLED, Session, Settings, changed

SEED = 7


def run(scenario: str = "us-walks-away", rounds: int = 25, **params) -> CoalitionModel:
    model = CoalitionModel(scenario, rng=SEED, **params)
    model.run(rounds)
    return model


# membership that costs something (a high pledge floor; outsiders get all the benefit) and
# beliefs that differ: when the US walks away nations leave and events pile up
LEAVING = dict(spillover=1.0, pledge_floor=0.002, exit_penalty=0.0, us_reliance_spread=1.0,
               stop_on_verdict=False)


@pytest.fixture(scope="module")
def walked() -> CoalitionModel:
    """The US walks away, played on: nations leave, events pile up."""
    return run("us-walks-away", rounds=40, **LEAVING)


# ---------------------------------------------------------------------- settings
@pytest.mark.parametrize("name", scenario_names())
def test_scenario_loads_its_parameters_into_the_controls(name):
    preset, spec = load_scenario(name), all_params()
    settings = Settings.for_scenario(name)
    for key in CONTROLLED:
        expected = preset.parameters.get(key, spec[key].default)
        assert settings.values[key] == spec[key].validate(expected), key
    assert settings.nation_values("us_reliance") == {
        code: fields["us_reliance"] for code, fields in preset.nations.items() if "us_reliance" in fields}


@pytest.mark.parametrize("name", ["baseline", "germany-decouples", "erratic-us", "lq-textbook"])
def test_controls_of_a_scenario_build_the_scenarios_model(name):
    """Loading a scenario into the controls and pressing Reset gives the CLI's run."""
    app = Settings.for_scenario(name, seed=SEED).build()
    cli = CoalitionModel(name, rng=SEED)
    assert app.run(30) == cli.run(30)
    assert app.events == cli.events


def test_changed_names_the_controls_that_wait_for_reset():
    base = Settings.for_scenario("baseline")
    assert changed(base, base) == []
    edited = base.with_value("spillover", 0.2).with_value("DEU.us_reliance", 1.0)
    assert changed(edited, base) == ["spillover", "DEU's US reliance"]
    assert changed(Settings.for_scenario("us-walks-away"), base) == [
        "scenario", "US policy", "own defence", "off-budget money"]


def test_extra_lines_are_parsed_like_the_cli_set():
    settings = replace(Settings.for_scenario("baseline"),
                       extra="# a comment\nnoise=0.1\nFRA.sucker_aversion=0.5\n\n")
    inputs = settings.model_inputs()
    assert inputs["noise"] == 0.1 and inputs["FRA.sucker_aversion"] == 0.5
    assert settings.build().config.noise == 0.1
    assert parse_assignments(settings.extra.splitlines()) == {"noise": "0.1",
                                                              "FRA.sucker_aversion": "0.5"}


def test_the_settings_box_shows_in_the_controls_and_wins_over_them():
    """One source of settings: a control set in the box shows the box's value, the model
    is built with it, and Reset is needed as for any control."""
    base = Settings.for_scenario("baseline")
    boxed = replace(base, extra="us_policy=isolationist\nspillover=0.9")
    assert boxed.effective("spillover") == (0.9, True)
    assert boxed.effective("us_policy") == ("isolationist", True)
    assert base.effective("spillover") == (base.values["spillover"], False)
    model = boxed.build()
    assert model.config.spillover == 0.9 and model.config.us_policy == "isolationist"
    assert changed(boxed, base) == ["more settings"]


@pytest.mark.parametrize("line,words", [
    ("spilover=0.9", "unknown parameter 'spilover': did you mean 'spillover'?"),
    ("n_nations=5", "n_nations changes nothing here: it applies only to synthetic nations"),
    ("us_stake=2", "the US policy 'steadfast' does not read it"),
    ("force_threshold=30000", "it applies only after a ceasefire"),
    ("spillover=2", "spillover = 2.0 is not allowed (out of range)"),
    ("spillover", "expected KEY=VALUE"),
])
def test_the_settings_box_refuses_unknown_bad_and_inert_lines(line, words):
    settings = replace(Settings.for_scenario("baseline"), extra=f"noise=0.1\n{line}")
    read, problems = settings.box()
    assert len(problems) == 1 and words in problems[0], problems
    with pytest.raises(CoalitionError, match=re.escape(words)):
        settings.build()
    session = Session()
    session.pending.set(settings)
    assert not session.reset() and words in session.error.value


def test_a_setting_is_inert_or_not_by_the_other_settings_in_force():
    ceasefire = replace(Settings.for_scenario("baseline"), extra="ceasefire_round=2\nforce_threshold=30000")
    assert ceasefire.box()[1] == [] and ceasefire.build().config.force_threshold == 30000
    synthetic = replace(Settings.for_scenario("lq-textbook"), extra="n_nations=5")
    assert synthetic.box()[1] == [] and synthetic.build().nations.n == 5


# ---------------------------------------------------------------------- the session
def test_a_session_keeps_the_previous_model_on_bad_input():
    session = Session()
    session.step()
    before = session.model
    session.pending.set(replace(session.pending.value, extra="spillover=2"))
    assert session.reset() is False
    with pytest.raises(CoalitionError) as exc:
        CoalitionModel("baseline", spillover="2")
    assert session.error.value == str(exc.value)  # the model's own message
    assert session.model is before and session.model.round == 1
    assert session.step() and session.model.round == 2  # and it keeps running


def test_a_session_reports_a_nation_the_scenario_lacks():
    session = Session()
    session.pending.set(session.pending.value.with_value("DEU.us_reliance", 1.0))
    session.choose_scenario("lq-textbook")  # identical nations: no Germany ...
    session.pending.set(session.pending.value.with_value("DEU.us_reliance", 1.0))
    assert not session.reset()
    assert "nation 'DEU' is not in this model" in session.error.value
    session.pending.set(session.pending.value.with_value("DEU.us_reliance", None))
    assert session.reset() and session.error.value is None
    assert session.model.nations.iso3[0] == "N01" and session.inspected.value == "N01"


def test_reset_applies_the_pending_settings_and_clears_the_notice():
    session = Session()
    session.choose_scenario("us-walks-away")
    assert session.changed and session.model.preset.name == "baseline"
    assert session.reset()
    assert session.changed == [] and session.model.preset.name == "us-walks-away"
    assert session.model.round == 0 and session.model.config.us_policy == "isolationist"


def test_step_stops_at_the_verdict():
    session = Session()  # the baseline converges after 10 rounds
    session.playing.set(True)
    while session.step():
        pass
    assert session.model.verdict == "converged" and session.model.round == 10
    assert not session.running.value and not session.playing.value
    assert not session.step() and session.model.round == 10


def test_views_can_read_while_play_steps_in_another_thread():
    """Play steps in a thread while clicks and filters redraw views in another."""
    session = Session(Settings.for_scenario("us-walks-away").with_value("stop_on_verdict", False))
    player = threading.Thread(target=lambda: [session.step() for _ in range(30)])
    player.start()
    reads = 0
    while player.is_alive() or reads == 0:
        session.read(charts.heatmap_option)
        session.read(inspector.inspect, "DEU")
        session.read(coalition_map.map_option)
        reads += 1
    player.join()
    assert session.model.round == 30 and session.error.value is None


def test_two_sessions_have_their_own_models():
    a, b = Session(), Session()
    assert a.model is not b.model
    a.step(), a.step()
    assert (a.model.round, b.model.round) == (2, 0)


# ---------------------------------------------------------------------- banner, monitors
def test_banner_says_the_verdict_and_the_models_reason():
    stopped = run("us-walks-away", rounds=100, **{**LEAVING, "stop_on_verdict": True})
    s = stopped.summary()
    b = banner_mod.banner(stopped)
    assert s["verdict"] == "fractured"
    assert b.headline == f"Round {stopped.round} · Fractured at round {s['verdict_round']}"
    assert stopped.reason[1:] in b.reason and b.status == "fractured"
    assert "press Reset" in b.reason  # the run stopped


def test_banner_while_running_and_converging():
    model = CoalitionModel("baseline", rng=SEED)
    assert banner_mod.banner(model).headline == "Round 0 · Unresolved so far"
    model.step(), model.step()
    b = banner_mod.banner(model)
    assert b.status == "converging"
    assert b.headline == f"Round 2 · Converging: no change for {int(model.state.stable_rounds[0, 0])} of 10 rounds"


def test_monitors_show_the_summary(walked):
    s = walked.summary()
    assert banner_mod.monitors(walked) == [
        ("Round", str(walked.round)),
        ("Coalition size", f"{s['coalition_size_end']} of {s['coalition_size_start']}"),
        ("European aid", f"EUR {walked.european_effort:.1f} bn/yr"),
        ("US effort", "EUR 0.0 bn/yr"),
        ("Deterrence", f"{walked.deterrence:.2f}"),
    ]


# ---------------------------------------------------------------------- charts
def test_time_series_are_the_datacollectors(walked):
    df = walked.datacollector.get_model_vars_dataframe()
    size = charts.coalition_size_option(walked)
    assert size["xAxis"]["data"] == [str(r) for r in df["round"]]
    assert size["series"][0]["data"] == df["coalition_size"].tolist()
    effort = charts.effort_option(walked)
    european, us = effort["series"]
    assert european["data"] == pytest.approx(df["european_effort_bn"].tolist())
    assert us["data"] == pytest.approx(df["us_effort_bn"].tolist())
    # stacked, European below and US on top: ECharts stacks values only over categories
    assert european["stack"] == us["stack"] and effort["xAxis"]["type"] == "category"
    deterrence = charts.deterrence_option(walked)["series"][0]["data"]
    assert deterrence == pytest.approx(df["deterrence"].tolist())


@pytest.mark.parametrize("order", list(charts.ORDERS))
def test_heat_map_cells_are_the_datacollectors_contributions(walked, order):
    option = charts.heatmap_option(walked, order)
    df = walked.datacollector.get_agenttype_vars_dataframe(Nation).reset_index()
    names = option["yAxis"]["data"]
    assert sorted(names) == sorted(walked.nations.name)
    code_of = dict(zip(walked.nations.name, walked.nations.iso3))
    rounds = [int(r) for r in option["xAxis"]["data"]]
    assert rounds == sorted(df["Step"].astype(int).unique())
    inside, outside = option["series"][0]["data"], option["series"][1]["data"]
    assert len(inside) + len(outside) == len(rounds) * len(names)
    table = df.set_index(["Step", "iso3"])
    for cells, member in ((inside, True), (outside, False)):
        for x, y, value in cells:
            row = table.loc[(rounds[x], code_of[names[y]])]
            assert bool(row["member"]) is member
            assert value == pytest.approx(100 * row["contribution"], abs=1e-4)


def test_heat_map_sorts_by_us_reliance_complements_first(walked):
    names = charts.heatmap_option(walked, "US reliance")["yAxis"]["data"]
    rho = [walked.nation(dict(zip(walked.nations.name, walked.nations.iso3))[n]).us_reliance
           for n in names]
    assert rho == sorted(rho) and rho[0] < 0 < rho[-1]
    gdp_order = charts.heatmap_option(walked, "GDP")["yAxis"]["data"]
    assert gdp_order[0] == walked.nations.name[int(np.argmax(walked.nations.gdp))]


def test_burden_against_gdp_is_each_nations(walked):
    option = charts.burden_option(walked)
    inside, outside = option["series"][0]["data"], option["series"][1]["data"]
    assert {p["name"] for p in inside} == set(walked.summary()["members_end"])
    for point in inside + outside:
        n = walked.nation(point["name"])
        assert point["value"] == pytest.approx([n.gdp, 100 * n.contribution], rel=1e-4, abs=1e-5)
    rho = walked.datacollector.model_vars["burden_gdp_rank_correlation"][-1]
    assert f"{rho:+.2f}" in option["title"]["subtext"]


# ---------------------------------------------------------------------- the map
def test_map_colours_members_leavers_and_marks_the_frontline(walked):
    s = walked.summary()
    ms = {m.iso3: m for m in coalition_map.markers(walked)}
    assert {c for c, m in ms.items() if m.status == "left"} == set(s["members_lost"])
    assert {c for c, m in ms.items() if m.status == "member"} == set(s["members_end"])
    option = coalition_map.map_option(walked)
    scatter = [series for series in option["series"] if series["type"] == "scatter"]
    on_geo = {p["iso3"]: p for series in scatter if series.get("coordinateSystem") == "geo"
              for p in series["data"]}
    inset = {p["iso3"] for series in scatter if "xAxisIndex" in series for p in series["data"]}
    assert inset == {"CAN", "AUS", "NZL", "JPN"}
    assert set(on_geo) | inset == set(walked.nations.iso3) and not set(on_geo) & inset
    leaders = {tuple(line["coords"][0]): line["coords"][1] for series in option["series"]
               if series["type"] == "lines" for line in series["data"]}
    for code, point in on_geo.items():
        n = walked.nation(code)
        # at its capital, or moved apart from its neighbours with a line back to the capital
        assert point["value"][:2] == [n.lon, n.lat] or leaders[(n.lon, n.lat)] == point["value"][:2]
        assert pct(n.contribution) in point["tooltip"]["formatter"]
        if ms[code].status == "left":  # an outlined ring with its name, big enough to see
            assert point["itemStyle"]["borderColor"] == coalition_map.STATUS_COLOURS["left"]
            assert point["label"]["formatter"] == n.name and point["symbolSize"] >= 11
        else:
            assert point["itemStyle"]["borderWidth"] == (2.5 if n.frontline else 0.8)
    assert any(m.status == "left" for m in ms.values())
    by_size = sorted(ms.values(), key=lambda m: m.contribution)
    assert [m.size for m in by_size] == sorted(m.size for m in by_size)  # bigger gives, bigger marker
    assert min(m.size for m in ms.values()) >= coalition_map.MIN_SIZE


def test_map_markers_do_not_overlap_at_the_maps_scale():
    """The Baltic capitals and Helsinki are closer than their markers are wide: they are
    moved apart (the browser test checks the drawn map at three screen sizes)."""
    model = CoalitionModel("baseline", rng=SEED)
    option = coalition_map.map_option(model)
    sx, sy = coalition_map.geo_scale(far=True)
    points = [(p["value"][0] * sx, p["value"][1] * sy, p["symbolSize"]) for series in option["series"]
              if series.get("coordinateSystem") == "geo" and series["type"] == "scatter"
              for p in series["data"]]
    for i, (x1, y1, a) in enumerate(points):
        for x2, y2, b in points[i + 1:]:
            assert math.hypot(x1 - x2, y1 - y2) >= (a + b) / 2 - 1e-6
    capitals = [coalition_map.markers(model)[i] for i in range(model.nations.n)]
    est, fin = (next(m for m in capitals if m.iso3 == c) for c in ("EST", "FIN"))
    assert math.hypot((est.lon - fin.lon) * sx, (est.lat - fin.lat) * sy) < (est.size + fin.size) / 2


def test_the_map_shows_who_deploys_what_after_a_ceasefire():
    model = CoalitionModel("ceasefire-no-backstop", rng=SEED, stop_on_verdict=False)
    assert coalition_map.default_mode(model) == "aid"
    model.run(3)
    assert coalition_map.default_mode(model) == "troops"
    option = coalition_map.map_option(model, "troops")
    points = {p["iso3"]: (series["name"], p) for series in option["series"]
              if series["type"] == "scatter" for p in series["data"]}
    assert len(points) == model.nations.n
    for n in model.nation_agents:
        group, point = points[n.iso3]
        expected = ("deploys" if n.troops else "condition not met" if n.troop_offer else "no troops")
        assert group == expected
        assert f"{n.troops:,} troops deployed" in point["tooltip"]["formatter"]
    assert any(g == "condition not met" for g, _ in points.values())
    assert any(g == "deploys" for g, _ in points.values())


def test_synthetic_nations_are_drawn_off_the_real_map():
    model = CoalitionModel("lq-textbook", rng=SEED)
    option = coalition_map.map_option(model)
    assert "geo" not in option and "graphic" not in option  # no Europe, no strip of real nations
    names = {p["label"]["formatter"] for series in option["series"] for p in series["data"]}
    assert names == set(model.nations.name)


def test_map_outline_is_the_committed_natural_earth_file():
    outline = coalition_map.outline()
    assert outline["type"] == "FeatureCollection" and "Natural Earth" in outline["source"]
    countries = {f["properties"]["iso3"] for f in outline["features"]}
    model = CoalitionModel("baseline", rng=SEED)
    european = {m.iso3 for m in coalition_map.markers(model) if m.on_map}
    assert european <= countries | {"LUX"} and {"UKR", "RUS", "BLR"} <= countries
    assert coalition_map.OUTLINE.stat().st_size < 100_000
    assert json.loads(coalition_map.maps_json())["europe"] == outline


# ---------------------------------------------------------------------- events, inspector
def test_event_log_is_newest_first_and_filters(walked):
    assert events.event_lines(walked) == walked.events[::-1]
    germany = events.event_lines(walked, "germany")
    assert germany and all("Germany" in e for e in germany)
    assert any("Germany left the coalition" in e for e in germany)
    html = events.events_html(["a <b> & c left the coalition"])
    assert "&lt;b&gt; &amp;" in html and "coalition-event-left" in html and "<b>" not in html


def test_only_the_verdict_is_bold_and_each_kind_of_event_is_marked(walked):
    kinds = [events.kind(e) for e in walked.events]
    assert kinds.count("left") >= 5 and kinds.count("verdict") == 1 and "us" in kinds
    html = events.events_html(events.event_lines(walked))
    assert html.count("<b>") == 1 and html.count("coalition-event-left") == kinds.count("left")
    assert "coalition-term" in html  # glossary tooltips in the log


def test_the_event_log_exports_as_csv_oldest_first(walked):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(events.events_csv(events.event_lines(walked)))))
    assert rows[0] == ["round", "kind", "event"] and len(rows) == len(walked.events) + 1
    for (r, k, text), line in zip(rows[1:], walked.events):
        assert line == f"Round {r}: {text}" and k == events.kind(line)


@pytest.mark.parametrize("code", ["DEU", "FRA", "EST", "TUR"])
def test_inspector_curve_peaks_at_the_best_response(code):
    model = run("us-walks-away", rounds=6)
    n = model.nation(code)
    option = inspector.inspector_option(model, n)
    utility = next(s for s in option["series"] if s["name"] == "utility")
    x, u = np.array(utility["data"]).T
    best = 100 * n.best_response()
    step = x[1] - x[0] if x[1] > 0 else x[2] - x[1]
    assert abs(x[int(np.argmax(u))] - best) <= step + 1e-9
    marks = {m["name"]: m["xAxis"] for m in utility["markLine"]["data"]}
    assert marks == {"now": pytest.approx(100 * n.contribution, rel=1e-6),
                     "best response": pytest.approx(best, rel=1e-6)}
    # the curve is the nation's own utility function
    i = len(x) // 3
    assert u[i] == pytest.approx(n.utility(x[i] / 100), rel=1e-5, abs=1e-9)


def test_inspector_terms_are_the_nations_utility_terms():
    model = run("us-walks-away", rounds=6)
    n = model.nation("DEU")
    now, best = n.utility_terms(), n.utility_terms(n.best_response())
    rows = {label: (a, b) for label, a, b in inspector.utility_terms_table(n)}
    assert rows["security benefit"] == pytest.approx((now["benefit"], best["benefit"]))
    assert rows["security budget's political cost"] == pytest.approx((-now["cost"], -best["cost"]))
    assert rows["sucker cost"] == pytest.approx((-now["fairness"], -best["fairness"]))
    assert rows["utility"] == pytest.approx((now["utility"], best["utility"]))
    assert inspector.headline(n).startswith("Germany is a member of the coalition")


def test_inspector_events_match_whole_names():
    model = run("lq-textbook", rounds=40)
    story = inspector.nation_events(model, model.nation("N01"))
    assert story and all(re.search(r"Nation 1\b", e) for e in story)
    tens = [e for e in model.events if "Nation 10" in e and not re.search(r"Nation 1\b", e)]
    assert tens and not set(tens) & set(story)


# ---------------------------------------------------------------------- every scenario
@pytest.mark.parametrize("name", scenario_names())
def test_every_panel_draws_every_scenario_as_strict_json(name):
    model = run(name, rounds=12, adversary=True)
    for option in (charts.coalition_size_option(model), charts.effort_option(model),
                   charts.deterrence_option(model), charts.heatmap_option(model),
                   charts.burden_option(model), coalition_map.map_option(model),
                   inspector.inspector_option(model, model.nation_agents[0])):
        json.dumps(option, allow_nan=False)


def test_to_json_turns_nan_into_null():
    assert json.loads(to_json({"a": [1.0, math.nan, math.inf]})) == {"a": [1.0, None, None]}


# ---------------------------------------------------------------------- rendered widgets
def _text(rc, cls: str) -> str:
    """The text of the solara.Text with CSS class ``cls``."""
    return rc.find(v.Html, class_=cls).widget.children[0]


def _html(rc, cls: str) -> str:
    """The inner HTML of the solara.HTML with CSS class ``cls``."""
    return next(w for w in rc.find(v.VuetifyTemplate).widgets
                if getattr(w, "attributes", {}).get("class") == cls).unsafe_innerHTML


@solara.component
def Root(session: Session, components: tuple):
    for component in components:
        component(session)


def render(session: Session, *components):
    """Render ``components`` (each called with the session); the render context."""
    return solara.render(Root(session, components), handle_error=False)[1]


def test_rendered_views_follow_the_model():
    from viz.app import Status, Views

    session = Session(Settings.for_scenario("us-walks-away", seed=SEED))
    rc = render(session, Status, Views)
    assert _text(rc, "coalition-headline") == "Round 0 · Unresolved so far"
    for _ in range(3):
        session.step()
    assert _text(rc, "coalition-headline") == banner_mod.banner(session.model).headline
    assert session.model.reason[1:] in _html(rc, "coalition-reason")
    shown = [w.children[0] for w in rc.find(v.Html, class_="coalition-monitor").widgets]
    assert shown == [value for _, value in banner_mod.monitors(session.model)]
    charts_shown = [json.loads(w.option_json) for w in rc.find(EchartsJson).widgets]
    for option in (charts.heatmap_option(session.model), coalition_map.map_option(session.model)):
        title, subtitle = option["title"]["text"], option["title"]["subtext"]
        # the page draws the title above the chart; the option keeps it hidden, for the PNG
        assert {**option, "title": {"text": title, "subtext": subtitle, "show": False}} in charts_shown
        assert title in [w.title for w in rc.find(EchartsJson).widgets]  # drawn above the chart
    log = _html(rc, "coalition-events")
    assert session.model.events[-1].split(":")[0] in log  # newest round on top
    assert _html(rc, "coalition-explain").startswith("Germany (round 3)")
    session.inspected.set("FRA")
    assert _html(rc, "coalition-explain").startswith("France (round 3)")
    rc.close()


def test_rendered_error_and_pending_notice():
    session = Session()
    rc = render(session, PendingNotice)
    assert rc.find(v.Alert).widgets == []
    session.set_value("spillover", 0.2)
    assert "Changed: spillover. Press Reset to apply." in rc.find(v.Alert).widget.children[0]
    session.set_value("exit_penalty", 0.5)  # the model allows at most 0.01
    session.reset()
    texts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "exit_penalty = 0.5 is not allowed (out of range)" in texts
    rc.close()


def test_policy_controls_follow_the_chosen_policy():
    session = Session()
    rc = render(session, Controls)

    def slider_labels():
        return {w.label.split(":")[0] for w in rc.find(v.Slider).widgets}

    assert "US level" in slider_labels() and "withdrawal start" not in slider_labels()
    session.set_value("us_policy", "withdrawing")
    assert {"US level", "withdrawal start", "withdrawal rate"} <= slider_labels()
    session.set_value("us_policy", "isolationist")
    assert not {"US level", "withdrawal start"} & slider_labels()
    assert set(REGISTRY["withdrawing"].reads) == {"us_level", "us_withdraw_start", "us_withdraw_rate",
                                                  "us_backstop"}
    rc.close()


# ---------------------------------------------------------------------- info, docs, server
def test_info_panel_has_the_netlogo_sections():
    sections = ["What is it?", "How it works", "How to use it", "Things to notice", "Things to try",
                "Extending the model", "Related models", "How to cite"]
    text, html = info_text(), info_html()
    for section in sections:
        assert f"## {section}" in text and f">{section}</h2>" in html


def test_seminar_guide_names_real_scenarios():
    from pathlib import Path

    guide = (Path(__file__).resolve().parent.parent / "docs" / "seminar.md").read_text()
    sections = [part for part in guide.split("\n## ")[1:]
                if any(f"`{n}`" in part.splitlines()[0] for n in scenario_names())]
    assert 4 <= len(sections) <= 6  # scenarios in order, each with the four steps
    for part in sections:
        for step in ("**Predict first.**", "**Press.**", "**Look at.**", "**Discuss.**"):
            assert step in part, (part.splitlines()[0], step)


def test_app_command_rejects_a_bad_port(capsys):
    from experiments.cli import main

    assert main(["app", "--port", "eighty"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("coalition: error: --port = 'eighty' is not allowed: expected a whole number "
                   "from 1 to 65535")
    assert main(["app", "--port", "0"]) == 2


def test_offline_settings_switch_off_every_network_use(monkeypatch):
    import solara.server.settings as ss
    import solara.settings

    from viz import server

    assert server.OFFLINE_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert not server.OFFLINE_ENV["SOLARA_ASSETS_CDN"].startswith("http")
    for key in server.OFFLINE_ENV:  # restored after the test
        monkeypatch.setenv(key, "")
    for obj, attr in ((ss.telemetry, "mixpanel_enable"), (ss.theme, "show_banner"),
                      (ss.theme, "title"), (solara.settings.assets, "proxy"),
                      (solara.settings.assets, "cdn")):
        monkeypatch.setattr(obj, attr, getattr(obj, attr))
    server.offline_settings()

    assert ss.telemetry.mixpanel_enable is False
    assert solara.settings.assets.proxy and not solara.settings.assets.cdn.startswith("http")


def test_the_app_has_a_sweeps_tab_listing_finished_sweeps(tmp_path):
    from viz.app import Page
    from viz.sweep_page import finished_sweeps

    box, rc = solara.render(Page(), handle_error=False)
    tabs = [w.children[0] for w in rc.find(v.Tab).widgets]
    assert tabs == ["Model", "Model vs reality", "Info", "Parameters", "Sweeps"]
    rc.close()
    (tmp_path / "phase").mkdir()
    (tmp_path / "phase" / "manifest.json").write_text("{}")
    (tmp_path / "not-a-sweep").mkdir()
    assert finished_sweeps(tmp_path) == ["phase"]  # named relative to the sweeps root


# ---------------------------------------------------------------------- the Sweeps tab
@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory):
    """A sweeps root with a finished phase sweep, a damaged one and a plain folder."""
    from experiments.sweep import run_sweep
    from helpers.sweeps import damage, phase_file

    root = tmp_path_factory.mktemp("sweeps")
    file = phase_file(root.parent, rounds=3)
    run_sweep(file, root / "phase", progress=False)
    run_sweep(file, root / "damaged", progress=False)
    damage(root / "damaged")
    (root / "plain").mkdir()
    return root


def _type_folder(rc, name: str) -> None:
    field = rc.find(v.TextField, label="Sweep folder (inside the sweeps root)").widget
    field.v_model = name
    field.fire_event("focusout", None)


def _sweep_problem(rc) -> str | None:
    alerts = rc.find(v.Alert, class_="coalition-sweep-error").widgets
    return alerts[0].children[0] if alerts else None


def test_the_sweeps_tab_reads_only_inside_its_root(sweeps_root, monkeypatch):
    from viz.sweep_page import SweepPage, finished_sweeps, resolve_sweep

    assert finished_sweeps(sweeps_root) == ["damaged", "phase"]
    assert resolve_sweep("phase", sweeps_root) == (sweeps_root / "phase").resolve()
    (sweeps_root / "link").symlink_to("/etc")
    box, rc = solara.render(SweepPage(root=str(sweeps_root)), handle_error=False)
    for name in ("/etc", "../..", "phase/../../x", "link"):
        _type_folder(rc, name)
        problem = _sweep_problem(rc)
        assert problem.startswith(f"folder {name!r} is not allowed: expected the name of a sweep "
                                  "folder inside the sweeps root"), problem
    _type_folder(rc, "phase")
    import ipywidgets

    assert _sweep_problem(rc) is None and rc.find(ipywidgets.Image).widgets  # the diagram
    rc.close()
    (sweeps_root / "link").unlink()


def test_a_damaged_sweep_is_one_line_in_the_tab_and_the_model_tab_still_works(sweeps_root,
                                                                             monkeypatch):
    from viz.app import Page

    monkeypatch.setenv("COALITION_SWEEPS_ROOT", str(sweeps_root))
    box, rc = solara.render(Page(), handle_error=False)
    for name, expected in [("damaged", "runs/chunk-000001.parquet is damaged"),
                           ("plain", "plain is not a sweep folder (no manifest.json)"),
                           ("missing", "missing is not a sweep folder")]:
        _type_folder(rc, name)
        problem = _sweep_problem(rc)
        assert problem is not None and expected in problem, problem
        assert "\n" not in problem and str(sweeps_root) not in problem and "Traceback" not in problem
    assert _text(rc, "coalition-headline") == "Round 0 · Unresolved so far"  # the Model tab
    assert rc.find(v.Html, class_="coalition-monitor").widgets
    rc.close()


def test_app_command_rejects_a_sweeps_root_that_is_not_a_folder(tmp_path, capsys):
    from experiments.cli import main

    assert main(["app", "--sweeps-root", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--sweeps-root" in err and "expected an existing folder" in err


@pytest.mark.parametrize("value", ["0", "-5", "soon", "100000"])
def test_app_command_rejects_a_bad_keep_session(value, capsys):
    from experiments.cli import main

    assert main(["app", "--keep-session", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--keep-session = {value!r}" in err and "from 1 to 86400" in err
