"""Where the project's data folders live (source checkout or an installed copy)."""

import os
from pathlib import Path

#: The project root: the folder holding scenarios/, calibration/ and experiments/.
ROOT = Path(os.environ.get("WIJKSIM_ROOT", Path(__file__).resolve().parents[2]))
SCENARIOS = ROOT / "scenarios"
CALIBRATION = ROOT / "calibration"
EXPERIMENTS = ROOT / "experiments"
RESULTS = ROOT / "results"
DATA = ROOT / "data"  # real open data with source notes (data/README.md)
