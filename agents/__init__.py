"""The agents and their Mesa model: nations (with their utility), the United States
(with its policy) and the adversary, and :class:`CoalitionModel` that runs them.

Open ``agents/nation.py`` to see what a nation maximises. The rules themselves live
once in :mod:`model` (the layer below); the agents call them for themselves.
"""

from agents.coalition_model import CoalitionModel

__all__ = ["CoalitionModel"]
