"""The Mesa model: a coalition of nation agents, the US and the adversary.

``CoalitionModel(scenario="baseline", rng=42, us_policy="isolationist")``: every model
parameter is a keyword with a default (see :mod:`model.config`), layered over the
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
from model.choices import Choices
from model.config import flatten
from model.errors import ParameterError
from model.events import describe_round, verdict_reason
from model.outcomes import no_moves, record_moves, summarize
from model.policies import get_policy, policy_names
from model.rounds import (draw_round, event_stream, finished, play_round, round_game,
                          true_deterrence)
from model.scenarios import load_scenario
from model.series import SERIES, series_values
from model.state import VERDICT_NAMES, build_world, switch_policy


def _reporter(name: str):
    """A DataCollector reporter for one series of :data:`model.series.SERIES`."""
    return lambda m: m.series_now()[name][0].item()


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
        self.config = self.preset.config(flatten(parameters, nation_params))
        self.world, self.state, self.nations, self.calibration = build_world(self.config)
        self.round = 0
        self.event_rng = event_stream(self.rng)  # the ceasefire's draws (model.rounds)
        self.moves = no_moves(self.state)  # who left or joined when (model.outcomes)
        self.events: list[str] = []
        self.choices: Choices | None = None  # the next round's human choices (step_with)
        self.running = True

        self.nation_agents = [Nation(self, i) for i in range(self.nations.n)]
        self.united_states = UnitedStates(self)
        self.adversary = Adversary(self)

        reporters = {name: _reporter(name) for name in SERIES}
        reporters["verdict"] = lambda m: m.verdict  # a word, for readers of the frame
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters,
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
        """One round: US, adversary, learning, defence and off-budget money, the EU Council,
        contributions, membership, record (:func:`model.rounds.play_round`)."""
        choices, self.choices = self.choices, None
        before = self.state
        uniforms = draw_round([self.rng], self.nations.n, [self.event_rng])
        self.state = play_round(self.world, before, uniforms, choices)
        self.moves = record_moves(self.moves, self.state, uniforms)
        self.round = int(self.state.round[0, 0])
        self.adversary.record(self.round, int(self.state.probe_target[0, 0]))
        self.events.extend(describe_round(self.world, before, self.state, self.nations.name))
        self.datacollector.collect(self)
        if finished(self.world, self.state)[0]:
            self.running = False

    def step_with(self, choices: Choices | None) -> None:
        """One round with what human players decided (:mod:`model.choices`, the classroom
        game); the random numbers drawn are the same as :meth:`step`'s."""
        self.choices = choices
        self.step()

    def set_us_policy(self, name: str) -> None:
        """From the next round on, the US follows the policy ``name`` (the classroom
        teacher's switch; :func:`model.state.switch_policy`: the new policy starts from its
        initial memory). The same policy again changes nothing; an unknown name is one
        line naming it and the policies there are. Logged as an event of the next round."""
        policy = get_policy(name)
        if policy is self.united_states.policy:
            return
        codes = np.full_like(self.world.policy_code, policy_names().index(policy.name))
        self.world, self.state = switch_policy(self.world, self.state, codes)
        self.events.append(f"Round {self.round + 1}: the US now follows the {policy.name} "
                           f"policy: it {policy.description}.")

    def run(self, rounds: int = 100) -> dict[str, Any]:
        """Play up to ``rounds`` rounds (fewer if a verdict stops the run); the summary."""
        if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 0:
            raise ParameterError(f"rounds = {rounds!r} is not allowed: expected a whole number "
                                 "at least 0")
        for _ in range(rounds):
            if not self.running:
                break
            self.step()
        return self.summary()

    # ------------------------------------------------------------------ readings
    def current_game(self) -> g.Game:
        """The game as it stands this round: the rally effect on exposure, this round's own
        defence, EU aid and off-budget money."""
        cached = getattr(self, "_current", None)
        if cached is None or cached[0] is not self.state:  # a new round, a new state
            cached = self._current = (self.state, round_game(self.world, self.state))
        return cached[1]

    def series_now(self) -> dict:
        """This round's values of every series (:func:`model.series.series_values`)."""
        cached = getattr(self, "_series", None)
        if cached is None or cached[0] is not self.state:
            cached = self._series = (self.state, series_values(self.world, self.state))
        return cached[1]

    @property
    def european_effort(self) -> float:
        """European aid to Ukraine this round (bilateral, EU-level, off-budget), EUR bn a year."""
        return float(g.aid_effort(self.current_game(), self.state.contribution)[0, 0])

    @property
    def deterrence(self) -> float:
        """The deterrence the adversary faces (scenario rho, actual US effort)."""
        return float(true_deterrence(self.world, self.state)[0, 0])

    @property
    def verdict(self) -> str:
        return VERDICT_NAMES[int(self.state.verdict[0, 0])]

    @property
    def reason(self) -> str:
        return verdict_reason(self.world, self.state, self.nations.name, self.current_game())

    def nation(self, iso3: str) -> Nation:
        return self.nation_agents[self.nations.index(iso3)]

    def summary(self) -> dict[str, Any]:
        """The run in numbers: what the CLI prints and ``--json`` emits."""
        return {"scenario": self.preset.name, "seed": self.seed,
                "us_policy": self.united_states.policy.name,
                **summarize(self.world, self.state, self.nations, moves=self.moves)}
