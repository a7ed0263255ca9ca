"""Where a sweep's numbers came from: the code, the files it read, the machine.

:func:`provenance` is what a sweep's ``manifest.json`` records as ``provenance``: the
git commit of the code and whether the checkout had uncommitted changes (when the
package runs from a git checkout), the sha256 of every data file a run reads
(:data:`model.data.DATA_FILES`), of the scenario file and of the estimate whose
plausible worlds the sweep draws (if any), and the platform and CPU.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from experiments.design import ExperimentSpec

CODE_ROOT = Path(__file__).resolve().parent.parent


def git_state(root: Path = CODE_ROOT) -> dict[str, Any] | None:
    """``{"commit", "dirty"}`` of the checkout the code runs from; None outside one."""
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=20, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


def _name(path: Path) -> str:
    """A file's name in the record: relative to the code's folder when inside it."""
    path = path.resolve()
    return str(path.relative_to(CODE_ROOT)) if path.is_relative_to(CODE_ROOT) else str(path)


def file_hashes(experiment: ExperimentSpec) -> dict[str, str]:
    """sha256 of every data and scenario file the sweep's runs read."""
    from model.data import DATA_FILES
    from model.scenarios import scenario_file

    files = list(DATA_FILES) if _reads_data(experiment) else []
    files.append(scenario_file(experiment.scenario))
    if experiment.plausible_file:
        files.append(Path(experiment.plausible_file))
    return {_name(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _reads_data(experiment: ExperimentSpec) -> bool:
    """Whether the runs read the nations' data files (not for identical nations only)."""
    from model.scenarios import load_scenario

    config = load_scenario(experiment.scenario).config(experiment.fixed)
    return config.nations == "data" or any(p.get("nations") == "data" for p in experiment.points)


def cpu_model() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else what ``platform`` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "machine": platform.machine(),
            "cpu": cpu_model(), "cpus": os.cpu_count(),
            "python": f"{platform.python_implementation()} {platform.python_version()}"}


def provenance(experiment: ExperimentSpec) -> dict[str, Any]:
    """The reproducibility record of a sweep (see the module's docstring)."""
    return {"git": git_state(), "files": file_hashes(experiment), "machine": machine()}
