"""Scenario files: named, commented TOML presets in ``seeds/scenarios/``.

A scenario has a ``title``, a ``description`` for the seminar, ``[parameters]`` (any
model parameter) and ``[nations.ISO3]`` tables of per-nation overrides. Unknown keys
are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.config import ModelConfig, flatten
from model.errors import CoalitionError
from model.files import read_toml
from model.param import check_text
from seeds import SCENARIOS_DIR


class ScenarioError(CoalitionError):
    """A scenario is unknown or its file is malformed."""


TOP_KEYS = ("title", "description", "parameters", "nations")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    nations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def overrides(self) -> dict[str, Any]:
        """The scenario's settings as one flat layer (``ISO3.field`` for nations)."""
        return flatten(self.parameters, self.nations)

    def config(self, *layers: dict[str, Any]) -> ModelConfig:
        """The validated configuration: defaults < this scenario < the given layers.

        Each layer is flat: parameter names and ``ISO3.field`` keys
        (:func:`model.config.flatten` turns nested per-nation tables into one).
        """
        return ModelConfig.from_layers(self.overrides, *layers, scenario=self.name)


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.toml"))


@functools.lru_cache(maxsize=64)
def _read(path: Path) -> Scenario:
    data = read_toml(path, "scenario file")[2]  # a FileError names the file
    try:
        title = check_text(data.get("title", path.stem), "title")
        description = check_text(data.get("description", ""), "description")
    except CoalitionError as exc:
        raise ScenarioError(f"scenario file {path.name}: {exc}") from None
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise ScenarioError(f"scenario file {path.name}: key {unknown[0]!r} is not allowed: "
                            "expected " + ", ".join(TOP_KEYS))
    params = data.get("parameters", {})
    nations = data.get("nations", {})
    if not isinstance(params, dict) or not isinstance(nations, dict) or not all(
            isinstance(v, dict) for v in nations.values()):
        raise ScenarioError(f"scenario file {path.name}: [parameters] and [nations.ISO3] "
                            "must be tables")
    nested = next((k for k, v in params.items() if isinstance(v, dict)), None)
    if nested is not None:
        raise ScenarioError(f"scenario file {path.name}: [parameters.{nested}] is not allowed: "
                            f"one nation's values go in [nations.{nested.upper()}]")
    scenario = Scenario(name=path.stem, title=title, description=description.strip(),
                        parameters=dict(params), nations={k: dict(v) for k, v in nations.items()})
    try:
        scenario.config()  # validate every key and value now, naming the file
    except CoalitionError as exc:
        raise ScenarioError(f"scenario file {path.name}: {exc}") from None
    return scenario


def scenario_file(name: str | Path) -> Path:
    """The file of a scenario given by name (``baseline``) or by path to a TOML file."""
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return path.resolve()
    candidate = SCENARIOS_DIR / f"{name}.toml"
    if not candidate.is_file():
        raise ScenarioError(f"scenario {str(name)!r} is not known: allowed are "
                            + ", ".join(scenario_names()))
    return candidate


def load_scenario(name: str | Path) -> Scenario:
    """A scenario by name (``baseline``) or by path to a TOML file."""
    return _read(scenario_file(name))
