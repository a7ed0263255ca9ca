"""Counting what the membership step solves (the coalitions handed to the solver)."""

import numpy as np

from model import kernels


def count_coalitions(monkeypatch) -> list[int]:
    """Wrap :meth:`model.kernels.Counterfactuals.payoffs` so that each call appends how
    many coalitions it solves (the switched ones plus the coalition as it stands where
    ``stay``); returns the list it fills."""
    solved: list[int] = []
    payoffs = kernels.Counterfactuals.payoffs

    def counted(self, rows, member, nations=None, stay=True, exact=False):
        width = member.shape[-1] if nations is None else np.shape(nations)[-1]
        solved.append(width * rows.size + int(np.sum(np.broadcast_to(stay, rows.shape))))
        return payoffs(self, rows, member, nations, stay, exact)

    monkeypatch.setattr(kernels.Counterfactuals, "payoffs", counted)
    return solved
