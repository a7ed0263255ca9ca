"""The Python API for notebooks: an experiment you can build, run and read in a few lines.

    from experiments import Experiment

    exp = Experiment(scenario="baseline", seed=7, rounds=40, replicates=4,
                     parameters={"us_policy": "steadfast"},
                     vary={"us_level": {"low": 0.0, "high": 0.4, "steps": 9}},
                     out="sweeps/my-tipping")
    exp.run(workers=2)            # or scheduler="tcp://..." or a dask Client
    exp.runs()                    # one row per run (pandas)
    exp.nations()                 # one row per run and nation
    exp.series()                  # one row per run and round ([outputs] series = true)
    exp.plot.tipping()            # a matplotlib Figure
    exp.warnings()                # what the design cannot show

An :class:`Experiment` is made from keywords or a dict shaped like an experiment file
(the same keys: ``scenario``, ``seed``, ``rounds``, ``replicates``, ``crn``,
``parameters``, ``plausible``, ``design``, ``vary``, ``outputs``, ``analysis``), or from a
TOML file (:meth:`Experiment.from_toml`, a path or a shipped name). Everything is
checked as a file would be, and runs go through :func:`experiments.sweep.run_sweep`, so
a notebook's sweep is bit for bit the command line's, resumable, with its manifest;
:meth:`Experiment.open` reads a finished sweep's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import experiments.analysis as an
from experiments.design import ExperimentError, ExperimentSpec, experiment_from_dict, load_experiment


def _address(scheduler: Any) -> str | None:
    """A Dask scheduler's address from an address, a scheduler file, a Client or a cluster."""
    if scheduler is None or isinstance(scheduler, (str, Path)):
        return None if scheduler is None else str(scheduler)
    inner = getattr(scheduler, "scheduler", None)  # a Client (or a cluster's scheduler info)
    for candidate in (getattr(inner, "address", None), getattr(scheduler, "scheduler_address", None)):
        if isinstance(candidate, str):
            return candidate
    raise ExperimentError(f"scheduler = {type(scheduler).__name__} is not allowed: expected an "
                          "address, a scheduler file, a dask Client or a cluster")


class Plots:
    """The figures of an experiment's sweep (:mod:`experiments.plots`), as Figures."""

    def __init__(self, experiment: Experiment) -> None:
        self._e = experiment

    def _args(self):
        spec, runs = self._e._loaded()
        return self._e.out, runs, spec

    def phase(self, where: dict | None = None, outcome: str = "fractured"):
        from experiments.plots import phase_figure

        return phase_figure(*self._args(), where=where, outcome=outcome)

    def tipping(self, where: dict | None = None):
        from experiments.plots import tipping_figure

        return tipping_figure(*self._args(), where=where)

    def tournament(self):
        from experiments.plots import tournament_figure

        return tournament_figure(*self._args())

    def sensitivity(self):
        from experiments.plots import sensitivity_figure

        return sensitivity_figure(*self._args())

    def convergence(self):
        from experiments.plots import convergence_figure

        return convergence_figure(*self._args())

    def tradeoff(self, outcome: str = "fractured", **rule):
        from experiments.discovery import tradeoff_figure

        return tradeoff_figure(self._e.discover(outcome, **rule))


class Experiment:
    """A sweep for a notebook: build it, ``run`` it, read its tables, draw it.

    ``Experiment(data)`` takes a dict shaped like an experiment file,
    ``Experiment(**keywords)`` the same keys as keywords; ``name`` names it (default
    "experiment") and ``out`` its folder (default ``sweeps/NAME``). Relative paths in
    it (a scenario file, an estimate) are read against the current folder.
    """

    def __init__(self, data: dict[str, Any] | None = None, /, *, name: str = "experiment",
                 out: str | Path | None = None, **keywords: Any) -> None:
        if data is not None and keywords:
            raise ExperimentError("give an experiment as a dict or as keywords, not both")
        self.spec = experiment_from_dict(dict(data if data is not None else keywords), name=name)
        self.out = Path(out) if out is not None else Path("sweeps") / name
        self._cache: tuple[ExperimentSpec, pd.DataFrame] | None = None
        self.plot = Plots(self)

    @classmethod
    def from_toml(cls, file: str | Path, out: str | Path | None = None) -> Experiment:
        """An experiment file (a path or a shipped experiment's name)."""
        spec = load_experiment(file)
        return cls._wrap(spec, Path(out) if out is not None else Path("sweeps") / spec.name)

    @classmethod
    def open(cls, outdir: str | Path) -> Experiment:
        """A finished (or interrupted) sweep's folder, to read and draw."""
        spec, _ = an.load_sweep(outdir)
        return cls._wrap(spec, Path(outdir))

    @classmethod
    def _wrap(cls, spec: ExperimentSpec, out: Path) -> Experiment:
        self = cls.__new__(cls)
        self.spec, self.out, self._cache = spec, out, None
        self.plot = Plots(self)
        return self

    def __repr__(self) -> str:
        s = self.spec
        return (f"Experiment({s.name!r}: {s.kind}, scenario {s.scenario!r}, {len(s.points):,} "
                f"points x {s.replicates} replicates = {s.runs:,} runs, out={str(self.out)!r})")

    # ------------------------------------------------------------------ running
    def run(self, workers: int = 1, scheduler: Any = None, resume: bool = False,
            engine: str = "vectorised", progress: bool = False, force: bool = False) -> dict[str, Any]:
        """Run (or with ``resume`` continue) the sweep into ``out``; a short report.

        ``workers``: local processes; ``scheduler``: a Dask scheduler's address, its
        scheduler file, a ``dask.distributed.Client`` or a cluster object.
        """
        from experiments.sweep import run_sweep

        self._cache = None
        return run_sweep(self.spec, self.out, workers=workers, scheduler=_address(scheduler),
                         resume=resume, engine=engine, progress=progress, force=force)

    # ------------------------------------------------------------------ reading
    def _loaded(self) -> tuple[ExperimentSpec, pd.DataFrame]:
        if self._cache is None:
            spec, runs = an.load_sweep(self.out)
            self._cache = (spec, runs)
        return self._cache

    def runs(self) -> pd.DataFrame:
        """One row per run: identity, every parameter, the outcomes."""
        return self._loaded()[1]

    def nations(self) -> pd.DataFrame:
        """One row per run and nation: exit round and order, final contribution, troops."""
        from experiments.store import load_nation_rows

        return load_nation_rows(self.out)

    def series(self) -> pd.DataFrame:
        """One row per run and round (if the experiment keeps series)."""
        from experiments.store import load_series

        return load_series(self.out)

    def manifest(self) -> dict[str, Any]:
        """The folder's manifest: provenance, versions, chunks."""
        from experiments.store import read_manifest

        return read_manifest(self.out) or {}

    # ------------------------------------------------------------------ analysis
    def phase_table(self, where: dict | None = None, pool: bool = False) -> pd.DataFrame:
        spec, runs = self._loaded()
        return an.phase_table(self.out, runs, spec, where=where, pool=pool)

    def tipping_table(self, where: dict | None = None) -> pd.DataFrame:
        spec, runs = self._loaded()
        return an.tipping_table(self.out, runs, spec, where=where)

    def tipping_points(self, where: dict | None = None) -> pd.DataFrame:
        """Each group's tipping point with its 95% bootstrap interval over design points."""
        spec, _ = self._loaded()
        x, _, group = an.axes(spec)
        return an.tipping_intervals(self.tipping_table(where), x, group, seed=spec.seed)

    def sensitivity(self) -> pd.DataFrame:
        spec, runs = self._loaded()
        return an.sensitivity_table(self.out, runs, spec)

    def convergence(self) -> pd.DataFrame:
        spec, runs = self._loaded()
        return an.sobol_convergence(self.out, runs, spec)

    def warnings(self) -> list[str]:
        """What the design cannot show (:func:`experiments.analysis.design_warnings`)."""
        spec, runs = self._loaded()
        convergence = self.convergence() if spec.method == "sobol" else None
        return an.design_warnings(spec, runs, convergence)

    def discover(self, outcome: str = "fractured", **rule: Any):
        """Scenario discovery (:func:`experiments.discovery.discover`): PRIM and CART boxes."""
        from experiments.discovery import discover

        return discover(self.out, outcome, **rule)
