"""The game's math, the Mesa model, calibration and analysis.

``from model import CoalitionModel`` is the usual entry point; the game's rules live
in :mod:`model.game`, a round in :mod:`model.rounds`.
"""

from typing import Any

__all__ = ["CoalitionModel", "ModelConfig", "CoalitionError"]


def __getattr__(name: str) -> Any:  # lazy, so agents/ can import model.game without cycles
    if name == "CoalitionModel":
        from model.coalition_model import CoalitionModel

        return CoalitionModel
    if name in ("ModelConfig", "CoalitionError"):
        from model import params

        return getattr(params, name)
    raise AttributeError(name)
