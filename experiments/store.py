"""A sweep's output folder: Parquet chunk files streamed to disk, and a manifest.

Layout of ``OUTDIR``::

    manifest.json          experiment, its hash, versions, times, chunks done
    experiment.toml        a copy of the experiment file
    runs/chunk-000042.parquet    one row per run of chunk 42
    series/chunk-000042.parquet  per-round series (if the experiment keeps them)

Each chunk file is written to a temporary name, flushed, and renamed into place
(atomic on POSIX), the series before the runs, so a chunk is done exactly when its
``runs/`` file exists. A sweep killed at any moment leaves only whole chunk files;
``--resume`` keeps them, deletes stray temporaries and runs the missing chunks, so the
final rows are those of an uninterrupted sweep, none lost or duplicated.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from experiments.design import Experiment, ExperimentError

FORMAT = 1
CHUNK_RE = re.compile(r"^chunk-(\d{6})\.parquet$")
PACKAGES = ("coalition", "numpy", "scipy", "pandas", "pyarrow", "mesa", "dask", "distributed",
            "SALib", "matplotlib", "tqdm")


class StoreError(ExperimentError):
    """The output folder cannot be used for this sweep (nothing was written)."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(outdir: str | Path) -> dict[str, Any] | None:
    path = Path(outdir) / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        raise StoreError(f"{path} is not a readable sweep manifest") from None


def check_folder(outdir: str | Path, experiment: Experiment, engine: str,
                 resume: bool) -> dict[str, Any] | None:
    """The folder's manifest if this sweep may (re)use it, None if it is new or empty.

    Raises :class:`StoreError`, touching nothing, for a folder holding other files, a
    different experiment, this experiment without ``--resume``, or another engine.
    """
    where = Path(outdir)
    manifest = read_manifest(where)
    if manifest is None:
        if where.exists() and (not where.is_dir() or any(where.iterdir())):
            raise StoreError(f"output folder {where} exists and is not empty, but holds no "
                             "sweep: choose another --out")
        return None
    if manifest.get("experiment_sha256") != experiment.sha256:
        raise StoreError(f"output folder {where} holds a different experiment "
                         f"({manifest.get('experiment_name')!r}, sha256 "
                         f"{str(manifest.get('experiment_sha256'))[:12]}); choose another --out")
    if not resume:
        state = "a finished" if manifest.get("status") == "complete" else "an unfinished"
        raise StoreError(f"output folder {where} already holds {state} sweep of this "
                         "experiment: add --resume to continue it, or choose another --out")
    if manifest.get("engine") != engine:
        raise StoreError(f"output folder {where} was swept with --engine "
                         f"{manifest.get('engine')}, not {engine}: resume with the same engine")
    return manifest


class SweepStore:
    """The output folder of one sweep, opened for writing (fresh or resumed)."""

    def __init__(self, outdir: str | Path, experiment: Experiment, engine: str,
                 executor: str, resume: bool) -> None:
        self.outdir = Path(outdir)
        self.experiment = experiment
        manifest = check_folder(self.outdir, experiment, engine, resume)
        if manifest is None:
            manifest = self._new_manifest(engine)
        manifest["executor"] = executor
        manifest["status"] = "running"
        if resume:
            manifest.setdefault("resumed", []).append(now())
        self.manifest = manifest
        for sub in ("runs", "series"):
            (self.outdir / sub).mkdir(parents=True, exist_ok=True)
            for stray in (self.outdir / sub).glob("*.tmp"):
                stray.unlink()
        (self.outdir / "experiment.toml").write_text(experiment.text)
        self.manifest["chunks_done"] = sorted(self.done_chunks())
        self._save()

    def _new_manifest(self, engine: str) -> dict[str, Any]:
        e = self.experiment
        return {
            "format": FORMAT, "experiment_file": e.path, "experiment_name": e.name,
            "experiment_sha256": e.sha256, "title": e.title, "kind": e.kind,
            "scenario": e.scenario, "seed": e.seed, "engine": engine, "runs_total": e.runs,
            "points": len(e.points), "replicates": e.replicates, "rounds": e.rounds,
            "chunk_size": e.chunk_size, "chunks_total": e.chunks, "series": e.series,
            "versions": versions(), "command": " ".join(sys.argv), "started": now(),
            "finished": None, "chunks_done": [],
        }

    def done_chunks(self) -> set[int]:
        out = set()
        for path in (self.outdir / "runs").glob("chunk-*.parquet"):
            m = CHUNK_RE.match(path.name)
            if m and int(m.group(1)) < self.experiment.chunks:
                out.add(int(m.group(1)))
        return out

    def pending_chunks(self) -> list[int]:
        done = self.done_chunks()
        return [c for c in range(self.experiment.chunks) if c not in done]

    def write_chunk(self, chunk: int, runs: pa.Table, series: pa.Table | None) -> None:
        name = f"chunk-{chunk:06d}.parquet"
        if series is not None:
            _write_atomic(self.outdir / "series" / name, lambda fh: pq.write_table(series, fh))
        _write_atomic(self.outdir / "runs" / name, lambda fh: pq.write_table(runs, fh))
        self.manifest["chunks_done"] = sorted(set(self.manifest["chunks_done"]) | {chunk})
        self._save()

    def finish(self) -> None:
        complete = len(self.done_chunks()) == self.experiment.chunks
        self.manifest["status"] = "complete" if complete else "interrupted"
        if complete:
            self.manifest["finished"] = now()
        self._save()

    def _save(self) -> None:
        data = json.dumps(self.manifest, indent=2).encode()
        _write_atomic(self.outdir / "manifest.json", lambda fh: fh.write(data))


def load_runs(outdir: str | Path):
    """Every run row of a sweep folder as a pandas DataFrame, ordered by run."""
    return _load(outdir, "runs", ["run"])


def load_series(outdir: str | Path):
    """The per-round series of a sweep folder (if kept), ordered by run and round."""
    return _load(outdir, "series", ["run", "round"])


def _load(outdir: str | Path, sub: str, order: list[str]):
    folder = Path(outdir) / sub
    files = sorted(p for p in folder.glob("chunk-*.parquet")) if folder.is_dir() else []
    if not files:
        raise StoreError(f"{folder} holds no results: run `coalition sweep` first")
    table = pa.concat_tables([pq.read_table(p) for p in files])
    return table.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)
