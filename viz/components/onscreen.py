"""A part of the page that tells the server whether the browser shows it.

The views below the fold (the nation inspector) cost a large share of a Step's server
time; while the browser reports them off screen they keep what they last drew, and
they are redrawn at the latest round when they come into view (:func:`frozen_version`).
Until the browser has reported (and without a browser, in tests), a part counts as on
screen.
"""

from __future__ import annotations

from typing import Any, cast

import ipyvuetify
import ipywidgets
import solara
import traitlets


class OnScreen(ipyvuetify.VuetifyTemplate):
    """Its children, and ``onscreen``: whether the browser shows them (IntersectionObserver)."""

    template_file = (__file__, "onscreen.vue")
    children = traitlets.List(cast(list[Any], [])).tag(sync=True, **ipywidgets.widget_serialization)
    onscreen = traitlets.Bool(True).tag(sync=True)


def frozen_version(version: int, onscreen: bool) -> int:
    """The version a view is drawn at: ``version`` while it is on screen, else the last
    version it was drawn at on screen (so an unchanged argument: it is not redrawn)."""
    last = solara.use_ref(version)
    if onscreen:
        last.current = version
    return last.current

