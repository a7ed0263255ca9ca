"""Real-world starting data (seeds/nations.csv) and scenario files (seeds/scenarios/)."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
SCENARIOS_DIR = SEEDS_DIR / "scenarios"
