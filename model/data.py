"""Starting data: the real nations (``seeds/nations.csv``) or N identical ones.

``seeds/nations.csv`` is derived from ``../shared/data`` by ``seeds/derivation/nations.py``; its
columns, sources and confidence are documented in ``seeds/README.md``. A file with a
missing column or a non-numeric cell is rejected with the file, row and column named.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from model.errors import CoalitionError
from seeds import SEEDS_DIR

NATIONS_CSV = SEEDS_DIR / "nations.csv"
EARTH_RADIUS_KM = 6371.0088


class DataError(CoalitionError):
    """A data file is missing, lacks a column, or has a cell of the wrong kind."""


# column -> kind; every one must be present and parse for each nation row
COLUMNS: dict[str, str] = {
    "iso3": "text", "name": "text", "role": "text", "gdp_usd_bn": "number",
    "contribution": "number", "contribution_2025": "number", "exposure": "number",
    "us_reliance": "number", "member": "bool", "core": "bool", "capital_lat": "number",
    "capital_lon": "number", "capital_to_moscow_km": "number",
    "borders_russia_or_belarus": "bool", "troops_pledged_post_ceasefire": "text",
    "us_effort_usd_bn": "number", "us_effort_2025_usd_bn": "number",
}


@dataclass(frozen=True)
class NationTable:
    """The nations of a model, one entry per nation (the US and Ukraine are not in it)."""

    iso3: tuple[str, ...]
    name: tuple[str, ...]
    gdp: np.ndarray
    contribution: np.ndarray  # observed (or starting) share of GDP, 2022-24 mean
    contribution_2025: np.ndarray  # observed in 2025, NaN for synthetic nations
    exposure: np.ndarray
    us_reliance: np.ndarray
    member: np.ndarray
    core: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    frontline: np.ndarray
    troops: tuple[str, ...]
    us_gdp: float
    us_effort: float  # US status-quo effort, USD bn a year
    us_effort_2025: float

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


@functools.lru_cache(maxsize=8)
def load_nations(path: Path | str = NATIONS_CSV) -> NationTable:
    """Read and check a nations file (the format of ``seeds/nations.csv``)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"nations file {str(path)!r} does not exist")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: column {missing[0]!r} is missing; required columns "
                            "are " + ", ".join(COLUMNS))
        rows = list(reader)
    us = [r for r in rows if r["role"] == "special actor"]
    if len(us) != 1:
        raise DataError(f"{path.name}: expected exactly one row with role 'special actor' "
                        f"(the US), found {len(us)}")
    us_row = us[0]
    us_no = rows.index(us_row) + 2
    us_gdp = _parse(path, us_no, "gdp_usd_bn", "number", us_row["gdp_usd_bn"])
    us_eff = _parse(path, us_no, "us_effort_usd_bn", "number", us_row["us_effort_usd_bn"])
    us_eff25 = _parse(path, us_no, "us_effort_2025_usd_bn", "number", us_row["us_effort_2025_usd_bn"])
    parsed = []
    for row_no, row in enumerate(rows, start=2):
        if row is us_row or row["role"] == "beneficiary":
            continue
        parsed.append({c: _parse(path, row_no, c, k, row.get(c)) for c, k in COLUMNS.items()})
    if not parsed:
        raise DataError(f"{path.name}: no nation rows")
    for r in parsed:
        if r["gdp_usd_bn"] <= 0:
            raise DataError(f"{path.name}: gdp_usd_bn of {r['iso3']} = {r['gdp_usd_bn']} is not "
                            "allowed: expected a number above 0")

    def col(name, dtype=float):
        return np.array([r[name] for r in parsed], dtype=dtype)

    return NationTable(
        iso3=tuple(r["iso3"] for r in parsed), name=tuple(r["name"] for r in parsed),
        gdp=col("gdp_usd_bn"), contribution=col("contribution"),
        contribution_2025=col("contribution_2025"), exposure=col("exposure"),
        us_reliance=col("us_reliance"), member=col("member", bool), core=col("core", bool),
        lat=col("capital_lat"), lon=col("capital_lon"),
        frontline=col("borders_russia_or_belarus", bool),
        troops=tuple(r["troops_pledged_post_ceasefire"] for r in parsed),
        us_gdp=us_gdp, us_effort=us_eff, us_effort_2025=us_eff25)


def identical_nations(n: int, gdp: float, contribution: float) -> NationTable:
    """N identical nations (codes N01, N02, ...) for textbook experiments.

    They sit on a circle 1000 km around a point so maps and distances are defined;
    the US effort reference equals their joint effort and the US GDP their joint GDP.
    """
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    total = n * gdp * contribution
    return NationTable(
        iso3=tuple(f"N{i + 1:02d}" for i in range(n)),
        name=tuple(f"Nation {i + 1}" for i in range(n)),
        gdp=np.full(n, gdp), contribution=np.full(n, contribution),
        contribution_2025=np.full(n, np.nan), exposure=np.ones(n), us_reliance=np.zeros(n),
        member=np.ones(n, bool), core=np.zeros(n, bool),
        lat=50 + 9 * np.sin(angles), lon=15 + 14 * np.cos(angles),
        frontline=np.zeros(n, bool), troops=("n/a",) * n,
        us_gdp=n * gdp, us_effort=total, us_effort_2025=float("nan"))
