"""Derive ``seeds/nations.csv`` from the sourced data in ``../shared/data``.

Run ``python -m seeds.derivation.nations [SHARED_DATA_DIR]`` to rebuild the file; a test checks
that the committed file equals what this script produces. Every derived column and
its rule is documented in ``seeds/README.md``:

* ``contribution`` - annual aid to Ukraine as a share of GDP, mean of 2022-2024 (the
  years the US was steadfast): Kiel bilateral allocations plus the nation's share of
  EU-institution allocations (by Kiel's attribution key), converted EUR->USD at the
  ECB annual average rate of each year, over World Bank 2024 GDP.
* ``contribution_2025`` - the same for 2025 (the US-walks-away natural experiment).
* ``exposure`` - threat exposure in [0, 1]: exp(-distance_to_Moscow / 2000 km), plus
  0.3 for a land border with Russia or Belarus, capped at 1.
* ``us_reliance`` - belief about how European and US effort combine (CES rho), a
  modelling judgement from public troop stances (low confidence, see README).
"""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # seeds/

# ECB euro foreign exchange reference rates, USD per EUR, annual averages
# (from memory of the ECB Statistical Data Warehouse series EXR.A.USD.EUR.SP00.A).
EUR_USD = {2022: 1.0530, 2023: 1.0813, 2024: 1.0824, 2025: 1.1300}
STATUS_QUO_YEARS = (2022, 2023, 2024)
EXPOSURE_SCALE_KM = 2000.0
FRONTLINE_BONUS = 0.3

# CES rho by public troop stance: see seeds/README.md ("us_reliance").
RELIANCE_BY_STANCE = {"yes": 0.5, "considering": 0.0, "no": -0.5}
RELIANCE_OVERRIDES = {
    "DEU": (-1.0, "links its commitment to a substantial US contribution (T10, T2; model brief)"),
}

KEPT = [
    "iso3", "name", "role", "nato_member", "eu_member", "gdp_usd_bn", "gdp_year",
    "gdp_usd_bn_2025_imf", "defence_pct_gdp", "ukraine_aid_allocated_eur_bn",
    "eu_institutions_aid_share_eur_bn", "capital", "capital_lat", "capital_lon",
    "capital_to_moscow_km", "borders_russia_or_belarus", "troops_pledged_post_ceasefire",
]
DERIVED = [
    "contribution", "contribution_2025", "us_effort_usd_bn", "us_effort_2025_usd_bn",
    "exposure", "us_reliance", "us_reliance_basis", "member", "core",
]
PROVENANCE = ["conf_gdp", "conf_aid_allocated", "conf_distance", "conf_troops", "sources"]


def _annual_allocations(path: Path) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = defaultdict(dict)
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["iso3"]][int(row["year"])] = float(row["allocated_eur_bn"])
    return out


def _usd(allocations: dict[int, float], years) -> float:
    """Mean annual allocation over ``years`` in USD bn."""
    return sum(allocations.get(y, 0.0) * EUR_USD[y] for y in years) / len(years)


def derive(shared_data: Path) -> list[dict[str, str]]:
    annual = _annual_allocations(shared_data / "kiel-annual.csv")
    with (shared_data / "nations.csv").open(newline="") as fh:
        nations = list(csv.DictReader(fh))
    eu_key = {r["iso3"]: float(r["eu_institutions_aid_share_eur_bn"] or 0.0) for r in nations}
    eu_total = sum(eu_key.values())
    eui = annual["EUI"]
    us = next(r for r in nations if r["iso3"] == "USA")
    us_sq = _usd(annual["USA"], STATUS_QUO_YEARS)
    us_25 = _usd(annual["USA"], (2025,))
    rows = []
    for r in nations:
        if r["role"] in ("beneficiary", "special actor"):
            continue  # Ukraine is the beneficiary, the US its own agent
        iso = r["iso3"]
        gdp = float(r["gdp_usd_bn"])
        share = eu_key[iso] / eu_total
        sq = _usd(annual[iso], STATUS_QUO_YEARS) + share * _usd(eui, STATUS_QUO_YEARS)
        y25 = _usd(annual[iso], (2025,)) + share * _usd(eui, (2025,))
        dist = float(r["capital_to_moscow_km"])
        frontline = r["borders_russia_or_belarus"] == "True"
        exposure = min(1.0, math.exp(-dist / EXPOSURE_SCALE_KM) + FRONTLINE_BONUS * frontline)
        stance = r["troops_pledged_post_ceasefire"]
        if iso in RELIANCE_OVERRIDES:
            rho, basis = RELIANCE_OVERRIDES[iso]
        else:
            rho = RELIANCE_BY_STANCE[stance]
            basis = f"troop stance '{stance}'"
        row = {k: r[k] for k in KEPT}
        row.update(
            contribution=f"{sq / gdp:.8f}",
            contribution_2025=f"{y25 / gdp:.8f}",
            us_effort_usd_bn=f"{us_sq:.4f}",
            us_effort_2025_usd_bn=f"{us_25:.4f}",
            exposure=f"{exposure:.4f}",
            us_reliance=f"{rho:.2f}",
            us_reliance_basis=basis,
            member="True",
            core=str(r["role"] == "lead"),
        )
        row.update({k: r[k] for k in PROVENANCE})
        rows.append(row)
    # the US's GDP is needed for its burden (share of GDP) in the fairness reference
    rows.append({**{k: "" for k in KEPT + DERIVED + PROVENANCE},
                 "iso3": "USA", "name": us["name"], "role": us["role"],
                 "gdp_usd_bn": us["gdp_usd_bn"], "gdp_year": us["gdp_year"],
                 "us_effort_usd_bn": f"{us_sq:.4f}", "us_effort_2025_usd_bn": f"{us_25:.4f}",
                 "capital": us["capital"], "capital_lat": us["capital_lat"],
                 "capital_lon": us["capital_lon"], "member": "False", "core": "False",
                 "conf_gdp": us["conf_gdp"], "conf_aid_allocated": us["conf_aid_allocated"],
                 "sources": us["sources"]})
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=KEPT + DERIVED + PROVENANCE, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data"
    write(derive(src), HERE / "nations.csv")
    print(f"wrote {HERE / 'nations.csv'}")
