"""Starting data: the real nations (``seeds/``) or N identical ones.

``seeds/nations.csv``, ``seeds/eu.csv``, ``seeds/off_budget.csv`` and
``seeds/veto_players.csv`` are derived from ``../shared/data`` by
``seeds/derivation/nations.py``; their columns, sources and confidence are documented
in ``seeds/README.md``. Money is EUR bn a year at 2024 prices; shares are fractions of
GDP. A file with a missing column or a cell of the wrong kind is rejected with the
file, row and column named.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from model.conditions import strategy_names
from model.errors import CoalitionError
from model.files import read_text
from seeds import SEEDS_DIR

NATIONS_CSV = SEEDS_DIR / "nations.csv"
EU_CSV = SEEDS_DIR / "eu.csv"
OFF_BUDGET_CSV = SEEDS_DIR / "off_budget.csv"
VETO_CSV = SEEDS_DIR / "veto_players.csv"
FORCES_CSV = SEEDS_DIR / "forces.csv"
DATA_FILES = (NATIONS_CSV, EU_CSV, OFF_BUDGET_CSV, VETO_CSV, FORCES_CSV)  # what a run reads
IDENTICAL_PERSONNEL = 62_500  # active personnel of an identical nation (8%: 5,000 troops)
EARTH_RADIUS_KM = 6371.0088
OFF_BUDGET_FIRST_YEAR = 2025  # the schedule the model reads starts with round 1's year
OFF_BUDGET_YEARS = 6  # 2025..2030; nothing is scheduled later
# The holders of the immobilised Russian assets (the reparations loan's risk): Euroclear
# in Belgium holds most of those in the EU (from memory, low confidence).
ASSET_HOLDERS = {"BEL": 1.0}


class DataError(CoalitionError):
    """A data file is missing, lacks a column, or has a cell of the wrong kind."""


# column -> kind; every one must be present and parse for each nation row
COLUMNS: dict[str, str] = {
    "iso3": "text", "name": "text", "role": "text", "gdp_eur_bn": "number",
    "aid_sq_share": "number", "aid_2025_share": "number", "aid_2022_share": "number",
    "aid_2023_share": "number", "aid_2024_share": "number",
    "off_budget_2025_eur_bn": "number", "defence_sq_share": "number",
    "defence_2025_share": "number", "eu_key": "number", "exposure": "number",
    "member": "bool", "core": "bool", "nato_member": "bool", "eu_member": "bool",
    "capital_lat": "number", "capital_lon": "number", "capital_to_moscow_km": "number",
    "borders_russia_or_belarus": "bool", "troops_pledged_post_ceasefire": "text",
}
US_COLUMNS = ("gdp_eur_bn", "us_effort_sq_eur_bn", "us_effort_2025_eur_bn")


@dataclass(frozen=True)
class NationTable:
    """The nations of a model, one entry per nation (the US and Ukraine are not in it),
    and the aggregates the model needs beside them (the US, the EU, off-budget money)."""

    iso3: tuple[str, ...]
    name: tuple[str, ...]
    gdp: np.ndarray  # EUR bn, 2024
    contribution: np.ndarray  # bilateral on-budget aid, share of GDP, 2022-24 mean
    contribution_2025: np.ndarray  # the same in 2025 (NaN for synthetic nations)
    exposure: np.ndarray
    member: np.ndarray
    core: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    frontline: np.ndarray
    troops: tuple[str, ...]
    nato: np.ndarray
    eu_member: np.ndarray
    eu_key: np.ndarray  # share of the EU's financing (GDP key over EU members)
    defence: np.ndarray  # own defence, share of GDP, 2022-24 mean
    defence_2025: np.ndarray
    veto_player: np.ndarray
    veto_record: np.ndarray  # vetoes on record (eu-vetoes.csv), for the stance
    veto_linkage: np.ndarray  # EUR bn a year: a documented price of a lifted veto
    asset_holding: np.ndarray  # share of the immobilised Russian assets held here
    off_budget_2025: np.ndarray  # EUR bn: the nation's off-budget lending in 2025
    active_personnel: np.ndarray  # active armed forces (forces.csv)
    troops_target: np.ndarray  # the stated troop pledge the calibration fits (NaN: none)
    troop_strategy: tuple[str, ...]  # the stance (model.conditions), from forces.csv
    troop_condition: tuple[str, ...]  # the stance's parameter as written (nations, K or T)
    us_gdp: float
    us_effort: float  # US status-quo on-budget effort, EUR bn a year
    us_effort_2025: float
    eu_aid: float = 0.0  # EU-level on-budget aid, status quo, EUR bn a year
    eu_aid_2025: float = float("nan")
    off_budget_sq: float = 0.0  # off-budget money at the status quo, EUR bn a year
    # yearly off-budget lending from OFF_BUDGET_FIRST_YEAR on, EUR bn a year: by the
    # model's nations (N, Y), and by lenders that are not model nations (the US, the EU)
    lending: np.ndarray | None = None
    other_lending: np.ndarray = field(default_factory=lambda: np.zeros(OFF_BUDGET_YEARS))
    observed: bool = True  # real nations with a 2025 to compare against

    @property
    def n(self) -> int:
        return len(self.iso3)

    def index(self, code: str) -> int:
        try:
            return self.iso3.index(code)
        except ValueError:
            raise DataError(f"nation {code!r} is not in this model: allowed are "
                            + ", ".join(self.iso3)) from None

    def with_values(self, **arrays) -> NationTable:
        return replace(self, **arrays)

    @property
    def off_budget_schedule(self) -> np.ndarray:
        """All off-budget lending by year (EUR bn a year), from OFF_BUDGET_FIRST_YEAR."""
        own = np.zeros(OFF_BUDGET_YEARS) if self.lending is None else self.lending.sum(0)
        return own + self.other_lending

    @property
    def lenders(self) -> tuple[str, ...]:
        """The model's nations that lend off-budget (the G7 ERA lenders among them)."""
        if self.lending is None:
            return ()
        return tuple(c for c, row in zip(self.iso3, self.lending) if row.any())

    def distances_km(self) -> np.ndarray:
        """Great-circle distances between capitals (haversine), N x N."""
        lat, lon = np.radians(self.lat), np.radians(self.lon)
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _parse(path: Path, row_no: int, column: str, kind: str, text: str | None):
    if text is None:
        raise DataError(f"{path.name} row {row_no}: column {column!r} is missing")
    value = text.strip()
    if kind == "text":
        return value
    if kind == "bool":
        if value not in ("True", "False"):
            raise DataError(f"{path.name} row {row_no}, column {column!r}: {text!r} is not "
                            "allowed: expected True or False")
        return value == "True"
    try:
        number = float(value)
    except ValueError:
        raise DataError(f"{path.name} row {row_no}, column {column!r}: {text!r} is not "
                        "allowed: expected a number") from None
    if not math.isfinite(number):
        raise DataError(f"{path.name} row {row_no}, column {column!r}: {text!r} is not "
                        "allowed: expected a finite number")
    return number


def _rows(path: Path, required, what: str = "data file") -> list[dict[str, str]]:
    if not path.is_file():
        raise DataError(f"{what} {str(path)!r} does not exist")
    with io.StringIO(read_text(path, what), newline="") as fh:  # one error path
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: column {missing[0]!r} is missing; required columns "
                            "are " + ", ".join(required))
        return list(reader)


def _eu(path: Path) -> tuple[float, float, float]:
    """(EU on-budget aid at the status quo, in 2025; off-budget money at the status quo)."""
    rows = {r["period"]: r for r in _rows(path, ("period", "eu_aid_eur_bn", "eu_off_budget_eur_bn"))}
    for period in ("status_quo_2022_2024", "2025"):
        if period not in rows:
            raise DataError(f"{path.name}: no row for period {period!r}")
    num = lambda p, c: _parse(path, 0, c, "number", rows[p][c])  # noqa: E731
    return (num("status_quo_2022_2024", "eu_aid_eur_bn"), num("2025", "eu_aid_eur_bn"),
            num("status_quo_2022_2024", "eu_off_budget_eur_bn"))


US_CODE, EU_CODE = "USA", "EUI"  # the donors in the data that are not model nations
OTHER_LENDERS = (US_CODE, EU_CODE)  # lenders that are not model nations


def _off_budget(path: Path, codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, float]:
    """Off-budget lending by year from 2025 (EUR bn a year): by the model's nations
    (N, Y) and by the other lenders (Y,); and its 2022-24 mean.

    Only the ERA loans count: Kiel books the windfall profits channelled through the
    European Peace Facility under the member states' own aid, so adding them here would
    count them twice (seeds/README.md).
    """
    rows = _rows(path, ("iso3", "year", "kind", "amount_eur_bn"))
    lending = np.zeros((len(codes), OFF_BUDGET_YEARS))
    other = np.zeros(OFF_BUDGET_YEARS)
    before = 0.0
    for row_no, row in enumerate(rows, start=2):
        if row["kind"].strip() != "ERA":
            continue
        code = row["iso3"].strip()
        if code not in codes and code not in OTHER_LENDERS:
            raise DataError(f"{path.name} row {row_no}, column 'iso3': {code!r} is not allowed: "
                            "expected a model nation or " + ", ".join(OTHER_LENDERS))
        year = int(_parse(path, row_no, "year", "number", row["year"]))
        amount = _parse(path, row_no, "amount_eur_bn", "number", row["amount_eur_bn"])
        if amount < 0:
            raise DataError(f"{path.name} row {row_no}, column 'amount_eur_bn': {amount} is not "
                            "allowed: expected a number at least 0")
        k = year - OFF_BUDGET_FIRST_YEAR
        if 0 <= k < OFF_BUDGET_YEARS:
            if code in codes:
                lending[codes.index(code), k] += amount
            else:
                other[k] += amount
        elif 2022 <= year <= 2024:
            before += amount / 3
    return lending, other, before


FORCE_COLUMNS = ("iso3", "active_personnel", "troops_target", "troop_strategy",
                 "troop_condition", "source", "confidence")


def _forces(path: Path, codes: tuple[str, ...]) -> dict[str, tuple[float, float, str, str]]:
    """Nation -> (active personnel, stated troop pledge, stance, its condition) from
    forces.csv; every model nation needs a row, and a stance must be a registered one."""
    out = {}
    for row_no, row in enumerate(_rows(path, FORCE_COLUMNS), start=2):
        code = row["iso3"].strip()
        if code not in codes:
            raise DataError(f"{path.name} row {row_no}, column 'iso3': {code!r} is not a nation "
                            "of nations.csv: allowed are " + ", ".join(codes))
        personnel = _parse(path, row_no, "active_personnel", "number", row["active_personnel"])
        target = _parse(path, row_no, "troops_target", "number", row["troops_target"])
        for column, value in (("active_personnel", personnel), ("troops_target", target)):
            if value < 0:
                raise DataError(f"{path.name} row {row_no}, column {column!r}: {value:g} is not "
                                "allowed: expected a number at least 0")
        strategy = row["troop_strategy"].strip()
        if strategy not in strategy_names():
            raise DataError(f"{path.name} row {row_no}, column 'troop_strategy': {strategy!r} is "
                            "not allowed: expected one of " + ", ".join(strategy_names()))
        out[code] = (personnel, target, strategy, row["troop_condition"].strip())
    missing = [c for c in codes if c not in out]
    if missing:
        raise DataError(f"{path.name}: no row for {missing[0]}; every nation of nations.csv "
                        "needs one")
    return out


def _vetoes(path: Path) -> dict[str, tuple[float, float]]:
    """Veto player -> (vetoes on record, documented linkage price in EUR bn)."""
    out = {}
    for row_no, row in enumerate(_rows(path, ("iso3", "episodes", "linkage_eur_bn")), start=2):
        episodes = _parse(path, row_no, "episodes", "number", row["episodes"])
        link = row["linkage_eur_bn"].strip()
        linkage = _parse(path, row_no, "linkage_eur_bn", "number", link) if link else 0.0
        out[row["iso3"].strip()] = (episodes, linkage)
    return out


@functools.lru_cache(maxsize=8)
def load_nations(path: Path | str = NATIONS_CSV) -> NationTable:
    """Read and check the nations file (and the EU, off-budget and veto files beside it)."""
    path = Path(path)
    rows = _rows(path, COLUMNS, "nations file")
    us = [r for r in rows if r["role"] == "special actor"]
    if len(us) != 1:
        raise DataError(f"{path.name}: expected exactly one row with role 'special actor' "
                        f"(the US), found {len(us)}")
    us_row = us[0]
    us_no = rows.index(us_row) + 2
    us_values = {c: _parse(path, us_no, c, "number", us_row.get(c)) for c in US_COLUMNS}
    parsed = []
    for row_no, row in enumerate(rows, start=2):
        if row is us_row or row["role"] == "beneficiary":
            continue
        parsed.append({c: _parse(path, row_no, c, k, row.get(c)) for c, k in COLUMNS.items()})
    if not parsed:
        raise DataError(f"{path.name}: no nation rows")
    for r in parsed:
        if r["gdp_eur_bn"] <= 0:
            raise DataError(f"{path.name}: gdp_eur_bn of {r['iso3']} = {r['gdp_eur_bn']} is not "
                            "allowed: expected a number above 0")
    folder = path.parent
    codes = tuple(r["iso3"] for r in parsed)
    eu_sq, eu_2025, eu_off_sq = _eu(folder / EU_CSV.name)
    lending, other_lending, off_sq = _off_budget(folder / OFF_BUDGET_CSV.name, codes)
    vetoes = _vetoes(folder / VETO_CSV.name)
    for code in vetoes:
        if code not in codes:
            raise DataError(f"{VETO_CSV.name}: veto player {code!r} is not a nation of "
                            f"{path.name}: allowed are " + ", ".join(codes))

    def col(name, dtype=float):
        return np.array([r[name] for r in parsed], dtype=dtype)

    forces = _forces(folder / FORCES_CSV.name, codes)

    return NationTable(
        iso3=codes, name=tuple(r["name"] for r in parsed), gdp=col("gdp_eur_bn"),
        contribution=col("aid_sq_share"), contribution_2025=col("aid_2025_share"),
        exposure=col("exposure"), member=col("member", bool), core=col("core", bool),
        lat=col("capital_lat"), lon=col("capital_lon"),
        frontline=col("borders_russia_or_belarus", bool),
        troops=tuple(r["troops_pledged_post_ceasefire"] for r in parsed),
        nato=col("nato_member", bool), eu_member=col("eu_member", bool), eu_key=col("eu_key"),
        defence=col("defence_sq_share"), defence_2025=col("defence_2025_share"),
        veto_player=np.array([c in vetoes for c in codes]),
        veto_record=np.array([vetoes.get(c, (0.0, 0.0))[0] for c in codes]),
        veto_linkage=np.array([vetoes.get(c, (0.0, 0.0))[1] for c in codes]),
        asset_holding=np.array([ASSET_HOLDERS.get(c, 0.0) for c in codes]),
        off_budget_2025=col("off_budget_2025_eur_bn"),
        active_personnel=np.array([forces[c][0] for c in codes]),
        troops_target=np.array([forces[c][1] for c in codes]),
        troop_strategy=tuple(forces[c][2] for c in codes),
        troop_condition=tuple(forces[c][3] for c in codes),
        us_gdp=us_values["gdp_eur_bn"], us_effort=us_values["us_effort_sq_eur_bn"],
        us_effort_2025=us_values["us_effort_2025_eur_bn"], eu_aid=eu_sq, eu_aid_2025=eu_2025,
        off_budget_sq=off_sq + eu_off_sq, lending=lending, other_lending=other_lending)


def identical_nations(n: int, gdp: float, contribution: float, defence: float = 0.0) -> NationTable:
    """N identical nations (codes N01, N02, ...) for textbook experiments.

    They sit on a circle 1000 km around a point so distances are defined; the US effort
    reference equals their joint aid and the US GDP their joint GDP. No EU, no
    off-budget money, no veto players.
    """
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    total = n * gdp * contribution
    zeros, no = np.zeros(n), np.zeros(n, bool)
    return NationTable(
        iso3=tuple(f"N{i + 1:02d}" for i in range(n)),
        name=tuple(f"Nation {i + 1}" for i in range(n)),
        gdp=np.full(n, gdp), contribution=np.full(n, contribution),
        contribution_2025=np.full(n, np.nan), exposure=np.ones(n),
        member=np.ones(n, bool), core=no.copy(),
        lat=50 + 9 * np.sin(angles), lon=15 + 14 * np.cos(angles),
        frontline=no.copy(), troops=("n/a",) * n, nato=no.copy(), eu_member=no.copy(),
        eu_key=zeros.copy(), defence=np.full(n, defence), defence_2025=np.full(n, defence),
        veto_player=no.copy(), veto_record=zeros.copy(), veto_linkage=zeros.copy(),
        asset_holding=zeros.copy(), off_budget_2025=zeros.copy(),
        active_personnel=np.full(n, float(IDENTICAL_PERSONNEL)), troops_target=np.full(n, np.nan),
        troop_strategy=("unconditional",) * n, troop_condition=("",) * n,
        us_gdp=n * gdp, us_effort=total, us_effort_2025=float("nan"), observed=False)
