"""Damaged results are detected (issue 11, item 2).

Each chunk's row count and sha256 are in the manifest from the moment it is committed;
``--resume`` and ``load_runs`` check them. A truncated, emptied, swapped or stray chunk
file is redone by ``--resume`` (and moved aside), reported in one line by
``load_runs`` and ``coalition plot``, and no run is ever counted twice.
"""

from __future__ import annotations

import hashlib

import pyarrow.parquet as pq
import shutil

import pytest

from experiments.cli import main
from experiments.store import StoreError, load_runs, load_series, read_manifest
from experiments.sweep import run_sweep
from helpers.sweeps import tiny


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A finished sweep (12 runs, 3 chunks, with series) and its rows."""
    folder = tmp_path_factory.mktemp("integrity")
    file = tiny(folder, rounds=4, replicates=2, chunk_size=4)
    out = folder / "reference"
    run_sweep(file, out, progress=False)
    return file, out, load_runs(out), load_series(out)


@pytest.fixture
def copy(swept, tmp_path):
    file, out, runs, series = swept
    target = tmp_path / "sweep"
    shutil.copytree(out, target)
    return file, target, runs, series


def test_the_manifest_records_each_chunks_rows_and_sha256(swept):
    _, out, runs, series = swept
    manifest = read_manifest(out)
    assert sorted(manifest["chunks"]) == ["0", "1", "2"] and manifest["chunks_done"] == [0, 1, 2]
    for key, record in manifest["chunks"].items():
        name = f"chunk-{int(key):06d}.parquet"
        assert record["sha256"] == hashlib.sha256((out / "runs" / name).read_bytes()).hexdigest()
        assert record["series_sha256"] == hashlib.sha256(
            (out / "series" / name).read_bytes()).hexdigest()
        assert record["rows"] == 4
        rounds = pq.read_table(out / "runs" / name, columns=["rounds_run"]).column(0).to_pylist()
        assert record["series_rows"] == sum(r + 1 for r in rounds)  # rounds 0..rounds_run


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def empty(path):
    path.write_bytes(b"")


DAMAGE = {
    "truncated chunk": (lambda out: truncate(out / "runs" / "chunk-000001.parquet"), "damaged"),
    "0-byte chunk": (lambda out: empty(out / "runs" / "chunk-000001.parquet"), "damaged"),
    "truncated series": (lambda out: truncate(out / "series" / "chunk-000001.parquet"), "damaged"),
    "chunk copied over another": (lambda out: shutil.copy(out / "runs" / "chunk-000000.parquet",
                                                          out / "runs" / "chunk-000001.parquet"),
                                  "damaged"),
    "missing chunk": (lambda out: (out / "runs" / "chunk-000001.parquet").unlink(), "missing"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_damage_is_reported_then_redone_by_resume(copy, capsys, case):
    file, out, runs, series = copy
    damage, word = DAMAGE[case]
    damage(out)
    with pytest.raises(StoreError) as info:
        load_runs(out) if "series" not in case else load_series(out)
    message = str(info.value)
    assert "chunk-000001.parquet" in message and word in message and "--resume" in message
    assert "\n" not in message
    if "series" not in case:  # plots read the runs
        assert main(["plot", str(out)]) == 2
        assert capsys.readouterr().err.count("\n") == 1

    notes: list[str] = []
    report = run_sweep(file, out, resume=True, progress=False, notes=notes.append)
    assert report["status"] == "complete" and report["ran"] == 4  # chunk 1 alone, again
    assert any("chunk 1:" in n and "running it again" in n for n in notes), notes
    again = load_runs(out)
    assert again.equals(runs) and list(again["run"]) == list(range(12))  # never twice
    assert load_series(out).equals(series)


def test_a_stray_chunk_is_reported_and_moved_aside(copy):
    file, out, runs, _ = copy
    stray = out / "runs" / "chunk-000099.parquet"
    shutil.copy(out / "runs" / "chunk-000000.parquet", stray)  # 4 runs a second time
    with pytest.raises(StoreError, match="chunk-000099.parquet is not part of this sweep"):
        load_runs(out)
    notes: list[str] = []
    report = run_sweep(file, out, resume=True, progress=False, notes=notes.append)
    assert report["status"] == "complete" and report["ran"] == 0
    assert notes == ["runs/chunk-000099.parquet is not part of this sweep: moved to damaged/"]
    assert not stray.exists() and (out / "damaged" / "runs-chunk-000099.parquet").exists()
    assert load_runs(out).equals(runs)


def test_an_unrecorded_chunk_is_redone(copy):
    """A kill between a chunk's rename and the manifest's leaves an unrecorded file."""
    file, out, runs, _ = copy
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["chunks"]["2"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    report = run_sweep(file, out, resume=True, progress=False)
    assert report["ran"] == 4 and load_runs(out).equals(runs)


def test_a_folder_killed_in_its_first_manifest_write_is_resumable(swept, tmp_path):
    file, _, runs, series = swept
    out = tmp_path / "torn"
    out.mkdir()
    (out / "manifest.json.tmp").write_bytes(b'{\n  "format": 2,\n  "experi')
    report = run_sweep(file, out, resume=True, progress=False)
    assert report["status"] == "complete"
    assert load_runs(out).equals(runs) and load_series(out).equals(series)
    assert not list(out.rglob("*.tmp"))


def test_a_folder_with_other_files_is_still_refused(swept, tmp_path):
    file = swept[0]
    out = tmp_path / "other"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="holds no sweep"):
        run_sweep(file, out, resume=True, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
