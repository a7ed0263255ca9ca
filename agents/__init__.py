"""The agents: nations (with their utility), the United States (with its policies) and
the adversary. Open ``agents/nation.py`` to see what a nation maximises."""
