"""Run a sweep: chunks of runs through an executor, streamed into the output folder.

:func:`run_sweep` is what ``coalition sweep FILE`` does. The experiment's runs are cut
into chunks of ``chunk_size`` consecutive run numbers; each chunk is one task
(:func:`run_chunk`), run by the chosen engine wherever the executor puts it, and
returned as Arrow tables that this process writes as soon as they arrive. At most
two tasks per worker are in flight, so memory stays flat however many runs there are.
A chunk's rows depend only on its run numbers, so serial, local processes and Dask
give the same rows.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from experiments.design import ExperimentSpec, ExperimentError, RunSpec, load_experiment
from experiments.engine import ENGINES, NATIONS_KEY, run_specs
from experiments.executors import make_executor
from experiments.store import StoreError, SweepStore, check_folder
from model.config import all_params, split_key
from model.outcomes import NATION_COLUMNS, OUTCOME_COLUMNS
from model.series import SERIES

ARROW = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(),
         "bool": pa.bool_(), "int8": pa.int8()}
KIND_TYPES = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}


def run_schema(experiment: ExperimentSpec) -> pa.Schema:
    """Columns of the per-run table: identity, every parameter, the outcomes."""
    cols = [("run", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()),
            ("seed", pa.int64()), ("world", pa.int64())]
    cols += [(name, KIND_TYPES[p.kind]) for name, p in all_params().items()]
    cols += [(f.name, KIND_TYPES[f.spec.kind]) for f in experiment.factors
             if split_key(f.name)[0] is not None]
    cols += [(name, ARROW[t]) for name, t in OUTCOME_COLUMNS.items()]
    return pa.schema(cols)


SERIES_SCHEMA = pa.schema([("run", pa.int64())]
                          + [(name, ARROW[t]) for name, (t, _) in SERIES.items()])
NATIONS_SCHEMA = pa.schema([("run", pa.int64())]
                           + [(name, ARROW[t]) for name, t in NATION_COLUMNS.items()])


@dataclass(frozen=True)
class ChunkTask:
    """One task: a chunk's run specs and how to run them (small and picklable)."""

    chunk: int
    scenario: str
    engine: str
    rounds: int
    series: bool
    specs: tuple[RunSpec, ...]
    schema: pa.Schema
    lane: int | None = None


def run_chunk(task: ChunkTask) -> tuple[int, pa.Table, pa.Table | None, pa.Table]:
    """Run one chunk (in a worker); its rows, series and per-nation rows as Arrow tables."""
    rows, blocks = run_specs(task.engine, task.scenario, list(task.specs), task.rounds,
                             task.series, task.lane)
    nations = pa.Table.from_pylist([{"run": row["run"], **n} for row in rows
                                    for n in row.pop(NATIONS_KEY)], schema=NATIONS_SCHEMA)
    table = pa.Table.from_pylist(rows, schema=task.schema)
    series = None
    if task.series:
        cols = {name: np.concatenate([b[name] for b in blocks]) for name in SERIES_SCHEMA.names}
        series = pa.Table.from_pydict(cols, schema=SERIES_SCHEMA).sort_by(
            [("run", "ascending"), ("round", "ascending")])
    return task.chunk, table, series, nations


def chunk_task(experiment: ExperimentSpec, chunk: int, engine: str, schema: pa.Schema,
               lane: int | None = None) -> ChunkTask:
    specs = tuple(experiment.run_spec(r) for r in experiment.chunk_range(chunk))
    return ChunkTask(chunk, experiment.scenario, engine, experiment.rounds, experiment.series,
                     specs, schema, lane)


def default_out(experiment: ExperimentSpec) -> Path:
    return Path("sweeps") / experiment.name


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; the message says how far it got and how to resume."""


def resume_command(file: str | Path | ExperimentSpec, out: str | Path | None) -> str:
    if isinstance(file, ExperimentSpec):  # made in Python: its folder keeps a copy of it
        return f"the same run(..., resume=True), or coalition sweep {out}/experiment.toml --out {out} --resume"
    return f"coalition sweep {file}" + (f" --out {out}" if out is not None else "") + " --resume"


def run_sweep(file: str | Path | ExperimentSpec, out: str | Path | None = None, workers: int = 1,
              scheduler: str | None = None, resume: bool = False, engine: str = "vectorised",
              progress: bool = True, lane: int | None = None, force: bool = False,
              notes=None) -> dict[str, Any]:
    """Run (or resume) the sweep an experiment file describes; a short report.

    ``file`` is a path, a shipped experiment's name, or a parsed
    :class:`~experiments.design.ExperimentSpec` (the Python API's). ``force`` lifts the limit on the number of runs; ``notes(line)`` is told what a
    resume found damaged and redoes. Ctrl-C at any point raises :class:`SweepInterrupted`
    with the command that continues the sweep.
    """
    try:
        return _run_sweep(file, out, workers, scheduler, resume, engine, progress, lane, force,
                          notes or (lambda line: None))
    except SweepInterrupted:
        raise
    except KeyboardInterrupt:
        raise SweepInterrupted(f"interrupted; continue with: {resume_command(file, out)}") from None


def _run_sweep(file, out, workers, scheduler, resume, engine, progress, lane, force, notes):
    if engine not in ENGINES:
        raise ExperimentError(f"--engine {engine!r} is not allowed: expected one of "
                              + ", ".join(ENGINES))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ExperimentError(f"--workers {workers!r} is not allowed: expected a whole number "
                              "at least 1")
    experiment = file if isinstance(file, ExperimentSpec) else load_experiment(file, force=force)
    outdir = Path(out) if out is not None else default_out(experiment)
    check_folder(outdir, experiment, engine, resume)  # before any executor starts
    store = None
    try:
        with make_executor(workers, scheduler) as (executor, description, parallel):
            store = SweepStore(outdir, experiment, engine, description, resume)
            for line in store.notes:
                notes(line)
            pending = store.pending_chunks()
            schema = run_schema(experiment)
            done_runs = experiment.runs - sum(len(experiment.chunk_range(c)) for c in pending)
            bar = _bar(experiment.runs, done_runs, progress, description)
            start = time.perf_counter()
            try:
                _drive(executor, store, experiment, pending, engine, schema, 2 * parallel, bar,
                       lane)
            finally:
                if bar is not None:
                    bar.close()
                store.finish()
    except BrokenProcessPool:
        raise ExperimentError("a worker process died; the chunks written so far are kept: "
                              "run again with --resume") from None
    except OSError as exc:
        raise StoreError(f"cannot write to {outdir} ({exc.strerror or exc}); the chunks written "
                         f"so far are kept: {resume_command(file, outdir)}") from None
    except KeyboardInterrupt:
        done = (f": {len(store.done_chunks())} of {experiment.chunks} chunks are in {outdir}"
                if store else "")
        raise SweepInterrupted(f"interrupted{done}; continue with: "
                               f"{resume_command(file, outdir)}") from None
    elapsed = time.perf_counter() - start
    ran = experiment.runs - done_runs
    return {"out": str(outdir), "runs": experiment.runs, "ran": ran, "seconds": elapsed,
            "runs_per_second": ran / elapsed if elapsed > 0 else float("nan"),
            "executor": description, "status": store.manifest["status"]}


def _bar(total: int, initial: int, enabled: bool, description: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="sweep", smoothing=0.1,
                dynamic_ncols=True, postfix={"on": description})


def _drive(executor, store: SweepStore, experiment: ExperimentSpec, pending: list[int], engine: str,
           schema: pa.Schema, inflight: int, bar, lane: int) -> None:
    queue = list(reversed(pending))
    running = set()
    while queue or running:
        while queue and len(running) < inflight:
            task = chunk_task(experiment, queue.pop(), engine, schema, lane)
            running.add(executor.submit(run_chunk, task))
        finished, running = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            chunk, table, series, nations = future.result()
            store.write_chunk(chunk, table, series, nations)
            if bar is not None:
                bar.update(table.num_rows)
            del table, series, nations
