"""A fix for the pinned Solara (1.58.2), applied when the app is imported.

Solara's own ``navigator.vue`` (the router present on every page) starts its script with
``modules.export = {`` instead of ``module.exports = {``: the browser's Vue loader then
fails to evaluate it, falls back to an older way, and logs "Failed to evaluate Vue
script and find module.exports" on every page load. ``viz/components/navigator.vue`` is
that file with the one word corrected; it is used only while the installed file still
has the typo, so a Solara that fixes it is used as it comes.
"""

from __future__ import annotations

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
