"""Profile one simulated year with cProfile: top functions by cumulative and by own time.

    python benchmarks/profile_year.py                     # baseline, 1 year, top 15
    python benchmarks/profile_year.py wijkregisseur --top 25 --years 2

A warm-up run comes first, so lazy imports and caches are not in the profile. For a
sampling profile with less overhead, run py-spy on the same script:

    py-spy record -r 500 -f raw -o spy.txt -- .venv/bin/python benchmarks/profile_year.py
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # a source checkout works too

from sim.model.city import load_city  # noqa: E402
from sim.model.model import WijkModel  # noqa: E402
from sim.model.scenario import load_scenario  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Profile a run and print the two top-N tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default="baseline")
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario, calibrated=False).model_copy(update={"years": args.years})
    city = load_city(sc.city)
    WijkModel(sc, city, seed=0).run()  # warm-up
    prof = cProfile.Profile()
    prof.enable()
    WijkModel(sc, city, seed=args.seed).run()
    prof.disable()
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(args.top)
        text = buf.getvalue()
        for prefix in (sysconfig.get_paths()["purelib"] + "/", str(ROOT) + "/"):
            text = text.replace(prefix, "")  # mesa/model.py vs sim/model/model.py stay distinct
        print(f"==== top {args.top} by {key} ====")
        print("\n".join(ln for ln in text.splitlines() if ln.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
