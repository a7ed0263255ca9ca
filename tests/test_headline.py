"""The seminar's headline must emerge from the mechanics, not be written in."""

from pathlib import Path

import numpy as np

from agents import CoalitionModel
from model.data import load_nations

ROOT = Path(__file__).resolve().parents[1]
# the pure belief effect: no budget interaction, no EU, off-budget money or defence path
PURE = dict(defence_budget_weight=0.0, defence_joint_product=0.0, eu_channel=False,
            off_budget="none", defence_path="hold", stop_on_verdict=False)


def mixed_beliefs(substitute=0.8, complement=-0.8):
    """Every other nation (in the data's order) a substitute, the rest complements."""
    codes = load_nations().iso3
    return {c: {"us_reliance": substitute if i % 2 == 0 else complement}
            for i, c in enumerate(codes)}


def after_walkaway(rounds=8, **params):
    model = CoalitionModel("us-walks-away", rng=2, **{**PURE, **params})
    start = model.state.contribution[0].copy()
    model.run(rounds)
    return model, start


def test_substitutes_step_up_and_complements_pull_back_when_the_us_walks_away():
    """The sign of the response is the sign of the belief against the threshold."""
    model, start = after_walkaway(sucker_aversion=0.0, nation_params=mixed_beliefs())
    now = model.state.contribution[0]
    rho = model.world.game.us_reliance[0]
    substitutes, complements = rho > 0, rho < 0
    assert substitutes.sum() >= 10 and complements.sum() >= 10
    assert np.all(now[substitutes] > start[substitutes] * 1.05)
    assert np.all(now[complements] < start[complements] * 0.95)


def test_with_fairness_concerns_the_substitutes_still_carry_more():
    """With the default sucker aversion a substitute may be held back by its fair
    reference (which falls as the complements cut), but together the substitutes
    carry more and the complements collapse."""
    model, start = after_walkaway(nation_params=mixed_beliefs())
    now = model.state.contribution[0]
    rho = model.world.game.us_reliance[0]
    gdp = model.nations.gdp
    assert np.mean(now[rho > 0] > start[rho > 0] * 1.05) > 0.5
    assert (now[rho > 0] * gdp[rho > 0]).sum() > 1.2 * (start[rho > 0] * gdp[rho > 0]).sum()
    assert np.all(now[rho < 0] < start[rho < 0] * 0.5)


def test_the_response_follows_the_belief_not_the_country():
    """Swap Germany's and the Netherlands' beliefs: their responses swap too."""
    for deu_rho, nld_rho in ((1.0, -1.0), (-1.0, 1.0)):
        model, start = after_walkaway(nation_params={"DEU": {"us_reliance": deu_rho},
                                                     "NLD": {"us_reliance": nld_rho}})
        deu, nld = model.nations.index("DEU"), model.nations.index("NLD")
        now = model.state.contribution[0]
        up, down = (deu, nld) if deu_rho > 0 else (nld, deu)
        assert now[up] > start[up] * 1.05
        assert now[down] < start[down] * 0.5


def test_the_verdict_depends_on_the_mix_of_beliefs():
    complements = CoalitionModel("us-walks-away", rng=2, us_reliance=-0.8).run(150)
    autonomous = CoalitionModel("strategic-autonomy", rng=2).run(150)
    assert complements["verdict"] == "fractured"
    assert autonomous["verdict"] == "converged"
    assert autonomous["european_effort_end_bn"] > autonomous["european_effort_start_bn"]
    assert autonomous["eu_aid_end_bn"] > 1.2 * CoalitionModel("strategic-autonomy").nations.eu_aid
    assert complements["european_effort_end_bn"] < 0.5 * complements["european_effort_start_bn"]
    assert autonomous["coalition_size_end"] == autonomous["coalition_size_start"]


def test_a_steadfast_us_keeps_the_coalition_where_it_is():
    assert CoalitionModel("baseline", rng=2, us_reliance_spread=1.0).run(150)["verdict"] == "converged"


def _code_strings(path):
    """String constants in a module's code, docstrings excluded."""
    import ast

    tree = ast.parse(path.read_text())
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return {n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs}


def test_no_country_or_policy_is_special_cased_in_the_mechanics():
    codes = set(load_nations().iso3) | {"USA", "UKR"}
    policies = {"steadfast", "isolationist", "withdrawing", "reciprocal", "transactional",
                "erratic", "strategic"}
    files = list((ROOT / "model").glob("*.py")) + [ROOT / "agents" / "nation.py"]
    assert len(files) > 5
    for path in files:
        strings = _code_strings(path)
        # data.py names the asset holders and the lenders that are not nations (data)
        if path.name != "data.py":
            assert not strings & codes, f"{path.name} names a country: {strings & codes}"
        # config.py: which policy is the default is a parameter; policies.py defines them;
        # beliefs.py names the kinds of US a nation considers
        if path.name not in ("config.py", "policies.py", "beliefs.py"):
            assert not strings & policies, f"{path.name} names a US policy: {strings & policies}"
