"""A browser page that shows a finished sweep's phase diagram.

Self-contained: give it the output folder of a sweep (``coalition sweep FILE --out
DIR``) and it draws the share of runs fractured over the two varied parameters,
with the boundary where half of the runs fracture, from
:func:`experiments.plots.phase_figure`. Run alone with
``solara run viz/sweep_page.py``, or link ``SweepPage`` into the app.
"""

from __future__ import annotations

from pathlib import Path

import solara

from model.errors import CoalitionError


def _figure(folder: str):
    """The phase figure of a folder, or the one-line reason there is none."""
    from experiments.plots import phase_figure

    try:
        return phase_figure(folder), None
    except (CoalitionError, OSError) as exc:
        return None, str(exc)


def finished_sweeps(root: str | Path = "sweeps") -> list[str]:
    """Output folders under ``root`` (the default of ``coalition sweep``) with a manifest."""
    return sorted(str(p.parent) for p in Path(root).glob("*/manifest.json"))


@solara.component
def SweepPage(folder: str = ""):
    """Folder input and the sweep's phase diagram."""
    path, set_path = solara.use_state(folder)
    result = solara.use_memo(lambda: _figure(path) if path else (None, None), dependencies=[path])
    found = solara.use_memo(finished_sweeps, dependencies=[])
    with solara.Column():
        # plain HTML: solara.Markdown would ask a CDN for KaTeX, and the app is offline
        solara.HTML(tag="h3", unsafe_innerHTML="Sweep: where the coalition fractures")
        if found:
            solara.Select("Finished sweeps in ./sweeps", values=found,
                          value=path if path in found else None, on_value=set_path)
        solara.InputText("Sweep output folder", value=path, on_value=set_path)
        figure, problem = result
        if not path:
            solara.Info("Enter the output folder of a finished sweep "
                        "(coalition sweep us-commitment-phase --out DIR).")
        elif problem:
            solara.Error(problem)
        else:
            solara.FigureMatplotlib(figure, dependencies=[path], format="png")


@solara.component
def Page():
    SweepPage()
