"""A sweep's output folder: Parquet chunk files streamed to disk, and a manifest.

Layout of ``OUTDIR``::

    manifest.json          experiment, its hash, versions, provenance (code commit, data
                           files' sha256, machine), times, and every chunk committed with
                           its row count and sha256
    experiment.toml        a copy of the experiment file
    runs/chunk-000042.parquet     one row per run of chunk 42
    nations/chunk-000042.parquet  one row per run and nation of chunk 42
    series/chunk-000042.parquet   per-round series (if the experiment keeps them)
    damaged/               chunk files --resume found damaged or foreign, moved aside

Every file is written to a temporary name, flushed, and renamed into place (atomic on
POSIX), the manifest first of all: a folder holds a sweep exactly when it holds
``manifest.json``, and a folder holding nothing else than a torn ``manifest.json.tmp``
is recognisably empty. A chunk is committed by writing its series file, its nations
file, then its runs file, then the manifest that records the files' row counts and sha256: a chunk is
done exactly when the manifest records it and its files still match the record.
``--resume`` checks every record, runs again the chunks whose files are missing,
damaged or unrecorded, and moves damaged and foreign files aside; :func:`load_runs`
checks them too and reports a damaged or foreign file in one line. So a sweep killed
at any instant resumes to the rows of an uninterrupted one, none lost or counted twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import signal
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from experiments.design import ExperimentSpec, ExperimentError
from model.errors import CoalitionError
from model.files import read_json_object

FORMAT = 3
# Test hook: with this set to KILL or INT, the first manifest write stops half-way
# through with that signal (the kill test interrupts a sweep at that instant).
FIRST_WRITE_HOOK = "COALITION_TEST_SIGNAL_IN_FIRST_MANIFEST"
TORN_MANIFEST = "manifest.json.tmp"
MANIFEST_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format": int, "experiment_file": str, "experiment_name": str, "experiment_sha256": str,
    "title": str, "kind": str, "scenario": str, "seed": int, "engine": str, "runs_total": int,
    "points": int, "replicates": int, "rounds": int, "chunk_size": int, "chunks_total": int,
    "series": bool, "versions": dict, "command": str, "started": str,
    "finished": (str, type(None)), "chunks_done": list, "chunks": dict, "resumed": list,
    "status": str, "executor": str, "crn": bool, "plausible_file": (str, type(None)),
    "provenance": dict,
}
RECORD_FIELDS = {"rows": int, "sha256": str, "series_rows": (int, type(None)),
                 "series_sha256": (str, type(None)), "nations_rows": int, "nations_sha256": str}
PARTS = ("runs", "nations", "series")  # a chunk's files, each in its own folder
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


def _write_atomic(path: Path, data: bytes, stop: signal.Signals | None = None) -> None:
    """Write ``data`` under a temporary name, flush it, rename it into place.

    ``stop`` (tests only) sends that signal to this process half-way through the write.
    """
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data[:len(data) // 2] if stop else data)
        if stop:
            fh.flush()
            os.kill(os.getpid(), stop)
            fh.write(data[len(data) // 2:])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _hook() -> signal.Signals | None:
    name = os.environ.get(FIRST_WRITE_HOOK, "").strip().upper()
    return getattr(signal, f"SIG{name}") if name in ("KILL", "INT") else None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_fields(table: Any, fields: dict, where: str) -> None:
    for name, kind in fields.items():
        if name not in table:
            raise StoreError(f"{where}: field {name!r} is missing: this is not a sweep "
                             "manifest this version can read")
        value = table[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            raise StoreError(f"{where}: field {name!r} = {value!r} is not allowed: expected "
                             + " or ".join(k.__name__ for k in kinds))


def read_manifest(outdir: str | Path) -> dict[str, Any] | None:
    """The folder's manifest, checked field by field; None if there is none."""
    path = Path(outdir) / "manifest.json"
    if not path.is_file():
        return None
    try:
        manifest = read_json_object(path, "")
    except CoalitionError as exc:
        raise StoreError(f"sweep manifest {exc}") from None
    if manifest.get("format") != FORMAT:
        raise StoreError(f"{path}: format = {manifest.get('format')!r} is not allowed: expected "
                         f"{FORMAT} (a manifest that records each chunk's files with their "
                         "sha256, and the sweep's provenance); run the sweep again into a new --out")
    _check_fields(manifest, MANIFEST_FIELDS, str(path))
    for key, record in manifest["chunks"].items():
        if not (key.isdigit() and isinstance(record, dict)):
            raise StoreError(f"{path}: chunks[{key!r}] is not allowed: expected a chunk number "
                             "and its record")
        _check_fields(record, RECORD_FIELDS, f"{path}: chunks[{key!r}]")
    if not all(isinstance(t, str) for t in manifest["resumed"]):
        raise StoreError(f"{path}: field 'resumed' = {manifest['resumed']!r} is not allowed: "
                         "expected a list of times")
    return manifest


def _empty(where: Path) -> bool:
    """Nothing in the folder but perhaps a first manifest torn by a kill."""
    return all(p.name == TORN_MANIFEST for p in where.iterdir())


def make_folder(where: Path) -> None:
    """Create the output folder, or StoreError saying why it cannot be."""
    try:
        where.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"--out {where} is not allowed: it is a file or lies under one; "
                         "expected a folder") from None
    except OSError as exc:
        raise StoreError(f"--out {where}: the folder cannot be created ({exc.strerror or exc}); "
                         "choose another --out") from None


def check_folder(outdir: str | Path, experiment: ExperimentSpec, engine: str,
                 resume: bool) -> dict[str, Any] | None:
    """The folder's manifest if this sweep may (re)use it, None if it is new or empty.

    Raises :class:`StoreError`, touching nothing, for a folder holding other files, a
    different experiment, this experiment without ``--resume``, or another engine.
    """
    where = Path(outdir)
    make_folder(where)
    manifest = read_manifest(where)
    if manifest is None:
        if not _empty(where):
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
    from experiments.provenance import file_hashes

    recorded = manifest["provenance"].get("files", {})
    for name, sha in file_hashes(experiment).items():
        if recorded.get(name) != sha:
            raise StoreError(f"output folder {where}: {name} has changed since the sweep began "
                             f"(sha256 {sha[:12]}, recorded {str(recorded.get(name))[:12]}): "
                             "resuming would mix rows of two inputs; choose another --out")
    return manifest


class SweepStore:
    """The output folder of one sweep, opened for writing (fresh or resumed).

    ``notes`` says what opening it found and will redo (damaged or foreign chunk files).
    """

    def __init__(self, outdir: str | Path, experiment: ExperimentSpec, engine: str,
                 executor: str, resume: bool) -> None:
        self.outdir = Path(outdir)
        self.experiment = experiment
        self.notes: list[str] = []
        manifest = check_folder(self.outdir, experiment, engine, resume)
        self.manifest = manifest or self._new_manifest(engine, executor)
        if manifest is None:  # the first write, atomic like every later one
            self._save(stop=_hook())
        self.manifest["executor"] = executor
        self.manifest["status"] = "running"
        if resume:
            from experiments.provenance import git_state

            self.manifest["resumed"].append(now())
            self.manifest["provenance"].setdefault("resumes", []).append(
                {"time": self.manifest["resumed"][-1], "git": git_state()})
        for sub in PARTS:
            (self.outdir / sub).mkdir(exist_ok=True)
        _write_atomic(self.outdir / "experiment.toml", experiment.text.encode())
        self._verify()
        self._save()

    def _new_manifest(self, engine: str, executor: str) -> dict[str, Any]:
        from experiments.provenance import provenance

        e = self.experiment
        return {
            "format": FORMAT, "experiment_file": e.path, "experiment_name": e.name,
            "experiment_sha256": e.sha256, "title": e.title, "kind": e.kind,
            "scenario": e.scenario, "seed": e.seed, "engine": engine, "runs_total": e.runs,
            "points": len(e.points), "replicates": e.replicates, "rounds": e.rounds,
            "chunk_size": e.chunk_size, "chunks_total": e.chunks, "series": e.series,
            "versions": versions(), "command": " ".join(sys.argv), "started": now(),
            "finished": None, "chunks_done": [], "chunks": {}, "resumed": [],
            "status": "running", "executor": executor, "crn": e.crn,
            "plausible_file": e.plausible_file, "provenance": provenance(e),
        }

    def _verify(self) -> None:
        """Keep the records whose files match; move damaged and foreign files aside."""
        records = self.manifest["chunks"]
        for key in sorted(records, key=int):
            problem = chunk_problem(self.outdir, self.manifest, int(key))
            if problem:
                self._set_aside(int(key), problem)
                del records[key]
        keep = {name for key in records for name in chunk_files(self.manifest, int(key))}
        for sub in PARTS:
            for path in sorted((self.outdir / sub).iterdir()):
                name = f"{sub}/{path.name}"
                if name in keep:
                    continue
                m = CHUNK_RE.match(path.name)
                if path.suffix == ".tmp" or (m and int(m.group(1)) < self.experiment.chunks):
                    path.unlink()  # a write the sweep did not finish or did not record
                else:
                    self._move_aside(name)
                    self.notes.append(f"{name} is not part of this sweep: moved to damaged/")
        self.manifest["chunks_done"] = sorted(int(k) for k in records)

    def _set_aside(self, chunk: int, problem: str) -> None:
        for name in chunk_files(self.manifest, chunk):
            if (self.outdir / name).exists():
                self._move_aside(name)
        self.notes.append(f"chunk {chunk}: {problem}; moved to damaged/ and running it again")

    def _move_aside(self, name: str) -> None:
        aside = self.outdir / "damaged"
        aside.mkdir(exist_ok=True)
        os.replace(self.outdir / name, aside / name.replace("/", "-"))

    def done_chunks(self) -> set[int]:
        return {int(k) for k in self.manifest["chunks"]}

    def pending_chunks(self) -> list[int]:
        done = self.done_chunks()
        return [c for c in range(self.experiment.chunks) if c not in done]

    def write_chunk(self, chunk: int, runs: pa.Table, series: pa.Table | None,
                    nations: pa.Table) -> None:
        """Commit a chunk: its series, its nations, its runs, then the manifest recording them."""
        name = f"chunk-{chunk:06d}.parquet"
        record = {"rows": runs.num_rows, "sha256": "", "series_rows": None, "series_sha256": None}
        if series is not None:
            data = _parquet(series)
            _write_atomic(self.outdir / "series" / name, data)
            record.update(series_rows=series.num_rows, series_sha256=sha256_of(data))
        data = _parquet(nations)
        _write_atomic(self.outdir / "nations" / name, data)
        record.update(nations_rows=nations.num_rows, nations_sha256=sha256_of(data))
        data = _parquet(runs)
        _write_atomic(self.outdir / "runs" / name, data)
        record["sha256"] = sha256_of(data)
        self.manifest["chunks"][str(chunk)] = record
        self.manifest["chunks_done"] = sorted(self.done_chunks())
        self._save()

    def finish(self) -> None:
        complete = len(self.done_chunks()) == self.experiment.chunks
        self.manifest["status"] = "complete" if complete else "interrupted"
        if complete:
            self.manifest["finished"] = now()
        self._save()

    def _save(self, stop: signal.Signals | None = None) -> None:
        data = json.dumps(self.manifest, indent=2).encode()
        _write_atomic(self.outdir / "manifest.json", data, stop)


def _parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def chunk_files(manifest: dict[str, Any], chunk: int) -> list[str]:
    """The files of a recorded chunk, relative to the folder (in the order written)."""
    name = f"chunk-{chunk:06d}.parquet"
    record = manifest["chunks"][str(chunk)]
    return ([f"series/{name}"] if record["series_sha256"] else []) + [f"nations/{name}",
                                                                      f"runs/{name}"]


def _read_checked(outdir: Path, manifest: dict[str, Any], chunk: int, sub: str) -> pa.Table:
    """A recorded chunk's table, or StoreError saying how its file differs from the record."""
    record = manifest["chunks"][str(chunk)]
    prefix = "" if sub == "runs" else f"{sub}_"
    rows, sha = record[f"{prefix}rows"], record[f"{prefix}sha256"]
    path = outdir / sub / f"chunk-{chunk:06d}.parquet"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"{sub}/{path.name} is missing or unreadable ({exc.strerror})") from None
    if sha256_of(data) != sha:
        raise StoreError(f"{sub}/{path.name} is damaged (its sha256 differs from the manifest's)")
    table = pq.read_table(pa.BufferReader(data))
    if table.num_rows != rows:
        raise StoreError(f"{sub}/{path.name} holds {table.num_rows} rows, the manifest {rows}")
    lo = chunk * manifest["chunk_size"]
    expected = range(lo, min(manifest["runs_total"], lo + manifest["chunk_size"]))
    runs = table.column("run").to_pylist()
    if sorted(set(runs)) != list(expected):
        raise StoreError(f"{sub}/{path.name} holds runs other than chunk {chunk}'s "
                         f"({expected.start}..{expected.stop - 1})")
    return table


def chunk_problem(outdir: Path, manifest: dict[str, Any], chunk: int) -> str | None:
    """Why a recorded chunk's files do not match its record, or None if they do."""
    for name in chunk_files(manifest, chunk):
        try:
            _read_checked(outdir, manifest, chunk, name.split("/")[0])
        except StoreError as exc:
            return str(exc)
    return None


def load_runs(outdir: str | Path):
    """Every run row of a sweep folder as a pandas DataFrame, ordered by run."""
    return _load(outdir, "runs", ["run"])


def load_series(outdir: str | Path):
    """The per-round series of a sweep folder (if kept), ordered by run and round."""
    return _load(outdir, "series", ["run", "round"])


def load_nation_rows(outdir: str | Path):
    """One row per run and nation (exit round and order, final contribution and troops),
    ordered by run, then as the nations are in the data."""
    return _load(outdir, "nations", ["run"])


def _load(outdir: str | Path, sub: str, order: list[str]):
    folder = Path(outdir)
    manifest = read_manifest(folder)
    chunks = sorted(int(k) for k in manifest["chunks"]) if manifest else []
    if sub == "series" and manifest and not manifest["series"]:
        chunks = []
    if not chunks:
        raise StoreError(f"{folder / sub} holds no results: run `coalition sweep` first")
    recorded = {f"chunk-{c:06d}.parquet" for c in chunks}
    for path in sorted((folder / sub).glob("*.parquet")):
        if path.name not in recorded:
            raise StoreError(f"{folder / sub / path.name} is not part of this sweep (not in its "
                             "manifest): move it away, or run the sweep again with --resume")
    tables = []
    for chunk in chunks:
        try:
            tables.append(_read_checked(folder, manifest, chunk, sub))
        except StoreError as exc:
            raise StoreError(f"{folder}: {exc}: run the sweep again with --resume to redo "
                             "it") from None
    table = pa.concat_tables(tables)
    return table.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)
