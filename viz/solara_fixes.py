"""Fixes for the pinned Solara (1.58.2) and its renderer, applied when the app is imported.

Reacton (Solara's renderer) walks the whole page's element tree on every state change
by default, so the verdict banner's quick redraw after a Step paid for a walk of every
control and chart (about 25 ms of a Step's server time). Reacton 1.11 ships a renderer
that descends only into the parts whose state changed (``REACTON_FAST=1``, tested
upstream against the same suite as the default); :func:`use_fast_renderer` selects it
unless the environment already chose.

Solara's own ``navigator.vue`` (the router present on every page) starts its script with
``modules.export = {`` instead of ``module.exports = {``: the browser's Vue loader then
fails to evaluate it, falls back to an older way, and logs "Failed to evaluate Vue
script and find module.exports" on every page load. ``viz/components/navigator.vue`` is
that file with the one word corrected; it is used only while the installed file still
has the typo, so a Solara that fixes it is used as it comes.
"""

from __future__ import annotations

import os
from pathlib import Path

NAVIGATOR = Path(__file__).resolve().parent / "components" / "navigator.vue"
TYPO = "modules.export = {"


def apply() -> bool:
    """Point Solara's Navigator at the corrected template; True if it was needed."""
    from solara.widgets.widgets import Navigator

    try:
        installed = Path(Navigator.template_file).read_text()
    except (OSError, TypeError):
        return False
    if TYPO not in installed or not NAVIGATOR.exists():
        return False
    Navigator.template_file = str(NAVIGATOR)
    return True


FAST_RENDERER_ENV = "REACTON_FAST"


def use_fast_renderer() -> bool:
    """Render with reacton's fast tree walk (read at every render); True if selected.

    A value already in the environment wins (``REACTON_FAST=0`` brings back the
    default walk, for comparison: ``benchmarks/bench_app.py``)."""
    os.environ.setdefault(FAST_RENDERER_ENV, "1")
    return os.environ[FAST_RENDERER_ENV] == "1"
