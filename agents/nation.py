"""A nation of the coalition: what it maximises, and why it does what it does.

Nation i chooses its contribution s_i (share of GDP, a year) to maximise

    U_i = [m_i + (1 - m_i) sigma] * V theta_i Y_i B(D_i)     security benefit
          - Y_i phi_i s_i^2 / 2                               domestic political cost
          - beta_i Y_i max(0, s_i - r_i)                      cost of being a sucker

where D_i = [a (E/E0)^rho_i + (1-a) (X_hat_i/X0)^rho_i]^(1/rho_i) is the deterrence it
sees, E the European effort (its own included), X_hat_i the US effort it expects, and
r_i its fair reference (a mix of the US burden and its peers'). It is a member (m_i = 1)
or not; members pay at least the pledge floor. It leaves (or joins) when the payoff at
the equilibrium after switching beats staying by more than the penalty.

The formulas live once in :mod:`model.game`; this agent is a window on the model's
arrays (its state lives there, so the whole coalition can be solved at once) and
calls those functions for itself.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.explain import explain_nation
from model import game as g


class Nation(mesa.Agent):
    """One coalition participant or candidate (Ukraine is the beneficiary, not a player)."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index
        table = model.nations
        self.iso3 = table.iso3[index]
        self.name = table.name[index]
        self.troops_willing = table.troops[index]
        self.frontline = bool(table.frontline[index])
        self.lat, self.lon = float(table.lat[index]), float(table.lon[index])
        self.observed_2025 = float(table.contribution_2025[index])

    # ----------------------------------------------------------------- state (views)
    def _state(self, name: str):
        return getattr(self.model.state, name)[0, self.index]

    def _game(self, name: str):
        return getattr(self.model.world.game, name)[0, self.index]

    @property
    def contribution(self) -> float:
        """s_i: this year's contribution as a share of GDP."""
        return float(self._state("contribution"))

    @property
    def contribution_bn(self) -> float:
        return self.contribution * self.gdp

    @property
    def member(self) -> bool:
        return bool(self._state("member"))

    @property
    def expected_us_effort(self) -> float:
        """X_hat_i: the US effort (USD bn a year) this nation expects."""
        return float(self._state("expected_us_effort"))

    @property
    def gdp(self) -> float:
        return float(self._game("gdp"))

    @property
    def exposure(self) -> float:
        """theta_i now, including any rally effect after a probe."""
        return float(self.model.current_game().exposure[0, self.index])

    @property
    def us_reliance(self) -> float:
        return float(self._game("us_reliance"))

    @property
    def fair_share_weight(self) -> float:
        return float(self._game("fair_share_weight"))

    @property
    def political_cost(self) -> float:
        return float(self._game("political_cost"))

    @property
    def core(self) -> bool:
        return bool(self.model.world.core[0, self.index])

    @property
    def perceived_deterrence(self) -> float:
        game, st = self.model.current_game(), self.model.state
        effort = g.european_effort(game, st.contribution)
        return float(g.perceived_deterrence(game, effort, st.expected_us_effort)[0, self.index])

    # ----------------------------------------------------------------- decisions
    def utility_terms(self, contribution: float | None = None) -> dict[str, float]:
        """Each term of U_i (USD bn a year), at ``contribution`` or the current one."""
        game, st = self.model.current_game(), self.model.state
        s = st.contribution.copy()
        if contribution is not None:
            s[0, self.index] = contribution
        terms = g.utility_terms(game, s, st.member, st.expected_us_effort, st.us_effort)
        return {k: float(v[0, self.index]) for k, v in terms.items()}

    def utility(self, contribution: float | None = None) -> float:
        return self.utility_terms(contribution)["utility"]

    def utility_curve(self, contributions: np.ndarray) -> dict[str, np.ndarray]:
        """The utility terms over a range of own contributions, others fixed."""
        game, st = self.model.current_game(), self.model.state
        k = len(contributions)
        s = np.repeat(st.contribution, k, axis=0)
        s[:, self.index] = contributions
        rows = np.zeros(k, dtype=int)
        terms = g.utility_terms(game.take(rows), s, st.member[rows],
                                st.expected_us_effort[rows], st.us_effort[rows])
        return {name: v[:, self.index] for name, v in terms.items()}

    def best_response(self) -> float:
        """The contribution that maximises U_i given the others' current contributions."""
        game, st = self.model.current_game(), self.model.state
        reply = g.best_response(game, st.contribution, st.member, st.expected_us_effort, st.us_effort)
        return float(reply[0, self.index])

    def switch_gain(self) -> float:
        """Payoff gain (USD bn a year) from switching side, at the equilibria."""
        game, st = self.model.current_game(), self.model.state
        stay, switch = g.switch_payoffs(game, st.member, st.expected_us_effort, st.us_effort,
                                        st.contribution)
        return float((switch - stay)[0, self.index])

    def explain(self) -> str:
        """Why this nation contributes what it does, in plain words."""
        return explain_nation(self)
