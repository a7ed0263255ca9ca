"""The quarterly aid panel (``seeds/aid_quarterly.csv``): what the estimation may read.

Kiel's on-budget allocations by donor and quarter at 2024 prices (the model's nations,
the US and the EU institutions), read up to a cut-off quarter and no further: rows
after ``until`` are dropped as the file is read, so an estimation run with
``until = "2024-Q4"`` never holds a number from 2025 (a test poisons the later rows and
gets the same estimate). A panel missing a column, a donor's quarter, or a model
nation is refused with one line naming it.

The status quo (SQ) is the 2022-Q1..2024-Q4 mean, as in the calibration
(``seeds/nations.csv``, ``aid_sq_share``): every moment is a change in units of a
donor's own SQ quarter, so big and small donors weigh alike.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.data import EU_CODE, US_CODE, DataError
from model.files import read_text
from seeds import SEEDS_DIR

PANEL_CSV = SEEDS_DIR / "aid_quarterly.csv"
COLUMNS = ("iso3", "quarter", "months", "on_budget_eur_bn_2024", "source", "confidence")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")
SQ_QUARTERS = tuple(f"{y}-Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4))
US, EU = US_CODE, EU_CODE


def quarter_index(text: str, where: str = "quarter") -> int:
    """``"2024-Q3"`` -> 4 * 2024 + 2: quarters as consecutive whole numbers."""
    m = QUARTER.fullmatch(str(text).strip())
    if not m:
        raise DataError(f"{where} = {text!r} is not allowed: expected a quarter such as 2024-Q4")
    return 4 * int(m.group(1)) + int(m.group(2)) - 1


def quarter_name(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def quarters(first: str, last: str) -> tuple[str, ...]:
    """Every quarter from ``first`` to ``last``, both included."""
    a, b = quarter_index(first), quarter_index(last)
    return tuple(quarter_name(i) for i in range(a, b + 1))


@dataclass(frozen=True)
class Panel:
    """On-budget aid by donor and quarter (EUR bn in the quarter, 2024 prices)."""

    donors: tuple[str, ...]
    quarters: tuple[str, ...]
    aid: np.ndarray  # (donors, quarters)
    until: str  # the last quarter the panel holds

    def row(self, donor: str) -> np.ndarray:
        try:
            return self.aid[self.donors.index(donor)]
        except ValueError:
            raise DataError(f"the aid panel has no donor {donor!r}") from None

    def window(self, span: tuple[str, ...]) -> np.ndarray:
        """Mean quarterly aid of every donor over the quarters ``span`` (donors,)."""
        missing = [q for q in span if q not in self.quarters]
        if missing:
            raise DataError(f"the aid panel (up to {self.until}) has no quarter {missing[0]}: "
                            "the estimation window reaches past the data it may read")
        idx = [self.quarters.index(q) for q in span]
        return self.aid[:, idx].mean(-1)

    @property
    def status_quo(self) -> np.ndarray:
        """Each donor's mean quarter over 2022-24 (donors,)."""
        return self.window(SQ_QUARTERS)


def load_panel(until: str = "2024-Q4", path: Path | str = PANEL_CSV,
               nations: tuple[str, ...] | None = None) -> Panel:
    """The panel up to ``until`` (rows after it are dropped as they are read).

    Every donor must have every quarter from 2022-Q1 to ``until``; ``nations`` (the
    model's) must all be donors, with the US and the EU institutions.
    """
    path = Path(path)
    last = quarter_index(until, "until")
    if last < quarter_index(SQ_QUARTERS[-1]):
        raise DataError(f"until = {until!r} is not allowed: the estimation needs the 2022-24 "
                        "status quo, so at least 2024-Q4")
    with io.StringIO(read_text(path, "aid panel"), newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: column {missing[0]!r} is missing; required columns are "
                            + ", ".join(COLUMNS))
        values: dict[tuple[str, int], float] = {}
        for row_no, row in enumerate(reader, start=2):
            q = quarter_index(row["quarter"], f"{path.name} row {row_no}, column 'quarter'")
            if q > last:
                continue  # never held: the estimation may not read past `until`
            text = row["on_budget_eur_bn_2024"].strip()
            try:
                amount = float(text)
            except ValueError:
                raise DataError(f"{path.name} row {row_no}, column 'on_budget_eur_bn_2024': "
                                f"{text!r} is not allowed: expected a number") from None
            if not np.isfinite(amount):
                raise DataError(f"{path.name} row {row_no}, column 'on_budget_eur_bn_2024': "
                                f"{text!r} is not allowed: expected a finite number")
            values[(row["iso3"].strip(), q)] = amount
    span = range(quarter_index(SQ_QUARTERS[0]), last + 1)
    donors = tuple(dict.fromkeys(code for code, _ in values))
    for code in (nations or ()) + (US, EU):
        if code not in donors:
            raise DataError(f"{path.name}: no rows for {code!r} (every model nation, the US and "
                            "the EU institutions need one per quarter)")
    for code in donors:
        for q in span:
            if (code, q) not in values:
                raise DataError(f"{path.name}: no row for {code} in {quarter_name(q)} (every donor "
                                f"needs every quarter from 2022-Q1 to {until})")
    aid = np.array([[values[(code, q)] for q in span] for code in donors])
    return Panel(donors=donors, quarters=tuple(quarter_name(q) for q in span), aid=aid,
                 until=quarter_name(last))
