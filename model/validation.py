"""The 2025 natural experiment: US allocations stopped; what did each nation do?

Runs a scenario's first round (one round = one year) from the 2022-24 status quo and
sets each nation's predicted change beside its observed 2025 change (Kiel). A
validation to report honestly, not a target the calibration fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from model.rounds import draw_round, play_round
from model.scenarios import load_scenario
from model.state import build_world


@dataclass(frozen=True)
class Validation2025:
    scenario: str
    iso3: tuple[str, ...]
    predicted_ratio: np.ndarray  # contribution after one round / 2022-24
    observed_ratio: np.ndarray  # 2025 / 2022-24 (Kiel)
    predicted_effort_ratio: float
    observed_effort_ratio: float

    @property
    def direction_agreement(self) -> float:
        """Share of nations whose predicted and observed change have the same sign."""
        return float(np.mean(np.sign(self.predicted_ratio - 1) == np.sign(self.observed_ratio - 1)))

    @property
    def rank_correlation(self) -> float:
        return float(spearmanr(self.predicted_ratio, self.observed_ratio).statistic)

    def text(self) -> str:
        return (f"{self.scenario}: European effort predicted x{self.predicted_effort_ratio:.2f}, "
                f"observed x{self.observed_effort_ratio:.2f} in 2025; direction right for "
                f"{100 * self.direction_agreement:.0f}% of nations; rank correlation "
                f"{self.rank_correlation:+.2f}")


def validate_2025(scenario: str = "us-walks-away", seed: int = 0, **params) -> Validation2025:
    """One round of ``scenario`` from the 2022-24 status quo against 2025 (Kiel).

    Runs the round directly (:func:`model.rounds.play_round`, as the Mesa model's step
    does), with the model's random numbers from ``seed``.
    """
    config = load_scenario(scenario).config({**params, "stop_on_verdict": False})
    world, state, table, _ = build_world(config)
    start = state.contribution[0].copy()
    state = play_round(world, state, draw_round([np.random.default_rng(seed)], table.n))
    gdp = table.gdp
    predicted = state.contribution[0]
    return Validation2025(
        scenario=scenario, iso3=table.iso3, predicted_ratio=predicted / start,
        observed_ratio=table.contribution_2025 / table.contribution,
        predicted_effort_ratio=float((predicted * gdp).sum() / (start * gdp).sum()),
        observed_effort_ratio=float((table.contribution_2025 * gdp).sum()
                                    / (table.contribution * gdp).sum()))


if __name__ == "__main__":
    for name in ("us-walks-away", "germany-decouples", "strategic-autonomy"):
        print(validate_2025(name).text())
