"""The reproducibility record (issue 12, item 6): a sweep's manifest says which code,
which files and which machine made its numbers, and a resume refuses changed inputs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from experiments.cli import main
from experiments.provenance import CODE_ROOT, git_state
from experiments.store import read_manifest
from experiments.sweep import run_sweep
from model.data import DATA_FILES


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_records_code_files_and_machine(tmp_path):
    file = tmp_path / "exp.toml"
    file.write_text('scenario = "us-walks-away"\nseed = 1\nrounds = 1\nreplicates = 2\n'
                    '[plausible]\n')
    run_sweep(file, tmp_path / "out", progress=False)
    p = read_manifest(tmp_path / "out")["provenance"]
    files = p["files"]
    for data in DATA_FILES:
        assert files[str(data.relative_to(CODE_ROOT))] == sha(data)
    assert files["seeds/scenarios/us-walks-away.toml"] == sha(
        CODE_ROOT / "seeds/scenarios/us-walks-away.toml")
    assert files["seeds/estimate.json"] == sha(CODE_ROOT / "seeds/estimate.json")
    assert p["machine"]["cpus"] >= 1 and p["machine"]["cpu"] and p["machine"]["platform"]
    if (CODE_ROOT / ".git").exists() and shutil.which("git"):
        head = subprocess.run(["git", "-C", str(CODE_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        assert p["git"]["commit"] == head and isinstance(p["git"]["dirty"], bool)


def test_identical_nations_read_no_data_file(tmp_path):
    file = tmp_path / "exp.toml"
    file.write_text('scenario = "lq-textbook"\nseed = 1\nrounds = 1\n')
    run_sweep(file, tmp_path / "out", progress=False)
    assert list(read_manifest(tmp_path / "out")["provenance"]["files"]) == [
        "seeds/scenarios/lq-textbook.toml"]


def test_git_state_outside_a_checkout_is_none(tmp_path):
    assert git_state(tmp_path) is None


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_git_state_sees_uncommitted_changes(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("1")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "a.txt").write_text("2")
    assert git_state(tmp_path)["dirty"] is True


def test_a_resume_with_a_changed_scenario_file_is_refused(tmp_path, capsys):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('[parameters]\nnations = "identical"\nn_nations = 3\n')
    file = tmp_path / "exp.toml"
    file.write_text(f'scenario = "{scenario}"\nseed = 1\nrounds = 1\nreplicates = 4\n'
                    'chunk_size = 2\n')
    out = tmp_path / "out"
    assert main(["sweep", str(file), "--out", str(out), "--quiet"]) == 0
    scenario.write_text('[parameters]\nnations = "identical"\nn_nations = 4\n')
    before = (out / "manifest.json").read_bytes()
    assert main(["sweep", str(file), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mine.toml has changed since the sweep began" in err
    assert (out / "manifest.json").read_bytes() == before
