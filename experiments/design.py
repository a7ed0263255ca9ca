"""Experiment files: what a sweep varies, how it samples, and its runs.

An experiment file is a commented TOML file (see ``experiments/*.toml`` and
``docs/sweeps.md``)::

    title = "..."
    kind = "phase"            # phase | tipping | tournament | sensitivity | table
    scenario = "baseline"     # the scenario every run starts from
    seed = 20251125           # root of the sweep's SeedSequence
    rounds = 100              # most rounds a run plays (fewer if a verdict stops it)
    replicates = 10           # runs per design point, each with its own seed
    chunk_size = 256          # runs per task sent to a worker

    [parameters]              # fixed overrides of the scenario's parameters
    us_policy = "steadfast"

    [design]
    method = "grid"           # grid | lhs | sobol | morris
    samples = 256             # lhs points; sobol/morris base samples N

    [vary.us_level]           # a range: gridded with `steps`, or sampled
    low = 0.0
    high = 1.0
    steps = 21
    [vary.mode]               # a list of values: always crossed as a grid
    values = ["individual", "coordinated"]

    [outputs]
    series = false            # also keep per-round series

    crn = true                # common random numbers: every design point of a replicate
                              # shares the replicate's seed (default: on for sobol/morris)
    [plausible]               # each replicate runs in one plausible world of the estimate
    file = "estimate.json"    # (default seeds/estimate.json)

Names in ``[parameters]`` and ``[vary]`` are exactly the model's parameter names
(``us_level``, ``us_reliance``, ...) or ``ISO3.field`` for one nation
(``"DEU.us_reliance"``), and every value is checked by the model's own
:class:`~model.param.Param` declarations (:func:`model.config.spec_for`), so a bad
one gets the model's message.

Runs are numbered ``0 .. points * replicates - 1`` (point-major); run ``i``'s seed
comes from child ``i`` of the sweep's ``SeedSequence(seed)``, or with common random
numbers (``crn``) child ``r`` for every run of replicate ``r``, so it depends on neither
chunking nor the executor.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.config import nest, spec_for, split_key
from model.errors import CoalitionError
from model.files import read_toml
from model.param import MAX_ROUNDS, Param, check_bool, check_text, check_whole

EXPERIMENTS_DIR = Path(__file__).resolve().parent
KINDS = ("phase", "tipping", "tournament", "sensitivity", "table")
METHODS = ("grid", "lhs", "sobol", "morris")
TOP_KEYS = ("title", "description", "kind", "scenario", "seed", "rounds", "replicates",
            "chunk_size", "crn", "parameters", "plausible", "design", "vary", "outputs",
            "analysis")
PLAUSIBLE_KEYS = ("file",)
PLAUSIBLE_ROOT = 7_020_251  # the SeedSequence root of the pick of plausible worlds
DESIGN_KEYS = ("method", "samples", "levels", "second_order")
FACTOR_KEYS = ("values", "low", "high", "steps")
OUTPUT_KEYS = ("series",)
ANALYSIS_KEYS = ("x", "y", "group", "outputs")
SEED_MASK = (1 << 63) - 1  # seeds fit a signed 64-bit Parquet column
# Upper limits, each named in its message. Design points are all built and checked
# before a run starts, so their number is bounded by memory: a hard limit. A sweep of
# more runs than MAX_RUNS is possible on a cluster, so --force lifts that one.
MAX_POINTS = 1_000_000
MAX_REPLICATES = 100_000
MAX_RUNS = 1_000_000
MAX_CHUNK = 100_000
MAX_LEVELS = 1_000


class ExperimentError(CoalitionError):
    """An experiment file is missing, malformed, or asks for something not allowed."""


@dataclass(frozen=True)
class Factor:
    """One varied parameter: a list of ``values`` or a range ``low``..``high``."""

    name: str  # "us_level" or "DEU.us_reliance"
    spec: Param
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = None

    @property
    def is_range(self) -> bool:
        return self.values is None

    def grid(self) -> list:
        if self.values is not None:
            return list(self.values)
        # rounded so a grid reads 0.15, not 0.15000000000000002
        return [self.coerce(round(float(v), 12)) for v in np.linspace(self.low, self.high, self.steps)]

    def coerce(self, value: float):
        """A sampled number as the parameter's type (whole numbers are rounded)."""
        return int(round(value)) if self.spec.kind is int else float(value)


@dataclass(frozen=True)
class ExperimentSpec:
    """A parsed, validated experiment file. ``points`` are the design points in order."""

    name: str
    path: str
    text: str
    sha256: str
    title: str
    description: str
    kind: str
    scenario: str
    seed: int
    rounds: int
    replicates: int
    chunk_size: int
    method: str
    samples: int | None
    levels: int
    second_order: bool
    fixed: dict[str, Any]  # flat: parameter names and ISO3.field
    factors: tuple[Factor, ...]
    points: tuple[dict[str, Any], ...]
    series: bool
    analysis: dict[str, Any] = field(default_factory=dict)
    crn: bool = False
    plausible_file: str | None = None  # the estimate the worlds come from
    worlds: tuple[dict[str, Any], ...] = ()  # replicate r's plausible world (if any)
    world_index: tuple[int, ...] = ()  # its index among the estimate's worlds
    worlds_available: int = 0  # how many plausible worlds the estimate holds

    @property
    def runs(self) -> int:
        return len(self.points) * self.replicates

    @property
    def chunks(self) -> int:
        return math.ceil(self.runs / self.chunk_size)

    def chunk_range(self, chunk: int) -> range:
        return range(chunk * self.chunk_size, min(self.runs, (chunk + 1) * self.chunk_size))

    def problem(self) -> dict[str, Any]:
        """The SALib problem of the ranged factors."""
        return salib_problem(self.factors)

    def run_spec(self, run: int) -> RunSpec:
        """Run ``run``: its seed (the replicate's under common random numbers) and its
        parameters, in layers: the scenario < its plausible world < fixed < varied."""
        point, replicate = divmod(run, self.replicates)
        world = self.worlds[replicate] if self.worlds else {}
        return RunSpec(run=run, point=point, replicate=replicate,
                       seed=run_seed(self.seed, replicate if self.crn else run),
                       overrides={**world, **self.fixed, **self.points[point]},
                       varied=dict(self.points[point]),
                       world=self.world_index[replicate] if self.worlds else -1)


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs: its number, seed and parameters (picklable, small)."""

    run: int
    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]  # one flat layer over the scenario: names and ISO3.field
    varied: dict[str, Any]
    world: int = -1  # the plausible world it runs in (-1: none)

    @property
    def params(self) -> dict[str, Any]:
        """The model-parameter part of the overrides."""
        return nest(self.overrides)[0]

    @property
    def nation_params(self) -> dict[str, dict[str, Any]]:
        """The per-nation part of the overrides, ``{ISO3: {field: value}}``."""
        return nest(self.overrides)[1]


def run_seed(root: int, run: int) -> int:
    """Run ``run``'s seed: child ``run`` of ``SeedSequence(root)``, as a 63-bit int.

    ``SeedSequence(root, spawn_key=(run,))`` is exactly the ``run``-th child that
    ``SeedSequence(root).spawn`` hands out, so no run's seed depends on the others.
    """
    child = np.random.SeedSequence(root, spawn_key=(run,))
    return int(child.generate_state(1, np.uint64)[0]) & SEED_MASK


def plausible_picks(seed: int, count: int, available: int) -> np.ndarray:
    """Which of ``available`` plausible worlds ``count`` replicates run in: without
    repetition while they last, reproducibly from ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([PLAUSIBLE_ROOT, int(seed), 2]))
    return (rng.permutation(available)[:count] if count <= available
            else rng.integers(0, available, count))


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """The SALib problem of the ranged factors (names and bounds, in order)."""
    ranged = [f for f in factors if f.is_range]
    return {"num_vars": len(ranged), "names": [f.name for f in ranged],
            "bounds": [[f.low, f.high] for f in ranged]}


# --------------------------------------------------------------------------- parsing
def resolve_path(name: str | Path) -> Path:
    """A path to an experiment file, or the name of one shipped in ``experiments/``."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = EXPERIMENTS_DIR / f"{name}.toml"
    if path.suffix == "" and shipped.is_file():
        return shipped
    known = ", ".join(sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.toml")))
    raise ExperimentError(f"experiment file {str(name)!r} not found: give a path to a TOML "
                          f"file or one of {known}")


def load_experiment(name: str | Path, force: bool = False) -> ExperimentSpec:
    """Read, check and expand an experiment file (a path or a shipped name).

    ``force`` lifts the limit on the number of runs (:data:`MAX_RUNS`), not the others.
    """
    path = resolve_path(name)
    raw, text, data = read_toml(path, "experiment file")
    return parse_experiment(path, text, hashlib.sha256(raw).hexdigest(), data, force)


def experiment_from_dict(data: dict[str, Any], name: str = "experiment",
                         folder: str | Path | None = None, force: bool = False) -> ExperimentSpec:
    """An experiment from a dict shaped like the file (the Python API's way in).

    It is written out as TOML text (what a sweep's folder keeps as ``experiment.toml``)
    and parsed like a file named ``NAME.toml`` in ``folder`` (default: the current
    one), against which relative paths (a scenario file, an estimate) are read.
    """
    import tomli_w

    if not isinstance(data, dict):
        raise ExperimentError(f"an experiment must be a table (a dict), not {type(data).__name__}")
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ExperimentError(f"experiment {name}: {exc}") from None
    path = Path(folder if folder is not None else Path.cwd()) / f"{name}.toml"
    return parse_experiment(path, text, hashlib.sha256(text.encode()).hexdigest(),
                            tomllib.loads(text), force)


def parse_experiment(path: Path, text: str, sha: str, data: dict, force: bool = False) -> ExperimentSpec:
    """:func:`_parse`, every error naming the file."""
    try:
        return _parse(path, text, sha, data, force)
    except CoalitionError as exc:
        raise ExperimentError(f"experiment file {path.name}: {exc}") from None


def _check_keys(table: Any, allowed: tuple[str, ...], where: str) -> dict:
    if not isinstance(table, dict):
        raise ExperimentError(f"{where} must be a table")
    for key in table:
        if key not in allowed:
            raise ExperimentError(f"key {where}.{key} is not allowed: expected one of "
                                  + ", ".join(allowed))
    return table


def _whole(data: dict, key: str, default: int | None, low: int, where: str = "",
           high: int | None = None, limit: str = "") -> int:
    value = data.get(key, default)
    if value is None:
        raise ExperimentError(f"{where}{key} is missing: expected a whole number at least {low}")
    return check_whole(value, f"{where}{key}", low, high, limit)


def _check(name: str, value: Any, where: str = "") -> Any:
    """``value`` checked by the model's declaration of ``name`` (a parameter or ISO3.field)."""
    code, _ = split_key(name)
    return spec_for(name).validate(value, where=where + (f"{code}." if code else ""))


def _factor(name: str, table: Any) -> Factor:
    table = _check_keys(table, FACTOR_KEYS, f"vary.{name}")
    spec = spec_for(name)
    if "values" in table:
        if any(k in table for k in ("low", "high", "steps")):
            raise ExperimentError(f"vary.{name}: give either values or low/high, not both")
        values = table["values"]
        if values == "all" and spec.choices is not None:
            values = list(spec.choices)
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"vary.{name}.values = {values!r} is not allowed: expected a "
                                  "non-empty list" + (' or "all"' if spec.choices else ""))
        return Factor(name, spec, values=tuple(_check(name, v, where="vary.") for v in values))
    if spec.kind not in (int, float):
        raise ExperimentError(f"vary.{name}: {name} is not a number; give values = [...]")
    for key in ("low", "high"):
        if key not in table:
            raise ExperimentError(f"vary.{name}.{key} is missing: give low and high, or values")
        _check(name, table[key], where="vary.")
    low, high = float(table["low"]), float(table["high"])
    if not low < high:
        raise ExperimentError(f"vary.{name}: the range low = {low:g} .. high = {high:g} is empty "
                              "or inverted: expected low < high")
    steps = table.get("steps")
    if steps is not None:
        check_whole(steps, f"vary.{name}.steps", 2, MAX_POINTS, "design points are held in memory")
    return Factor(name, spec, low=low, high=high, steps=steps)


def _parse(path: Path, text: str, sha: str, data: dict, force: bool = False) -> ExperimentSpec:
    _check_keys(data, TOP_KEYS, "experiment")
    title = check_text(data.get("title", path.stem), "title")
    description = check_text(data.get("description", ""), "description")
    from model.scenarios import load_scenario

    scenario = data.get("scenario", "baseline")
    if not isinstance(scenario, str):
        raise ExperimentError(f"scenario = {scenario!r} is not allowed: expected a scenario name")
    if not Path(scenario).is_absolute() and scenario.endswith(".toml"):
        scenario = str((path.parent / scenario).resolve())
    sc = load_scenario(scenario)  # ScenarioError names the allowed scenarios

    rounds = _whole(data, "rounds", 100, 0, high=MAX_ROUNDS, limit="a round is a year")
    replicates = _whole(data, "replicates", 1, 1, high=MAX_REPLICATES)
    chunk_size = _whole(data, "chunk_size", 256, 1, high=MAX_CHUNK)
    seed = _whole(data, "seed", None, 0)

    fixed: dict[str, Any] = {}
    for key, value in _check_keys(data.get("parameters", {}), tuple(data.get("parameters", {})),
                                  "parameters").items():
        if isinstance(value, dict):  # [parameters.DEU] us_reliance = 1
            for fname, v in value.items():
                fixed[f"{key.upper()}.{fname}"] = _check(f"{key}.{fname}", v)
        else:
            code, fname = split_key(key)
            fixed[f"{code}.{fname}" if code else fname] = _check(key, value)

    design = _check_keys(data.get("design", {}), DESIGN_KEYS, "design")
    method = check_text(design.get("method", "grid"), "design.method")
    if method not in METHODS:
        raise ExperimentError(f"design.method = {method!r} is not allowed: expected one of "
                              + ", ".join(METHODS))
    vary = data.get("vary", {})
    if not isinstance(vary, dict):
        raise ExperimentError("[vary] must hold one table per varied parameter")
    factors = tuple(_factor(name, table) for name, table in vary.items())
    samples = design.get("samples")
    levels = design.get("levels", 4)
    second_order = check_bool(design.get("second_order", False), "design.second_order")
    if method != "grid":
        samples = _whole(design, "samples", None, 1, "design.", MAX_POINTS,
                         "design points are held in memory")
        if method in ("sobol", "morris"):
            if any(not f.is_range for f in factors) or not factors:
                raise ExperimentError(f"design.method = {method!r} needs a range (low, high) "
                                      "for every varied parameter")
            if method == "sobol" and samples & (samples - 1):
                raise ExperimentError(f"design.samples = {samples} is not allowed for sobol: "
                                      "expected a power of 2")
        levels = _whole(design, "levels", 4, 2, "design.", MAX_LEVELS)
    else:
        for f in factors:
            if f.is_range and f.steps is None:
                raise ExperimentError(f"vary.{f.name}.steps is missing: a grid needs steps "
                                      "(a whole number at least 2) or values")

    outputs = _check_keys(data.get("outputs", {}), OUTPUT_KEYS, "outputs")
    series = check_bool(outputs.get("series", False), "outputs.series")
    analysis = _check_keys(data.get("analysis", {}), ANALYSIS_KEYS, "analysis")
    names = [f.name for f in factors]
    for key in ("x", "y", "group"):
        if key in analysis and analysis[key] not in names:
            raise ExperimentError(f"analysis.{key} = {analysis[key]!r} is not allowed: expected "
                                  "a varied parameter (" + ", ".join(names) + ")")
    kind = check_text(data["kind"], "kind") if "kind" in data else infer_kind(method, factors)
    if kind not in KINDS:
        raise ExperimentError(f"kind = {kind!r} is not allowed: expected one of " + ", ".join(KINDS))
    crn = check_bool(data.get("crn", method in ("sobol", "morris")), "crn")
    plausible_file, worlds, world_index, available = _plausible(data, path, seed, replicates)

    size = design_size(factors, method, samples, second_order)
    if size > MAX_POINTS:
        raise ExperimentError(f"the design has {size:,} points: the limit is {MAX_POINTS:,} "
                              "(design points are held in memory); use fewer steps or samples")
    if size * replicates > MAX_RUNS and not force:
        raise ExperimentError(f"the sweep has {size * replicates:,} runs ({size:,} points x "
                              f"{replicates:,} replicates): the limit is {MAX_RUNS:,}; add "
                              "--force if you mean it")
    points = tuple(design_points(factors, method, samples, levels, second_order, seed))
    for point in points:  # every point through the model's own checks, before any run
        sc.config(*worlds[:1], fixed, point)
    _check_nation_codes(sc, fixed, points)

    return ExperimentSpec(
        name=path.stem, path=str(path.resolve()), text=text, sha256=sha,
        title=title, description=description.strip(),
        kind=kind, scenario=scenario, seed=seed, rounds=rounds, replicates=replicates,
        chunk_size=chunk_size, method=method, samples=samples, levels=levels,
        second_order=second_order, fixed=fixed, factors=factors,
        points=points, series=series, analysis=dict(analysis), crn=crn,
        plausible_file=plausible_file, worlds=worlds, world_index=world_index,
        worlds_available=available)


def _plausible(data: dict, path: Path, seed: int, replicates: int):
    """The ``[plausible]`` table: the estimate's file, and each replicate's world."""
    if "plausible" not in data:
        return None, (), (), 0
    from model.estimation import ESTIMATE_JSON, load_plausible

    table = _check_keys(data["plausible"], PLAUSIBLE_KEYS, "plausible")
    file = Path(check_text(table.get("file", str(ESTIMATE_JSON)), "plausible.file"))
    if not file.is_absolute():
        file = (path.parent / file).resolve()
    points = load_plausible(file)  # DataError names the file and what is wrong
    picks = plausible_picks(seed, replicates, len(points))
    return (str(file), tuple(points[i] for i in picks), tuple(int(i) for i in picks),
            len(points))


def _check_nation_codes(sc, fixed: dict[str, Any], points) -> None:
    """Unknown nation codes fail here (the model's DataError), not inside a worker."""
    first = points[0] if points else {}
    if not any(split_key(k)[0] for k in [*fixed, *first]):
        return
    from model.state import nation_table

    nation_table(sc.config(fixed, first))


def infer_kind(method: str, factors: tuple[Factor, ...]) -> str:
    if method in ("sobol", "morris"):
        return "sensitivity"
    names = [f.name for f in factors]
    ranged = [f for f in factors if f.is_range]
    if names == ["us_policy"]:
        return "tournament"
    if len(ranged) == 2:
        return "phase"
    if len(ranged) == 1:
        return "tipping"
    return "table"


def design_size(factors: tuple[Factor, ...], method: str, samples: int | None,
                second_order: bool) -> int:
    """How many points :func:`design_points` makes, counted without making them."""
    listed = math.prod(len(f.values) for f in factors if not f.is_range)
    ranged = [f for f in factors if f.is_range]
    if method == "grid":
        return listed * math.prod(f.steps for f in ranged)
    k = len(ranged)
    per = {"lhs": 1, "sobol": 2 * k + 2 if second_order else k + 2, "morris": k + 1}[method]
    return listed * samples * per


def design_points(factors: tuple[Factor, ...], method: str, samples: int | None, levels: int,
                  second_order: bool, seed: int) -> list[dict[str, Any]]:
    """The design points, in a fixed order (the run numbering depends on it)."""
    if not factors:
        return [{}]
    if method == "grid":
        grids = [f.grid() for f in factors]
        return [dict(zip([f.name for f in factors], combo)) for combo in itertools.product(*grids)]
    ranged = [f for f in factors if f.is_range]
    listed = [f for f in factors if not f.is_range]
    problem = salib_problem(factors)
    seed32 = seed % (2**32)
    if method == "lhs":
        from SALib.sample import latin
        sample = latin.sample(problem, samples, seed=seed32)
    elif method == "sobol":
        from SALib.sample import sobol
        sample = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed32)
    else:
        from SALib.sample import morris
        sample = morris.sample(problem, samples, num_levels=levels, seed=seed32)
    sampled = [{f.name: f.coerce(v) for f, v in zip(ranged, row)} for row in sample]
    if not listed:
        return sampled
    combos = itertools.product(*[f.grid() for f in listed])
    return [{**dict(zip([f.name for f in listed], combo)), **row}
            for combo in combos for row in sampled]
