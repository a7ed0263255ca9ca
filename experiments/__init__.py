"""Sweeps, their analysis and plots; ``from experiments import Experiment`` for notebooks.

The package's modules are imported by worker processes too, so this file imports
nothing eagerly: :class:`experiments.api.Experiment` is loaded on first use.
"""

__all__ = ["Experiment"]


def __getattr__(name: str):
    if name == "Experiment":
        from experiments.api import Experiment

        return Experiment
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
