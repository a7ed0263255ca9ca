"""A nation of the coalition: what it maximises, and why it does what it does.

Nation i chooses its bilateral aid s_i (share of GDP, a year) to maximise

    U_i = [m_i + (1 - m_i) sigma] * V theta_i Y_i B(D_i)    security benefit
          - Y_i phi_i (s_i + eta d_i)^2 / 2                   the political budget it
                                                              shares with own defence d_i
          - Y_i phi_i epsilon e_i^2 / 2                       its EU contribution e_i
          - beta_i Y_i max(0, s_i + e_i - r_i)                cost of being a sucker
          - omega_i A                                         a veto player's dislike of
                                                              EU aid

where D_i = [a (E/E0)^rho_i + (1-a) (X_hat_i/X0)^rho_i]^(1/rho_i) is the deterrence it
sees (:func:`model.game.perceived_deterrence`), E the European effort (bilateral aid,
its own included, EU-level aid A, off-budget money and the part of own defence that
also deters), X_hat_i the US effort it expects (it learns what kind of US this is:
:mod:`model.beliefs`), and r_i its fair reference (a mix of the US burden and its
peers'). Its best response is :func:`model.game.best_response`. It is a member
(m_i = 1) or not; members pay at least the pledge floor. It leaves (or joins) when the
payoff at the equilibrium after switching beats staying by more than its penalty
(:func:`model.rounds.revise_membership`, :func:`model.game.wants_to_switch`); the exit
penalty is revealed by the data: nobody left in 2022-2025 (:mod:`model.calibration`).
EU-level aid itself is the Council's decision (:mod:`model.council`), not the nation's.

After a ceasefire a member also offers troops q_i to the reassurance force, on the
grid 0..Q_i (whole units), to maximise

    m_i V theta_i Y_i B(D_i + D_F(P_-i + q_i))  -  kappa_i Y_i (q_i / Q_i)^gamma

where D_F is what the force deters (a threshold public good, multiplied by a US
backstop; :mod:`model.force`) and the cost rises steeply with the share of its
sustainable forces deployed. Its stance (:mod:`model.conditions`: unconditional, only
with a US backstop, if K others deploy, ...) says when the offer is honoured.

The formulas live once in :mod:`model.game`; this agent is a window on the model's
arrays (its state lives there, so the whole coalition can be solved at once) and
calls those functions for itself.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.explain import explain_nation
from model import beliefs as bl
from model import game as g
from model.events import stance
from model.rounds import force_payoffs


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
        """s_i: this year's bilateral aid as a share of GDP."""
        return float(self._state("contribution"))

    @property
    def eu_contribution(self) -> float:
        """e_i: its share of the EU's aid, as a share of its GDP."""
        return float(self.model.current_game().eu_share[0, self.index])

    @property
    def defence(self) -> float:
        """d_i: its own defence this round, as a share of GDP."""
        return float(self._state("defence"))

    @property
    def abandonment_fear(self) -> float:
        """Its belief that the US is gone or erratic."""
        return float(self.model.state.us_belief[0, self.index, [bl.ERRATIC, bl.GONE]].sum())

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

    # ----------------------------------------------------------------- troops
    def _troops(self, name: str) -> int:
        unit = float(self.model.world.force.unit[0, 0])
        return int(round(float(getattr(self.model.state, name)[0, self.index]) * unit))

    @property
    def troops(self) -> int:
        """Troops it deploys in the reassurance force (its honoured offer)."""
        return self._troops("troops")

    @property
    def troop_offer(self) -> int:
        """Troops it offers (honoured only if its condition holds)."""
        return self._troops("troops_offer")

    @property
    def troop_capacity(self) -> int:
        """Troops it can keep deployed (whole units)."""
        unit = float(self.model.world.force.unit[0, 0])
        return int(self.model.world.troop_capacity[0, self.index] * unit)

    @property
    def troop_strategy(self) -> str:
        """Its stance's name (:mod:`model.conditions`)."""
        return stance(self.model.world, self.index, self.model.nations.name)[0].name

    @property
    def troop_stance(self) -> str:
        """Its stance in plain words ("deploys only if the US backs the force")."""
        return stance(self.model.world, self.index, self.model.nations.name)[1]

    @property
    def troop_condition(self) -> str:
        """What its stance requires, as a noun ("a US backstop"); empty if nothing."""
        return stance(self.model.world, self.index, self.model.nations.name)[2]

    @property
    def condition_met(self) -> bool:
        return bool(self.model.state.condition_met[0, self.index])

    def troop_payoffs(self) -> dict[str, np.ndarray]:
        """Its payoff from the force for each offer 0..capacity (troops), against the force
        as it stands: what its next offer moves towards."""
        world, st = self.model.world, self.model.state
        payoff = force_payoffs(world, st, self.model.current_game(), st.expected_us_effort)
        cap = int(world.troop_capacity[0, self.index])
        unit = float(world.force.unit[0, 0])
        return {"troops": np.arange(cap + 1) * unit, "payoff": payoff[0, self.index, :cap + 1]}

    def best_troop_offer(self) -> int:
        """The offer (troops) with the highest payoff against the force as it stands."""
        curve = self.troop_payoffs()
        return int(curve["troops"][int(np.argmax(curve["payoff"]))])

    def explain(self) -> str:
        """Why this nation contributes what it does, in plain words."""
        return explain_nation(self)
