"""seeds/: the derived nations file is what seeds/derivation/nations.py makes from the sources."""

import csv
import importlib.util

import numpy as np
import pytest

from model.data import COLUMNS, load_nations
from seeds import SEEDS_DIR

SHARED = SEEDS_DIR.parent.parent / "shared" / "data"


def load_derive():
    spec = importlib.util.spec_from_file_location("derive", SEEDS_DIR / "derivation" / "nations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SHARED / "nations.csv").is_file(),
                    reason="the source data (../shared/data) is not beside this checkout")
def test_committed_nations_file_is_the_derivation_of_the_sources(tmp_path):
    derive = load_derive()
    out = tmp_path / "nations.csv"
    derive.write(derive.derive(SHARED), out)
    assert out.read_text() == (SEEDS_DIR / "nations.csv").read_text()


def test_nations_file_keeps_sources_and_confidence_columns():
    with (SEEDS_DIR / "nations.csv").open() as fh:
        header = next(csv.reader(fh))
    for column in ("sources", "conf_gdp", "conf_aid_allocated", "conf_distance", "conf_troops"):
        assert column in header
    assert set(COLUMNS) <= set(header)


def test_nations_data_is_plausible():
    t = load_nations()
    assert 30 <= t.n <= 34 and "UKR" not in t.iso3 and "USA" not in t.iso3
    assert {"GBR", "FRA"} == {c for c, core in zip(t.iso3, t.core) if core}
    assert np.all((t.exposure >= 0) & (t.exposure <= 1))
    assert np.all(t.contribution > 0) and np.all(t.contribution < 0.02)
    assert t.exposure[t.iso3.index("EST")] > t.exposure[t.iso3.index("PRT")]
    assert 30 < t.us_effort < 60 and t.us_effort_2025 < 1
    # Denmark and the Baltic states carry the highest burdens (Kiel), as in the data
    top = {t.iso3[i] for i in np.argsort(-t.contribution)[:4]}
    assert top == {"DNK", "EST", "LTU", "LVA"}


def test_exposure_follows_the_documented_rule():
    derive = load_derive()
    t = load_nations()
    with (SEEDS_DIR / "nations.csv").open() as fh:
        rows = {r["iso3"]: r for r in csv.DictReader(fh)}
    for i, code in enumerate(t.iso3):
        d = float(rows[code]["capital_to_moscow_km"])
        expected = min(1.0, np.exp(-d / derive.EXPOSURE_SCALE_KM) + derive.FRONTLINE_BONUS * t.frontline[i])
        assert t.exposure[i] == pytest.approx(expected, abs=1e-4)
