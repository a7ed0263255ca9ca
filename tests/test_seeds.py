"""seeds/: the v2 starting data is what seeds/derivation/nations.py makes from the sources.

These tests read the CSVs directly (not through model.data, which another change rewrites).
Those that need the sourced data (../shared/data, see ``shared_data_dir``) are skipped when
it is absent.
"""

import csv
import re
from collections import defaultdict

import pytest

from seeds import SEEDS_DIR
from seeds.derivation import nations as derivation

SHARED = derivation.shared_data_dir()
needs_sources = pytest.mark.skipif(not (SHARED / "v2" / "kiel-monthly.csv").is_file(),
                                   reason="the source data (../shared/data) is not found")
DERIVED_FILES = ("nations.csv", "eu.csv", "off_budget.csv", "aid_quarterly.csv",
                 "defence.csv", "veto_players.csv")
ALL_FILES = DERIVED_FILES + derivation.COPIES
SHARE_COLUMNS = ("aid_sq_share", "aid_2022_share", "aid_2023_share", "aid_2024_share",
                 "aid_2025_share")


def read(name, folder=SEEDS_DIR):
    with (folder / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def nations():
    return {r["iso3"]: r for r in read("nations.csv")}


def kiel_monthly():
    return {(r["iso3"], r["period"]): r for r in read("kiel-monthly.csv", SHARED / "v2")}


def kiel_year(monthly, iso, year, column="allocated_eur_bn"):
    return sum(float(r[column]) for (i, p), r in monthly.items() if i == iso and p[:4] == str(year))


# --- the committed files are the derivation -------------------------------------------------
@needs_sources
@pytest.mark.parametrize("name", ALL_FILES)
def test_committed_file_is_the_derivation_of_the_sources(name):
    with (SEEDS_DIR / name).open(newline="") as fh:
        assert derivation.outputs(SHARED)[name] == fh.read()


@needs_sources
def test_nations_write_keeps_its_interface(tmp_path):
    out = tmp_path / "nations.csv"
    derivation.write(derivation.derive(SHARED), out)
    assert out.read_text() == (SEEDS_DIR / "nations.csv").read_text()


@needs_sources
@pytest.mark.parametrize("name", derivation.COPIES)
def test_copies_are_unchanged(name):
    assert (SEEDS_DIR / name).read_bytes() == (SHARED / "v2" / name).read_bytes()


def test_shared_data_can_be_named_by_environment(monkeypatch, tmp_path):
    (tmp_path / "nations.csv").write_text("iso3\n")
    monkeypatch.setenv(derivation.SHARED_ENV, str(tmp_path))
    assert derivation.shared_data_dir() == tmp_path


# --- provenance and format -----------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_FILES)
def test_every_file_keeps_source_and_confidence(name):
    header = read(name)[0].keys()
    assert {"source", "confidence"} <= header or {"sources", "conf_gdp"} <= header
    for row in read(name):
        assert row.get("source", row.get("sources"))


def test_nations_provenance_columns():
    header = read("nations.csv")[0].keys()
    for column in ("sources", "conf_gdp", "conf_defence", "conf_aid_allocated",
                   "conf_off_budget", "conf_distance", "conf_troops"):
        assert column in header
    assert "us_reliance" not in header and "contribution" not in header


def test_floats_have_the_documented_precision():
    eur = re.compile(r"^-?\d+\.\d{6}$")
    for row in nations().values():
        for column in SHARE_COLUMNS + ("defence_sq_share", "defence_2025_share", "eu_key"):
            if row[column]:
                assert "e" not in row[column].lower()
                digits = row[column].replace(".", "").lstrip("0")
                assert len(digits) <= 8, (row["iso3"], column, row[column])
        for column in ("gdp_eur_bn", "off_budget_2025_eur_bn", "us_effort_sq_eur_bn"):
            assert not row[column] or eur.match(row[column])
    for row in read("aid_quarterly.csv"):
        for column in ("allocated_eur_bn", "off_budget_eur_bn", "on_budget_eur_bn_2024",
                       "committed_eur_bn"):
            assert eur.match(row[column])


# --- nations.csv -----------------------------------------------------------------------------
def test_model_nations_and_membership():
    rows = nations()
    assert list(rows)[-1] == "USA" and "UKR" not in rows
    model = [r for r in rows.values() if r["iso3"] != "USA"]
    assert len(model) == 33
    assert {r["iso3"] for r in model if r["member"] == "False"} == {"HUN"}
    assert {r["iso3"] for r in model if r["core"] == "True"} == {"GBR", "FRA"}
    hun = rows["HUN"]
    assert hun["eu_member"] == "True" and hun["nato_member"] == "True"
    assert hun["capital_to_moscow_km"] == str(round(derivation.haversine_km(47.498, 19.040)))


def test_eu_key_sums_to_one_over_eu_members():
    model = [r for r in nations().values() if r["iso3"] != "USA"]
    eu = [r for r in model if r["eu_member"] == "True"]
    assert sum(float(r["eu_key"]) for r in eu) == pytest.approx(1.0, abs=1e-6)
    assert all(float(r["eu_key"]) == 0 for r in model if r["eu_member"] != "True")
    gdp = {r["iso3"]: float(r["gdp_eur_bn"]) for r in eu}
    assert float(nations()["DEU"]["eu_key"]) == pytest.approx(gdp["DEU"] / sum(gdp.values()))


def test_gdp_in_eur_uses_the_2024_rate():
    for row in nations().values():
        expected = float(row["gdp_usd_bn"]) / 1.0824
        assert float(row["gdp_eur_bn"]) == pytest.approx(expected, abs=1e-6)


def test_aid_shares_are_fractions_and_non_negative():
    for row in nations().values():
        if row["iso3"] == "USA":
            continue
        for column in SHARE_COLUMNS:
            assert 0 <= float(row[column]) < 0.02, (row["iso3"], column)
        assert float(row["aid_sq_share"]) == pytest.approx(
            sum(float(row[f"aid_{y}_share"]) for y in (2022, 2023, 2024)) / 3, rel=1e-6)


def test_exposure_follows_the_documented_rule():
    for row in nations().values():
        if row["iso3"] == "USA":
            continue
        expected = derivation.exposure(float(row["capital_to_moscow_km"]),
                                       row["borders_russia_or_belarus"] == "True")
        assert float(row["exposure"]) == pytest.approx(expected, abs=1e-4)
    rows = nations()
    assert float(rows["EST"]["exposure"]) > float(rows["PRT"]["exposure"])


def test_price_index():
    assert derivation.price_index(2024) == 1.0
    assert derivation.price_index(2025) == pytest.approx(1.021)
    assert derivation.price_index(2022) == pytest.approx(1 / (1.054 * 1.024))


@needs_sources
def test_deflation_is_applied_to_bilateral_aid():
    monthly, rows = kiel_monthly(), nations()
    for iso in ("DEU", "POL", "EST"):
        gdp = float(rows[iso]["gdp_eur_bn"])
        for year in (2022, 2023, 2024, 2025):
            real = float(rows[iso][f"aid_{year}_share"]) * gdp
            nominal = kiel_year(monthly, iso, year)
            assert real == pytest.approx(nominal / derivation.price_index(year), rel=1e-6)
    # 2022 prices were lower: the same nominal euro is worth more at 2024 prices
    assert derivation.price_index(2022) < 1


@needs_sources
def test_us_2024_on_budget_is_allocations_minus_the_era_loan():
    monthly, us = kiel_monthly(), nations()["USA"]
    assert float(monthly[("USA", "2024-10")]["financial_eur_bn"]) == pytest.approx(18.341308)
    expected = kiel_year(monthly, "USA", 2024) - 18.341308
    assert float(us["us_effort_2024_eur_bn"]) == pytest.approx(expected, abs=1e-6)
    assert float(us["us_effort_2022_eur_bn"]) == pytest.approx(
        kiel_year(monthly, "USA", 2022) / derivation.price_index(2022), abs=1e-6)
    assert float(us["us_effort_2025_eur_bn"]) < 1
    assert float(us["us_effort_sq_eur_bn"]) == pytest.approx(
        sum(float(us[f"us_effort_{y}_eur_bn"]) for y in (2022, 2023, 2024)) / 3, abs=1e-5)


@needs_sources
def test_off_budget_subtractions_for_canada_and_the_uk():
    monthly, rows = kiel_monthly(), nations()
    can = 1.678602 + 1.459964
    gbr = 2 * 0.752 * derivation.EUR_PER_GBP_2025
    for iso, off in (("CAN", can), ("GBR", gbr)):
        gdp = float(rows[iso]["gdp_eur_bn"])
        real = float(rows[iso]["aid_2025_share"]) * gdp
        assert real == pytest.approx((kiel_year(monthly, iso, 2025) - off) / 1.021, rel=1e-6)
        assert float(rows[iso]["off_budget_2025_eur_bn"]) == pytest.approx(off / 1.021, abs=1e-6)
    assert float(rows["JPN"]["off_budget_2025_eur_bn"]) == 0


def test_defence_shares():
    rows = nations()
    long = defaultdict(dict)
    for r in read("defence.csv"):
        long[r["iso3"]][int(r["year"])] = float(r["defence_share"])
    for iso, row in rows.items():
        if iso == "USA":
            continue
        series = long[iso]
        sq = [series.get(y, series[2024]) for y in (2022, 2023, 2024)]
        assert float(row["defence_sq_share"]) == pytest.approx(sum(sq) / 3, rel=1e-6)
        assert float(row["defence_2025_share"]) == pytest.approx(series.get(2025, series[2024]))
        assert 0 <= float(row["defence_sq_share"]) < 0.06
    assert float(rows["POL"]["defence_2025_share"]) == pytest.approx(0.0448)  # Aug 2025 edition
    assert float(rows["DEU"]["defence_2025_share"]) == pytest.approx(0.024)   # SG AR 2025
    assert rows["HUN"]["defence_2025_basis"].startswith("2024 value carried forward")
    assert set(long["JPN"]) == {2024} and set(long["DEU"]) == set(range(2014, 2026))


# --- eu.csv, off_budget.csv, aid_quarterly.csv ----------------------------------------------
def test_eu_on_budget_2025_excludes_the_era_loan():
    eu = {r["period"]: r for r in read("eu.csv")}
    y25 = eu["2025"]
    nominal_on = (float(y25["eu_allocated_nominal_eur_bn"])
                  - float(y25["eu_off_budget_nominal_eur_bn"]))
    assert nominal_on == pytest.approx(17.0, abs=0.05)
    assert float(eu["2025"]["eu_aid_eur_bn"]) == pytest.approx(nominal_on / 1.021, abs=1e-6)
    assert float(eu["2025"]["eu_off_budget_eur_bn"]) == pytest.approx(18.1 / 1.021, abs=1e-6)
    assert all(float(eu[p]["eu_off_budget_eur_bn"]) == 0 for p in ("2022", "2023", "2024"))
    assert float(eu["status_quo_2022_2024"]["eu_aid_eur_bn"]) == pytest.approx(
        sum(float(eu[p]["eu_aid_eur_bn"]) for p in ("2022", "2023", "2024")) / 3, abs=1e-5)


def test_off_budget_schedule():
    rows = read("off_budget.csv")
    era = {(r["iso3"], int(r["year"])): r for r in rows if r["kind"] == "ERA"}
    lenders = ("USA", "EUI", "GBR", "CAN", "JPN")
    assert set(era) == {(i, y) for i in lenders for y in range(2024, 2028)}
    assert float(era[("USA", 2024)]["amount_eur_bn"]) == pytest.approx(18.341308)
    assert float(era[("EUI", 2025)]["amount_eur_bn"]) == pytest.approx(18.1 / 1.021, abs=1e-6)
    assert float(era[("JPN", 2026)]["amount_nominal_eur_bn"]) == pytest.approx(3.0 * 0.885)
    assert era[("JPN", 2026)]["subtracted_from_kiel"] == "False"
    windfall = [r for r in rows if r["kind"] == "windfall"]
    assert [int(r["year"]) for r in windfall] == [2025, 2026, 2027]
    assert all(r["subtracted_from_kiel"] == "False" for r in windfall)
    for r in rows:
        assert float(r["amount_eur_bn"]) == pytest.approx(
            float(r["amount_nominal_eur_bn"]) / derivation.price_index(int(r["year"])), abs=1e-6)


def test_quarterly_off_budget_matches_the_schedule_and_the_nations():
    quarterly = read("aid_quarterly.csv")
    off, on = defaultdict(float), defaultdict(float)
    for r in quarterly:
        off[(r["iso3"], int(r["quarter"][:4]))] += float(r["off_budget_eur_bn"])
        on[(r["iso3"], int(r["quarter"][:4]))] += float(r["on_budget_eur_bn_2024"])
        assert float(r["on_budget_eur_bn_2024"]) >= 0
        assert r["months"] == ("1" if r["quarter"] == "2026-Q2" else "3")
    for r in read("off_budget.csv"):
        key = (r["iso3"], int(r["year"]))
        if r["subtracted_from_kiel"] == "True":
            assert off[key] == pytest.approx(float(r["amount_nominal_eur_bn"]), abs=1e-5)
    rows = nations()
    for iso, row in rows.items():
        for year in (2022, 2023, 2024, 2025):
            if iso == "USA":
                expected = float(row[f"us_effort_{year}_eur_bn"])
            else:
                expected = float(row[f"aid_{year}_share"]) * float(row["gdp_eur_bn"])
            assert on[(iso, year)] == pytest.approx(expected, abs=1e-4), (iso, year)
    eu = {r["period"]: r for r in read("eu.csv")}
    assert on[("EUI", 2025)] == pytest.approx(float(eu["2025"]["eu_aid_eur_bn"]), abs=1e-4)


@needs_sources
def test_quarterly_allocations_equal_kiels_quarterly_file():
    ours = {(r["iso3"], r["quarter"]): r for r in read("aid_quarterly.csv")}
    kiel = {(r["iso3"], r["period"]): r for r in read("kiel-quarterly.csv", SHARED / "v2")}
    assert len(ours) == 35 * 18
    for key, row in ours.items():
        for column in ("allocated_eur_bn", "committed_eur_bn"):
            assert float(row[column]) == pytest.approx(float(kiel[key][column]), abs=2e-6)


# --- veto_players.csv ------------------------------------------------------------------------
def test_veto_players():
    players = {r["iso3"]: r for r in read("veto_players.csv")}
    episodes = read("eu-vetoes.csv")
    for iso, row in players.items():
        named = [e for e in episodes if iso in e["actor_iso3"].split(";")]
        assert int(row["episodes"]) == len(named)
        assert 0 < int(row["vetoes_lifted"]) <= len(named)
        assert row["first"] <= row["last"]
    assert float(players["HUN"]["linkage_eur_bn"]) == pytest.approx(7.5 - 6.3)
    assert players["SVK"]["linkage_eur_bn"] == ""


# --- forces.csv (curated) ---------------------------------------------------------------------
def test_forces_has_a_sourced_row_for_every_nation_with_a_known_stance():
    from model.conditions import strategy_names

    rows = {r["iso3"]: r for r in read("forces.csv")}
    assert set(rows) == set(nations()) - {"USA"}
    pledges = {r["iso3"]: r for r in read("troop-pledges.csv") if r["iso3"] in rows}
    for code, r in rows.items():
        assert r["source"] and r["confidence"] in ("low", "medium", "high"), code
        order = ["low", "medium", "high"]
        assert order.index(r["confidence"]) == min(order.index(r["personnel_confidence"]),
                                                   order.index(r["pledge_confidence"])), code
        assert r["troop_strategy"] in strategy_names(), code
        assert int(r["active_personnel"]) >= 0 and int(r["troops_target"]) >= 0
        if code in pledges:
            assert r["stance"] == pledges[code]["stance"], code
        if r["stance"] == "no" or r["troop_strategy"] == "never":
            assert r["troop_strategy"] == "never" and int(r["troops_target"]) == 0, code
        if r["troop_strategy"] == "if_nations":
            assert set(r["troop_condition"].split()) <= set(rows) - {code}
    assert rows["GBR"]["troops_target"] == "7350" and rows["FRA"]["troops_target"] == "6000"
    assert rows["EST"]["troops_target"] == "150"
    assert rows["DEU"]["troop_strategy"] == "if_us_backstop"
