"""A browser page that shows a finished sweep's phase diagram.

Self-contained: give it the name of a sweep's output folder inside the *sweeps root*
(``coalition app --sweeps-root DIR``, the environment's ``COALITION_SWEEPS_ROOT``, else
``./sweeps``, where ``coalition sweep`` writes by default) and it draws the share of
runs fractured over the two varied parameters, with the boundary where half of the
runs fracture, from :func:`experiments.plots.phase_figure`. Folders are named relative
to that root: an absolute path, ``..`` or a link leading out of it is refused, so a
page shared with a room cannot probe the server's files. Whatever goes wrong (a
damaged sweep, a folder that is not one) is one line inside the page, naming the
folder relative to the root; the rest of the app is untouched. Run alone with
``solara run viz/sweep_page.py``, or link ``SweepPage`` into the app.
"""

from __future__ import annotations

import os
from pathlib import Path

import solara

from model.errors import CoalitionError
from viz.server import SWEEPS_ROOT_ENV

DEFAULT_ROOT = "sweeps"
EXPLAINER = (
    "A sweep runs the model many times (<code>coalition sweep</code>), varying two parameters "
    "over a grid, with several runs (other seeds, other values of anything else varied) at each "
    "point. The diagram has one cell per pair of values: its colour is the share of those runs "
    "that ended <b>fractured</b>, from blue (none) to red (all). The dashed line, where there is "
    "one, is the boundary at which half of the runs fracture: on one side the coalition mostly "
    "holds, on the other it mostly breaks, and a steep change of colour across it is a tipping "
    "point. Read the axes' names for the two parameters and the title for the number of runs "
    "behind each cell; few runs per cell make its colour a rough share.")


class SweepPathError(CoalitionError):
    """A sweep folder named outside the sweeps root."""


def sweeps_root() -> Path:
    """The folder the page may show sweeps from (the environment's, else ./sweeps)."""
    return Path(os.environ.get(SWEEPS_ROOT_ENV) or DEFAULT_ROOT)


def resolve_sweep(name: str, root: Path) -> Path:
    """The folder ``name`` (relative to ``root``), or SweepPathError if it leaves the root."""
    path = Path(name.strip())
    inside = (root / path).resolve()
    if path.is_absolute() or ".." in path.parts or not inside.is_relative_to(root.resolve()):
        raise SweepPathError(f"folder {name.strip()!r} is not allowed: expected the name of a "
                             "sweep folder inside the sweeps root, such as us-commitment-phase")
    return inside


def problem_line(exc: BaseException, root: Path) -> str:
    """One line for the page: the error's own message with paths relative to the root."""
    if not isinstance(exc, (CoalitionError, OSError)):
        return f"this folder's sweep cannot be drawn ({type(exc).__name__})"
    text = str(exc)
    for prefix in {str(root.resolve()), os.path.abspath(root)}:
        text = text.replace(prefix + os.sep, "")
    return (text.splitlines() or [type(exc).__name__])[0]


def _figure(name: str, root: Path):
    """The phase figure of a sweep folder, or the one-line reason there is none."""
    from experiments.plots import phase_figure

    try:
        return phase_figure(resolve_sweep(name, root)), None
    except Exception as exc:  # noqa: BLE001: any failure stays inside this tab, as one line
        return None, problem_line(exc, root)


def finished_sweeps(root: str | Path = DEFAULT_ROOT) -> list[str]:
    """Sweep folders under ``root`` (those with a manifest), named relative to it."""
    root = Path(root)
    return sorted(str(p.parent.relative_to(root)) for p in root.glob("*/manifest.json"))


@solara.component
def SweepPage(folder: str = "", root: str | None = None):
    """Folder input and the sweep's phase diagram."""
    base = Path(root) if root is not None else sweeps_root()
    path, set_path = solara.use_state(folder)
    result = solara.use_memo(lambda: _figure(path, base) if path.strip() else (None, None),
                             dependencies=[path, str(base)])
    found = solara.use_memo(lambda: finished_sweeps(base), dependencies=[str(base)])
    with solara.Column():
        # plain HTML: solara.Markdown would ask a CDN for KaTeX, and the app is offline
        solara.HTML(tag="h3", unsafe_innerHTML="Sweep: where the coalition fractures")
        solara.HTML(tag="p", unsafe_innerHTML=EXPLAINER, classes=["coalition-sweep-explainer"],
                    style="max-width: 760px; font-size: 0.9rem")
        if found:
            solara.Select("Finished sweeps", values=found,
                          value=path if path in found else None, on_value=set_path)
        solara.InputText("Sweep folder (inside the sweeps root)", value=path, on_value=set_path)
        figure, problem = result
        if not path.strip():
            solara.Info("Pick a finished sweep, or enter its folder's name inside the sweeps "
                        "root (coalition sweep us-commitment-phase writes "
                        "sweeps/us-commitment-phase).")
        elif problem:
            solara.Error(problem, classes=["coalition-sweep-error"])
        else:
            solara.FigureMatplotlib(figure, dependencies=[path], format="png")


@solara.component
def Page():
    SweepPage()
