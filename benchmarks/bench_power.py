"""Benchmark: time per simulated trial of the power simulation.

For each placebo-arm size (default 10, 30 and 100) ``--trials`` trials are drawn
from the simulator's natural-history model and analysed with the project's
ANCOVA (all trials of a point fitted together), as one grid point of the
workflow's ``power_curve`` rule; the simulation and the analysis are timed apart
and printed per trial.

    python benchmarks/bench_power.py [--sizes 10 30 100] [--trials 50]
"""

from __future__ import annotations

import argparse

from timing import bytecode_warning

from plmsc.config import load_config
from plmsc.simulate.power import compute_power


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args(argv)
    if warning := bytecode_warning():
        print(warning)

    config = load_config()
    settings = dict(config["power"], trials=args.trials)
    cohort = config["cohorts"][settings["cohort"]]
    print(f"{'n placebo':>10} {'n total':>8} {'simulate ms':>12} {'ANCOVA ms':>10} {'power':>6}")
    for n in args.sizes:
        timings: dict[str, float] = {}
        row = compute_power(n, settings, cohort, timings).iloc[0]
        sim_ms = 1000 * timings["simulate"] / args.trials
        fit_ms = 1000 * timings["analyse"] / args.trials
        print(
            f"{n:>10} {int(row['N_TOTAL']):>8} {sim_ms:>12.3f} {fit_ms:>10.3f} {row['POWER']:>6.2f}"
        )
    print(f"per trial = simulate + ANCOVA; {args.trials} trials per size")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
