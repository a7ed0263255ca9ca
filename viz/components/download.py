"""A download button whose file is made on the server only when it is pressed.

Solara's ``FileDownload`` starts a thread on every redraw whose data argument changed
(a lazily made file is a new function each time), which costs every step; this one
calls ``make()`` once per press and sends the text to the browser, which saves it.
"""

from __future__ import annotations

from collections.abc import Callable

import ipyvuetify
import traitlets


class TextDownload(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "download.vue")
    label = traitlets.Unicode("CSV").tag(sync=True)
    filename = traitlets.Unicode("data.csv").tag(sync=True)
    mime = traitlets.Unicode("text/csv").tag(sync=True)
    button_class = traitlets.Unicode("").tag(sync=True)
    payload = traitlets.Unicode("").tag(sync=True)
    serial = traitlets.Int(0).tag(sync=True)
    make = traitlets.Callable(None, allow_none=True)

    def vue_request(self, data=None) -> None:
        if self.make is not None:
            self.payload = self.make()
            self.serial += 1


def Download(make: Callable[[], str], filename: str, label: str = "CSV", css_class: str = "",
             mime: str = "text/csv"):
    """A button that downloads ``make()`` as ``filename`` when pressed."""
    return TextDownload.element(make=make, filename=filename, label=label, button_class=css_class,
                                mime=mime)
