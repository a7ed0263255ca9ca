"""The layout shows the architecture: each top-level folder is a layer that imports
only downwards, and no module imports itself back through others.

    seeds  (the data)
    model  (the rules of the game and of the US policies: pure, batched functions)
    agents (the Mesa agents and their model)
    experiments (sweeps, analysis, plots)   viz (the browser app)
    experiments.cli (the command line: it may import everything; nothing imports it)
"""

from pathlib import Path

import pytest

from helpers.imports import cycles, import_graph

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"seeds": 0, "model": 1, "agents": 2, "experiments": 3, "viz": 4,
          "experiments.cli": 5}


def layer(module: str) -> int:
    if module == "experiments.cli" or module.startswith("experiments.cli."):
        return LAYERS["experiments.cli"]
    return LAYERS[module.split(".")[0]]


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in graph.items() for b in targets if layer(b) > layer(a))


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT)


def test_the_graph_covers_every_layer(graph):
    assert {m.split(".")[0] for m in graph} == {"seeds", "model", "agents", "experiments", "viz"}
    assert "model.game" in graph["agents.nation"]  # imports are read at all


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_every_import_points_down_the_layers(graph):
    assert upward_imports(graph) == []


def test_nothing_imports_the_command_line(graph):
    assert [m for m, targets in graph.items() if "experiments.cli" in targets] == []


def test_the_rules_of_the_game_import_no_agent_experiment_or_app(graph):
    rules = {m: t for m, t in graph.items() if m.startswith("model")}
    assert all(layer(t) <= LAYERS["model"] for targets in rules.values() for t in targets)


def test_the_checks_catch_a_cycle_and_an_upward_import(tmp_path):
    """The checker itself: a small tree with one cycle and one arrow pointing up."""
    for package, files in {
        "seeds": {},
        "model": {"a.py": "from model import b\n", "b.py": "import model.a\n",
                  "c.py": "def f():\n    from agents.x import y\n"},
        "agents": {"x.py": "from model.c import f\ny = 1\n"},
        "experiments": {}, "viz": {},
    }.items():
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        for name, text in files.items():
            (folder / name).write_text(text)
    bad = import_graph(tmp_path)
    assert ["model.a", "model.b"] in cycles(bad)
    assert ("model.c", "agents.x") in upward_imports(bad)
