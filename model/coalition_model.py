"""The Mesa model: a coalition of nation agents, the US and the adversary.

``CoalitionModel(scenario="baseline", rng=42, us_policy="isolationist")``: every model
parameter is a keyword with a default (see :mod:`model.params`), layered over the
scenario's. The state lives in arrays (one run, B = 1) that the agents view; a round
is :func:`model.rounds.play_round`, the same function the sweep engine runs for many
runs at once.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents.nation import Nation
from agents.united_states import Adversary, UnitedStates
from model import game as g
from model.events import describe_round, verdict_reason
from model.rounds import draw_round, finished, play_round, true_deterrence
from model.scenarios import load_scenario
from model.outcomes import summarize
from model.state import VERDICT_NAMES, build_world


def burden_gdp_rank_correlation(model: CoalitionModel) -> float:
    """Spearman rank correlation of burden (share of GDP) and GDP among members.

    Positive: the great carry more than the small (Olson & Zeckhauser 1966). Where it
    is undefined (fewer than three members, or all GDPs or all burdens equal) it is 0.
    """
    from scipy.stats import spearmanr

    st, gdp = model.state, model.world.game.gdp[0]
    m = st.member[0]
    if m.sum() < 3 or np.ptp(st.contribution[0, m]) == 0 or np.ptp(gdp[m]) == 0:
        return 0.0
    return float(spearmanr(gdp[m], st.contribution[0, m]).statistic)


class CoalitionModel(mesa.Model):
    """A volunteer security coalition sharing the burden of deterrence.

    Parameters
    ----------
    scenario : name of a file in ``seeds/scenarios`` (or a path to one).
    rng : seed (int) of the model's random numbers; same seed, same run, to the bit.
    nation_params : per-nation overrides, e.g. ``{"DEU": {"us_reliance": 1.0}}``.
    **parameters : any model parameter (``coalition`` CLI: ``--set KEY=VALUE``).
    """

    def __init__(self, scenario: str = "baseline", *, rng: int | None = None,
                 nation_params: dict[str, dict[str, Any]] | None = None,
                 **parameters: Any) -> None:
        super().__init__(rng=rng)
        self.seed = rng if isinstance(rng, int) and not isinstance(rng, bool) else None
        # (Mesa's own ``self.scenario`` is a different thing: ours is the preset.)
        self.preset = load_scenario(scenario)
        self.config = self.preset.config(parameters, nation_params)
        self.world, self.state, self.nations, self.calibration = build_world(self.config)
        self.round = 0
        self.events: list[str] = []
        self.running = True

        self.nation_agents = [Nation(self, i) for i in range(self.nations.n)]
        self.united_states = UnitedStates(self, self.config.us_policy)
        self.adversary = Adversary(self)

        self.datacollector = mesa.DataCollector(
            model_reporters={
                "round": "round",
                "coalition_size": lambda m: int(m.state.member.sum()),
                "european_effort_bn": lambda m: m.european_effort,
                "us_effort_bn": lambda m: float(m.state.us_effort[0, 0]),
                "us_level": lambda m: float(m.state.us_level[0, 0]),
                "deterrence": lambda m: m.deterrence,
                "us_share": lambda m: float(m.state.us_effort[0, 0])
                / max(m.european_effort + float(m.state.us_effort[0, 0]), 1e-12),
                "burden_gdp_rank_correlation": burden_gdp_rank_correlation,
                "verdict": lambda m: m.verdict,
            },
            agenttype_reporters={Nation: {
                "iso3": "iso3",
                "contribution": "contribution",
                "member": "member",
                "expected_us_effort": "expected_us_effort",
                "exposure": "exposure",
            }},
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ the round
    def step(self) -> None:
        """One round: US, adversary, expectations, contributions, membership, record."""
        before = self.state
        uniforms = draw_round([self.rng], self.nations.n)
        self.state = play_round(self.world, before, uniforms)
        self.round = int(self.state.round[0, 0])
        self.adversary.record(self.round, int(self.state.probe_target[0, 0]))
        self.events.extend(describe_round(self.world, before, self.state, self.nations.name))
        self.datacollector.collect(self)
        if finished(self.world, self.state)[0]:
            self.running = False

    def run(self, rounds: int = 100) -> dict[str, Any]:
        """Play up to ``rounds`` rounds (fewer if a verdict stops the run); the summary."""
        if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 0:
            from model.params import ParameterError

            raise ParameterError(f"rounds = {rounds!r} is not allowed: expected a whole number "
                                 "at least 0")
        for _ in range(rounds):
            if not self.running:
                break
            self.step()
        return self.summary()

    # ------------------------------------------------------------------ readings
    def current_game(self) -> g.Game:
        """The game as it stands this round (exposure includes the rally effect)."""
        cached = getattr(self, "_current", None)
        if cached is None or cached[0] is not self.state:  # a new round, a new state
            cached = self._current = (self.state, g.with_rally(self.world.game, self.state.rally))
        return cached[1]

    @property
    def european_effort(self) -> float:
        return float((self.state.contribution * self.world.game.gdp).sum())

    @property
    def deterrence(self) -> float:
        """The deterrence the adversary faces (scenario rho, actual US effort)."""
        return float(true_deterrence(self.world, self.state.contribution, self.state.us_effort)[0, 0])

    @property
    def verdict(self) -> str:
        return VERDICT_NAMES[int(self.state.verdict[0, 0])]

    @property
    def reason(self) -> str:
        return verdict_reason(self.world, self.state, self.nations.name)

    def nation(self, iso3: str) -> Nation:
        return self.nation_agents[self.nations.index(iso3)]

    def summary(self) -> dict[str, Any]:
        """The run in numbers: what the CLI prints and ``--json`` emits."""
        return {"scenario": self.preset.name, "seed": self.seed, "us_policy": self.config.us_policy,
                **summarize(self.world, self.state, self.nations)}
