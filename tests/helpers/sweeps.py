"""Small experiment files for the sweep tests (cheap: a few identical nations)."""

from pathlib import Path

TINY = """
title = "tiny test sweep"
scenario = "baseline"
seed = 11
rounds = {rounds}
replicates = {replicates}
chunk_size = {chunk_size}

[parameters]
nations = "identical"
n_nations = 6
noise = 0.04
adversary = true
us_policy = "erratic"

[vary.us_level]
low = 0.2
high = 1.0
steps = {steps}

[vary.mode]
values = ["individual", "coordinated"]

[outputs]
series = {series}
"""


def tiny(folder: Path, name: str = "tiny", rounds: int = 12, replicates: int = 2,
         chunk_size: int = 4, steps: int = 3, series: bool = True) -> Path:
    path = Path(folder) / f"{name}.toml"
    path.write_text(TINY.format(rounds=rounds, replicates=replicates, chunk_size=chunk_size,
                                steps=steps, series=str(series).lower()))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder and its bytes (to check nothing was touched)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*"))
            if p.is_file()}


def assert_frames_close(a, b, rtol: float = 1e-12) -> None:
    """Equal tables, floats to ``rtol`` (engine vs Mesa: numpy may take other paths)."""
    import numpy as np

    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind == "f":
            assert np.allclose(x, y, rtol=rtol, atol=1e-15, equal_nan=True), col
        else:
            assert list(x) == list(y), col


PHASE = """
scenario = "baseline"
seed = 2
rounds = {rounds}
chunk_size = 2
[parameters]
nations = "identical"
n_nations = 3
[vary.us_level]
low = 0.2
high = 1.0
steps = 2
[vary.spillover]
low = 0.1
high = 0.9
steps = 2
"""


def phase_file(folder: Path, rounds: int = 2) -> Path:
    """A tiny phase-diagram experiment (4 points, 2 chunks)."""
    path = Path(folder) / "phase.toml"
    path.write_text(PHASE.format(rounds=rounds))
    return path


def damage(out: Path, chunk: int = 1) -> None:
    """Cut a sweep's runs chunk file short, as a full disk or a bad copy would."""
    path = Path(out) / "runs" / f"chunk-{chunk:06d}.parquet"
    path.write_bytes(path.read_bytes()[:40])
