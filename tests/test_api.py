"""The Python API for notebooks (issue 12, item 5): `from experiments import Experiment`."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from experiments import Experiment
from experiments.api import _address
from experiments.design import ExperimentError
from experiments.store import load_runs

SMALL = {"scenario": "baseline", "seed": 4, "rounds": 6, "replicates": 2,
         "parameters": {"nations": "identical", "n_nations": 4, "noise": 0.05},
         "vary": {"us_level": {"low": 0.0, "high": 1.0, "steps": 3},
                  "us_reliance": {"low": -2.0, "high": 1.0, "steps": 2}},
         "outputs": {"series": True}}


def test_keywords_and_a_dict_make_the_same_experiment(tmp_path):
    a = Experiment(SMALL, name="small", out=tmp_path / "a")
    b = Experiment(**SMALL, name="small", out=tmp_path / "b")
    assert a.spec.sha256 == b.spec.sha256 and a.spec.points == b.spec.points
    assert a.spec.runs == 12 and "6 points x 2 replicates = 12 runs" in repr(a)


def test_run_then_read_tables_and_figures(tmp_path):
    exp = Experiment(SMALL, name="small", out=tmp_path / "out")
    report = exp.run(workers=2)
    assert report["status"] == "complete" and report["runs"] == 12
    runs, nations, series = exp.runs(), exp.nations(), exp.series()
    assert len(runs) == 12 and len(nations) == 12 * 4 and set(series["run"]) == set(range(12))
    assert runs.equals(load_runs(tmp_path / "out"))
    assert exp.phase_table().shape == (2, 3)
    assert isinstance(exp.plot.phase(), Figure)
    # a tipping curve of a phase sweep would average over its second parameter
    with pytest.raises(ExperimentError, match="would average over us_reliance"):
        exp.plot.tipping()
    assert isinstance(exp.plot.tipping(where={"us_reliance": 1.0}), Figure)
    assert exp.manifest()["provenance"]["files"]
    again = Experiment.open(tmp_path / "out")
    assert again.runs().equals(runs)


def test_a_shipped_experiment_by_name():
    exp = Experiment.from_toml("tipping-point")
    assert exp.spec.kind == "tipping" and str(exp.out).endswith("tipping-point")


@pytest.mark.parametrize("data,kw,expected", [
    ({"seed": 1}, {"rounds": 3}, "as a dict or as keywords, not both"),
    ({"seed": 1, "rounds": 3, "colour": "red"}, {}, "key experiment.colour is not allowed"),
    ({"seed": 1, "vary": {"us_level": {"low": 2.0, "high": 3.0, "steps": 2}}}, {},
     "us_level = 2.0 is not allowed"),
    ({"seed": 1, "parameters": {"noise": None}}, {}, "experiment experiment"),
])
def test_bad_experiments_are_one_clear_error(data, kw, expected):
    with pytest.raises(ExperimentError, match=expected):
        Experiment(data, **kw)


def test_a_scheduler_may_be_an_address_a_client_or_a_cluster():
    class Client:
        class scheduler:
            address = "tcp://127.0.0.1:1"

    class Cluster:
        scheduler_address = "tcp://127.0.0.1:2"

    assert _address("tcp://x:1") == "tcp://x:1" and _address(None) is None
    assert _address(Client()) == "tcp://127.0.0.1:1" and _address(Cluster()) == "tcp://127.0.0.1:2"
    with pytest.raises(ExperimentError, match="scheduler = int is not allowed"):
        _address(5)
