"""Derive the v2 starting data in ``seeds/`` from the sourced data in ``../shared/data``.

Run ``python -m seeds.derivation.nations [SHARED_DATA_DIR]`` to rebuild every derived file;
``tests/test_seeds.py`` checks that the committed files equal what this script produces.
Every file, column and rule is documented in ``seeds/README.md``; the interface is
fixed by the seeds-v2 spec. In short:

* money is EUR bn at 2024 prices: Kiel's nominal EUR divided by the year's euro-area
  HICP index (2024 = 1);
* "on-budget" aid is Kiel's allocations minus the G7 ERA loans identified inside them
  (serviced from immobilised Russian assets, so no donor budget bears them);
* shares are fractions of GDP in EUR (World Bank 2024 USD / the ECB 2024 rate).

Numbers that are not in ``../shared/data`` are constants below, each labelled with its
origin ("from memory" with a confidence, or the spec's relayed source).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # seeds/
SHARED_ENV = "COALITION_SHARED_DATA"
SHARED_FALLBACK = Path("/work/shared/data")

# --- prices and exchange rates (not in ../shared/data) -----------------------------------
# Euro-area HICP, annual average inflation (from memory of the ECB/Eurostat series, medium
# confidence; 2026 assumed 2.0%, low; 2027 assumed 2.0% as 2026, low).
HICP_INFLATION = {2022: 0.084, 2023: 0.054, 2024: 0.024, 2025: 0.021, 2026: 0.020, 2027: 0.020}
BASE_YEAR = 2024
USD_PER_EUR_2024 = 1.0824  # ECB 2024 average (from memory, medium), for GDP in EUR
EUR_PER_GBP_2025 = 1.19    # 2025 average (from memory, low), for the UK ERA instalments
EUR_PER_USD_2025 = 0.885   # 2025 average (from memory, low), for Japan's ERA loan
FX = {"EUR bn": 1.0, "GBP bn": EUR_PER_GBP_2025, "USD bn": EUR_PER_USD_2025}

STATUS_QUO_YEARS = (2022, 2023, 2024)
AID_YEARS = (2022, 2023, 2024, 2025)
DEFENCE_YEARS = range(2014, 2026)
OFF_BUDGET_YEARS = (2024, 2025, 2026, 2027)
EXPOSURE_SCALE_KM = 2000.0
FRONTLINE_BONUS = 0.3
EARTH_RADIUS_KM = 6371.0088
MOSCOW = (55.752, 37.618)  # GeoNames (nations-notes.md, X1)
CORE = ("GBR", "FRA")

# --- Hungary: an EU member in the model but not a coalition member (from the spec) ------
HUN = {
    "iso3": "HUN", "name": "Hungary", "role": "non-member", "nato_member": "True",
    "eu_member": "True", "gdp_usd_bn": "223.4", "gdp_year": "2024",
    "gdp_usd_bn_2025_imf": "240.1", "capital": "Budapest", "capital_lat": "47.498",
    "capital_lon": "19.04", "borders_russia_or_belarus": "False",
    "troops_pledged_post_ceasefire": "no", "eu_institutions_aid_share_eur_bn": "",
    "conf_gdp": "medium", "conf_aid_allocated": "high", "conf_distance": "high",
    "conf_troops": "medium",
    "sources": ("gdp:IMF WEO Apr 2024 projection for 2024 and 2025 via statisticstimes.com "
                "(relayed in the seeds-v2 spec; World Bank 2024 not in the stored sources); "
                "def:nato-defence.csv (NATO Aug 2025 Table 3); aid:A1 (v2/kiel-monthly.csv); "
                "dist:GeoNames (spec) (computed); troops:from memory (Orban: no Hungarian "
                "troops to Ukraine), medium; membership:M1"),
}

# --- columns ------------------------------------------------------------------------------
KEPT = [
    "iso3", "name", "role", "nato_member", "eu_member", "gdp_usd_bn", "gdp_year",
    "gdp_usd_bn_2025_imf", "defence_pct_gdp", "ukraine_aid_allocated_eur_bn",
    "eu_institutions_aid_share_eur_bn", "capital", "capital_lat", "capital_lon",
    "capital_to_moscow_km", "borders_russia_or_belarus", "troops_pledged_post_ceasefire",
]
DERIVED = [
    "gdp_eur_bn", "aid_sq_share", "aid_2025_share", "aid_2022_share", "aid_2023_share",
    "aid_2024_share", "off_budget_2025_eur_bn", "defence_sq_share", "defence_2025_share",
    "defence_2025_basis", "eu_key", "exposure", "member", "core",
    "us_effort_sq_eur_bn", "us_effort_2025_eur_bn", "us_effort_2022_eur_bn",
    "us_effort_2023_eur_bn", "us_effort_2024_eur_bn",
]
PROVENANCE = ["conf_gdp", "conf_defence", "conf_aid_allocated", "conf_off_budget",
              "conf_distance", "conf_troops", "sources"]
NATION_FIELDS = KEPT + DERIVED + PROVENANCE
EU_FIELDS = ["period", "eu_aid_eur_bn", "eu_off_budget_eur_bn", "eu_allocated_nominal_eur_bn",
             "eu_off_budget_nominal_eur_bn", "source", "confidence"]
OFF_BUDGET_FIELDS = ["iso3", "year", "kind", "amount_eur_bn", "amount_nominal", "currency",
                     "eur_per_unit", "amount_nominal_eur_bn", "subtracted_from_kiel", "basis",
                     "note", "source", "confidence"]
QUARTERLY_FIELDS = ["iso3", "quarter", "months", "allocated_eur_bn", "off_budget_eur_bn",
                    "on_budget_eur_bn_2024", "committed_eur_bn", "source", "confidence"]
DEFENCE_FIELDS = ["iso3", "year", "defence_share", "is_estimate", "edition", "source",
                  "confidence"]
VETO_FIELDS = ["iso3", "episodes", "vetoes_lifted", "first", "last", "linkage_eur_bn",
               "linkage_note", "episode_ids", "source", "confidence"]
COPIES = ("nato-targets.csv", "troop-pledges.csv", "eu-vetoes.csv")


# --- small helpers ------------------------------------------------------------------------
def shared_data_dir() -> Path:
    """The sourced data: $COALITION_SHARED_DATA, else the repository's parent's
    ``shared/data``, else /work/shared/data (the first that holds nations.csv)."""
    candidates = [Path(os.environ[SHARED_ENV])] if os.environ.get(SHARED_ENV) else []
    candidates += [HERE.parent.parent / "shared" / "data", SHARED_FALLBACK]
    for path in candidates:
        if (path / "nations.csv").is_file():
            return path
    return candidates[0]


def price_index(year: int) -> float:
    """Euro-area HICP, annual average, 2024 = 1."""
    index = 1.0
    for y in range(BASE_YEAR + 1, year + 1):
        index *= 1.0 + HICP_INFLATION[y]
    for y in range(year + 1, BASE_YEAR + 1):
        index /= 1.0 + HICP_INFLATION[y]
    return index


def real(nominal_eur_bn: float, year: int) -> float:
    return nominal_eur_bn / price_index(year)


def bn(x: float) -> str:
    """EUR bn: 6 decimals."""
    s = f"{x:.6f}"
    return "0.000000" if s == "-0.000000" else s


def share(x: float) -> str:
    """A fraction: 8 significant digits, never in exponent notation."""
    if x == 0:
        return "0"
    return format(Decimal(f"{x:.8g}"), "f")


def haversine_km(lat: float, lon: float, to=MOSCOW) -> float:
    p1, p2 = math.radians(lat), math.radians(to[0])
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(to[1] - lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def exposure(km: float, frontline: bool) -> float:
    return min(1.0, math.exp(-km / EXPOSURE_SCALE_KM) + FRONTLINE_BONUS * frontline)


def quarter_of(period: str) -> str:
    year, month = period.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _csv_text(rows: list[dict[str, str]], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _weakest(*levels: str) -> str:
    order = ["low", "medium", "high"]
    return min((lv for lv in levels if lv in order), key=order.index)


# --- the sources --------------------------------------------------------------------------
class Sources:
    """The files of ../shared/data, read once."""

    def __init__(self, shared_data: Path):
        v2 = shared_data / "v2"
        self.dir = shared_data
        self.nations = _read(shared_data / "nations.csv")
        self.monthly_rows = _read(v2 / "kiel-monthly.csv")
        self.monthly = {(r["iso3"], r["period"]): r for r in self.monthly_rows}
        self.periods = sorted({r["period"] for r in self.monthly_rows})
        self.kiel_source = self.monthly_rows[0]["source"]
        self.era = _read(v2 / "eu-era.csv")
        self.defence = _read(v2 / "nato-defence.csv")
        self.vetoes = _read(v2 / "eu-vetoes.csv")

    def model_nations(self) -> list[dict[str, str]]:
        """The coalition participants (nations.csv less USA and UKR), then Hungary."""
        rows = [r for r in self.nations if r["role"] not in ("beneficiary", "special actor")]
        return rows + [HUN]

    def kiel(self, iso: str, period: str, column: str = "allocated_eur_bn") -> float:
        return float(self.monthly[(iso, period)][column])

    def era_rows(self, iso: str, record_type: str = "era_disbursement") -> list[dict[str, str]]:
        return [r for r in self.era if r["iso3"] == iso and r["record_type"] == record_type]


# --- the ERA loans inside Kiel's allocations ------------------------------------------------
EUI_ERA_TOTAL = 18.1  # eu-era.csv: Commission decision (2024-12) and final tranche (2025-11)
KIEL_FINANCIAL_ERA = {"USA": ("2024-10",), "CAN": ("2025-02", "2025-06")}  # kiel_era_trace


def era_in_kiel(src: Sources) -> dict[tuple[str, str], tuple[float, str, str]]:
    """The identified off-budget (ERA) part of Kiel's allocations, by (iso3, month):
    nominal EUR bn, confidence, source."""
    out: dict[tuple[str, str], tuple[float, str, str]] = {}
    for iso, months in KIEL_FINANCIAL_ERA.items():
        trace = src.era_rows(iso, "kiel_era_trace")[0]
        for month in months:
            out[(iso, month)] = (src.kiel(iso, month, "financial_eur_bn"), trace["confidence"],
                                 f"v2/kiel-monthly.csv {iso} {month} financial allocation; "
                                 f"identified as ERA by v2/eu-era.csv kiel_era_trace")
    # UK: GBP instalments of 2025 (eu-era.csv), at EUR_PER_GBP_2025; Kiel's own UK ERA
    # entries are not identifiable by month, so the subtraction is inferred (low)
    for r in src.era_rows("GBR"):
        if r["currency"] == "GBP bn" and r["date"][:4] == "2025":
            out[("GBR", r["date"][:7])] = (
                float(r["amount"]) * EUR_PER_GBP_2025, "low",
                f"v2/eu-era.csv UK instalment {r['date']} GBP {r['amount']} bn x "
                f"{EUR_PER_GBP_2025} EUR/GBP (from memory, low); inferred inside Kiel's GBR "
                f"allocations of that month")
    # EU: the dated 2025 tranches where dated, the rest pro rata over the other
    # Mar-Dec 2025 months' financial allocations
    dated = {r["date"][:7]: float(r["amount_eur_bn"]) for r in src.era_rows("EUI")
             if r["date"][:4] == "2025" and r["amount_eur_bn"]}
    if not any(r["amount_eur_bn"] == str(EUI_ERA_TOTAL) for r in src.era_rows("EUI")):
        raise ValueError("eu-era.csv no longer gives the EU's EUR 18.1 bn ERA loan")
    for month, amount in dated.items():
        out[("EUI", month)] = (amount, "medium",
                               f"v2/eu-era.csv EU ERA tranche dated {month} (EUR {amount} bn)")
    rest = EUI_ERA_TOTAL - sum(dated.values())
    spread = [f"2025-{m:02d}" for m in range(3, 13) if f"2025-{m:02d}" not in dated]
    base = sum(src.kiel("EUI", m, "financial_eur_bn") for m in spread)
    for month in spread:
        part = rest * src.kiel("EUI", month, "financial_eur_bn") / base
        if part > 0:
            out[("EUI", month)] = (part, "low",
                                   f"v2/eu-era.csv EU ERA EUR {EUI_ERA_TOTAL} bn in 2025: the "
                                   f"undated EUR {rest:.1f} bn pro rata over Mar-Dec 2025 "
                                   f"financial allocations (v2/kiel-monthly.csv)")
    return out


class Aid:
    """Kiel allocations by donor and year, nominal and on-budget at 2024 prices."""

    def __init__(self, src: Sources):
        self.src = src
        self.era = era_in_kiel(src)
        self.allocated = defaultdict(float)
        self.off = defaultdict(float)
        for r in src.monthly_rows:
            key = (r["iso3"], int(r["period"][:4]))
            self.allocated[key] += float(r["allocated_eur_bn"])
        for (iso, month), (amount, _, _) in self.era.items():
            self.off[(iso, int(month[:4]))] += amount

    def on_budget(self, iso: str, year: int) -> float:
        """On-budget allocations of ``year``, EUR bn at 2024 prices."""
        return real(self.allocated[(iso, year)] - self.off[(iso, year)], year)

    def status_quo(self, iso: str) -> float:
        return sum(self.on_budget(iso, y) for y in STATUS_QUO_YEARS) / len(STATUS_QUO_YEARS)

    def off_confidence(self, iso: str) -> str:
        levels = [c for (i, _), (_, c, _) in self.era.items() if i == iso]
        return _weakest(*levels) if levels else "n/a"


# --- defence --------------------------------------------------------------------------------
AUG_2025 = "NATO 2025 edition (Aug 2025)"
SG_AR_2025 = "NATO SG Annual Report 2025"


def defence_series(src: Sources, nation: dict[str, str]) -> dict[int, dict[str, str]]:
    """Own defence by year for one model nation: fraction of GDP with its provenance."""
    iso = nation["iso3"]
    rows = [r for r in src.defence if r["iso3"] == iso and r["defence_pct_gdp"]]
    out: dict[int, dict[str, str]] = {}
    if not rows:  # not in NATO's tables: the SIPRI/IISS 2024 value of nations.csv
        basis = nation["defence_basis"]
        out[2024] = {"share": float(nation["defence_pct_gdp_2024"]) / 100, "is_estimate": "0",
                     "edition": basis, "source": f"../shared/data/nations.csv "
                     f"defence_pct_gdp_2024 ({basis}; {nation['sources'].split('; ')[1]})",
                     "confidence": nation["conf_defence"], "basis": f"{basis} 2024 value "
                     "(not in NATO's tables; no 2025 figure)"}
        return out
    for r in rows:
        year = int(r["year"])
        if r["edition"] == AUG_2025:
            out[year] = {"share": float(r["defence_pct_gdp"]) / 100,
                         "is_estimate": r["is_estimate"], "edition": r["edition"],
                         "source": r["source"], "confidence": r["confidence"],
                         "basis": "NATO Aug 2025 edition " + ("2025e (2 decimals)" if year == 2025
                                                              else "Table 3")}
    if 2025 not in out:
        ar = [r for r in rows if r["year"] == "2025" and r["edition"].startswith(SG_AR_2025)]
        if ar:
            r = ar[0]
            if iso != "HUN" and nation["defence_pct_gdp"] != r["defence_pct_gdp"]:
                raise ValueError(f"{iso}: nations.csv and nato-defence.csv disagree on AR 2025")
            out[2025] = {"share": float(r["defence_pct_gdp"]) / 100, "is_estimate": "1",
                         "edition": r["edition"], "source": r["source"],
                         "confidence": r["confidence"],
                         "basis": "NATO SG Annual Report 2025 (rounded to 0.1)"}
        else:
            out[2025] = {**out[2024], "confidence": "low", "is_estimate": "1",
                         "edition": f"carried forward from {out[2024]['edition']} 2024e",
                         "basis": "2024 value carried forward (no 2025 estimate found)"}
    return out


# --- nations.csv ----------------------------------------------------------------------------
def derive(shared_data: Path) -> list[dict[str, str]]:
    """The rows of seeds/nations.csv: the model nations, then the USA."""
    src = Sources(shared_data)
    aid = Aid(src)
    nations = src.model_nations()
    gdp_eur = {r["iso3"]: float(r["gdp_usd_bn"]) / USD_PER_EUR_2024 for r in nations}
    eu_total = sum(gdp_eur[r["iso3"]] for r in nations if r["eu_member"] == "True")
    rows = []
    for r in nations:
        iso = r["iso3"]
        gdp = gdp_eur[iso]
        if iso == "HUN":  # not in nations.csv: distance and cumulative aid computed here
            km = round(haversine_km(float(r["capital_lat"]), float(r["capital_lon"])))
            total = sum(aid.allocated[(iso, y)] for y in range(2022, 2027))
            r = {**r, "capital_to_moscow_km": str(km), "defence_pct_gdp": "",
                 "ukraine_aid_allocated_eur_bn": f"{total:.2f}"}
        frontline = r["borders_russia_or_belarus"] == "True"
        defence = defence_series(src, r)
        sq_years = [defence.get(y, defence[2024]) for y in STATUS_QUO_YEARS]
        d25 = defence.get(2025, defence[2024])  # non-members: the 2024 value
        row = {k: r[k] for k in KEPT}
        row.update(
            gdp_eur_bn=bn(gdp),
            aid_sq_share=share(aid.status_quo(iso) / gdp),
            **{f"aid_{y}_share": share(aid.on_budget(iso, y) / gdp) for y in AID_YEARS},
            off_budget_2025_eur_bn=bn(real(aid.off[(iso, 2025)], 2025)),
            defence_sq_share=share(sum(d["share"] for d in sq_years) / len(sq_years)),
            defence_2025_share=share(d25["share"]),
            defence_2025_basis=d25["basis"],
            eu_key=share(gdp / eu_total) if r["eu_member"] == "True" else "0",
            exposure=f"{exposure(float(r['capital_to_moscow_km']), frontline):.4f}",
            member=str(iso != "HUN"),
            core=str(iso in CORE),
            conf_defence=(r.get("conf_defence")
                          or _weakest(*(d["confidence"] for d in defence.values()))),
            conf_off_budget=aid.off_confidence(iso),
        )
        row.update({k: r[k] for k in PROVENANCE if k not in row})
        if aid.off[(iso, 2025)]:
            row["sources"] += "; off_budget:v2/eu-era.csv (ERA)"
        rows.append({k: row.get(k, "") for k in NATION_FIELDS})
    us = next(r for r in src.nations if r["iso3"] == "USA")
    rows.append({**{k: "" for k in NATION_FIELDS},
                 **{k: us[k] for k in ("iso3", "name", "role", "gdp_usd_bn", "gdp_year",
                                       "capital", "capital_lat", "capital_lon", "conf_gdp",
                                       "conf_aid_allocated")},
                 "gdp_eur_bn": bn(float(us["gdp_usd_bn"]) / USD_PER_EUR_2024),
                 "us_effort_sq_eur_bn": bn(aid.status_quo("USA")),
                 **{f"us_effort_{y}_eur_bn": bn(aid.on_budget("USA", y)) for y in AID_YEARS},
                 "member": "False", "core": "False",
                 "conf_off_budget": aid.off_confidence("USA"),
                 "sources": us["sources"] + "; off_budget:v2/eu-era.csv kiel_era_trace (ERA)"})
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    path.write_text(_csv_text(rows, NATION_FIELDS))


# --- eu.csv ---------------------------------------------------------------------------------
def derive_eu(src: Sources, aid: Aid) -> list[dict[str, str]]:
    era_src = "v2/eu-era.csv (EU ERA EUR 18.1 bn, all in 2025)"
    rows = []
    for y in AID_YEARS:
        rows.append({"period": str(y), "eu_aid_eur_bn": bn(aid.on_budget("EUI", y)),
                     "eu_off_budget_eur_bn": bn(real(aid.off[("EUI", y)], y)),
                     "eu_allocated_nominal_eur_bn": bn(aid.allocated[("EUI", y)]),
                     "eu_off_budget_nominal_eur_bn": bn(aid.off[("EUI", y)]),
                     "source": f"v2/kiel-monthly.csv EUI allocations (Kiel UST R29)"
                               + (f"; {era_src}" if aid.off[("EUI", y)] else ""),
                     "confidence": "medium" if aid.off[("EUI", y)] else "high"})
    n = len(STATUS_QUO_YEARS)
    rows.append({"period": "status_quo_2022_2024", "eu_aid_eur_bn": bn(aid.status_quo("EUI")),
                 "eu_off_budget_eur_bn": bn(0.0),
                 "eu_allocated_nominal_eur_bn":
                     bn(sum(aid.allocated[("EUI", y)] for y in STATUS_QUO_YEARS) / n),
                 "eu_off_budget_nominal_eur_bn": bn(0.0),
                 "source": "mean of the 2022-2024 rows", "confidence": "high"})
    return rows


# --- off_budget.csv -------------------------------------------------------------------------
def derive_off_budget(src: Sources, aid: Aid) -> list[dict[str, str]]:
    def era_src(iso):
        return "; ".join(f"v2/eu-era.csv {r['date']}: {r['source']}" for r in src.era_rows(iso)
                         if r["date"][:4] in ("2024", "2025", "2026"))

    gbr_2026_note = next(r["notes"] for r in src.era_rows("GBR") if r["date"] == "2026")
    gbp = {y: sum(float(r["amount"]) for r in src.era_rows("GBR") if r["currency"] == "GBP bn"
                  and r["date"][:4] == y) for y in ("2025", "2026")}
    jpn_usd = next(float(r["amount"]) for r in src.era_rows("JPN") if r["currency"] == "USD bn")
    can_nominal = aid.off[("CAN", 2025)]
    # (iso, year): amount, currency, fx, basis, note, confidence, source
    plan: dict[tuple[str, int], tuple] = {
        ("USA", 2024): (aid.off[("USA", 2024)], "EUR bn", 1.0, "disbursed",
                        "USD 20 bn paid into the World Bank FORTIS FIF 10 Dec 2024; Kiel books "
                        "EUR 18.341308 bn financial in 2024-10", "low", era_src("USA")),
        ("EUI", 2025): (aid.off[("EUI", 2025)], "EUR bn", 1.0, "disbursed",
                        "EUR 18.1 bn in ten tranches Jan-Nov 2025", "medium", era_src("EUI")),
        ("GBR", 2025): (gbp["2025"], "GBP bn", EUR_PER_GBP_2025, "disbursed",
                        "GBP 0.752 bn 6 Mar and 14 Apr 2025; subtracted from Kiel's GBR 2025-03 "
                        "and 2025-04 allocations (inferred: not identifiable by month in Kiel)",
                        "low", era_src("GBR")),
        ("GBR", 2026): (gbp["2026"], "GBP bn", EUR_PER_GBP_2025, "scheduled",
                        f"final instalment, timing '2026' only ({gbr_2026_note}); "
                        "not identified in Kiel's 2026 data (to Apr)", "low", era_src("GBR")),
        ("CAN", 2025): (can_nominal, "EUR bn", 1.0, "disbursed",
                        "Kiel's 2025-02 (1.678602) and 2025-06 (1.459964) financial allocations: "
                        "first tranche CAD 2.5 bn received 13 Mar 2025 (about USD 1.7 bn); the "
                        "2025-06 allocation is about the same in USD, so read as the second "
                        "CAD 2.5 bn tranche: together the full CAD 5 bn share", "low",
                        era_src("CAN")),
        ("CAN", 2026): (0.0, "EUR bn", 1.0, "inferred",
                        "second tranche not found in the sources; inferred to be Kiel's 2025-06 "
                        "allocation (counted in 2025), so nothing is scheduled for 2026 (the "
                        "spec's CAD 2.5 bn in 2026 would exceed Canada's CAD 5 bn share)",
                        "low", era_src("CAN")),
        ("JPN", 2026): (jpn_usd, "USD bn", EUR_PER_USD_2025, "not found, assumed",
                        "JICA loan agreement 5 Jun 2025; disbursement dates not found and no "
                        "matching Kiel allocation to Apr 2026; assumed in 2026", "low",
                        era_src("JPN")),
    }
    subtracted = {k for k, v in aid.off.items() if v}
    rows = []
    for iso in ("USA", "EUI", "GBR", "CAN", "JPN"):
        for year in OFF_BUDGET_YEARS:
            amount, cur, fx, basis, note, conf, source = plan.get(
                (iso, year), (0.0, "EUR bn", 1.0, "none", "nothing due this year by the sources",
                              "medium", f"v2/eu-era.csv era_share and era_disbursement rows "
                                        f"({iso})"))
            rows.append(_off_row(iso, year, "ERA", amount, cur, fx, (iso, year) in subtracted,
                                 basis, note, source, conf))
    windfall = next(r for r in src.era_rows("EUI", "eu_instrument")
                    if r["instrument"].startswith("Windfall"))
    for year in (2025, 2026, 2027):
        rows.append(_off_row("EUI", year, "windfall", 2.75, "EUR bn", 1.0, False, "inferred",
                             "midpoint of the EU's EUR 2.5-3.0 bn a year estimate; Kiel books "
                             "the EPF-channelled windfall money under member states, so it is "
                             "not subtracted from anyone's aid",
                             f"v2/eu-era.csv: {windfall['source']}", "medium"))
    return rows


def _off_row(iso, year, kind, amount, currency, fx, subtracted, basis, note, source, conf):
    return {"iso3": iso, "year": str(year), "kind": kind,
            "amount_eur_bn": bn(real(amount * fx, year)), "amount_nominal": f"{amount:.6f}",
            "currency": currency, "eur_per_unit": f"{fx:g}",
            "amount_nominal_eur_bn": bn(amount * fx), "subtracted_from_kiel": str(subtracted),
            "basis": basis, "note": note, "source": source, "confidence": conf}


# --- aid_quarterly.csv ----------------------------------------------------------------------
def derive_quarterly(src: Sources, aid: Aid) -> list[dict[str, str]]:
    donors = [r["iso3"] for r in src.model_nations()] + ["USA", "EUI"]
    rows = []
    for iso in donors:
        quarters: dict[str, list[str]] = defaultdict(list)
        for p in src.periods:
            quarters[quarter_of(p)].append(p)
        for q, months in quarters.items():
            allocated = sum(src.kiel(iso, p) for p in months)
            committed = sum(src.kiel(iso, p, "committed_eur_bn") for p in months)
            era = [aid.era[(iso, p)] for p in months if (iso, p) in aid.era]
            off = sum(e[0] for e in era)
            rows.append({"iso3": iso, "quarter": q, "months": str(len(months)),
                         "allocated_eur_bn": bn(allocated), "off_budget_eur_bn": bn(off),
                         "on_budget_eur_bn_2024": bn(real(allocated - off, int(q[:4]))),
                         "committed_eur_bn": bn(committed),
                         "source": "; ".join([src.kiel_source] + sorted({e[2] for e in era})),
                         "confidence": _weakest("high", *(e[1] for e in era))})
    return rows


# --- defence.csv ----------------------------------------------------------------------------
def derive_defence(src: Sources) -> list[dict[str, str]]:
    rows = []
    for nation in src.model_nations():
        series = defence_series(src, nation)
        for year in DEFENCE_YEARS:
            if year in series:
                d = series[year]
                rows.append({"iso3": nation["iso3"], "year": str(year),
                             "defence_share": share(d["share"]), "is_estimate": d["is_estimate"],
                             "edition": d["edition"], "source": d["source"],
                             "confidence": d["confidence"]})
    return rows


# --- veto_players.csv -----------------------------------------------------------------------
LINKAGE = {"HUN": (1.2, "one documented price: frozen cohesion funds cut from EUR 7.5 bn "
                   "to 6.3 bn for lifting the MFA+ veto (V1)")}
LIFTED = re.compile(r"\b(lifted|dropped)\b")
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def derive_veto_players(src: Sources) -> list[dict[str, str]]:
    rows = []
    for iso in ("HUN", "SVK"):
        eps = [r for r in src.vetoes if iso in r["actor_iso3"].split(";")]
        lifted = [r for r in eps if LIFTED.search(r["outcome"] + " " + r["action"])]
        dates = [m.group(0) for r in eps for f in ("date_start", "date_end")
                 if (m := DATE.match(r[f]))]
        starts = [m.group(0) for r in eps if (m := DATE.match(r["date_start"]))]
        price, note = LINKAGE.get(iso, (None, "none documented"))
        ids = ";".join(r["episode_id"] for r in eps)
        rows.append({"iso3": iso, "episodes": str(len(eps)), "vetoes_lifted": str(len(lifted)),
                     "first": min(starts), "last": max(dates),
                     "linkage_eur_bn": "" if price is None else f"{price:.1f}",
                     "linkage_note": note,
                     "episode_ids": ids, "source": f"v2/eu-vetoes.csv episodes {ids}",
                     "confidence": _weakest(*(r["confidence"] for r in eps))})
    return rows


# --- everything -----------------------------------------------------------------------------
def outputs(shared_data: Path) -> dict[str, str]:
    """File name in seeds/ -> the text this derivation writes there."""
    src = Sources(shared_data)
    aid = Aid(src)
    files = {
        "nations.csv": _csv_text(derive(shared_data), NATION_FIELDS),
        "eu.csv": _csv_text(derive_eu(src, aid), EU_FIELDS),
        "off_budget.csv": _csv_text(derive_off_budget(src, aid), OFF_BUDGET_FIELDS),
        "aid_quarterly.csv": _csv_text(derive_quarterly(src, aid), QUARTERLY_FIELDS),
        "defence.csv": _csv_text(derive_defence(src), DEFENCE_FIELDS),
        "veto_players.csv": _csv_text(derive_veto_players(src), VETO_FIELDS),
    }
    for name in COPIES:  # byte for byte (the sources end lines with CRLF)
        with (shared_data / "v2" / name).open(newline="") as fh:
            files[name] = fh.read()
    return files


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    src = Path(argv[0]) if argv else shared_data_dir()
    for name, text in outputs(src).items():
        (HERE / name).write_text(text, newline="")
        rows = sum(1 for _ in csv.DictReader(io.StringIO(text)))
        print(f"wrote {HERE / name} ({rows} rows)")


if __name__ == "__main__":
    main()
