"""The rules of the game, pure and batched: the bottom layer.

``model.game`` (deterrence, benefit, cost, fairness, utility, best response,
equilibrium, coalition stability), ``model.policies`` (the US policies),
``model.config`` (parameters), ``model.state`` and ``model.rounds`` (a round as
array functions), calibration, scenarios, events, outcomes and series. Nothing here
imports the agents, the experiments or the app; the Mesa model that runs these rules
is :class:`agents.coalition_model.CoalitionModel` (``from agents import CoalitionModel``).
"""
