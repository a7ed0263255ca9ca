"""The United States and the adversary: one agent each, views on the model's arrays.

The US decides its commitment by its policy (:mod:`model.policies`, one vectorised
``decide`` per policy); the adversary probes when deterrence is weak. What they do
each round is computed in :mod:`model.rounds` (for one run or many at once); these
agents show it to Mesa, the app and the reader.
"""

from __future__ import annotations

import mesa

from model.policies import REGISTRY, USPolicy, policy_names


class UnitedStates(mesa.Agent):
    """The US: its policy, commitment level u and effort X = u X0 (USD bn a year)."""

    @property
    def policy(self) -> type[USPolicy]:
        """The policy it follows (the world's; :meth:`CoalitionModel.set_us_policy` switches it)."""
        return REGISTRY[policy_names()[int(self.model.world.policy_code[0, 0])]]

    @property
    def parameters(self) -> dict[str, float]:
        """The values of the parameters its policy reads."""
        return {k: self.model.config.values[k] for k in self.policy.reads}

    @property
    def level(self) -> float:
        """u: its commitment this round (1 = its 2022-24 effort)."""
        return float(self.model.state.us_level[0, 0])

    @property
    def memory(self) -> float:
        """The policy's state (e.g. 1 while a transactional US is engaged)."""
        return float(self.model.state.us_memory[0, 0])

    @property
    def effort(self) -> float:
        return float(self.model.state.us_effort[0, 0])

    @property
    def burden(self) -> float:
        """US effort as a share of US GDP."""
        return self.effort / float(self.model.world.game.us_gdp[0, 0])


class Adversary(mesa.Agent):
    """Probes with probability ``probe_rate * exp(-D)``; a probe makes nearby nations feel
    more exposed for a while (the rally effect). Switched off with ``adversary=False``."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.probes: list[tuple[int, str]] = []  # (round, ISO3 of the nation probed)

    @property
    def active(self) -> bool:
        return bool(self.model.world.adversary[0, 0])

    def record(self, round_: int, target: int) -> None:
        if target >= 0:
            self.probes.append((round_, self.model.nations.iso3[target]))
