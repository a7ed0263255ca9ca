"""The app's panels: each a small Solara component over a pure function of the model.

The pure functions (``banner``, ``monitors``, ``*_option``, ...) compute what a panel
shows from the model's public readings, so tests check them against the model's
numbers without a browser.
"""
