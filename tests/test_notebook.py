"""The shipped notebook runs (issue 12, item 5): `docs/notebooks/tipping-point.ipynb` is
executed top to bottom in a fresh Jupyter kernel (nbclient), so the Python API it
shows cannot rot. It writes its sweeps to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "tipping-point.ipynb"


def test_the_tipping_point_notebook_runs_and_shows_its_answers(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "image/png" in kinds  # the tipping figure is drawn
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "36 runs in" in text and "tipping_point" in text
    assert "first to leave, by plausible world:" in text
    assert not list(tmp_path.iterdir())  # nothing written beside it: sweeps go to a temp folder
