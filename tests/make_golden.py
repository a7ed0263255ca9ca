"""Regenerate the golden runs: ``python tests/make_golden.py``.

Only after a deliberate change to the model: the diff of tests/golden/ is then the
change's effect on every scenario, to be read and explained in the commit message.
"""

import json
from pathlib import Path

from agents.coalition_model import CoalitionModel
from model.scenarios import scenario_names

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED, ROUNDS = 1, 60


def golden_run(name: str) -> dict:
    model = CoalitionModel(name, rng=SEED)
    summary = model.run(ROUNDS)
    frame = model.datacollector.get_model_vars_dataframe()
    summary["series"] = {c: frame[c].tolist() for c in ("coalition_size", "european_effort_bn",
                                                         "us_effort_bn", "deterrence")}
    summary["events"] = model.events
    return summary


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name in scenario_names():
        (GOLDEN / f"{name}.json").write_text(json.dumps(golden_run(name), indent=1) + "\n")
        print("wrote", name)
