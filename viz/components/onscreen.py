"""A part of the page that tells the server whether the browser shows it, and that it
has been drawn.

The views below the fold (the nation inspector) cost a large share of a Step's server
time; while the browser reports them off screen they keep what they last drew, and
they are redrawn at the latest round when they come into view (:func:`frozen_version`).
Until the browser has reported (and without a browser, in tests), a part counts as on
screen. The app also draws its charts only once the browser has drawn the rest of the
page (``drawn``), so the banner and the controls come first on a page load, and Play
plays a round only once the browser has painted the last (``shown``).
"""

from __future__ import annotations

from typing import Any, cast

import ipyvue
import ipywidgets
import solara
import traitlets


class OnScreen(ipyvue.VueTemplate):
    """Its children, ``onscreen``: whether the browser shows them (IntersectionObserver),
    ``drawn``: the browser has drawn them, and ``shown``: the last ``version`` the browser
    has painted. ``name`` tells the parts apart on the page.

    A plain Vue template, not a Vuetify one: a search of the page's widgets for Vuetify
    templates (the tests') then looks inside it rather than stopping at it."""

    template_file = (__file__, "onscreen.vue")
    children = traitlets.List(cast(list[Any], [])).tag(sync=True, **ipywidgets.widget_serialization)
    onscreen = traitlets.Bool(True).tag(sync=True)
    drawn = traitlets.Bool(False).tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    version = traitlets.Int(-1).tag(sync=True)  # what the server last drew in it (-1: not told)
    shown = traitlets.Int(-1).tag(sync=True)  # ... and the browser has painted since


def frozen_version(version: int, onscreen: bool) -> int:
    """The version a view is drawn at: ``version`` while it is on screen, else the last
    version it was drawn at on screen (so an unchanged argument: it is not redrawn)."""
    last = solara.use_ref(version)
    if onscreen:
        last.current = version
    return last.current

